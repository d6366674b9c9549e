"""Which capabilities of two artifacts cover the same ground.

Two kinds of evidence, strongest first: both capabilities explained the same searches in the
match graph (`IntentCapabilityEdge`), or their titles say nearly the same thing. Each
capability pairs with at most one on the other side. Pure: no database."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from compare.types import CapabilityItem, Overlap, OverlapPair

# Titles whose content words overlap this much (Jaccard) count as the same capability.
SIMILAR_WORDING = 0.5
# Words that say nothing about what a capability does.
FILLER = frozenset(
    """a an and as at by for from in into of on or the to via with without using based
    support supports supporting across multiple multi more than its it their your""".split()
)
WORD = re.compile(r"[^\W_]+")
SUFFIXES = ("ing", "ers", "ions", "ion", "es", "ed", "er", "s")


def _stem(word: str) -> str:
    """A crude stem, enough to pair "captioning" with "captions"."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def title_words(title: str) -> frozenset[str]:
    return frozenset(
        _stem(word) for word in WORD.findall(title.lower()) if word not in FILLER and len(word) > 1
    )


def wording_similarity(first: str, second: str) -> float:
    a, b = title_words(first), title_words(second)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def capability_overlap(
    left: Sequence[CapabilityItem],
    right: Sequence[CapabilityItem],
    *,
    shared_searches: Mapping[tuple[int, int], tuple[int, str]] | None = None,
) -> Overlap:
    """`shared_searches[(left_id, right_id)] = (searches, example)` from the match graph."""
    shared_searches = shared_searches or {}
    candidates: list[tuple[float, CapabilityItem, CapabilityItem, int, str, bool]] = []
    for a in left:
        for b in right:
            searches, example = shared_searches.get((a.id, b.id), (0, ""))
            similarity = wording_similarity(a.title, b.title)
            similar = similarity >= SIMILAR_WORDING
            if searches or similar:
                # Shared searches outweigh any wording; wording breaks ties.
                candidates.append((searches + similarity, a, b, searches, example, similar))
    candidates.sort(key=lambda item: (-item[0], item[1].title, item[2].title))
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs = []
    for _, a, b, searches, example, similar in candidates:
        if a.id in used_left or b.id in used_right:
            continue
        used_left.add(a.id)
        used_right.add(b.id)
        pairs.append(OverlapPair(a, b, searches, example, similar))
    return Overlap(
        pairs=tuple(pairs),
        only_left=tuple(item for item in left if item.id not in used_left),
        only_right=tuple(item for item in right if item.id not in used_right),
    )
