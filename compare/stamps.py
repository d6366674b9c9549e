"""The one query every comparison request makes: who is compared, and the cache key parts.

A comparison is cached whole under a key made of what it depends on:

* each artifact's `modified_at` (any edit through the admin or an import),
* the current `RankRun` and each artifact's score `computed_at` in it (a full recompute, or
  the re-score of one artifact after an edit, which updates the row in place),
* each artifact's match-graph `computed_at` (every aggregation rebuilds the evidence).

A change to any of them changes the key, so nothing is ever deleted; stale entries expire.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import OuterRef, Subquery

from catalog.models import Artifact
from compare.types import Comparison
from matchgraph.models import ArtifactMatchStats
from ranking.models import RankRun, RankScore

logger = logging.getLogger(__name__)

# 2: a side's price is the headline price (catalog.pricing); 3: a side's best-for;
# 4: its details, open licence and runs-locally (the rows by kind); 5: a capability's level
CACHE_VERSION = 5
# Every input is in the key; the timeout only bounds memory and curator-side changes outside
# it (hiding an intent shows at the next aggregation anyway).
CACHE_SECONDS = 6 * 60 * 60


@dataclass(frozen=True)
class Stamp:
    id: int
    slug: str
    name: str
    modified_at: datetime
    score_at: datetime | None
    stats_at: datetime | None


def stamps_for_slugs(slugs: Iterable[str]) -> tuple[dict[str, Stamp], int | None]:
    """Published artifacts by slug, with what their comparison's cache key is made of, and
    the current rank run. One query."""
    current_run = RankRun.objects.filter(is_current=True).values("pk")[:1]
    rows = (
        Artifact.objects.published()
        .filter(slug__in=sorted(set(slugs)))
        .annotate(
            run_id=Subquery(current_run),
            score_at=Subquery(
                RankScore.objects.filter(
                    run_id=Subquery(current_run), artifact_id=OuterRef("pk")
                ).values("computed_at")[:1]
            ),
            stats_at=Subquery(
                ArtifactMatchStats.objects.filter(artifact_id=OuterRef("pk")).values("computed_at")[
                    :1
                ]
            ),
        )
        .values_list("pk", "slug", "name", "modified_at", "score_at", "stats_at", "run_id")
    )
    found: dict[str, Stamp] = {}
    run_id = None
    for pk, slug, name, modified_at, score_at, stats_at, run in rows:
        found[slug] = Stamp(pk, slug, name, modified_at, score_at, stats_at)
        run_id = run
    return found, run_id


def comparison_cache_key(stamps: Sequence[Stamp], run_id: int | None) -> str:
    def moment(value: datetime | None) -> str:
        return value.isoformat() if value else "-"

    raw = "|".join(
        f"{s.id}:{moment(s.modified_at)}:{moment(s.score_at)}:{moment(s.stats_at)}" for s in stamps
    )
    digest = hashlib.sha256(f"{raw}|run:{run_id}".encode()).hexdigest()[:40]
    return f"compare:v{CACHE_VERSION}:{digest}"


def comparison_cached(
    stamps: Sequence[Stamp], run_id: int | None, *, build: Callable[[], Comparison]
) -> Comparison:
    """The comparison from the cache, built on a miss. A cache that is down costs speed,
    never the page."""
    key = comparison_cache_key(stamps, run_id)
    try:
        comparison = cache.get(key)
    except Exception:  # Redis down, or an entry an older release wrote
        logger.warning("comparison cache read failed for %s", key, exc_info=True)
        comparison = None
    if comparison is None:
        comparison = build()
        try:
            cache.set(key, comparison, CACHE_SECONDS)
        except Exception:
            logger.warning("comparison cache write failed for %s", key, exc_info=True)
    return comparison
