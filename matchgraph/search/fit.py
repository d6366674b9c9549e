"""How well each candidate fits what the query asked besides its words: its constraints
(strong: runs locally, open source, hosted, free, a kind; preferences: cheap, a language, a
size) and the direction of an X-to-Y task. One query over the candidates, whatever the
constraints.

What "open source", "runs locally" and the others mean is the catalog's definition
(`catalog.querysets`); here it is only applied.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Case, Expression, Q, Value, When
from django.db.models.expressions import RawSQL

from catalog.models import REFERENCE_KINDS, Artifact, PricingPlan
from catalog.querysets import (
    api_condition,
    free_condition,
    hosted_condition,
    open_source_condition,
    runs_locally_condition,
)
from matchgraph.models import ConstraintType
from matchgraph.search.plan import Direction
from matchgraph.search.understanding import STRONG_TYPES, Constraint

# Models up to this many parameters count as "small".
SMALL_MODEL_BILLIONS = 10.0
# A size such as "7b" accepts models up to this much larger ("7b" finds 7.6B models).
SIZE_TOLERANCE = 1.25
# Languages: an artifact that names the language, or one that lists at least this many.
MULTILINGUAL_LANGUAGES = 10
PARAMETERS = re.compile(r"(\d+(?:\.\d+)?)\s*([KMBT])", re.IGNORECASE)
SCALE = {"k": 1e-6, "m": 1e-3, "b": 1.0, "t": 1e3}


@dataclass(frozen=True)
class Fit:
    met: frozenset[str] = frozenset()  # keys of the constraints this artifact satisfies
    preference: float = 0.0  # 0-1: how well it meets the preferences (cheap, language, size)
    does_task: bool = False  # its inputs and outputs are the task's direction
    does_reverse: bool = False  # it does the reverse task, and not the task itself


@dataclass(frozen=True)
class FitReport:
    fits: dict[int, Fit] = field(default_factory=dict)
    # What relevance's cheap first pass reads of each candidate, {pk: (text rank, named as
    # the query)}, when asked for and read with the fit; else None.
    first_pass: dict[int, tuple[float, bool]] | None = None

    def get(self, pk: int) -> Fit:
        return self.fits.get(pk, NO_FIT)


# What a candidate meeting nothing asked has; the report keeps only the others.
NO_FIT = Fit()


def strong_condition(constraint: Constraint) -> Q | None:
    """The catalog condition of a strong constraint; None for a preference."""
    return meets_condition(constraint) if constraint.is_strong else None


def meets_condition(constraint: Constraint) -> Q | None:
    """The catalog condition of a constraint of a strong type (whether strong here or only a
    preference); None for the types decided per row (cheap, language, size)."""
    if constraint.type == ConstraintType.RUNS_LOCALLY:
        return runs_locally_condition()
    if constraint.type == ConstraintType.OPEN_SOURCE:
        # "open weights" (value "model"): an open model, not any open project.
        kinds = Q(kind__in=constraint.value.split(",")) if constraint.value else Q()
        return open_source_condition() & kinds
    if constraint.type == ConstraintType.HOSTED:
        return api_condition() if constraint.value == "api" else hosted_condition()
    if constraint.type == ConstraintType.FREE:
        return free_condition()
    if constraint.type == ConstraintType.KIND:
        return Q(kind__in=constraint.value.split(","))
    return None


def scope_of(constraints: Iterable[Constraint], *, every: bool = False) -> Q | None:
    """What meets any strong constraint (where a query of constraints only looks), or with
    `every` all of them; None without strong constraints."""
    conditions = [c for c in map(strong_condition, constraints) if c is not None]
    if not conditions:
        return None
    scope = conditions[0]
    for condition in conditions[1:]:
        scope = scope & condition if every else scope | condition
    return scope


def candidates_fit(
    *,
    ids: list[int],
    constraints: tuple[Constraint, ...],
    direction: Direction | None,
    first_pass: dict[str, Expression] | None = None,
) -> FitReport:
    """How each candidate fits, in one read of the candidates. `first_pass`: the columns
    `text_rank` and `is_named` of relevance's cheap first pass, read in the same query when
    there is a fit to read."""
    if not ids or (not constraints and direction is None):
        return FitReport()
    conditions = {
        f"met_{n}": condition
        for n, constraint in enumerate(constraints)
        if (condition := meets_condition(constraint)) is not None
    }
    if direction is not None:
        conditions["forward"] = does_task_condition(direction.source, direction.target)
        conditions["reverse"] = does_task_condition(direction.target, direction.source)
    preferences = [c for c in constraints if not c.is_strong]
    # Details and summary are read only for the preferences decided from them.
    text_fields = ("details", "summary") if preferences else ()
    first_pass = first_pass or {}
    rows = list(
        Artifact.objects.filter(_among(ids))
        .annotate(**{key: _as_boolean(condition) for key, condition in conditions.items()})
        .annotate(**first_pass)
        .values("pk", "pricing_model", "free_tier", *text_fields, *conditions, *first_pass)
    )
    wants_cheap = any(c.type == ConstraintType.CHEAP for c in preferences)
    prices = _lowest_prices(ids) if wants_cheap else {}
    cheapness = _cheapness(rows, prices)
    met_columns = [(f"met_{n}", constraint.key) for n, constraint in enumerate(constraints)]
    fits = {}
    for row in rows:
        met = {key for column, key in met_columns if row.get(column)}
        scores = []
        for constraint in preferences:
            score = _preference(constraint, row, cheapness, constraint.key in met)
            scores.append(score)
            if score >= 1.0:
                met.add(constraint.key)
        forward = bool(row.get("forward"))
        preference = sum(scores) / len(scores) if scores else 0.0
        reverse = bool(row.get("reverse")) and not forward
        if met or preference or forward or reverse:
            fits[row["pk"]] = Fit(frozenset(met), preference, forward, reverse)
    if not first_pass:
        return FitReport(fits)
    return FitReport(fits, {row["pk"]: (row["text_rank"], row["is_named"]) for row in rows})


def _among(ids: list[int]) -> RawSQL:
    """`pk IN ids` as one array parameter: hundreds of separate parameters cost more to
    bind than the query takes to run."""
    return RawSQL("catalog_artifact.id = ANY(%s)", [ids], output_field=BooleanField())


def does_task_condition(source: str, target: str) -> Q:
    """Artifacts that turn `source` into `target` (modalities), and are tools for it."""
    doing = Q(inputs__contains=[source], outputs__contains=[target])
    # A speech dataset is about the task; it does not transcribe.
    return doing & ~Q(kind__in=REFERENCE_KINDS)


def _as_boolean(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _preference(constraint: Constraint, row: dict, cheapness: dict[int, float], met: bool) -> float:
    if constraint.type in STRONG_TYPES:
        return 1.0 if met else 0.0
    if constraint.type == ConstraintType.CHEAP:
        return cheapness.get(row["pk"], 0.0)
    if constraint.type == ConstraintType.LANGUAGE:
        return _speaks(row, constraint.value)
    if constraint.type == ConstraintType.SIZE:
        return _fits_size(row, constraint.value)
    return 0.0


def _lowest_prices(ids: list[int]) -> dict[int, dict[str, Decimal]]:
    """Each candidate's lowest listed price per unit (a price per token and one per month
    are never compared)."""
    lowest: dict[int, dict[str, Decimal]] = {}
    plans = PricingPlan.objects.filter(artifact_id__in=ids).values_list(
        "artifact_id", "unit", "price"
    )
    for artifact_id, unit, price in plans:
        units = lowest.setdefault(artifact_id, {})
        units[unit.lower()] = min(price, units.get(unit.lower(), price))
    return lowest


def _cheapness(rows: list[dict], prices: dict[int, dict[str, Decimal]]) -> dict[int, float]:
    """1 for what costs nothing to start with; for priced artifacts, how cheap among
    candidates priced in the same unit (the cheapest 0.9, the dearest 0.3); 0 when unknown."""
    cheapness: dict[int, float] = {}
    by_unit: dict[str, list[tuple[Decimal, int]]] = {}
    for row in rows:
        pk = row["pk"]
        if row["free_tier"] or row["pricing_model"] in ("free", "open_source"):
            cheapness[pk] = 1.0
        else:
            for unit, price in prices.get(pk, {}).items():
                by_unit.setdefault(unit, []).append((price, pk))
    for priced in by_unit.values():
        priced.sort()
        steps = max(len(priced) - 1, 1)
        for position, (_, pk) in enumerate(priced):
            # Priced in several units: the cheapest standing counts.
            cheapness[pk] = max(cheapness.get(pk, 0.0), 0.9 - 0.6 * position / steps)
    return cheapness


def _detail(row: dict, key: str):
    for pair in row["details"] or []:
        if isinstance(pair, list) and len(pair) == 2 and pair[0] == key:
            return pair[1]
    return None


def _speaks(row: dict, language: str) -> float:
    text = f"{row['summary']} {_detail(row, 'languages') or ''}".lower()
    if re.search(rf"\b{re.escape(language)}\b", text):
        return 1.0
    count = _detail(row, "languages")
    if isinstance(count, int | float) and count >= MULTILINGUAL_LANGUAGES:
        return 1.0
    return 0.5 if "multilingual" in text else 0.0


def parameters_billions(value) -> float | None:
    """ "7.3B" -> 7.3, "39M–1.55B" -> 0.039 (the smallest variant), "" -> None."""
    if value is None:
        return None
    found = PARAMETERS.search(str(value))
    if not found:
        return None
    return float(found.group(1)) * SCALE[found.group(2).lower()]


def _fits_size(row: dict, size: str) -> float:
    billions = parameters_billions(_detail(row, "parameters_total"))
    if billions is None:
        return 0.0
    if size == "small":
        return 1.0 if billions <= SMALL_MODEL_BILLIONS else 0.0
    wanted = parameters_billions(size)
    if wanted is None:
        return 0.0
    return 1.0 if billions <= wanted * SIZE_TOLERANCE else 0.0
