"""Reading one line of the import format into an `ArtifactRecord`, or the reasons it is invalid.

No database here: every field is checked against the contract in import-format.md and every
problem is collected with its exact path, so a curator sees them all in one run. Whatever this
module accepts can be written without a database error (lengths, NUL characters, number ranges).
"""

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

from catalog.importing.records import (
    ArtifactRecord,
    CapabilityRecord,
    CategoryRef,
    LinkRecord,
    PlanRecord,
    SourceRecord,
)
from catalog.importing.report import ImportIssue
from catalog.models import (
    Artifact,
    Capability,
    Category,
    Confidence,
    DataSource,
    Kind,
    LinkRelation,
    Modality,
    PricingModel,
    PricingPlan,
    Signals,
    capability_title_key,
)

MAX_LINE_BYTES = 1024 * 1024
MAX_CAPABILITIES = 200
# Plans and sources carry a small-integer position; no real record comes near this.
MAX_LIST_ITEMS = 1000
MAX_EXTRA_DEPTH = 64
BIGINT_MAX = 2**63 - 1


def _max_length(model, field: str) -> int:
    """The longest value the model's column takes: the importer never re-types a limit."""
    return model._meta.get_field(field).max_length


_PRICE = PricingPlan._meta.get_field("price")
PRICE_DIGITS, PRICE_PLACES = _PRICE.max_digits, _PRICE.decimal_places
PRICE_QUANTUM = Decimal(1).scaleb(-PRICE_PLACES)

SLUG_MAX_LENGTH = _max_length(Artifact, "slug")
SLUG_RE = re.compile(rf"[a-z0-9-]{{1,{SLUG_MAX_LENGTH}}}")
SLUG_RULE = f"1 to {SLUG_MAX_LENGTH} characters from a-z, 0-9 and '-'"
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CURRENCY_RE = re.compile(r"[A-Z]{3}")
DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# PostgreSQL text and jsonb reject NUL; a lone surrogate cannot be encoded as UTF-8.
UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")

TOP_LEVEL_FIELDS = frozenset(
    {
        "slug", "name", "kind", "organization", "summary", "about", "homepage",
        "repository_url", "docs_url", "license", "categories", "inputs", "outputs", "pricing",
        "capabilities", "best_for", "limitations", "requirements", "details", "signals",
        "sources", "links", "released", "updated",
    }
)  # fmt: skip
PRICING_FIELDS = frozenset({"model", "free_tier", "plans"})
PLAN_FIELDS = frozenset({"name", "price", "currency", "unit", "as_of"})
CAPABILITY_FIELDS = frozenset({"title", "description", "unique", "vs_alternatives", "confidence"})
SOURCE_FIELDS = frozenset({"name", "url", "retrieved"})
LINK_FIELDS = frozenset({"rel", "target"})
SIGNAL_FIELDS = frozenset(Signals.NUMBER_FIELDS + Signals.BOOLEAN_FIELDS + Signals.DATE_FIELDS)

KINDS = tuple(Kind.values)
PRICING_MODELS = tuple(PricingModel.values)
MODALITIES = tuple(Modality.values)
CONFIDENCES = tuple(Confidence.values)
LINK_RELATIONS = tuple(LinkRelation.values)

_url_validator = URLValidator(schemes=["http", "https"])


@dataclass
class LineResult:
    """The outcome for one physical line. `record` is set only when the line has no error."""

    skipped: bool = False  # blank or comment
    record: ArtifactRecord | None = None
    # The record's slug whenever it could be read, valid record or not (for duplicate checks).
    slug: str = ""
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)


class _Reader:
    """Reads typed values out of one parsed line, collecting issues instead of raising.

    Each reader method returns a usable empty value on a problem, so checking goes on and the
    line's every error is found; the record is dropped whenever `errors` is not empty.
    """

    def __init__(self, *, line: int) -> None:
        self.line = line
        self.errors: list[ImportIssue] = []
        self.warnings: list[ImportIssue] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(ImportIssue(self.line, path, message))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(ImportIssue(self.line, path, message))

    def unknown(self, obj: dict, *, path: str, known: frozenset[str]) -> None:
        for key in obj:
            if key not in known:
                self.warn(f"{path}.{key}", "unknown field ignored")

    def text(
        self,
        value: Any,
        *,
        path: str,
        required: bool = False,
        max_length: int | None = None,
        strip: bool = True,
    ) -> str:
        if value is None:
            if required:
                self.error(path, "is required")
            return ""
        if not isinstance(value, str):
            self.error(path, f"must be a string, not {_type_name(value)}")
            return ""
        if UNSTORABLE_RE.search(value):
            self.error(path, "contains a NUL character or an unpaired surrogate")
            return ""
        if strip or value.isspace():
            value = value.strip()
        if required and not value:
            self.error(path, "must not be empty")
        elif max_length is not None and len(value) > max_length:
            self.error(path, f"is {len(value)} characters long; at most {max_length} allowed")
            return ""
        return value

    def text_list(self, value: Any, *, path: str) -> list[str]:
        items = self.array(value, path=path)
        texts = (
            self.text(item, path=f"{path}[{i}]", required=True) for i, item in enumerate(items)
        )
        return [text for text in texts if text]

    def choice(
        self, value: Any, *, path: str, choices: tuple[str, ...], required: bool = False
    ) -> str:
        text = self.text(value, path=path, required=required)
        if text and text not in choices:
            self.error(path, f"must be one of {', '.join(choices)}; not {text!r}")
            return ""
        return text

    def url(self, value: Any, *, path: str, max_length: int, required: bool = False) -> str:
        url = self.text(value, path=path, required=required, max_length=max_length)
        if not url:
            return ""
        try:
            _url_validator(url)
        except ValidationError:
            self.error(path, f"must be an http(s) URL with a host, not {url!r}")
            return ""
        return url

    def date(self, value: Any, *, path: str) -> dt.date | None:
        text = self.text(value, path=path)
        if not text:
            return None
        if DATE_RE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        self.error(path, f"must be a real date as YYYY-MM-DD, not {text!r}")
        return None

    def count(self, value: Any, *, path: str) -> int | None:
        """A non-negative whole number (a signal); null means unknown."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"must be a number, not {_type_name(value)}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.error(path, "must be a finite number")
        elif value < 0:
            self.error(path, "must not be negative")
        elif value != int(value):
            self.error(path, "must be a whole number")
        elif value > BIGINT_MAX:
            self.error(path, f"is too large (at most {BIGINT_MAX})")
        else:
            return int(value)
        return None

    def flag(self, value: Any, *, path: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        self.error(path, f"must be true or false, not {_type_name(value)}")
        return None

    def scalar(self, value: Any, *, path: str) -> Any:
        if isinstance(value, str):
            return self.text(value, path=path, strip=False)
        if isinstance(value, float) and not math.isfinite(value):
            self.error(path, "must be a finite number")
        return value

    def obj(self, value: Any, *, path: str, required: bool = False) -> dict | None:
        if value is None:
            if required:
                self.error(path, "must be an object, not null")
            return None
        if not isinstance(value, dict):
            self.error(path, f"must be an object, not {_type_name(value)}")
            return None
        return value

    def array(self, value: Any, *, path: str, max_items: int | None = None) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"must be a list, not {_type_name(value)}")
            return []
        if max_items is not None and len(value) > max_items:
            self.error(path, f"has {len(value)} items; at most {max_items} allowed")
            return []
        return value


def line_read(*, text: str, line: int) -> LineResult:
    """Parse and validate one line of the file."""
    text = text.rstrip("\r\n")
    if line == 1:
        text = text.removeprefix("\ufeff")
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return LineResult(skipped=True)
    reader = _Reader(line=line)
    data = _json_object(reader, text)
    if data is None:
        return LineResult(errors=reader.errors)
    record, slug = _record_read(reader, data)
    return LineResult(
        record=None if reader.errors else record,
        slug=slug,
        errors=reader.errors,
        warnings=reader.warnings,
    )


def _json_object(reader: _Reader, text: str) -> dict | None:
    try:
        size = len(text) if text.isascii() else len(text.encode())
    except UnicodeEncodeError as exc:
        reader.error(
            "(line)", f"is not valid UTF-8 (undecodable bytes at character {exc.start + 1})"
        )
        return None
    if size > MAX_LINE_BYTES:
        reader.error("(line)", f"is {size} bytes long; at most {MAX_LINE_BYTES} (1 MiB) allowed")
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        reader.error("(line)", f"invalid JSON: {exc}")
        return None
    if not isinstance(data, dict):
        reader.error("(line)", f"must be a JSON object, not {_type_name(data)}")
        return None
    return data


def _record_read(reader: _Reader, data: dict) -> tuple[ArtifactRecord, str]:
    """Every field, in the order of import-format.md, so errors come out in that order."""
    name = reader.text(
        data.get("name"), path="name", required=True, max_length=_max_length(Artifact, "name")
    )
    slug = _slug(reader, data.get("slug"), name=name)
    fields: dict[str, Any] = {
        "name": name,
        "kind": reader.choice(data.get("kind"), path="kind", choices=KINDS, required=True),
        "organization": reader.text(
            data.get("organization"),
            path="organization",
            max_length=_max_length(Artifact, "organization"),
        ),
        "summary": reader.text(
            data.get("summary"),
            path="summary",
            required=True,
            max_length=_max_length(Artifact, "summary"),
        ),
        "about": reader.text(data.get("about"), path="about", strip=False),
        **{
            key: reader.url(data.get(key), path=key, max_length=_max_length(Artifact, key))
            for key in ("homepage", "repository_url", "docs_url")
        },
        "license": reader.text(
            data.get("license"), path="license", max_length=_max_length(Artifact, "license")
        ),
    }
    categories = _categories(reader, data.get("categories"))
    fields["inputs"] = _modalities(reader, data.get("inputs"), path="inputs")
    fields["outputs"] = _modalities(reader, data.get("outputs"), path="outputs")
    fields["pricing_model"], fields["free_tier"], plans = _pricing(reader, data.get("pricing"))
    capabilities = _capabilities(reader, data.get("capabilities"))
    for key in ("best_for", "limitations", "requirements"):
        fields[key] = reader.text_list(data.get(key), path=key)
    fields["details"] = _details(reader, data.get("details"))
    signals = _signals(reader, data.get("signals"))
    sources = _sources(reader, data.get("sources"))
    links = _links(reader, data.get("links"), slug=slug)
    fields["released"] = reader.date(data.get("released"), path="released")
    fields["updated"] = reader.date(data.get("updated"), path="updated")
    fields["extra"] = _extra(reader, data)
    record = ArtifactRecord(
        line=reader.line,
        slug=slug,
        fields=fields,
        categories=categories,
        plans=plans,
        capabilities=capabilities,
        sources=sources,
        links=links,
        signals=signals,
    )
    return record, slug


def _slug(reader: _Reader, value: Any, *, name: str) -> str:
    if value is None:
        return _slug_from_name(name=name, reader=reader) if name else ""
    slug = reader.text(value, path="slug", required=True)
    if slug and not SLUG_RE.fullmatch(slug):
        reader.error("slug", f"must be {SLUG_RULE}")
        return ""
    return slug


def _slug_from_name(*, name: str, reader: _Reader) -> str:
    """Django's slugify, with '_' (which slugify keeps) turned into '-', cut to the longest
    slug stored."""
    slug = re.sub(r"[-_]+", "-", slugify(name))[:SLUG_MAX_LENGTH].strip("-")
    if not slug:
        reader.error("slug", "absent, and the name gives an empty slug; add a slug")
    return slug


def _pricing(reader: _Reader, value: Any) -> tuple[str, bool | None, tuple[PlanRecord, ...]]:
    pricing = reader.obj(value, path="pricing")
    if pricing is None:
        return "", None, ()  # absent pricing is unknown, not free
    reader.unknown(pricing, path="pricing", known=PRICING_FIELDS)
    model = reader.choice(pricing.get("model"), path="pricing.model", choices=PRICING_MODELS)
    free_tier = reader.flag(pricing.get("free_tier"), path="pricing.free_tier")
    items = reader.array(pricing.get("plans"), path="pricing.plans", max_items=MAX_LIST_ITEMS)
    plans = (_plan(reader, item, path=f"pricing.plans[{i}]") for i, item in enumerate(items))
    return model, free_tier, tuple(plan for plan in plans if plan)


def _plan(reader: _Reader, value: Any, *, path: str) -> PlanRecord | None:
    plan = reader.obj(value, path=path, required=True)
    if plan is None:
        return None
    reader.unknown(plan, path=path, known=PLAN_FIELDS)
    currency = plan.get("currency")
    currency = "USD" if currency is None else currency
    if not (isinstance(currency, str) and CURRENCY_RE.fullmatch(currency)):
        reader.error(f"{path}.currency", "must be 3 upper-case letters, such as USD")
    return PlanRecord(
        name=reader.text(
            plan.get("name"),
            path=f"{path}.name",
            required=True,
            max_length=_max_length(PricingPlan, "name"),
        ),
        price=_price(reader, plan.get("price"), path=f"{path}.price"),
        currency=currency,
        unit=reader.text(
            plan.get("unit"),
            path=f"{path}.unit",
            required=True,
            max_length=_max_length(PricingPlan, "unit"),
        ),
        as_of=reader.date(plan.get("as_of"), path=f"{path}.as_of"),
    )


def _price(reader: _Reader, value: Any, *, path: str) -> Decimal:
    if value is None:
        reader.error(path, "is required")
        return Decimal(0)
    if isinstance(value, float):
        reader.error(
            path, f'must be a decimal string such as "{value}": quote it, floats lose digits'
        )
        return Decimal(0)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not DECIMAL_RE.fullmatch(value.strip()):
        reader.error(path, f'must be a decimal string such as "0.00000042", not {value!r}')
        return Decimal(0)
    try:
        price = Decimal(value.strip())
    except InvalidOperation:
        reader.error(path, f"is not a decimal number: {value!r}")
        return Decimal(0)
    return _price_fitted(reader, price, path=path)


def _price_fitted(reader: _Reader, price: Decimal, *, path: str) -> Decimal:
    if price < 0:
        reader.error(path, "must not be negative")
        return Decimal(0)
    exponent = price.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite: the pattern admits no NaN or Infinity
    if -exponent > PRICE_PLACES:
        reader.error(path, f"has more than {PRICE_PLACES} decimal places")
        return Decimal(0)
    if price >= Decimal(10) ** (PRICE_DIGITS - PRICE_PLACES):
        reader.error(path, f"has more than {PRICE_DIGITS - PRICE_PLACES} digits before the point")
        return Decimal(0)
    return price.quantize(PRICE_QUANTUM)


def _capabilities(reader: _Reader, value: Any) -> tuple[CapabilityRecord, ...]:
    items = reader.array(value, path="capabilities")
    if len(items) > MAX_CAPABILITIES:
        reader.error("capabilities", f"has {len(items)} items; at most {MAX_CAPABILITIES} allowed")
        return ()
    capabilities: list[CapabilityRecord] = []
    first_index: dict[str, int] = {}
    for i, item in enumerate(items):
        capability = _capability(reader, item, path=f"capabilities[{i}]")
        if capability is None or not capability.title:
            continue
        key = capability.title_key
        if key in first_index:
            reader.error(
                f"capabilities[{i}].title",
                f"duplicate title (ignoring case): same as capabilities[{first_index[key]}].title",
            )
        else:
            first_index[key] = i
        capabilities.append(capability)
    return tuple(capabilities)


def _capability(reader: _Reader, value: Any, *, path: str) -> CapabilityRecord | None:
    item = reader.obj(value, path=path, required=True)
    if item is None:
        return None
    reader.unknown(item, path=path, known=CAPABILITY_FIELDS)
    title = reader.text(
        item.get("title"),
        path=f"{path}.title",
        required=True,
        max_length=_max_length(Capability, "title"),
    )
    key_length = _max_length(Capability, "title_key")
    if len(capability_title_key(title)) > key_length:
        reader.error(f"{path}.title", f"is longer than {key_length} characters once lower-cased")
    return CapabilityRecord(
        title=title,
        description=reader.text(item.get("description"), path=f"{path}.description", required=True),
        unique_angle=reader.text(item.get("unique"), path=f"{path}.unique"),
        vs_alternatives=reader.text(item.get("vs_alternatives"), path=f"{path}.vs_alternatives"),
        confidence=reader.choice(
            item.get("confidence"), path=f"{path}.confidence", choices=CONFIDENCES
        )
        or Confidence.MEDIUM.value,
    )


def _categories(reader: _Reader, value: Any) -> tuple[CategoryRef, ...]:
    refs: dict[str, CategoryRef] = {}
    first_index: dict[str, int] = {}
    for i, item in enumerate(reader.array(value, path="categories")):
        path = f"categories[{i}]"
        name = reader.text(item, path=path, required=True, max_length=_max_length(Category, "name"))
        if not name:
            continue
        slug = slugify(name)
        if not slug:
            reader.error(path, "gives an empty slug; use letters or digits in category names")
        elif slug in refs:
            reader.warn(path, f"same category as categories[{first_index[slug]}]; ignored")
        else:
            refs[slug] = CategoryRef(name=name, slug=slug)
            first_index[slug] = i
    return tuple(refs.values())


def _modalities(reader: _Reader, value: Any, *, path: str) -> list[str]:
    modalities: list[str] = []
    for i, item in enumerate(reader.array(value, path=path)):
        modality = reader.choice(item, path=f"{path}[{i}]", choices=MODALITIES, required=True)
        if modality in modalities:
            reader.warn(f"{path}[{i}]", f"repeats {modality!r}; ignored")
        elif modality:
            modalities.append(modality)
    return modalities


def _details(reader: _Reader, value: Any) -> list[list[Any]]:
    details = reader.obj(value, path="details")
    pairs: list[list[Any]] = []
    for key, item in (details or {}).items():
        path = f"details.{key}"
        if not key.strip() or UNSTORABLE_RE.search(key):
            reader.error(path, "key must be non-empty text without NUL characters")
        elif _is_scalar(item):
            pairs.append([key, reader.scalar(item, path=path)])
        else:
            reader.error(path, f"must be a string, number, boolean or null, not {_type_name(item)}")
    return pairs


def _signals(reader: _Reader, value: Any) -> dict[str, Any] | None:
    signals = reader.obj(value, path="signals")
    if signals is None:
        return None
    reader.unknown(signals, path="signals", known=SIGNAL_FIELDS)
    values: dict[str, Any] = {}
    for name in Signals.NUMBER_FIELDS:
        values[name] = reader.count(signals.get(name), path=f"signals.{name}")
    for name in Signals.BOOLEAN_FIELDS:
        values[name] = reader.flag(signals.get(name), path=f"signals.{name}")
    for name in Signals.DATE_FIELDS:
        values[name] = reader.date(signals.get(name), path=f"signals.{name}")
    known = {name: value for name, value in values.items() if value is not None}
    return known or None  # a missing signal is unknown, not zero


def _sources(reader: _Reader, value: Any) -> tuple[SourceRecord, ...]:
    sources = []
    items = reader.array(value, path="sources", max_items=MAX_LIST_ITEMS)
    for i, item in enumerate(items):
        path = f"sources[{i}]"
        source = reader.obj(item, path=path, required=True)
        if source is None:
            continue
        reader.unknown(source, path=path, known=SOURCE_FIELDS)
        sources.append(
            SourceRecord(
                name=reader.text(
                    source.get("name"),
                    path=f"{path}.name",
                    required=True,
                    max_length=_max_length(DataSource, "name"),
                ),
                url=reader.url(
                    source.get("url"),
                    path=f"{path}.url",
                    required=True,
                    max_length=_max_length(DataSource, "url"),
                ),
                retrieved=reader.date(source.get("retrieved"), path=f"{path}.retrieved"),
            )
        )
    return tuple(sources)


def _links(reader: _Reader, value: Any, *, slug: str) -> tuple[LinkRecord, ...]:
    links: dict[LinkRecord, int] = {}
    items = reader.array(value, path="links", max_items=MAX_LIST_ITEMS)
    for i, item in enumerate(items):
        link = _link(reader, item, path=f"links[{i}]", slug=slug)
        if link is None:
            continue
        if link in links:
            reader.error(f"links[{i}]", f"duplicate link: same as links[{links[link]}]")
        else:
            links[link] = i
    return tuple(links)


def _link(reader: _Reader, value: Any, *, path: str, slug: str) -> LinkRecord | None:
    link = reader.obj(value, path=path, required=True)
    if link is None:
        return None
    reader.unknown(link, path=path, known=LINK_FIELDS)
    relation = reader.choice(
        link.get("rel"), path=f"{path}.rel", choices=LINK_RELATIONS, required=True
    )
    target = reader.text(link.get("target"), path=f"{path}.target", required=True)
    if target and not SLUG_RE.fullmatch(target):
        reader.error(f"{path}.target", f"must be a slug: {SLUG_RULE}")
        return None
    if target and target == slug:
        reader.error(f"{path}.target", "an artifact cannot link to itself")
        return None
    return LinkRecord(relation=relation, target_slug=target) if relation and target else None


def _extra(reader: _Reader, data: dict) -> dict[str, Any]:
    extra = {}
    for key, value in data.items():
        if key not in TOP_LEVEL_FIELDS and _storable(reader, value, path=key):
            reader.warn(key, "unknown field kept in extra")
            extra[key] = value
    return extra


def _storable(reader: _Reader, value: Any, *, path: str) -> bool:
    """Whether an unknown value can go into a jsonb column; an error names the first problem."""
    stack = [(path, value, 0)]
    while stack:
        where, item, depth = stack.pop()
        problem = _unstorable_reason(item, depth=depth)
        if problem:
            reader.error(path if depth > MAX_EXTRA_DEPTH else where, problem)
            return False
        if isinstance(item, dict):
            stack.extend((f"{where}.{k}", v, depth + 1) for k, v in item.items())
            stack.extend((where, k, depth + 1) for k in item)
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v, depth + 1) for i, v in enumerate(item))
    return True


def _unstorable_reason(item: Any, *, depth: int) -> str:
    if depth > MAX_EXTRA_DEPTH:
        return f"is nested more than {MAX_EXTRA_DEPTH} levels deep"
    if isinstance(item, str) and UNSTORABLE_RE.search(item):
        return "contains a NUL character or an unpaired surrogate"
    if isinstance(item, float) and not math.isfinite(item):
        return "must be a finite number"
    return ""


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
