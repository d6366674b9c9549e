"""Keeps `Artifact.search_vector` current. Its text spans artifacts, capabilities and
categories, so every write path (import, admin, curator actions) calls this afterwards."""

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection

from catalog.derived import listing_changed

VERSION_KEY = "catalog:search-version"


def catalog_search_version() -> str:
    """Changes whenever any search document changes: whoever derives data from the catalog's
    text (the search vocabulary) compares it with the version they built from."""
    return cache.get(VERSION_KEY) or "initial"


# Weights: A name (also with punctuation removed or spaced, so "llamacpp" and "llama cpp"
# find "llama.cpp"), B capability titles, C summary/organization/categories. Capability
# descriptions stay out: they are long, and searched through each capability's own vector,
# which keeps this document small enough to rank thousands of matches quickly. How many
# words each field put into the document is kept beside it, so ranking can weigh a
# document's length without reading it word by word.
REFRESH_SQL = """
UPDATE catalog_artifact AS a
SET search_vector = doc.vector,
    search_field_lengths = (
        SELECT array[count(*) FILTER (WHERE w = 'A'), count(*) FILTER (WHERE w = 'B'),
                     count(*) FILTER (WHERE w = 'C'), count(*) FILTER (WHERE w = 'D')]
        FROM unnest(doc.vector) AS u, unnest(u.weights) AS w
    )
FROM (
    SELECT src.id,
        setweight(to_tsvector('english',
            src.name || ' ' || regexp_replace(src.name, '[^[:alnum:]]+', ' ', 'g')
                     || ' ' || regexp_replace(src.name, '[^[:alnum:]]+', '', 'g')
                     || ' ' || replace(src.slug, '-', ' ')), 'A')
     || setweight(to_tsvector('english', coalesce(caps.titles, '')), 'B')
     || setweight(to_tsvector('english',
            src.summary || ' ' || src.organization || ' ' || coalesce(cats.names, '')), 'C')
        AS vector
    FROM catalog_artifact AS src
    LEFT JOIN LATERAL (
        SELECT string_agg(c.title, ' ') AS titles
        FROM catalog_capability AS c WHERE c.artifact_id = src.id
    ) AS caps ON true
    LEFT JOIN LATERAL (
        SELECT string_agg(cat.name, ' ') AS names
        FROM catalog_artifact_categories AS ac
        JOIN catalog_category AS cat ON cat.id = ac.category_id
        WHERE ac.artifact_id = src.id
    ) AS cats ON true
    WHERE {condition}
) AS doc
WHERE a.id = doc.id
"""


def artifacts_refresh_search(*, artifact_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search documents of `artifact_ids` (all artifacts when None)."""
    with connection.cursor() as cursor:
        if artifact_ids is None:
            cursor.execute(REFRESH_SQL.format(condition="true"))
        else:
            ids = list(artifact_ids)
            if not ids:
                return 0
            cursor.execute(REFRESH_SQL.format(condition="src.id = ANY(%s)"), [ids])
        changed = cursor.rowcount
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    listing_changed()
    return changed
