"""Meaning search: the artifacts closest to what the query means, whatever words they use
("make my computer talk" finds text to speech).

The query's task (its words without the constraint words) is embedded once and cached; the
nearest artifact vectors (`catalog.embeddings.store`) become candidates beside the keyword
ones, and every candidate gets a *closeness*: 1 for the nearest, falling to 0 at the last of
the MEANING_CANDIDATES nearest, below that 0. Closeness is relative to the query because
cosine scales differ from one model to the next; `relevance` weighs it with the rest.

Without a backend, without vectors, or when the backend fails (an endpoint down), search is
by keywords only, and says so in the log."""

import hashlib
import logging
from dataclasses import dataclass, field, replace

import numpy as np
from django.core.cache import cache

from catalog.embeddings import EmbeddingUnavailable, get_backend
from catalog.embeddings.store import (
    best_capabilities,
    has_vectors,
    nearest_artifacts,
    relative_closeness,
    similarities,
)
from catalog.models import Artifact, Capability
from matchgraph.search.plan import SearchPlan

logger = logging.getLogger(__name__)

MEANING_CANDIDATES = 50
# A candidate found by meaning alone must be at least this close (1 = the nearest): the far
# end of the pool shares only a vague topic, and a strong constraint it happens to meet
# ("api") would otherwise lift it above better matches that miss it.
MIN_CLOSENESS_ALONE = 0.5
QUERY_VECTOR_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Meaning:
    """What meaning search found for one query."""

    query_vector: np.ndarray | None = None
    model: str = ""
    nearest: tuple[int, ...] = ()  # published ids close enough to be candidates, nearest first
    closeness: dict[int, float] = field(default_factory=dict)
    floor: float = 0.0
    best: float = 1.0

    @property
    def active(self) -> bool:
        return self.query_vector is not None

    def keeping(self, artifact_ids: list[int]) -> "Meaning":
        """The same, with only these artifacts left among the candidates it adds."""
        kept = set(artifact_ids)
        return replace(self, nearest=tuple(pk for pk in self.nearest if pk in kept))

    def with_closeness_of(self, artifact_ids: list[int]) -> "Meaning":
        """Closeness for these candidates too (those keyword search found), in one read."""
        missing = [pk for pk in artifact_ids if pk not in self.closeness]
        if not self.active or not missing:
            return self
        found = similarities(self.query_vector, artifact_ids=missing, model=self.model)
        closeness = dict(self.closeness)
        closeness.update({pk: self._scaled(similarity) for pk, similarity in found.items()})
        return replace(self, closeness=closeness)

    def _scaled(self, similarity: float) -> float:
        return relative_closeness(similarity, best=self.best, floor=self.floor)

    def matched_capabilities(self, artifact_ids: list[int]) -> dict[int, str]:
        """{artifact: the title of its capability closest to the query}, for reasons."""
        if not self.active or not artifact_ids:
            return {}
        best = best_capabilities(self.query_vector, artifact_ids=artifact_ids, model=self.model)
        titles = dict(
            Capability.objects.filter(pk__in=[pk for pk, _ in best.values()]).values_list(
                "pk", "title"
            )
        )
        return {
            artifact_id: titles[capability_id]
            for artifact_id, (capability_id, _) in best.items()
            if capability_id in titles
        }


def meaning_of(plan: SearchPlan) -> Meaning:
    """The nearest published artifacts to the query's task, or nothing (see module)."""
    backend = get_backend()
    text = plan.understanding.task.strip()
    if backend is None or not plan.has_task or not text or not has_vectors(model=backend.name):
        return Meaning()
    try:
        vector = _query_vector(backend, text)
        found = nearest_artifacts(vector, model=backend.name, limit=MEANING_CANDIDATES)
    except EmbeddingUnavailable as error:
        logger.warning("meaning search skipped, keywords only: %s", error)
        return Meaning()
    if not found:
        return Meaning()
    published = set(
        Artifact.objects.published()
        .filter(pk__in=[pk for pk, _ in found])
        .values_list("pk", flat=True)
    )
    meaning = Meaning(vector, backend.name, best=found[0][1], floor=found[-1][1])
    closeness = {pk: meaning._scaled(sim) for pk, sim in found if pk in published}
    nearest = tuple(pk for pk, _ in found if closeness.get(pk, 0) >= MIN_CLOSENESS_ALONE)
    return replace(meaning, nearest=nearest, closeness=closeness)


def _query_vector(backend, text: str) -> np.ndarray:
    digest = hashlib.sha256(text.lower().encode()).hexdigest()[:32]
    key = f"matchgraph:query-vector:{backend.name}:{digest}"
    cached = cache.get(key)
    if cached is not None:
        return np.frombuffer(cached, dtype=np.float32)
    vector = np.asarray(backend.embed_query(text), dtype=np.float32)
    cache.set(key, vector.tobytes(), QUERY_VECTOR_SECONDS)
    return vector
