"""Reads for comparison pages: the entry points, over named parts.

A comparison is built in a fixed number of queries whatever the catalog size (pair: 10 on a
cache miss, 1 on a hit; grid: 8 and 1) and cached whole under a key made of what it depends
on (`compare.stamps`), read in the one query every request makes anyway.

* `compare.problems`: what a visitor can get wrong, shown as a page that explains;
* `compare.stamps`: who is compared, and the cache key;
* `compare.evidence`: what the match graph says about them;
* `compare.sides`: one artifact as a comparison shows it;
* `compare.suggestions` and `compare.picker`: what to compare with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from compare import evidence, naming
from compare.limits import MAX_SLUG_LENGTH
from compare.overlap import capability_overlap
from compare.picker import PICKER_MODES, Picker, compare_picker
from compare.problems import (
    ComparisonProblem,
    InvalidSelection,
    Link,
    NeedsMore,
    UnknownArtifacts,
    grid_values_checked,
    raise_grid_problem,
    raise_pair_problem,
)
from compare.sides import artifacts_for_sides, match_graph_search_url, side_from_artifact
from compare.stamps import Stamp, comparison_cached, stamps_for_slugs
from compare.table import feature_rows
from compare.types import Comparison, SharedSearches
from compare.verdict import comparison_verdict
from matchgraph.selectors import capability_evidence_for_artifacts
from ranking.selectors import rank_scores_for_artifacts

__all__ = [
    "PICKER_MODES",
    "ComparisonProblem",
    "InvalidSelection",
    "NeedsMore",
    "PairResult",
    "Picker",
    "UnknownArtifacts",
    "compare_picker",
    "comparison_build",
    "comparison_for_grid",
    "comparison_for_pair",
]


def comparison_build(*, artifact_ids: Sequence[int], run_id: int | None = None) -> Comparison:
    """The whole comparison of these artifacts, in the given order. Pair: 9 queries; grid: 7."""
    ids = list(artifact_ids)
    artifacts = artifacts_for_sides(ids)
    scores = rank_scores_for_artifacts(artifact_ids=ids)
    capability_evidence = capability_evidence_for_artifacts(artifact_ids=ids)
    intents = evidence.top_intents(ids)
    sides = tuple(
        side_from_artifact(
            artifacts[pk],
            score=scores.get(pk),
            evidence=capability_evidence,
            intents=intents.get(pk, []),
        )
        for pk in ids
        if pk in artifacts
    )
    overlap = None
    shared = SharedSearches()
    if len(sides) == 2:
        left, right = sides
        shared = evidence.shared_searches(left.id, right.id)
        overlap = capability_overlap(
            left.capabilities,
            right.capabilities,
            shared_searches=evidence.capability_pairs(left.id, right.id),
        )
    return Comparison(
        sides=sides,
        rows=feature_rows(sides),
        verdict=comparison_verdict(sides, shared=shared, overlap=overlap),
        search_url=match_graph_search_url(sides),
        rank_run_id=run_id,
        built_at=timezone.now(),
        overlap=overlap,
        shared_searches=shared,
    )


def _cached(stamps: Sequence[Stamp], run_id: int | None) -> Comparison:
    return comparison_cached(
        stamps,
        run_id,
        build=lambda: comparison_build(artifact_ids=[s.id for s in stamps], run_id=run_id),
    )


# --- A vs B -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairResult:
    canonical_url: str
    is_canonical: bool
    comparison: Comparison | None  # None when the request must redirect to the canonical URL
    other_readings: tuple[Link, ...] = ()


def comparison_for_pair(*, pair: str) -> PairResult:
    """Resolve `<slug-a>-vs-<slug-b>` (slugs may contain "-vs-": every split is tried against
    the catalog in one query) and return the comparison, or where the canonical page is."""
    splits = naming.pair_splits(pair)
    found, run_id = stamps_for_slugs(slug for split in splits for slug in split)
    readings = [(a, b) for a, b in splits if a in found and b in found and a != b]
    if not readings:
        raise_pair_problem(pair, splits, found)
    left, right = readings[0]
    first, second = sorted((left, right))
    canonical_url = naming.pair_url(first, second)
    others = tuple(
        Link(f"{found[a].name} vs {found[b].name}", naming.grid_url(sorted((a, b))))
        for a, b in readings[1:]
    )
    if naming.pair_key(left, right) != pair:
        return PairResult(canonical_url, False, None, others)
    comparison = _cached([found[first], found[second]], run_id)
    return PairResult(canonical_url, True, comparison, others)


# --- N-way grid ---------------------------------------------------------------------------------


def comparison_for_grid(*, slugs: Sequence[str]) -> Comparison:
    """2–6 artifacts side by side, in the order given. Duplicates, unknown slugs, too many or
    too few raise a `ComparisonProblem` that says what to do instead."""
    values = grid_values_checked(slugs)
    found, run_id = stamps_for_slugs(value for value in values if len(value) <= MAX_SLUG_LENGTH)
    raise_grid_problem(values, found)
    return _cached([found[value] for value in values], run_id)
