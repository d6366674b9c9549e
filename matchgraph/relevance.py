"""The one place search relevance is defined.

    relevance = TEXT   × text_match / best   (0–1: ts_rank_cd over the weighted document,
                                              name A > capability title B > summary and
                                              categories C, relative to the best text
                                              match of the query)
              + RANK   × current_rank / 100   (0–1: UnfragileRank, 0 while unranked)
              + MATCH  × w / (w + MATCH_HALF) (0–1: match-graph weight of this artifact for
                                              this very intent; MATCH_HALF is the weight at
                                              which the term reaches one half)

Text dominates, so a relevant artifact beats a popular but unrelated one; rank and match
feedback decide between artifacts that fit the words about as well. The text term is relative
to the best match because ts_rank_cd's absolute values are small and shrink with every extra
query word (two words far apart score ~0.03–0.1), so on an absolute scale the rank term would
outweigh text for most multi-word queries.
"""

from dataclasses import dataclass

from django.db import connection

TEXT = 0.65
RANK = 0.15
MATCH = 0.20
MATCH_HALF = 3.0

# ts_rank weights for D, C, B, A (PostgreSQL's order).
DOCUMENT_WEIGHTS = "{0.1, 0.3, 0.6, 1.0}"
# Normalization 1|32: divide by log(document length), then map rank into 0..1.
RANK_NORMALIZATION = 1 | 32

# Every matching artifact is scored once (the CTE is materialized, so ts_rank_cd runs once
# per row), then ordered. Artifacts matched only through a capability description have no
# text score here and rank after those matched by name, titles or summary.
RELEVANCE_SQL = f"""
WITH scored AS MATERIALIZED (
    SELECT a.id, a.name,
           ts_rank_cd(%(weights)s::real[], a.search_vector, to_tsquery('english', %(query)s),
                      {RANK_NORMALIZATION}) AS text_match,
           coalesce(a.current_rank, 0) / 100.0 AS rank,
           coalesce(e.weight, 0) AS match_weight
    FROM catalog_artifact a
    LEFT JOIN matchgraph_intentartifactedge e
           ON e.artifact_id = a.id AND e.intent_id = %(intent_id)s
    WHERE a.id = ANY(%(ids)s)
),
best AS (SELECT nullif(max(text_match), 0) AS text_match FROM scored)
SELECT s.id, s.text_match, s.match_weight,
       {TEXT} * coalesce(s.text_match / best.text_match, 0)
     + {RANK} * s.rank
     + {MATCH} * s.match_weight / (s.match_weight + {MATCH_HALF}) AS relevance
FROM scored s, best
ORDER BY relevance DESC, s.name, s.id
"""


@dataclass(frozen=True)
class Scored:
    artifact_id: int
    text_match: float
    match_weight: float
    relevance: float


def rank_by_relevance(*, ids: list[int], tsquery: str, intent_id: int | None) -> list[Scored]:
    """`ids` ordered by relevance for the query (raw tsquery text) and its intent."""
    if not ids:
        return []
    params = {
        "weights": DOCUMENT_WEIGHTS,
        "query": tsquery,
        "intent_id": intent_id,
        "ids": ids,
    }
    with connection.cursor() as cursor:
        cursor.execute(RELEVANCE_SQL, params)
        return [
            Scored(pk, float(text), float(match), float(rel)) for pk, text, match, rel in cursor
        ]
