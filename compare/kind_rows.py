"""The rows a builder needs, by kind: declared once here, read from what the catalog already
stores (an artifact's `details`, its licence and pricing), never written per artifact.

Each row applies to some kinds; a column of another kind reads "—" (not applicable), and a
column of its kind without the value reads "Unknown". A row is shown only when at least one
column has a value (`compare.table` builds and marks it). Pure: plain `Side` values only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

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


def detail(side: Side, *keys: str):
    """The first of these detail keys the artifact has (None when it has none)."""
    values = dict(side.details)
    return next((values[key] for key in keys if values.get(key) not in (None, "")), None)


# (a decimal size, its binary counterpart, the suffix), largest first.
COUNT_SUFFIXES = ((10**9, 1024**3, "B"), (10**6, 1024**2, "M"), (10**3, 1024, "K"))


def short_count(number: int) -> str:
    """131072 -> "128K", 1048576 -> "1M", 200000 -> "200K", 7000000000 -> "7B", 900 -> "900".

    Round thousands read in 1,000s, to one decimal; whole multiples of 1,024 (context
    windows often are) in 1,024s; anything less round is written out."""
    for size, binary, suffix in COUNT_SUFFIXES:
        if number >= size and number % (size // 10) == 0:
            return f"{Decimal(number) / size:,.1f}".removesuffix(".0") + suffix
        if number >= binary and number % binary == 0:
            return f"{number // binary:,}{suffix}"
    return f"{number:,}"


def _number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.replace(",", "").strip().isdigit():
        return int(value.replace(",", ""))
    return None


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else "Yes" if value else "No"


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or None
    number = _number(value)
    return f"{number:,}" if number is not None else str(value)


# --- Models ---------------------------------------------------------------------------------


def context_length(side: Side) -> str | None:
    value = detail(side, "context_length", "max_input_tokens", "max_sequence_length")
    number = _number(value)
    if number is not None:
        return f"{short_count(number)} tokens"
    return _text(value)


def context_tokens(side: Side) -> float | None:
    return _number(detail(side, "context_length", "max_input_tokens", "max_sequence_length"))


def parameters(side: Side) -> str | None:
    total = detail(side, "parameters_total", "parameters")
    if total is None:
        return None
    total_text = short_count(_number(total)) if _number(total) is not None else str(total)
    active = detail(side, "parameters_active")
    if active is None:
        return total_text
    active_text = short_count(_number(active)) if _number(active) is not None else str(active)
    return f"{total_text} ({active_text} active)"


def open_weights(side: Side) -> str | None:
    """As the catalog states it, else from the licence (no licence: unknown)."""
    stated = detail(side, "weights_available", "open_weights")
    if isinstance(stated, bool):
        return _yes_no(stated)
    if not side.license:
        return None
    return _yes_no(side.open_licence)


def languages(side: Side) -> str | None:
    value = detail(side, "languages")
    number = _number(value)
    if number is not None:
        return f"{number:,} language{'' if number == 1 else 's'}"
    return _text(value)


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
    return _text(detail(side, "rate_limits", "rate_limit", "requests_per_minute"))


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
        lambda side: _text(detail(side, "platforms", "supported_platforms")),
    ),
    KindRow(
        "written_in",
        "Written in",
        SOFTWARE_KINDS,
        lambda side: _text(detail(side, "language", "core_language")),
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
