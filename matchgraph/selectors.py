"""Reads of the match graph's evidence for artifact pages: related artifacts, capability
evidence, the intents that find an artifact. Search itself is `matchgraph.search`."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.http import Http404

from catalog.derived import LISTING_VERSION_KEY
from catalog.embeddings.indexing import VECTORS_VERSION_KEY
from catalog.embeddings.store import relative_closeness
from catalog.models import REFERENCE_KINDS, Artifact, Confidence
from catalog.selectors import artifact_meaning_query, artifact_overlap_query
from matchgraph.models import (
    PUBLIC_INTENT,
    ArtifactDiscard,
    CapabilityMatchStats,
    intent_sql,
)


@dataclass(frozen=True)
class RelatedArtifact:
    artifact: Artifact
    score: float
    shared_intents: int


@dataclass(frozen=True)
class Neighbours:
    """An artifact page's "Related artifacts" and "Alternatives"."""

    related: tuple[RelatedArtifact, ...]
    alternatives: tuple[RelatedArtifact, ...]


# How much one unit of co-match weight counts against one unit of catalog overlap, and how
# much the closest in meaning counts (the rest of the meaning pool scaled down to 0).
COMATCH_WEIGHT = 2.0
MEANING_WEIGHT = 8.0
# Alternatives of the same kind first, when they fit about as well.
SAME_KIND_BONUS = 3.0
POOL = 30
NEIGHBOURS_TTL = 60 * 60
GRAPH_VERSION_KEY = "matchgraph:graph-version"


def artifact_get_for_choice(*, slug: str) -> Artifact:
    """The published artifact a visitor chose from search (its own row, one query), or 404."""
    try:
        return Artifact.objects.published().get(slug=slug)
    except Artifact.DoesNotExist as missing:
        raise Http404(f"No artifact is listed at “{slug}”.") from missing


def artifact_neighbours(
    *, artifact: Artifact, related_limit: int = 6, alternatives_limit: int = 4
) -> Neighbours:
    """Related artifacts (anything that overlaps: catalog, meaning, chosen for the same
    intents, compared together) and alternatives (what does the same job: no datasets,
    papers or courses for an artifact that performs a task). One query, cached until the
    listing (any write, publishing included), the match graph or the embeddings change."""
    key = _neighbours_key(artifact, related_limit, alternatives_limit)
    found = cache.get(key)
    if found is None:
        found = _neighbours(artifact, related_limit, alternatives_limit)
        cache.set(key, found, NEIGHBOURS_TTL)
    return found


def _neighbours_key(artifact: Artifact, *limits: int) -> str:
    versions = cache.get_many([LISTING_VERSION_KEY, GRAPH_VERSION_KEY, VECTORS_VERSION_KEY])
    stamp = ":".join(
        str(versions.get(name, 0))
        for name in (LISTING_VERSION_KEY, GRAPH_VERSION_KEY, VECTORS_VERSION_KEY)
    )
    return f"matchgraph:neighbours:{artifact.pk}:{':'.join(map(str, limits))}:{stamp}"


# Everything that may neighbour an artifact, read in one statement: the catalog's overlap,
# the nearest in meaning (found by the server or passed in) and the co-matches, with what
# a card shows of each.
NEIGHBOURS_SQL = """
WITH overlap(artifact_id, score) AS ({overlap}),
meaning AS ({meaning}),
comatch AS (
    SELECT other_id AS artifact_id, weight, shared_intents FROM matchgraph_comatch
    WHERE artifact_id = %(artifact_id)s ORDER BY weight DESC LIMIT %(comatch_pool)s
),
candidate AS (
    SELECT artifact_id FROM overlap
    UNION SELECT artifact_id FROM meaning
    UNION SELECT artifact_id FROM comatch
)
SELECT a.id, a.slug, a.name, a.kind, a.summary, a.current_rank,
       overlap.score AS overlap_score, meaning.similarity AS meaning_similarity,
       comatch.weight AS comatch_weight, comatch.shared_intents AS shared_intents
FROM candidate k
JOIN catalog_artifact a ON a.id = k.artifact_id
LEFT JOIN overlap ON overlap.artifact_id = a.id
LEFT JOIN meaning ON meaning.artifact_id = a.id
LEFT JOIN comatch ON comatch.artifact_id = a.id
WHERE a.is_published AND a.id <> %(artifact_id)s
"""


def _neighbours(artifact: Artifact, related_limit: int, alternatives_limit: int) -> Neighbours:
    loaded = {other.pk: other for other in _neighbour_candidates(artifact)}
    closeness = _meaning_closeness(loaded.values())
    scores = {
        pk: (other.overlap_score or 0.0)
        + MEANING_WEIGHT * closeness.get(pk, 0.0)
        + COMATCH_WEIGHT * (other.comatch_weight or 0.0)
        for pk, other in loaded.items()
    }

    def ranked(score_of) -> list[int]:
        return sorted(loaded, key=lambda pk: (-score_of(pk), loaded[pk].name))

    related = ranked(scores.__getitem__)[:related_limit]
    alternative_ids = {pk for pk in loaded if _is_alternative(artifact, loaded[pk])}
    bonus = {pk: SAME_KIND_BONUS if loaded[pk].kind == artifact.kind else 0.0 for pk in loaded}
    alternatives = [
        pk for pk in ranked(lambda pk: scores[pk] + bonus[pk]) if pk in alternative_ids
    ][:alternatives_limit]

    def item(pk: int) -> RelatedArtifact:
        return RelatedArtifact(loaded[pk], scores[pk], loaded[pk].shared_intents or 0)

    return Neighbours(tuple(map(item, related)), tuple(map(item, alternatives)))


def _neighbour_candidates(artifact: Artifact) -> list[Artifact]:
    """The candidates as card-ready artifacts carrying `overlap_score`,
    `meaning_similarity`, `comatch_weight` and `shared_intents` (None where absent). One
    query (the in-process vectors are searched before it)."""
    overlap_sql, params = artifact_overlap_query(artifact=artifact, limit=POOL)
    meaning_sql, meaning_params = artifact_meaning_query(artifact=artifact, limit=POOL)
    sql = NEIGHBOURS_SQL.format(overlap=overlap_sql, meaning=meaning_sql)
    return list(Artifact.objects.raw(sql, {**params, **meaning_params, "comatch_pool": POOL}))


def _is_alternative(artifact: Artifact, other: Artifact) -> bool:
    """Something that performs a task is replaced by something else that performs it; a
    dataset, paper or course only by another of its kind."""
    if artifact.kind in REFERENCE_KINDS:
        return other.kind == artifact.kind
    return other.kind not in REFERENCE_KINDS


def _meaning_closeness(candidates) -> dict[int, float]:
    """The nearest in meaning, scaled 1 (the closest) to 0 (the last of the pool)."""
    found = {
        other.pk: other.meaning_similarity
        for other in candidates
        if other.meaning_similarity is not None
    }
    if not found:
        return {}
    best, floor = max(found.values()), min(found.values())
    return {
        pk: relative_closeness(similarity, best=best, floor=floor)
        for pk, similarity in found.items()
    }


@dataclass(frozen=True)
class CapabilityEvidence:
    distinct_intents: int
    distinct_clients: int
    matches: int


# A capability explaining the choices of this many distinct clients is shown one confidence
# level higher: one visitor typing three queries is one confirmation.
CONFIRMATION_CLIENTS = 3
CONFIDENCE_LEVELS = tuple(Confidence.values)  # lowest first


def confirmed_confidence(*, confidence: str, evidence: CapabilityEvidence | None) -> str:
    """The curated confidence, raised one level when many distinct searchers confirm it. Every
    page showing a capability's confidence shows this one."""
    levels = CONFIDENCE_LEVELS
    if (
        evidence is not None
        and evidence.distinct_clients >= CONFIRMATION_CLIENTS
        and confidence in levels[:-1]
    ):
        return levels[levels.index(confidence) + 1]
    return confidence


def capability_evidence(*, artifact: Artifact) -> dict[int, CapabilityEvidence]:
    """Per capability of `artifact`: the counted choices it explained, from how many distinct
    searches and distinct clients. One query."""
    return capability_evidence_for_artifacts(artifact_ids=[artifact.pk])


def capability_evidence_for_artifacts(
    *, artifact_ids: Sequence[int]
) -> dict[int, CapabilityEvidence]:
    """`capability_evidence` for the capabilities of several artifacts at once. One query.

    The counts are the aggregation's, over visible intents only (`Intent.objects.visible()`):
    an intent a curator hides drops out at the next aggregation."""
    rows = CapabilityMatchStats.objects.filter(
        capability__artifact_id__in=list(artifact_ids)
    ).values_list("capability_id", "distinct_intents", "distinct_clients", "matches")
    return {
        capability_id: CapabilityEvidence(intents, clients, matches)
        for capability_id, intents, clients, matches in rows
    }


@dataclass(frozen=True)
class ArtifactMatchEvidence:
    """What one artifact page shows of the match graph besides its neighbours."""

    capabilities: dict[int, CapabilityEvidence]
    top_intent: str | None  # the public intent it is chosen for most, for the search link


# `capability_evidence` and the top public intent of one artifact as one statement: rows
# with a capability id are evidence, the one without is the top intent.
ARTIFACT_MATCH_EVIDENCE_SQL = """
SELECT s.capability_id, s.distinct_intents, s.distinct_clients, s.matches, NULL AS intent
FROM matchgraph_capabilitymatchstats s
JOIN catalog_capability c ON c.id = s.capability_id
WHERE c.artifact_id = %(artifact_id)s
UNION ALL (
    SELECT NULL, NULL, NULL, NULL, i.text
    FROM matchgraph_intentartifactedge e
    JOIN matchgraph_intent i ON i.id = e.intent_id
    WHERE e.artifact_id = %(artifact_id)s AND {public}
    ORDER BY e.weight DESC
    LIMIT 1
)
"""


def artifact_match_evidence(*, artifact: Artifact) -> ArtifactMatchEvidence:
    """The artifact page's capability evidence and top public intent. One query."""
    sql = ARTIFACT_MATCH_EVIDENCE_SQL.format(public=intent_sql("i", PUBLIC_INTENT))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"artifact_id": artifact.pk})
        rows = cursor.fetchall()
    return ArtifactMatchEvidence(
        capabilities={
            capability_id: CapabilityEvidence(intents, clients, matches)
            for capability_id, intents, clients, matches, _ in rows
            if capability_id is not None
        },
        top_intent=next((text for capability_id, *_, text in rows if capability_id is None), None),
    )


def artifact_discards(*, artifact_id: int) -> dict[str, int]:
    """{screening reason: choices} the last aggregation discarded for the artifact (reasons
    are `matchgraph.aggregation.SCREENING_REASONS`); one query."""
    return dict(
        ArtifactDiscard.objects.filter(artifact_id=artifact_id).values_list("reason", "choices")
    )
