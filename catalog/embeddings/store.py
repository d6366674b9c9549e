"""Where embeddings live and how the nearest are found.

Every row keeps its vector as float16 bytes, readable on any PostgreSQL. Two ways to search:

* **pgvector** (the server has the extension; migration 0009 added the `pgvector` column): an
  HNSW index over the artifact vectors, one per dimension count, built on first use.
* **in process** (no pgvector, as on a stock PostgreSQL 15): each process holds the artifact
  vectors as one float32 matrix (100,000 × 384 is 150 MB) and multiplies. It loads them once,
  then every few seconds reads only the rows embedded since, so a running embed job shows up
  without reloading everything.

Both return the same thing: (artifact id, cosine similarity), best first."""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# How often a process looks for vectors embedded since it last looked (in-process search).
REFRESH_SECONDS = 5.0
# How long after its rows' stamp an embedding batch may become visible (see _refresh).
COMMIT_LAG = timedelta(seconds=30)


@dataclass(frozen=True)
class EmbeddingRow:
    artifact_id: int
    capability_id: int | None
    content_hash: str
    vector: np.ndarray  # float32, normalized


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(raw: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype=np.float16).astype(np.float32)


def pgvector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{value:.5f}" for value in np.asarray(vector, dtype=np.float32)) + "]"


def has_pgvector() -> bool:
    """Whether this database has the pgvector column (decided by migration 0009): writes
    fill it whenever it exists."""
    return _has_pgvector_column(connection.alias)


def uses_pgvector() -> bool:
    """Whether nearest neighbours are searched through pgvector: it exists and the setting
    EMBEDDINGS_VECTOR_SEARCH is not "in_process"."""
    return settings.EMBEDDINGS_VECTOR_SEARCH != "in_process" and has_pgvector()


_pgvector_by_database: dict[tuple[str, str], bool] = {}


def _has_pgvector_column(alias: str) -> bool:
    key = (alias, connection.settings_dict["NAME"])
    if key not in _pgvector_by_database:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.columns "
                "WHERE table_name = 'catalog_embedding' AND column_name = 'pgvector' "
                "AND table_schema = current_schema()"
            )
            _pgvector_by_database[key] = cursor.fetchone() is not None
    return _pgvector_by_database[key]


def search_method() -> str:
    return "pgvector (HNSW index)" if uses_pgvector() else "in-process cosine (no pgvector)"


UPSERT = """
INSERT INTO catalog_embedding (artifact_id, capability_id, model, content_hash, vector,
                               embedded_at{pg_column})
VALUES {values}
ON CONFLICT {target} DO UPDATE
SET model = EXCLUDED.model, content_hash = EXCLUDED.content_hash, vector = EXCLUDED.vector,
    embedded_at = EXCLUDED.embedded_at{pg_update}
"""


def write(rows: list[EmbeddingRow], *, model: str, at: datetime | None = None) -> None:
    """Insert or replace these embeddings (artifact rows and capability rows may mix)."""
    at = at or timezone.now()
    for is_artifact in (True, False):
        part = [row for row in rows if (row.capability_id is None) == is_artifact]
        if part:
            _upsert(part, model=model, at=at, artifact_level=is_artifact)


def _upsert(rows: list[EmbeddingRow], *, model: str, at: datetime, artifact_level: bool) -> None:
    pg = has_pgvector()
    placeholders = "(%s, %s, %s, %s, %s, %s" + (", %s::vector" if pg else "") + ")"
    params: list = []
    for row in rows:
        params += [row.artifact_id, row.capability_id, model, row.content_hash]
        params += [to_bytes(row.vector), at]
        if pg:
            params.append(pgvector_literal(row.vector))
    target = "(artifact_id) WHERE capability_id IS NULL" if artifact_level else "(capability_id)"
    sql = UPSERT.format(
        pg_column=", pgvector" if pg else "",
        values=", ".join([placeholders] * len(rows)),
        target=target,
        pg_update=", pgvector = EXCLUDED.pgvector" if pg else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _index_name(dimensions: int) -> str:
    return f"catalog_embedding_hnsw_{int(dimensions)}"


_indexed_dimensions: set[tuple[str, int]] = set()


def ensure_vector_index(dimensions: int) -> None:
    """The HNSW index for artifact vectors of this size (an expression index: the column
    itself has no fixed size, so a model change needs no migration). Called before embedding
    starts, not inside a batch: PostgreSQL cannot build an index in a transaction that has
    just written to the table. Without the index, search still works, by a scan."""
    key = (connection.settings_dict["NAME"], int(dimensions))
    if key in _indexed_dimensions or not has_pgvector():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {_index_name(dimensions)} ON catalog_embedding "
            f"USING hnsw ((pgvector::vector({int(dimensions)})) vector_cosine_ops) "
            "WHERE capability_id IS NULL"
        )
    _indexed_dimensions.add(key)


PGVECTOR_NEAREST = """
SELECT artifact_id, 1 - (pgvector::vector({d}) <=> %(query)s::vector({d})) AS similarity
FROM catalog_embedding
WHERE capability_id IS NULL AND model = %(model)s AND vector_dims(pgvector) = {d}
ORDER BY pgvector::vector({d}) <=> %(query)s::vector({d})
LIMIT %(limit)s
"""


def nearest_artifacts(
    query: np.ndarray, *, model: str, limit: int, exclude: int | None = None
) -> list[tuple[int, float]]:
    """The artifacts whose vectors are closest to `query`, best first (published or not:
    callers filter)."""
    if uses_pgvector():
        dimensions = len(query)
        found = _pgvector_nearest(
            PGVECTOR_NEAREST.format(d=int(dimensions)),
            {"query": pgvector_literal(query), "model": model, "limit": limit + 1},
            limit=limit + 1,
        )
    else:
        found = _in_process(model).nearest(query, limit + 1)
    return [(pk, similarity) for pk, similarity in found if pk != exclude][:limit]


def _pgvector_nearest(sql: str, params: dict, *, limit: int) -> list[tuple[int, float]]:
    """Run a nearest-neighbour query. An HNSW scan yields at most `hnsw.ef_search` rows
    (each connection sets it to EMBEDDINGS_HNSW_EF_SEARCH): a larger limit widens it for
    this query's transaction."""
    if limit <= settings.EMBEDDINGS_HNSW_EF_SEARCH:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(pk, float(similarity)) for pk, similarity in cursor]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL hnsw.ef_search = {int(limit)}")
        cursor.execute(sql, params)
        return [(pk, float(similarity)) for pk, similarity in cursor]


PGVECTOR_NEAREST_TO_ARTIFACT = """
WITH own AS (
    SELECT pgvector::vector({d}) AS v FROM catalog_embedding
    WHERE artifact_id = %(meaning_artifact)s AND capability_id IS NULL
      AND model = %(meaning_model)s
)
SELECT artifact_id, 1 - (pgvector::vector({d}) <=> (SELECT v FROM own)) AS similarity
FROM catalog_embedding
WHERE capability_id IS NULL AND model = %(meaning_model)s AND vector_dims(pgvector) = {d}
  AND EXISTS (SELECT 1 FROM own)
ORDER BY pgvector::vector({d}) <=> (SELECT v FROM own)
LIMIT %(meaning_limit)s
"""
# A list of (artifact, similarity) pairs found in process, as rows of the same shape.
GIVEN_NEIGHBOURS = """
SELECT * FROM unnest(%(meaning_ids)s::bigint[], %(meaning_similarities)s::float8[])
    AS given(artifact_id, similarity)
"""


def nearest_to_artifact_query(
    artifact_id: int, *, model: str, dimensions: int, limit: int
) -> tuple[str, dict]:
    """SQL and parameters (named `meaning_*`) of (artifact_id, similarity) rows: the artifacts
    closest in meaning to this one, the artifact itself among them, for a caller to read
    within a larger statement. With pgvector the server finds them through the index; in
    process they are found here and passed in, so the statement reads no vectors."""
    if uses_pgvector() and limit + 1 <= settings.EMBEDDINGS_HNSW_EF_SEARCH:
        return _pgvector_nearest_to_artifact(artifact_id, model, dimensions, limit + 1)
    found = nearest_to_artifact(artifact_id, model=model, dimensions=dimensions, limit=limit)
    return GIVEN_NEIGHBOURS, {
        "meaning_ids": [pk for pk, _ in found],
        "meaning_similarities": [similarity for _, similarity in found],
    }


def nearest_to_artifact(
    artifact_id: int, *, model: str, dimensions: int, limit: int
) -> list[tuple[int, float]]:
    """The artifacts closest in meaning to this one (itself left out), in one query at most;
    empty when it has no vector yet."""
    if uses_pgvector():
        sql, params = _pgvector_nearest_to_artifact(artifact_id, model, dimensions, limit + 1)
        found = _pgvector_nearest(sql, params, limit=limit + 1)
    else:
        matrix = _in_process(model)
        own = matrix.vector_of(artifact_id)
        found = [] if own is None else matrix.nearest(own, limit + 1)
    return [(pk, similarity) for pk, similarity in found if pk != artifact_id][:limit]


def _pgvector_nearest_to_artifact(
    artifact_id: int, model: str, dimensions: int, rows: int
) -> tuple[str, dict]:
    sql = PGVECTOR_NEAREST_TO_ARTIFACT.format(d=int(dimensions))
    return sql, {"meaning_artifact": artifact_id, "meaning_model": model, "meaning_limit": rows}


def relative_closeness(similarity: float, *, best: float, floor: float) -> float:
    """A similarity placed between the floor of a candidate pool (0) and its best (1): what
    counts is the order, since similarity scales differ from one model to the next."""
    spread = best - floor
    if spread <= 0:
        return 1.0 if similarity >= best else 0.0
    return max(0.0, min(1.0, (similarity - floor) / spread))


def similarities(query: np.ndarray, *, artifact_ids: list[int], model: str) -> dict[int, float]:
    """{artifact: cosine similarity to `query`} for these artifacts (those with a vector)."""
    if not artifact_ids:
        return {}
    if uses_pgvector():
        d = len(query)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT artifact_id, 1 - (pgvector::vector({d}) <=> %s::vector({d})) "
                "FROM catalog_embedding WHERE artifact_id = ANY(%s) AND capability_id IS NULL "
                f"AND model = %s AND vector_dims(pgvector) = {d}",
                [pgvector_literal(query), list(artifact_ids), model],
            )
            return {pk: float(similarity) for pk, similarity in cursor}
    return _in_process(model).similarities(query, artifact_ids)


_vectors_seen: dict[tuple[str, str], float] = {}


def has_vectors(*, model: str) -> bool:
    """Whether any artifact has a vector of this model (so a query is worth embedding).
    In process it is the loaded copy; with pgvector one indexed query a minute at most
    while there are none (once there are, they do not go away)."""
    if not uses_pgvector():
        return _in_process(model).size() > 0
    key = (connection.settings_dict["NAME"], model)
    if time.monotonic() - _vectors_seen.get(key, -REFRESH_SECONDS * 12) < REFRESH_SECONDS * 12:
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM catalog_embedding "
            "WHERE capability_id IS NULL AND model = %s)",
            [model],
        )
        found = cursor.fetchone()[0]
    if found:
        _vectors_seen[key] = time.monotonic()
    return found


def best_capabilities(
    query: np.ndarray, *, artifact_ids: list[int], model: str
) -> dict[int, tuple[int, float]]:
    """For each artifact, its capability closest to `query`: {artifact: (capability, sim)}."""
    if not artifact_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT artifact_id, capability_id, vector FROM catalog_embedding "
            "WHERE artifact_id = ANY(%s) AND capability_id IS NOT NULL AND model = %s",
            [list(artifact_ids), model],
        )
        rows = cursor.fetchall()
    best: dict[int, tuple[int, float]] = {}
    for artifact_id, capability_id, raw in rows:
        similarity = float(from_bytes(raw) @ query)
        if artifact_id not in best or similarity > best[artifact_id][1]:
            best[artifact_id] = (capability_id, similarity)
    return best


class _ArtifactMatrix:
    """One process's copy of the artifact vectors of one model, kept current by reading only
    rows embedded since the last look."""

    def __init__(self, model: str):
        self.model = model
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.row_of: dict[int, int] = {}
        self.seen_until: datetime | None = None
        self.checked_at = 0.0
        self.lock = threading.Lock()

    def nearest(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        self._refresh()
        if not len(self.ids) or self.matrix.shape[1] != len(query):
            return []
        scores = self.matrix @ np.asarray(query, dtype=np.float32)
        count = min(limit, len(scores))
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top])]
        return [(int(self.ids[i]), float(scores[i])) for i in top]

    def similarities(self, query: np.ndarray, artifact_ids: list[int]) -> dict[int, float]:
        self._refresh()
        rows = [(pk, self.row_of[pk]) for pk in artifact_ids if pk in self.row_of]
        if not rows or self.matrix.shape[1] != len(query):
            return {}
        scores = self.matrix[[row for _, row in rows]] @ np.asarray(query, dtype=np.float32)
        return {pk: float(score) for (pk, _), score in zip(rows, scores, strict=True)}

    def size(self) -> int:
        self._refresh()
        return len(self.ids)

    def vector_of(self, artifact_id: int) -> np.ndarray | None:
        self._refresh()
        row = self.row_of.get(artifact_id)
        return None if row is None else self.matrix[row]

    def _refresh(self) -> None:
        if time.monotonic() - self.checked_at < REFRESH_SECONDS:
            return
        with self.lock:
            if time.monotonic() - self.checked_at < REFRESH_SECONDS:
                return
            looked_at = timezone.now()
            self._merge(self._rows_since(self.seen_until))
            # Next time, rows stamped since a little before this look: a batch stamps its
            # rows just before it commits, so one may become visible after a look that
            # came later than its stamp (never by more than a few seconds).
            self.seen_until = looked_at - COMMIT_LAG
            self.checked_at = time.monotonic()

    def _rows_since(self, since: datetime | None) -> list[tuple[int, bytes]]:
        sql = (
            "SELECT artifact_id, vector FROM catalog_embedding "
            "WHERE capability_id IS NULL AND model = %s"
        )
        params: list = [self.model]
        if since is not None:
            sql += " AND embedded_at > %s"
            params.append(since)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _merge(self, rows: list[tuple[int, bytes]]) -> None:
        if not rows:
            return
        vectors = np.stack([from_bytes(raw) for _, raw in rows])
        if self.matrix.shape[1] not in (0, vectors.shape[1]):
            self.__init__(self.model)  # the model's size changed: start over
        fresh_ids, fresh_rows = [], []
        for (artifact_id, _), vector in zip(rows, vectors, strict=True):
            row = self.row_of.get(artifact_id)
            if row is None:
                fresh_ids.append(artifact_id)
                fresh_rows.append(vector)
            else:
                self.matrix[row] = vector
        if fresh_rows:
            start = len(self.ids)
            base = self.matrix if self.matrix.size else np.zeros((0, vectors.shape[1]), "float32")
            self.matrix = np.vstack([base, np.stack(fresh_rows)])
            self.ids = np.concatenate([self.ids, np.asarray(fresh_ids, dtype=np.int64)])
            self.row_of.update({pk: start + offset for offset, pk in enumerate(fresh_ids)})


_matrices: dict[tuple[str, str], _ArtifactMatrix] = {}


def _in_process(model: str) -> _ArtifactMatrix:
    key = (connection.settings_dict["NAME"], model)
    if key not in _matrices:
        _matrices[key] = _ArtifactMatrix(model)
    return _matrices[key]


def forget_loaded_vectors() -> None:
    """Drop every process copy (tests; a database replaced under a running process)."""
    _matrices.clear()
    _vectors_seen.clear()
    _pgvector_by_database.clear()
    _indexed_dimensions.clear()
