"""What a result shows of why it matched: its capabilities with the words marked."""

from dataclasses import dataclass

from django.db import connection

MAX_HIGHLIGHTS_PER_RESULT = 3


@dataclass(frozen=True)
class CapabilityHighlight:
    capability_id: int
    title_html: str  # escaped in SQL, then only <mark> tags added


HIGHLIGHT_SQL = """
SELECT artifact_id, id, ts_headline(
    'english',
    replace(replace(replace(title, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
    to_tsquery('english', %(query)s),
    'StartSel=<mark>, StopSel=</mark>, HighlightAll=true'
)
FROM (
    SELECT artifact_id, id, title, position,
           row_number() OVER (
               PARTITION BY artifact_id
               ORDER BY ts_rank(search_vector, to_tsquery('english', %(query)s)) DESC, position
           ) AS nth
    FROM catalog_capability
    WHERE artifact_id = ANY(%(ids)s)
      -- the function form of @@: read the page's capabilities by artifact, not the index
      AND ts_match_vq(search_vector, to_tsquery('english', %(query_any)s))
) AS ranked
WHERE nth <= %(limit)s
ORDER BY artifact_id, nth
"""


def capability_highlights(
    *, artifact_ids: list[int], query: str
) -> dict[int, list[CapabilityHighlight]]:
    """Per result, the capabilities whose text matched the tsquery `query`, words marked.
    One query for the whole page."""
    if not artifact_ids or not query:
        return {}
    params = {
        "query": query,
        "query_any": query.replace(" & ", " | "),
        "ids": artifact_ids,
        "limit": MAX_HIGHLIGHTS_PER_RESULT,
    }
    highlights: dict[int, list[CapabilityHighlight]] = {}
    with connection.cursor() as cursor:
        cursor.execute(HIGHLIGHT_SQL, params)
        for artifact_id, capability_id, title_html in cursor.fetchall():
            highlights.setdefault(artifact_id, []).append(
                CapabilityHighlight(capability_id, title_html)
            )
    return highlights
