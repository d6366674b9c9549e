"""Writes to the match graph: recording events (cheap, from tasks) and merging intents."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from catalog.models import Artifact
from matchgraph.models import (
    ComparisonEvent,
    Intent,
    IntentRelation,
    MatchEvent,
    MatchEvidence,
    MatchVia,
    SearchEvent,
    result_position,
)
from matchgraph.normalize import normalize_intent

MAX_SHOWN_RECORDED = 50
# A comparison grid shows at most this many artifacts.
MAX_COMPARED = 6


def intent_get_or_create(*, text: str) -> Intent | None:
    """The intent for a query, created on first use; None when nothing meaningful was typed."""
    normalized = normalize_intent(text)
    if not normalized:
        return None
    intent, _ = Intent.objects.get_or_create(text=normalized)
    return intent


def search_record(
    *,
    query: str,
    shown_artifact_ids: list[int],
    source_hash: str,
    network_hash: str = "",
    at: datetime | None = None,
) -> SearchEvent | None:
    intent = intent_get_or_create(text=query)
    if intent is None:
        return None
    return SearchEvent.objects.create(
        intent=intent,
        shown_artifact_ids=[int(pk) for pk in shown_artifact_ids[:MAX_SHOWN_RECORDED]],
        source_hash=source_hash,
        network_hash=network_hash,
        created_at=at or timezone.now(),
    )


def match_record(
    *,
    query: str,
    artifact_id: int,
    via: str,
    source_hash: str,
    network_hash: str = "",
    evidence: str = MatchEvidence.SHOWN,
    position: int | None = None,
    at: datetime | None = None,
) -> MatchEvent | None:
    """Record that a visitor chose an artifact for a query, with the evidence that they were
    shown it. Caps, de-duplication and burst damping happen at aggregation, so recording stays
    one insert."""
    intent = intent_get_or_create(text=query)
    if intent is None or via not in MatchVia.values or evidence not in MatchEvidence.values:
        return None
    if not Artifact.objects.filter(pk=artifact_id).exists():
        return None
    return MatchEvent.objects.create(
        intent=intent,
        artifact_id=artifact_id,
        position=result_position(position),
        via=via,
        evidence=evidence,
        source_hash=source_hash,
        network_hash=network_hash,
        created_at=at or timezone.now(),
    )


def comparison_record(
    *,
    artifact_ids: list[int],
    source_hash: str,
    network_hash: str = "",
    at: datetime | None = None,
) -> ComparisonEvent | None:
    """Record that a visitor opened a comparison of these artifacts. Like matches, repeats
    are counted once at aggregation, so recording stays one insert after one check."""
    ids = sorted({int(pk) for pk in artifact_ids})
    if not 2 <= len(ids) <= MAX_COMPARED:
        return None
    if Artifact.objects.filter(pk__in=ids).count() != len(ids):
        return None
    return ComparisonEvent.objects.create(
        artifact_ids=ids,
        source_hash=source_hash,
        network_hash=network_hash,
        created_at=at or timezone.now(),
    )


@transaction.atomic
def intents_merge(*, duplicates: list[Intent], into: Intent) -> int:
    """Fold duplicate intents into one. Their raw events stay; the aggregation counts them
    for `into`. Chains are flattened so every duplicate points at the survivor directly."""
    ids = [intent.pk for intent in duplicates if intent.pk != into.pk]
    Intent.objects.filter(merged_into_id__in=ids).update(merged_into=into)
    merged = Intent.objects.filter(pk__in=ids).update(merged_into=into, is_public=False)
    if into.merged_into_id:
        Intent.objects.filter(pk=into.pk).update(merged_into=None)
    return merged


def intents_set_hidden(*, intent_ids: list[int], hidden: bool) -> int:
    """Hiding takes an intent off public pages at once; showing it again waits for the next
    aggregation to check it still has the evidence to be public."""
    changes = {"is_hidden": hidden, **({"is_public": False} if hidden else {})}
    return Intent.objects.filter(pk__in=intent_ids).update(**changes)


def search_terms_changed() -> None:
    """Searches read synonym groups and constraint words from the cache; drop both now and
    again once the edit commits (a search in between would cache the old terms)."""
    from django.core.cache import cache
    from django.db import transaction

    from matchgraph.search.plan import SYNONYMS_CACHE_KEY
    from matchgraph.search.understanding import CONSTRAINTS_CACHE_KEY

    keys = [SYNONYMS_CACHE_KEY, CONSTRAINTS_CACHE_KEY]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def intent_relations_set_rejected(*, relation_ids: list[int], rejected: bool) -> int:
    """A rejected relation is never used by search and survives every re-aggregation."""
    return IntentRelation.objects.filter(pk__in=relation_ids).update(is_rejected=rejected)
