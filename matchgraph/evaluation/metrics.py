"""Ranking metrics with graded relevance. Pure functions over slugs; no database.

`relevant` maps a slug to its grade: 2 = exactly what was asked, 1 = related. Slugs missing
from it count 0. The gain of a result is its grade (linear gains), discounted by
log2(position + 1) with positions counted from 1.
"""

import math
from collections.abc import Iterable, Mapping, Sequence

NDCG_K = 10
RECALL_K = 5
METRICS = ("ndcg@10", "recall@5", "mrr")


def dcg(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first `k` gains."""
    return sum(gain / math.log2(position + 2) for position, gain in enumerate(gains[:k]))


def ndcg_at_k(ranking: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """DCG of `ranking` over the DCG of the best possible order of the labelled grades."""
    ideal = dcg(sorted(relevant.values(), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg([relevant.get(slug, 0) for slug in ranking], k) / ideal


def recall_at_k(ranking: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """Share of the relevant slugs (grade ≥ 1) that appear in the first `k` results."""
    wanted = {slug for slug, grade in relevant.items() if grade >= 1}
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranking[:k])) / len(wanted)


def reciprocal_rank(ranking: Sequence[str], relevant: Mapping[str, int]) -> float:
    """1 / position of the first relevant result (grade ≥ 1); 0 when none is returned."""
    for position, slug in enumerate(ranking, start=1):
        if relevant.get(slug, 0) >= 1:
            return 1 / position
    return 0.0


def query_metrics(ranking: Sequence[str], relevant: Mapping[str, int]) -> dict[str, float]:
    """The three benchmark figures for one query."""
    return {
        "ndcg@10": ndcg_at_k(ranking, relevant, NDCG_K),
        "recall@5": recall_at_k(ranking, relevant, RECALL_K),
        "mrr": reciprocal_rank(ranking, relevant),
    }


def aggregate(
    rows: Iterable[tuple[str, Mapping[str, float]]], *, classes: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Mean of each metric per query class and over all queries ("overall").

    `rows` are (class, metrics) pairs, one per query. A class without queries gets zeros."""
    by_class: dict[str, list[Mapping[str, float]]] = {name: [] for name in classes}
    everything: list[Mapping[str, float]] = []
    for name, metrics in rows:
        by_class.setdefault(name, []).append(metrics)
        everything.append(metrics)
    by_class["overall"] = everything
    return {name: _means(group) for name, group in by_class.items()}


def _means(group: Sequence[Mapping[str, float]]) -> dict[str, float]:
    if not group:
        return dict.fromkeys(METRICS, 0.0)
    return {metric: sum(row[metric] for row in group) / len(group) for metric in METRICS}
