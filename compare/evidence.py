"""What the match graph says about the compared artifacts: raw SQL over its edge tables,
one query per reader, whatever the catalog size."""

from __future__ import annotations

from django.db import connection

from compare.types import IntentEvidence, SharedSearches
from matchgraph.models import PUBLIC_INTENT, intent_sql

TOP_INTENTS = 3
SHARED_SEARCH_EXAMPLES = 3

# Counts read the edges as the aggregation built them, from visible intents only (an intent a
# curator hides later drops out at the next aggregation); a capability's own counts are the
# match graph's (`matchgraph.selectors.capability_evidence_for_artifacts`). Any intent TEXT a
# page shows is checked again here: public (see `Intent.is_public`) and not hidden or merged
# since.
PUBLIC = intent_sql("i", PUBLIC_INTENT)

# Each artifact's strongest searches: the (artifact, -weight) index, stopped after a few.
TOP_INTENTS_SQL = f"""
SELECT a.id, top.text, top.matches, top.weight
FROM unnest(%(ids)s::bigint[]) AS a(id)
CROSS JOIN LATERAL (
    SELECT i.text, e.matches, e.weight
    FROM matchgraph_intentartifactedge e
    JOIN matchgraph_intent i ON i.id = e.intent_id
    WHERE e.artifact_id = a.id AND {PUBLIC}
    ORDER BY e.weight DESC
    LIMIT %(limit)s
) AS top
"""

SHARED_SEARCHES_SQL = f"""
WITH shared AS (
    SELECT a.intent_id, least(a.weight, b.weight) AS weight
    FROM matchgraph_intentartifactedge a
    JOIN matchgraph_intentartifactedge b ON b.intent_id = a.intent_id AND b.artifact_id = %(b)s
    WHERE a.artifact_id = %(a)s
)
SELECT (SELECT count(*) FROM shared),
       ARRAY(SELECT i.text
             FROM (SELECT intent_id, weight FROM shared
                   ORDER BY weight DESC LIMIT 4 * %(examples)s) AS best
             JOIN matchgraph_intent i ON i.id = best.intent_id AND {PUBLIC}
             ORDER BY best.weight DESC, i.text
             LIMIT %(examples)s)
"""

# Capabilities of `a` and `b` that explained the same searches ((intent, capability) is unique,
# so each row of a pair is one search), with the strongest visible one as an example. Each
# side's edges are read on their own (one index range per capability), then joined.
CAPABILITY_PAIRS_SQL = f"""
WITH ea AS MATERIALIZED (
    SELECT e.capability_id, e.intent_id, e.weight
    FROM catalog_capability c
    JOIN matchgraph_intentcapabilityedge e ON e.capability_id = c.id
    WHERE c.artifact_id = %(a)s
),
eb AS MATERIALIZED (
    SELECT e.capability_id, e.intent_id, e.weight
    FROM catalog_capability c
    JOIN matchgraph_intentcapabilityedge e ON e.capability_id = c.id
    WHERE c.artifact_id = %(b)s
)
SELECT ea.capability_id, eb.capability_id, count(*),
       (SELECT i.text
        FROM unnest((array_agg(ea.intent_id ORDER BY ea.weight + eb.weight DESC))[1:5])
             WITH ORDINALITY AS best(id, n)
        JOIN matchgraph_intent i ON i.id = best.id AND {PUBLIC}
        ORDER BY best.n
        LIMIT 1)
FROM ea
JOIN eb ON eb.intent_id = ea.intent_id
GROUP BY ea.capability_id, eb.capability_id
"""


def top_intents(ids: list[int]) -> dict[int, list[IntentEvidence]]:
    """Each artifact's strongest searches (by match-graph weight). One query."""
    found: dict[int, list[IntentEvidence]] = {}
    with connection.cursor() as cursor:
        cursor.execute(TOP_INTENTS_SQL, {"ids": ids, "limit": TOP_INTENTS})
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], -row[3], row[1]))
    for artifact_id, text, matches, _ in rows:
        found.setdefault(artifact_id, []).append(IntentEvidence(text, matches))
    return found


def shared_searches(a: int, b: int) -> SharedSearches:
    """Searches in which visitors chose both. One query."""
    with connection.cursor() as cursor:
        cursor.execute(SHARED_SEARCHES_SQL, {"a": a, "b": b, "examples": SHARED_SEARCH_EXAMPLES})
        count, examples = cursor.fetchone()
    return SharedSearches(count=count or 0, examples=tuple(examples or ()))


def capability_pairs(a: int, b: int) -> dict[tuple[int, int], tuple[int, str]]:
    """Capabilities of `a` and `b` that explained the same searches. One query."""
    with connection.cursor() as cursor:
        cursor.execute(CAPABILITY_PAIRS_SQL, {"a": a, "b": b})
        return {(left, right): (n, example) for left, right, n, example in cursor.fetchall()}
