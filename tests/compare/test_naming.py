"""Comparison addresses: one canonical order, and slugs that contain "-vs-" themselves."""

from compare.naming import grid_url, pair_key, pair_splits, pair_url


def test_pair_key_is_alphabetical_whatever_the_order():
    assert pair_key("flux-1-pro", "ernie-4-5") == "ernie-4-5-vs-flux-1-pro"
    assert pair_key("ernie-4-5", "flux-1-pro") == "ernie-4-5-vs-flux-1-pro"


def test_pair_splits_tries_every_occurrence_leftmost_first():
    assert pair_splits("a-vs-b") == [("a", "b")]
    assert pair_splits("bert-vs-gpt-probe-vs-llama") == [
        ("bert", "gpt-probe-vs-llama"),
        ("bert-vs-gpt-probe", "llama"),
    ]
    # Overlapping separators ("-vs-vs-") are each a candidate too.
    assert pair_splits("x-vs-vs-y") == [("x", "vs-y"), ("x-vs", "y")]


def test_pair_splits_ignores_empty_sides_and_missing_separator():
    assert pair_splits("-vs-b") == []
    assert pair_splits("a-vs-") == []
    assert pair_splits("avsb") == []


def test_urls():
    assert pair_url("b", "a") == "/compare/a-vs-b/"
    assert grid_url(["x", "a", "m"]) == "/compare/?a=x&a=a&a=m"
    assert grid_url([]) == "/compare/"
