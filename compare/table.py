"""The feature table: one row per fact, one cell per artifact, the better value marked.

Pure: built from `Side` values only. A row is marked only where "better" has a direction
(higher rank, a free tier, a lower price in the same unit); type, license and modalities are
facts, not contests. Unknown is shown as unknown and never wins a row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from catalog.pricing import cheapest_prices
from compare.kind_rows import KIND_ROWS
from compare.types import SIGNAL_KEYS, Cell, Row, Side

# How cheap it is to start, by pricing model (lower is cheaper); unknown stays out.
PRICING_ORDER = {"free": 0, "open_source": 0, "freemium": 1, "paid": 2, "contact": 3}
MAX_INTENTS_IN_ROW = 3


def day_label(value: date | None) -> str:
    return f"{value:%b} {value.day}, {value.year}" if value else "Unknown"


def mark_best(values: Sequence[float | None], *, higher: bool = True) -> list[bool]:
    """Which values are best. Needs two known values that differ: a tie, or a row where only
    one side is known, marks nothing."""
    known = [value for value in values if value is not None]
    if len(known) < 2 or len(set(known)) == 1:
        return [False] * len(values)
    best = max(known) if higher else min(known)
    return [value is not None and value == best for value in values]


def mark_best_within_kind(
    sides: Sequence[Side], values: Sequence[float | None], *, higher: bool = True
) -> list[bool]:
    """`mark_best` inside each kind: a percentile within one kind never beats another's."""
    marks = [False] * len(sides)
    for kind in {side.kind for side in sides}:
        at = [i for i, side in enumerate(sides) if side.kind == kind]
        for i, mark in zip(at, mark_best([values[i] for i in at], higher=higher), strict=True):
            marks[i] = mark
    return marks


def _row(
    key: str,
    label: str,
    sides: Sequence[Side],
    cell: Callable[[Side], Cell],
    *,
    score: Callable[[Side], float | None] | None = None,
    higher: bool = True,
    hint: str = "",
    note: str = "",
    within_kind: bool = False,
) -> Row:
    cells = [cell(side) for side in sides]
    if score is not None:
        values = [score(side) for side in sides]
        if within_kind:
            marks = mark_best_within_kind(sides, values, higher=higher)
        else:
            marks = mark_best(values, higher=higher)
        cells = [
            Cell(c.text, better=mark, unknown=c.unknown, detail=c.detail, badge=c.badge)
            for c, mark in zip(cells, marks, strict=True)
        ]
    return Row(key=key, label=label, cells=tuple(cells), hint=hint, note=note)


def _rank_cell(side: Side) -> Cell:
    if side.rank is None:
        return Cell("Not ranked yet", unknown=True)
    return Cell(f"{side.rank}/100", detail=f"among {side.kind_plural}")


def _signal_cell(key: str) -> Callable[[Side], Cell]:
    def cell(side: Side) -> Cell:
        value = side.signal(key)
        if not value.known:
            return Cell("Unknown", unknown=True)
        return Cell(f"{value.score}/100", badge=value.badge)

    return cell


def _pricing_cell(side: Side) -> Cell:
    if not side.pricing_model:
        return Cell("Unknown", unknown=True)
    return Cell(side.pricing_label or side.pricing_model)


def _price_cell(side: Side) -> Cell:
    if side.price is None:
        # No plan listed: "—", as the listing shows it; the pricing row says whether it is free.
        return Cell("—", unknown=not side.pricing_model)
    as_of = f"as of {day_label(side.price.as_of)}" if side.price.as_of else "date unknown"
    detail = f"{as_of}; {side.price.cached_text}" if side.price.cached_text else as_of
    return Cell(side.price.text, detail=detail)


def _price_row(sides: Sequence[Side]) -> Row:
    """The headline prices, the cheapest marked: only within one unit family and currency,
    and for input / output pairs only a side cheaper (or level) on both rates."""
    priced = [side.price for side in sides if side.price is not None]
    comparable = len(priced) >= 2 and all(price.comparable_with(priced[0]) for price in priced)
    cheapest = {id(priced[i]) for i in cheapest_prices(priced)} if comparable else set()
    note = ""
    if len(priced) >= 2 and not comparable:
        note = "Not comparable: the prices are in different units or currencies."
    elif comparable and not cheapest and len({price.rates() for price in priced}) > 1:
        note = "No single cheapest: each is cheaper on one of input and output."
    return _row(
        "starting_price",
        "Starting price",
        sides,
        _price_cell,
        score=(lambda side: None if side.price is None else 0 if id(side.price) in cheapest else 1)
        if cheapest
        else None,
        higher=False,
        hint="lower is better, in the same unit",
        note=note,
    )


def _free_tier_cell(side: Side) -> Cell:
    if side.free_tier is None:
        return Cell("Unknown", unknown=True)
    return Cell("Yes" if side.free_tier else "No")


def _modalities(values: tuple[str, ...]) -> Cell:
    if not values:
        return Cell("Unknown", unknown=True)
    return Cell(", ".join(value.capitalize() for value in values))


def _capabilities_cell(side: Side) -> Cell:
    if not side.capabilities:
        return Cell("None decomposed yet", unknown=True)
    return Cell(f"{side.capability_count} decomposed")


def _times_matched_cell(side: Side) -> Cell:
    return Cell(f"{side.times_matched:,}", detail=f"{side.times_matched_30d:,} in the last 30 days")


def _chosen_for_cell(side: Side) -> Cell:
    if not side.top_intents:
        return Cell("Not chosen in a search yet", unknown=True)
    shown = side.top_intents[:MAX_INTENTS_IN_ROW]
    return Cell("; ".join(f"“{intent.text}” ({intent.matches:,}×)" for intent in shown))


def _pricing_score(side: Side) -> float | None:
    order = PRICING_ORDER.get(side.pricing_model)
    return None if order is None else float(order)


def _kind_rows(sides: Sequence[Side]) -> list[Row]:
    """What a builder needs for these kinds (`compare.kind_rows`), where anyone has a value."""
    return [
        _row(
            spec.key,
            spec.label,
            sides,
            spec.cell,
            score=spec.score_of if spec.score else None,
            higher=spec.higher,
            hint=spec.hint,
        )
        for spec in KIND_ROWS
        if spec.shown_for(sides)
    ]


def _percentile_note(sides: Sequence[Side]) -> str:
    """Ranks and signals are percentiles within a kind: said where the kinds differ."""
    kinds = [side.kind for side in sides]
    if len(set(kinds)) == 1:
        return ""
    if len(set(kinds)) == len(kinds):
        return "Ranked within different kinds, so not compared."
    return "Ranked within each kind: compared only between artifacts of the same kind."


def feature_rows(sides: Sequence[Side]) -> tuple[Row, ...]:
    percentile_note = _percentile_note(sides)
    rows = [
        _row("type", "Type", sides, lambda side: Cell(side.kind_label)),
        _row(
            "rank",
            "UnfragileRank",
            sides,
            _rank_cell,
            score=lambda side: side.rank,
            hint="higher is better",
            note=percentile_note,
            within_kind=True,
        ),
    ]
    for key in SIGNAL_KEYS:
        rows.append(
            _row(
                key,
                sides[0].signal(key).name if sides else key,
                sides,
                _signal_cell(key),
                score=lambda side, key=key: side.signal(key).score,
                hint="higher is better",
                note=percentile_note,
                within_kind=True,
            )
        )
    rows += [
        _row(
            "pricing",
            "Pricing",
            sides,
            _pricing_cell,
            score=_pricing_score,
            higher=False,
            hint="cheaper to start is better",
        ),
        _price_row(sides),
        _row(
            "free_tier",
            "Free tier",
            sides,
            _free_tier_cell,
            score=lambda side: None if side.free_tier is None else float(side.free_tier),
            hint="having one is better",
        ),
        _row(
            "license",
            "License",
            sides,
            lambda side: Cell(side.license) if side.license else Cell("Unknown", unknown=True),
        ),
        _row("inputs", "Inputs", sides, lambda side: _modalities(side.inputs)),
        _row("outputs", "Outputs", sides, lambda side: _modalities(side.outputs)),
        *_kind_rows(sides),
        _row(
            "categories",
            "Categories",
            sides,
            lambda side: (
                Cell(", ".join(side.categories))
                if side.categories
                else Cell("Uncategorized", unknown=True)
            ),
        ),
        _row(
            "capabilities",
            "Capabilities",
            sides,
            _capabilities_cell,
            score=lambda side: side.capability_count or None,
            hint="more means broader coverage",
        ),
        _row(
            "times_matched",
            "Times matched",
            sides,
            _times_matched_cell,
            score=lambda side: side.times_matched,
            hint="chosen by searchers more often is better",
        ),
        _row("chosen_for", "Chosen most for", sides, _chosen_for_cell),
        _row(
            "updated",
            "Last updated",
            sides,
            lambda side: Cell(day_label(side.updated), unknown=side.updated is None),
            score=lambda side: side.updated.toordinal() if side.updated else None,
            hint="more recent is better",
        ),
    ]
    return tuple(rows)
