"""Comparison addresses: `/compare/<slug-a>-vs-<slug-b>/`, one canonical order.

Pure functions, no database: the selector checks which readings name real artifacts."""

from collections.abc import Sequence

from django.urls import reverse
from django.utils.http import urlencode

SEPARATOR = "-vs-"


def pair_key(slug_a: str, slug_b: str) -> str:
    """The canonical path segment: slugs in alphabetical order, so A vs B and B vs A are one
    page."""
    first, second = sorted((slug_a, slug_b))
    return f"{first}{SEPARATOR}{second}"


def pair_splits(key: str) -> list[tuple[str, str]]:
    """Every way to read `key` as two slugs around one "-vs-", leftmost split first.

    Slugs may contain "-vs-" themselves ("bert-vs-roberta-probe"), so each occurrence is a
    candidate; an empty side is not."""
    splits = []
    start = 0
    while (at := key.find(SEPARATOR, start)) != -1:
        left, right = key[:at], key[at + len(SEPARATOR) :]
        if left and right:
            splits.append((left, right))
        start = at + 1
    return splits


def pair_url(slug_a: str, slug_b: str) -> str:
    return reverse("compare:pair", kwargs={"pair": pair_key(slug_a, slug_b)})


def grid_url(slugs: list[str]) -> str:
    """The N-way grid, columns in the given order (that order is the visitor's choice)."""
    base = reverse("compare:grid")
    return f"{base}?{urlencode([('a', slug) for slug in slugs])}" if slugs else base


def unique(values: Sequence[str]) -> list[str]:
    """The values in their first order, each once."""
    return list(dict.fromkeys(values))
