"""The rows a builder needs, by kind: declared once here, read from what the catalog already
stores (an artifact's `details`, its licence and pricing), never written per artifact.

Each row applies to some kinds; a column of another kind reads "—" (not applicable), and a
column of its kind without the value reads "Unknown". A row is shown only when at least one
column has a value (`compare.table` builds and marks it). Values read as on the artifact page:
`catalog.details` puts them into words. Pure: plain `Side` values only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from catalog.details import as_count, detail_value, tokens, yes_no
from catalog.pricing import TOKENS, format_money, read_amount
from compare.types import Cell, Side

MODEL_KINDS = frozenset({"model"})
# Software a builder installs or runs (an API is called, never installed).
SOFTWARE_KINDS = frozenset({"tool", "repository", "app", "agent"})
API_KINDS = frozenset({"api"})

NOT_APPLICABLE = Cell("—")
UNKNOWN = Cell("Unknown", unknown=True)


@dataclass(frozen=True)
class KindRow:
    key: str
    label: str
    kinds: frozenset[str]
    value: Callable[[Side], str | None]  # the cell's text, None when not known
    # For rows with a direction: a number to compare (lower wins when `higher` is False).
    score: Callable[[Side], float | None] | None = None
    higher: bool = True
    hint: str = ""
    # Beyond the kind, whether the row says anything about this artifact at all.
    applies_to: Callable[[Side], bool] = lambda side: True

    def applies(self, side: Side) -> bool:
        return side.kind in self.kinds and self.applies_to(side)

    def cell(self, side: Side) -> Cell:
        if not self.applies(side):
            return NOT_APPLICABLE
        text = self.value(side)
        return UNKNOWN if text is None else Cell(text)

    def shown_for(self, sides: Sequence[Side]) -> bool:
        """At least one column has a value."""
        return any(self.applies(side) and self.value(side) is not None for side in sides)

    def score_of(self, side: Side) -> float | None:
        if self.score is None or not self.applies(side):
            return None
        return self.score(side)


def detail(side: Side, *keys: str) -> tuple[str, object] | None:
    """The first of these detail keys the artifact has, with its value (None when it has none)."""
    values = dict(side.details)
    return next(((key, values[key]) for key in keys if values.get(key) not in (None, "")), None)


def detail_text(side: Side, *keys: str) -> str | None:
    """That detail in the catalog's words (`catalog.details`), None when the artifact has none."""
    found = detail(side, *keys)
    return None if found is None else detail_value(*found)


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else yes_no(value)


# --- Models ---------------------------------------------------------------------------------

CONTEXT_KEYS = ("context_length", "max_input_tokens", "max_sequence_length")


def context_length(side: Side) -> str | None:
    count = context_tokens(side)
    return tokens(count) if count is not None else detail_text(side, *CONTEXT_KEYS)


def context_tokens(side: Side) -> int | None:
    found = detail(side, *CONTEXT_KEYS)
    return None if found is None else as_count(found[1])


def parameters(side: Side) -> str | None:
    total = detail_text(side, "parameters_total", "parameters")
    if total is None:
        return None
    active = detail_text(side, "parameters_active")
    return total if active is None else f"{total} ({active} active)"


def open_weights(side: Side) -> str | None:
    """As the catalog states it, else from the licence (no licence: unknown)."""
    stated = detail(side, "weights_available", "open_weights")
    if stated is not None and isinstance(stated[1], bool):
        return yes_no(stated[1])
    if not side.license:
        return None
    return _yes_no(side.open_licence)


def languages(side: Side) -> str | None:
    return detail_text(side, "languages")


# --- Software -------------------------------------------------------------------------------


def runs_locally(side: Side) -> str | None:
    return _yes_no(side.runs_locally)


# --- APIs -----------------------------------------------------------------------------------


def _token_price(side: Side) -> bool:
    return side.price is not None and side.price.family == TOKENS


def _not_priced_otherwise(side: Side) -> bool:
    """No price listed (unknown), or a price per token: a per-image price says nothing here."""
    return side.price is None or _token_price(side)


def _per_million(side: Side, amount: Decimal | None, unit: str) -> str | None:
    if not _token_price(side) or amount is None:
        return None
    return format_money(read_amount(amount, unit), side.price.currency)


def input_per_million(side: Side) -> str | None:
    if side.price is None:
        return None
    return _per_million(side, side.price.amount, side.price.unit)


def output_per_million(side: Side) -> str | None:
    return _per_million(side, side.price.output if side.price else None, "output token")


def cached_per_million(side: Side) -> str | None:
    return _per_million(side, side.price.cached if side.price else None, "input token")


def rate_limits(side: Side) -> str | None:
    return detail_text(side, "rate_limits", "rate_limit", "requests_per_minute")


KIND_ROWS = (
    KindRow(
        "context_length",
        "Context length",
        MODEL_KINDS | API_KINDS,
        context_length,
        score=context_tokens,
        hint="longer fits more text at once",
    ),
    KindRow("parameters", "Parameters", MODEL_KINDS, parameters),
    KindRow("open_weights", "Open weights", MODEL_KINDS, open_weights),
    KindRow("languages", "Languages", MODEL_KINDS | API_KINDS | SOFTWARE_KINDS, languages),
    KindRow("runs_locally", "Runs locally", SOFTWARE_KINDS, runs_locally),
    KindRow(
        "platforms",
        "Platforms",
        SOFTWARE_KINDS,
        lambda side: detail_text(side, "platforms", "supported_platforms"),
    ),
    KindRow(
        "written_in",
        "Written in",
        SOFTWARE_KINDS,
        lambda side: detail_text(side, "language", "core_language"),
    ),
    KindRow(
        "input_per_1m",
        "Input per 1M tokens",
        API_KINDS | MODEL_KINDS,
        input_per_million,
        applies_to=_not_priced_otherwise,
    ),
    KindRow(
        "output_per_1m",
        "Output per 1M tokens",
        API_KINDS | MODEL_KINDS,
        output_per_million,
        applies_to=_not_priced_otherwise,
    ),
    KindRow(
        "cached_per_1m",
        "Cached input per 1M tokens",
        API_KINDS | MODEL_KINDS,
        cached_per_million,
        applies_to=_not_priced_otherwise,
    ),
    KindRow("rate_limits", "Rate limits", API_KINDS, rate_limits),
)
