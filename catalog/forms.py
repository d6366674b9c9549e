"""Forms curators edit artifacts with in the admin.

The artifact's lists are edited one item a line, its details as `key: value` lines and its
modalities as checkboxes. Whatever a curator leaves as it was is stored exactly as it was:
saving a form unchanged changes nothing, not even the order of the modalities.
"""

import json
import math
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from catalog.models import Artifact, Modality

# Lines end at a line feed or carriage return only: U+2028 and friends may sit inside an item.
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
# What a `details` value reads as, when written bare, instead of text: JSON numbers and words.
LITERAL_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")
UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")

LINES_HELP = "One item a line; blank lines are dropped. An item may contain commas."
DETAILS_HELP = (
    "One detail a line, written key: value. A value written as a number, or as true, false or "
    "null, is stored as that; anything else is stored as text. To keep text that looks like a "
    'number as text, put it in double quotes ("7"). Double quotes, as in JSON, also keep a '
    "colon in a key and spaces at either end of a value."
)


def _lines(text: str) -> list[str]:
    return LINE_BREAK_RE.split(text)


class LinesField(forms.Field):
    """A list of texts, one a line; each item is stripped, blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", LINES_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value or ""

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple):
            return list(value)
        items = [line.strip() for line in _lines(value or "")]
        return [item for item in items if item]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        for number, item in enumerate(value, start=1):
            if UNSTORABLE_RE.search(item):
                raise ValidationError(f"Item {number} contains a character that cannot be stored.")

    def has_changed(self, initial: Any, data: Any) -> bool:
        # Compared as the items shown and the items sent, so an item with a line break in it
        # (possible from an import) is kept whole as long as it is not edited.
        return self.to_python(self.prepare_value(initial)) != self.to_python(data)


class DetailsField(forms.Field):
    """Ordered [key, value] pairs with text, number, boolean or null values (DETAILS_HELP)."""

    widget = forms.Textarea(attrs={"rows": 6})

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", DETAILS_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):
            return value  # a bound form shows what was sent
        pairs = value.items() if isinstance(value, dict) else (value or [])
        return "\n".join(f"{_key_text(key)}: {_value_text(item)}" for key, item in pairs)

    def to_python(self, value: Any) -> list[list[Any]]:
        if isinstance(value, list | tuple | dict):
            return [list(pair) for pair in (value.items() if isinstance(value, dict) else value)]
        pairs: list[list[Any]] = []
        errors: list[ValidationError] = []
        keys: set[str] = set()
        for number, line in enumerate(_lines(value or ""), start=1):
            if not line.strip():
                continue
            try:
                key, item = _detail_read(line)
                if key in keys:
                    raise ValueError(f"the key {key!r} is already used above")
            except ValueError as error:
                errors.append(ValidationError(f"Line {number}: {error}."))
                continue
            keys.add(key)
            pairs.append([key, item])
        if errors:
            raise ValidationError(errors)
        return pairs

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(self.prepare_value(initial)) != self.to_python(data)
        except ValidationError:
            return True


def _key_text(key: str) -> str:
    plain = key and key == key.strip() and ":" not in key and not key.startswith('"')
    return key if plain and len(_lines(key)) == 1 else json.dumps(key, ensure_ascii=False)


def _value_text(value: Any) -> str:
    if not isinstance(value, str):
        return json.dumps(value)  # numbers, true, false, null
    plain = (
        value
        and value == value.strip()
        and not value.startswith('"')
        and not LITERAL_RE.fullmatch(value)
        and len(_lines(value)) == 1
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


def _detail_read(line: str) -> tuple[str, Any]:
    """One `key: value` line as (key, value); ValueError says what is wrong with it."""
    line = line.strip()
    if line.startswith('"'):
        try:
            key, end = json.JSONDecoder().raw_decode(line)
        except ValueError:
            raise ValueError("the quoted key is not closed") from None
        rest = line[end:].lstrip()
        if not rest.startswith(":"):
            raise ValueError("write it as key: value")
        value_text = rest[1:].strip()
    else:
        key, colon, value_text = line.partition(":")
        if not colon:
            raise ValueError("write it as key: value")
        key, value_text = key.strip(), value_text.strip()
    if not isinstance(key, str) or not key.strip():
        raise ValueError("the key is empty")
    value = _detail_value(value_text)
    if UNSTORABLE_RE.search(key) or (isinstance(value, str) and UNSTORABLE_RE.search(value)):
        raise ValueError("it contains a character that cannot be stored")
    return key, value


def _detail_value(text: str) -> Any:
    if text.startswith('"'):
        try:
            value = json.loads(text)
        except ValueError:
            raise ValueError("the quoted value is not closed, or has more after it") from None
        if not isinstance(value, str):
            raise ValueError("a quoted value must be one piece of text")
        return value
    if LITERAL_RE.fullmatch(text):
        value = json.loads(text)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("the number is too large")
        return value
    return text


class ModalitiesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("choices", Modality.choices)
        super().__init__(**kwargs)


class CuratorModelForm(forms.ModelForm):
    """A model form whose unchanged fields keep their stored values exactly.

    Text areas come back from browsers with CRLF line ends; they are stored with LF, as the
    importer stores them. A field the curator did not change keeps what was stored (a
    timestamp's microseconds, which the time widget does not show, included)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        if self.instance.pk is None:
            return cleaned
        changed = set(self.changed_data)
        for name in self._stored_field_names():
            if name in cleaned and name not in changed:
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def _stored_field_names(self) -> list[str]:
        concrete = {
            field.name
            for field in self._meta.model._meta.concrete_fields
            if field.editable and not field.primary_key
        }
        return [name for name in self.fields if name in concrete]


class ArtifactAdminForm(CuratorModelForm):
    best_for = LinesField(label="Best for")
    limitations = LinesField()
    requirements = LinesField()
    details = DetailsField()
    inputs = ModalitiesField()
    outputs = ModalitiesField()

    class Meta:
        model = Artifact
        # The admin adds the rest of its fieldsets.
        fields = ("inputs", "outputs", "best_for", "limitations", "requirements", "details")

    def clean_inputs(self) -> list[str]:
        return _in_stored_order(self.cleaned_data["inputs"], self.instance.inputs)

    def clean_outputs(self) -> list[str]:
        return _in_stored_order(self.cleaned_data["outputs"], self.instance.outputs)


def _in_stored_order(chosen: list[str], stored: list[str]) -> list[str]:
    """The ticked modalities: those stored before in their stored order, then the new ones."""
    return [m for m in stored if m in chosen] + [m for m in chosen if m not in stored]
