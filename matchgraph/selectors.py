"""Reads of the match graph's evidence for artifact pages: related artifacts, capability
evidence, the intents that find an artifact. Search itself is `matchgraph.search`."""

from dataclasses import dataclass

from catalog.models import Artifact
from catalog.selectors import artifact_related
from matchgraph.models import CapabilityMatchStats, CoMatch, Intent, IntentArtifactEdge


@dataclass(frozen=True)
class RelatedArtifact:
    artifact: Artifact
    score: float
    shared_intents: int


# How much one unit of co-match weight counts against one unit of catalog overlap.
COMATCH_WEIGHT = 2.0
RELATED_POOL = 20


def artifact_related_blended(
    *, artifact: Artifact, limit: int = 6, same_kind_only: bool = False
) -> list[RelatedArtifact]:
    """Related artifacts: catalog overlap (categories, capability terms, modalities) blended
    with the match graph (chosen for the same intents, compared together). New artifacts
    with no match history still get neighbours from the catalog part."""
    overlap = artifact_related(
        artifact=artifact, limit=RELATED_POOL, same_kind_only=same_kind_only, with_scores=True
    )
    comatches = CoMatch.objects.filter(artifact=artifact).order_by("-weight")
    if same_kind_only:
        comatches = comatches.filter(other__kind=artifact.kind)
    comatch_rows = list(
        comatches.values_list("other_id", "weight", "shared_intents")[:RELATED_POOL]
    )

    scores: dict[int, float] = {}
    shared: dict[int, int] = {}
    loaded = {candidate.pk: candidate for candidate, _ in overlap}
    for candidate, score in overlap:
        scores[candidate.pk] = score
    for other_id, weight, shared_intents in comatch_rows:
        scores[other_id] = scores.get(other_id, 0.0) + COMATCH_WEIGHT * weight
        shared[other_id] = shared_intents
    missing = [pk for pk in scores if pk not in loaded]
    if missing:
        loaded.update(Artifact.objects.published().filter(pk__in=missing).for_cards().in_bulk())
    ordered = sorted(
        (pk for pk in scores if pk in loaded),
        key=lambda pk: (-scores[pk], loaded[pk].name),
    )
    return [RelatedArtifact(loaded[pk], scores[pk], shared.get(pk, 0)) for pk in ordered[:limit]]


@dataclass(frozen=True)
class CapabilityEvidence:
    distinct_intents: int
    distinct_clients: int
    matches: int


def capability_evidence(*, artifact: Artifact) -> dict[int, CapabilityEvidence]:
    """Per capability of `artifact`: the counted choices it explained, from how many distinct
    searches and distinct clients. One query."""
    rows = CapabilityMatchStats.objects.filter(capability__artifact=artifact).values_list(
        "capability_id", "distinct_intents", "distinct_clients", "matches"
    )
    return {
        capability_id: CapabilityEvidence(intents, clients, matches)
        for capability_id, intents, clients, matches in rows
    }


def artifact_top_intents(*, artifact: Artifact, limit: int = 3) -> list[str]:
    return list(
        IntentArtifactEdge.objects.filter(artifact=artifact, intent__in=Intent.objects.public())
        .order_by("-weight")
        .values_list("intent__text", flat=True)[:limit]
    )
