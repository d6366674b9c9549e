"""The feature table from plain sides: which cell is better, and how unknown reads."""

import datetime as dt
from decimal import Decimal

from compare.table import feature_rows, mark_best
from compare.types import SIGNAL_KEYS, Price, Side, SignalValue


def side(name, **fields) -> Side:
    signals = fields.pop("signals", {})
    badges = fields.pop("badges", ())
    return Side(
        name=name,
        signals=tuple(
            SignalValue(key, score=signals.get(key), badge=key in badges) for key in SIGNAL_KEYS
        ),
        **fields,
    )


def rows_by_key(*sides):
    return {row.key: row for row in feature_rows(sides)}


def test_mark_best_needs_two_known_values_that_differ():
    assert mark_best([3, 5]) == [False, True]
    assert mark_best([3, 3]) == [False, False]
    assert mark_best([None, 5]) == [False, False]
    assert mark_best([5, 5, 1]) == [True, True, False]
    assert mark_best([2.0, 1.0], higher=False) == [False, True]


def test_rows_follow_the_seed_rows_and_more():
    keys = list(rows_by_key(side("A"), side("B")))
    assert keys == [
        "type",
        "rank",
        "adoption",
        "quality",
        "ecosystem",
        "match_graph",
        "freshness",
        "pricing",
        "starting_price",
        "free_tier",
        "license",
        "inputs",
        "outputs",
        "categories",
        "capabilities",
        "times_matched",
        "chosen_for",
        "updated",
    ]


def test_signal_cells_carry_badge_and_number_and_the_better_is_marked():
    rows = rows_by_key(
        side("A", signals={"adoption": 81}, badges=("adoption",)),
        side("B", signals={"adoption": 20}),
    )
    adoption = rows["adoption"]
    assert [(c.text, c.badge, c.better) for c in adoption.cells] == [
        ("81/100", True, True),
        ("20/100", False, False),
    ]


def test_unknown_reads_unknown_and_never_wins():
    rows = rows_by_key(side("A", signals={"quality": 10}), side("B"))
    assert [(c.text, c.unknown, c.better) for c in rows["quality"].cells] == [
        ("10/100", False, False),
        ("Unknown", True, False),
    ]
    assert [c.text for c in rows["rank"].cells] == ["Not ranked yet", "Not ranked yet"]
    assert [c.text for c in rows["license"].cells] == ["Unknown", "Unknown"]
    assert [c.text for c in rows["pricing"].cells] == ["Unknown", "Unknown"]


def test_prices_are_marked_only_in_the_same_unit():
    token = side("A", pricing_model="paid", price=Price(Decimal("0.5"), "USD", "1M tokens"))
    cheaper = side("B", pricing_model="paid", price=Price(Decimal("0.2"), "USD", "1M tokens"))
    per_image = side("C", pricing_model="paid", price=Price(Decimal("0.01"), "USD", "image"))
    same = rows_by_key(token, cheaper)["starting_price"]
    assert [c.better for c in same.cells] == [False, True]
    assert same.cells[0].text == "$0.50 per 1M tokens"
    assert same.cells[0].detail == "date unknown"
    different = rows_by_key(token, per_image)["starting_price"]
    assert not different.has_better
    assert different.note.startswith("Not comparable")


def test_no_price_shows_a_dash_with_its_as_of_date_otherwise():
    priced = side(
        "A",
        pricing_model="paid",
        price=Price(Decimal("0.00000042"), "USD", "prompt token", dt.date(2026, 11, 1)),
    )
    rows = rows_by_key(priced, side("B", pricing_model="free"))
    cells = rows["starting_price"].cells
    assert (cells[0].text, cells[0].detail) == ("$0.42 per 1M input tokens", "as of Nov 1, 2026")
    assert cells[1].text == "—"


def _tokens(input_rate, output_rate, cached=None):
    return Price(
        Decimal(input_rate),
        "USD",
        "prompt token",
        output=Decimal(output_rate),
        cached=Decimal(cached) if cached else None,
    )


def test_token_prices_read_per_million_and_mark_only_a_side_cheaper_on_both():
    gpt = side("GPT", pricing_model="paid", price=_tokens("0.0000025", "0.00001", "0.00000125"))
    ernie = side("Ernie", pricing_model="paid", price=_tokens("0.00000042", "0.00000125"))
    row = rows_by_key(gpt, ernie)["starting_price"]
    assert [c.text for c in row.cells] == [
        "$2.50 / $10.00 per 1M tokens (input / output)",
        "$0.42 / $1.25 per 1M tokens (input / output)",
    ]
    assert row.cells[0].detail == "date unknown; cached input $1.25 per 1M tokens"
    assert [c.better for c in row.cells] == [False, True]
    odd = side("Odd", pricing_model="paid", price=_tokens("0.0000001", "0.00002"))
    mixed = rows_by_key(ernie, odd)["starting_price"]
    assert not mixed.has_better
    assert mixed.note == "No single cheapest: each is cheaper on one of input and output."


def test_free_tier_pricing_and_freshness_directions():
    free = side("A", free_tier=True, pricing_model="open_source", updated=dt.date(2026, 10, 1))
    paid = side("B", free_tier=False, pricing_model="paid", updated=dt.date(2025, 1, 1))
    rows = rows_by_key(free, paid)
    assert [c.better for c in rows["free_tier"].cells] == [True, False]
    assert [c.better for c in rows["pricing"].cells] == [True, False]
    assert [c.better for c in rows["updated"].cells] == [True, False]
    assert [c.text for c in rows["updated"].cells] == ["Oct 1, 2026", "Jan 1, 2025"]
    # A free tier against an unknown one proves nothing.
    assert not rows_by_key(free, side("C"))["free_tier"].has_better


def test_facts_rows_have_no_direction():
    rows = rows_by_key(
        side("A", kind_label="Model", license="MIT", inputs=("text",)),
        side("B", kind_label="Repository", license="AGPL-3.0", inputs=("image",)),
    )
    for key in ("type", "license", "inputs", "outputs", "categories", "chosen_for"):
        assert not rows[key].has_better, key
    assert [c.text for c in rows["inputs"].cells] == ["Text", "Image"]


def test_ranks_and_signals_are_marked_only_within_one_kind():
    repository = {"kind": "repository", "kind_label": "Repository", "kind_plural": "repositories"}
    pair = rows_by_key(
        side("Whisper", kind="model", rank=95, signals={"adoption": 99}),
        side("sdnext", rank=40, signals={"adoption": 10}, **repository),
    )
    for key in ("rank", "adoption"):
        assert not pair[key].has_better
        assert pair[key].note == "Ranked within different kinds, so not compared."
    grid = rows_by_key(
        side("Whisper", kind="model", kind_plural="models", rank=95),
        side("whisper.cpp", rank=70, **repository),
        side("faster-whisper", rank=50, **repository),
    )
    assert [cell.better for cell in grid["rank"].cells] == [False, True, False]
    assert grid["rank"].note.startswith("Ranked within each kind")
    assert [(cell.text, cell.detail) for cell in grid["rank"].cells] == [
        ("95/100", "among models"),
        ("70/100", "among repositories"),
        ("50/100", "among repositories"),
    ]
    same = rows_by_key(side("A", rank=60), side("B", rank=40))
    assert [cell.better for cell in same["rank"].cells] == [True, False]
    assert same["rank"].note == ""
