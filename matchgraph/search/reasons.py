"""Why each result is on the page. Every result gets at least one reason: the task it does,
the phrase, field or capability that matched, the synonym or related search it came
through, the artifact it resembles, or the constraints it meets."""

from dataclasses import dataclass, field

from django.db import connection

from catalog.search_words import words_tsquery
from matchgraph.models import IntentArtifactEdge
from matchgraph.search.candidates import RelatedIntent
from matchgraph.search.highlights import CapabilityHighlight
from matchgraph.search.plan import SearchPlan
from matchgraph.search.relevance import Scored
from matchgraph.search.understanding import Constraint

# Fields named when the typed words matched the artifact's own text, strongest first.
FIELD_NAMES = {"name": "its name", "summary": "its summary", "category": "its category"}


@dataclass(frozen=True)
class MatchReason:
    """One reason a result is shown. `kind` is one of: "direction", "phrase", "field",
    "capability", "synonym", "related" (intent), "similar" (to the lone direct match),
    "constraint", "words" (some of the words, once broadened), "ranked" (a query of
    constraints only), "meaning" (close in meaning though sharing no word)."""

    kind: str
    label: str  # the emphasized part: a synonym, a field, a capability title, an intent

    @property
    def text(self) -> str:
        return REASON_TEXTS[self.kind]


REASON_TEXTS = {
    "direction": "Does",
    "phrase": "Matched the phrase",
    "field": "Matched in",
    "capability": "Matched in",
    "synonym": "Matched",
    "related": "Chosen by people who searched",
    "similar": "Similar to",
    "constraint": "Meets",
    "words": "Matched some of your words in",
    "ranked": "Among the best by",
    "meaning": "Close in meaning to",
}


@dataclass(frozen=True)
class ReasonInputs:
    """What the page's reasons are worked out from."""

    plan: SearchPlan
    text_query: str
    broadened: bool
    related: list[RelatedIntent]
    neighbours: dict[int, str]  # artifact id -> the lone result it resembles
    highlights: dict[int, list[CapabilityHighlight]]
    # artifact id -> its capability closest in meaning to the query, for results found by
    # meaning alone
    meaning: dict[int, str] = field(default_factory=dict)


# The first field that holds a word, in order: CASE stops there, so a summary is parsed only
# when the name has none of the words.
FIELDS_SQL = """
SELECT a.id,
       CASE WHEN to_tsvector('english', a.name) @@ q.query THEN 'name'
            WHEN to_tsvector('english', a.summary) @@ q.query THEN 'summary'
            WHEN EXISTS (SELECT 1 FROM catalog_artifact_categories ac
                         JOIN catalog_category c ON c.id = ac.category_id
                         WHERE ac.artifact_id = a.id
                           AND to_tsvector('english', c.name) @@ q.query) THEN 'category'
       END
FROM catalog_artifact a, (SELECT to_tsquery('english', %(query)s) AS query) q
WHERE a.id = ANY(%(ids)s)
"""

SYNONYM_REASONS_SQL = """
SELECT DISTINCT ON (a.id) a.id, alt.n
FROM catalog_artifact a,
     unnest(%(queries)s::text[]) WITH ORDINALITY AS alt(query, n)
WHERE a.id = ANY(%(ids)s) AND a.search_vector @@ to_tsquery('english', alt.query)
ORDER BY a.id, alt.n
"""


def page_reasons(
    scores: dict[int, Scored], inputs: ReasonInputs
) -> dict[int, tuple[MatchReason, ...]]:
    """The reasons of every artifact in `scores` (the page), in three queries at most."""
    ids = list(scores)
    plan = inputs.plan
    fields = _matched_fields(ids, inputs.text_query) if plan.has_task else {}
    synonyms = _synonym_reasons(
        [pk for pk in ids if not scores[pk].has_all_words and pk not in inputs.neighbours], plan
    )
    unexplained = [
        pk
        for pk in ids
        if not scores[pk].has_all_words and pk not in synonyms and pk not in inputs.neighbours
    ]
    related = _related_reasons(unexplained, inputs.related)
    reasons = {}
    for pk, score in scores.items():
        found = _task_reasons(pk, score, inputs, fields, synonyms, related)
        found += _constraint_reasons(score, plan.constraints)
        if not found and not plan.has_task:
            # A query of constraints only lists the best ranked that meet what they can.
            found.append(MatchReason("ranked", "UnfragileRank"))
        elif not found:
            # Only reachable through a wider net whose evidence is not on the page.
            found.append(MatchReason("words", "its description"))
        reasons[pk] = tuple(found)
    return reasons


def _task_reasons(
    pk: int,
    score: Scored,
    inputs: ReasonInputs,
    fields: dict[int, str],
    synonyms: dict[int, str],
    related: dict[int, str],
) -> list[MatchReason]:
    plan = inputs.plan
    found = []
    if pk in inputs.neighbours:
        return [MatchReason("similar", inputs.neighbours[pk])]
    if score.does_task and plan.direction is not None:
        found.append(MatchReason("direction", plan.direction.label))
    if (score.has_phrase or score.says_task) and plan.phrase_label:
        found.append(MatchReason("phrase", plan.phrase_label))
    kind = "words" if inputs.broadened else "field"
    if pk in fields and not score.has_phrase:
        found.append(MatchReason(kind, fields[pk]))
    elif pk not in fields and inputs.highlights.get(pk):
        # The capability itself is listed, words marked, right under the reason.
        found.append(MatchReason("capability", "its capabilities"))
    if pk in synonyms:
        found.append(MatchReason("synonym", synonyms[pk]))
    if pk in related:
        found.append(MatchReason("related", related[pk]))
    if not found and pk in inputs.meaning:
        found.append(MatchReason("meaning", inputs.meaning[pk]))
    return found


def _constraint_reasons(score: Scored, constraints: tuple[Constraint, ...]) -> list[MatchReason]:
    return [
        MatchReason("constraint", constraint.label)
        for constraint in constraints
        if constraint.key in score.met
    ]


def _matched_fields(ids: list[int], text_query: str) -> dict[int, str]:
    """The strongest field of each artifact's own text that holds any typed word."""
    if not ids or not text_query:
        return {}
    query_any = text_query.replace(" & ", " | ")
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(FIELDS_SQL, {"ids": ids, "query": query_any})
        for pk, field in cursor.fetchall():
            if field:
                found[pk] = FIELD_NAMES[field]
    return found


def _synonym_reasons(ids: list[int], plan: SearchPlan) -> dict[int, str]:
    """For results without every typed word: the synonym they matched."""
    if not ids or not plan.alternatives:
        return {}
    queries = [words_tsquery(list(alt.words)) for alt in plan.alternatives]
    with connection.cursor() as cursor:
        cursor.execute(SYNONYM_REASONS_SQL, {"queries": queries, "ids": ids})
        return {pk: plan.alternatives[n - 1].label for pk, n in cursor.fetchall()}


def _related_reasons(ids: list[int], related: list[RelatedIntent]) -> dict[int, str]:
    """For results explained by nothing typed: the related search whose visitors chose them."""
    if not ids or not related:
        return {}
    texts = {relation.intent_id: relation.text for relation in related}
    edges = (
        IntentArtifactEdge.objects.filter(artifact_id__in=ids, intent_id__in=texts)
        .order_by("artifact_id", "-weight")
        .values_list("artifact_id", "intent_id")
    )
    found: dict[int, str] = {}
    for artifact_id, intent_id in edges:
        found.setdefault(artifact_id, texts[intent_id])
    return found
