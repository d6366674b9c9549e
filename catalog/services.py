"""Writes to the catalog. Imports live in `catalog.importing`; curator actions live here."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from catalog import pricing
from catalog.derived import listing_changed
from catalog.models import Artifact, Category, PricingPlan
from catalog.search_index import artifacts_refresh_search

PRICES_BATCH = 5000


def artifact_after_curator_edit(*, artifact: Artifact) -> None:
    """Refresh the search document and the listing's price figures (the form edits the plans
    and the free-tier flag) after an admin edit. The import hash is kept on purpose:
    re-importing an unchanged feed record leaves the curator's edit alone, while a changed
    record (new facts from the source) replaces it."""
    artifacts_refresh_search(artifact_ids=[artifact.pk])
    artifacts_refresh_prices(artifact_ids=[artifact.pk])


def artifacts_mark_reviewed(*, artifact_ids: Iterable[int], now: datetime | None = None) -> int:
    """Stamp artifacts as reviewed by a curator; returns how many rows changed."""
    return Artifact.objects.filter(pk__in=list(artifact_ids)).update(
        reviewed_at=now or timezone.now()
    )


def artifacts_set_published(*, artifact_ids: Iterable[int], published: bool) -> int:
    changed = Artifact.objects.filter(pk__in=list(artifact_ids)).update(is_published=published)
    listing_changed()
    return changed


@transaction.atomic
def artifacts_assign_category(
    *, artifact_ids: Iterable[int], category: Category, replace: bool
) -> int:
    """Add `category` to each artifact, or make it their only category when `replace`."""
    ids = list(artifact_ids)
    through = Artifact.categories.through
    if replace:
        through.objects.filter(artifact_id__in=ids).exclude(category=category).delete()
    through.objects.bulk_create(
        [through(artifact_id=pk, category_id=category.pk) for pk in ids],
        ignore_conflicts=True,
    )
    artifacts_refresh_search(artifact_ids=ids)
    return len(ids)


# One UPDATE per batch, writing only the rows whose figures changed.
PRICES_UPDATE_SQL = """
UPDATE catalog_artifact AS a
SET has_free_tier = v.has_free_tier, headline_token_price_per_million = v.per_million
FROM unnest(%s::bigint[], %s::boolean[], %s::numeric[]) AS v(id, has_free_tier, per_million)
WHERE a.id = v.id
  AND (a.has_free_tier, a.headline_token_price_per_million)
      IS DISTINCT FROM (v.has_free_tier, v.per_million)
"""


def artifacts_refresh_prices(*, artifact_ids: Iterable[int] | None = None) -> int:
    """Recompute what listings filter and sort prices by (`Artifact.has_free_tier`,
    `headline_token_price_per_million`) from the free-tier flag and the plans, for
    `artifact_ids` (every artifact when None). Every write of plans or of the flag calls
    this: the admin, the importer (and so the demo loader). The rules are `catalog.pricing`'s
    (one owner: the cards show the same headline); per batch of PRICES_BATCH artifacts, two
    reads and one set-based UPDATE. Returns how many artifacts changed; when any did, the
    listing (counts, cached pages) changes too."""
    changed = 0
    for batch in _id_batches(artifact_ids):
        ids, free, per_million = [], [], []
        for artifact_id, has_free, price in _listing_prices(batch):
            ids.append(artifact_id)
            free.append(has_free)
            per_million.append(price)
        with connection.cursor() as cursor:
            cursor.execute(PRICES_UPDATE_SQL, [ids, free, per_million])
            changed += cursor.rowcount
    if changed:
        listing_changed()
    return changed


def _id_batches(artifact_ids: Iterable[int] | None) -> Iterator[list[int]]:
    if artifact_ids is not None:
        ids = sorted(set(artifact_ids))
        for start in range(0, len(ids), PRICES_BATCH):
            yield ids[start : start + PRICES_BATCH]
        return
    after = 0
    while batch := list(
        Artifact.objects.filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[:PRICES_BATCH]
    ):
        yield batch
        after = batch[-1]


def _listing_prices(artifact_ids: list[int]) -> Iterator[tuple[int, bool, object]]:
    """(id, has a free tier, headline rate per 1M input tokens or None) per artifact."""
    plans = defaultdict(list)
    for plan in PricingPlan.objects.filter(artifact_id__in=artifact_ids).only(
        "artifact_id", "position", "name", "price", "currency", "unit", "as_of"
    ):
        plans[plan.artifact_id].append(plan)
    flags = Artifact.objects.filter(pk__in=artifact_ids).values_list("pk", "free_tier")
    for artifact_id, free_tier in flags:
        own = plans.get(artifact_id, [])
        headline = pricing.headline_price(own)
        yield (
            artifact_id,
            pricing.has_free_tier(free_tier=free_tier, plans=own),
            headline.per_million_input if headline else None,
        )
