"""Keeping embeddings current: only what changed is embedded again, in batches that each
commit, so a killed run loses one batch and the next run goes on where it stopped.

What is embedded (the text is built in SQL, so finding what changed is one set-based query
over the catalog, never a Python loop over every row):
* per published artifact: its name, summary and capability titles;
* per capability: its title and description (so a hit can name the capability it matched).
A row is stale when it is missing, its text's md5 differs, or another model embedded it."""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction

from catalog.embeddings import get_backend
from catalog.embeddings.store import EmbeddingRow, ensure_vector_index, write
from catalog.page_cache import pages_changed

ARTIFACT_PASSAGE = (
    "a.name || '. ' || a.summary || coalesce('. ' || ("
    "SELECT string_agg(c.title, '; ' ORDER BY c.position, c.id) "
    "FROM catalog_capability c WHERE c.artifact_id = a.id), '')"
)
CAPABILITY_PASSAGE = "c.title || '. ' || c.description"

STALE_ARTIFACTS = f"""
SELECT id FROM (
    SELECT a.id
    FROM catalog_artifact a
    LEFT JOIN catalog_embedding e ON e.artifact_id = a.id AND e.capability_id IS NULL
    WHERE a.is_published AND a.id > %(after)s AND a.id %% %(shards)s = %(shard)s
      AND (e.id IS NULL OR e.model <> %(model)s OR e.content_hash <> md5({ARTIFACT_PASSAGE}))
    UNION
    SELECT c.artifact_id
    FROM catalog_capability c
    JOIN catalog_artifact a ON a.id = c.artifact_id AND a.is_published
    LEFT JOIN catalog_embedding e ON e.capability_id = c.id
    WHERE c.artifact_id > %(after)s AND c.artifact_id %% %(shards)s = %(shard)s
      AND (e.id IS NULL OR e.model <> %(model)s OR e.content_hash <> md5({CAPABILITY_PASSAGE}))
) AS stale
ORDER BY id
LIMIT %(limit)s
"""

# Every passage of these artifacts with what is stored for it now.
PASSAGES = f"""
SELECT a.id, NULL::bigint, {ARTIFACT_PASSAGE}, e.content_hash, e.model
FROM catalog_artifact a
LEFT JOIN catalog_embedding e ON e.artifact_id = a.id AND e.capability_id IS NULL
WHERE a.id = ANY(%(ids)s)
UNION ALL
SELECT c.artifact_id, c.id, {CAPABILITY_PASSAGE}, e.content_hash, e.model
FROM catalog_capability c
LEFT JOIN catalog_embedding e ON e.capability_id = c.id
WHERE c.artifact_id = ANY(%(ids)s)
"""

# Changes whenever vectors are written: what is computed from them (related artifacts) and
# cached keys itself by it.
VECTORS_VERSION_KEY = "catalog:vectors-version"

PENDING = f"""
SELECT count(*) FROM catalog_artifact a
LEFT JOIN catalog_embedding e ON e.artifact_id = a.id AND e.capability_id IS NULL
WHERE a.is_published
  AND (e.id IS NULL OR e.model <> %(model)s OR e.content_hash <> md5({ARTIFACT_PASSAGE}))
"""


def content_hash(text: str) -> str:
    """The same digest as PostgreSQL's md5() of the text."""
    return hashlib.md5(text.encode()).hexdigest()


@dataclass(frozen=True)
class EmbedReport:
    artifacts: int
    passages: int
    seconds: float
    finished: bool  # False: stopped by the time budget or the limit, more is waiting


@dataclass(frozen=True)
class _Passage:
    artifact_id: int
    capability_id: int | None
    text: str


def _stale_artifacts(*, after: int, model: str, limit: int, shard: tuple[int, int]) -> list[int]:
    params = {"after": after, "model": model, "limit": limit}
    params.update(shard=shard[0], shards=shard[1])
    with connection.cursor() as cursor:
        cursor.execute(STALE_ARTIFACTS, params)
        return [pk for (pk,) in cursor.fetchall()]


def _stale_passages(artifact_ids: list[int], *, model: str) -> list[_Passage]:
    with connection.cursor() as cursor:
        cursor.execute(PASSAGES, {"ids": artifact_ids})
        rows = cursor.fetchall()
    return [
        _Passage(artifact_id, capability_id, text)
        for artifact_id, capability_id, text, stored_hash, stored_model in rows
        if stored_model != model or stored_hash != content_hash(text)
    ]


def embed_batch(artifact_ids: list[int]) -> int:
    """Embed the stale passages of these artifacts and store them in one transaction.
    Returns how many passages were embedded."""
    backend = get_backend()
    passages = _stale_passages(artifact_ids, model=backend.name)
    if not passages:
        return 0
    vectors = backend.embed_passages([passage.text for passage in passages])
    rows = [
        EmbeddingRow(p.artifact_id, p.capability_id, content_hash(p.text), vector)
        for p, vector in zip(passages, vectors, strict=True)
    ]
    with transaction.atomic():
        write(rows, model=backend.name)
    cache.set(VECTORS_VERSION_KEY, time.time_ns(), None)
    pages_changed()  # related artifacts follow meaning
    return len(rows)


def embeddings_refresh(
    *,
    batch_size: int = 32,
    max_artifacts: int | None = None,
    time_budget: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    shard: tuple[int, int] = (0, 1),
) -> EmbedReport:
    """Embed every artifact whose text changed since it was embedded, `batch_size` artifacts
    at a time, oldest id first; stop after `max_artifacts` or `time_budget` seconds (a
    periodic task picks up the rest). `progress(done, passages)` is called after each batch.
    `shard` (i, n): only artifacts whose id is i modulo n, so n processes can share a run."""
    backend = get_backend()
    started = time.perf_counter()
    done = passages = 0
    after = 0
    if backend is None:
        return EmbedReport(0, 0, 0.0, True)
    ensure_vector_index(backend.dimensions)
    while True:
        room = batch_size if max_artifacts is None else min(batch_size, max_artifacts - done)
        if room <= 0 or (time_budget is not None and time.perf_counter() - started > time_budget):
            return EmbedReport(done, passages, time.perf_counter() - started, False)
        ids = _stale_artifacts(after=after, model=backend.name, limit=room, shard=shard)
        if not ids:
            return EmbedReport(done, passages, time.perf_counter() - started, True)
        passages += embed_batch(ids)
        done += len(ids)
        after = ids[-1]
        if progress:
            progress(done, passages)


def embeddings_pending() -> int:
    """Published artifacts whose own passage is missing or stale (capabilities not counted)."""
    backend = get_backend()
    if backend is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(PENDING, {"model": backend.name})
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class EmbeddingStatus:
    backend: str
    method: str
    embedded: int
    pending: int

    def __str__(self) -> str:
        if self.backend == "none":
            return "Meaning search is off (EMBEDDINGS_BACKEND=none): search is by keywords only."
        return (
            f"Meaning search: {self.embedded:,} artifacts embedded with {self.backend}, "
            f"{self.pending:,} waiting (run manage.py embed_artifacts or the periodic task); "
            f"nearest neighbours by {self.method}."
        )


def embeddings_status() -> EmbeddingStatus:
    from catalog.embeddings.store import search_method

    backend = get_backend()
    if backend is None:
        return EmbeddingStatus("none", "", 0, 0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM catalog_embedding WHERE capability_id IS NULL AND model = %s",
            [backend.name],
        )
        embedded = cursor.fetchone()[0]
    return EmbeddingStatus(backend.name, search_method(), embedded, embeddings_pending())
