"""Reads for search and for the match graph's evidence on artifact pages."""

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.http import QueryDict

from catalog.models import Artifact, Capability, Category
from catalog.selectors import BrowseResult, artifact_browse, artifact_related
from matchgraph.models import (
    ArtifactMatchStats,
    CoMatch,
    Intent,
    IntentArtifactEdge,
    IntentCapabilityEdge,
)
from matchgraph.normalize import STOP_WORDS, normalize_intent, query_words
from matchgraph.relevance import rank_by_relevance

MAX_HIGHLIGHTS_PER_RESULT = 3
MIN_PREFIX_LENGTH = 2


@dataclass(frozen=True)
class SearchPlan:
    raw: str
    intent_text: str
    words: list[str]

    @property
    def is_empty(self) -> bool:
        return not self.words

    def tsquery(self, *, any_word: bool = False) -> str:
        """`caption & product & photo:*` — words are letters/digits only, so nothing can inject
        tsquery syntax. The last word is a prefix, for results while typing."""
        terms = list(self.words)
        if len(terms[-1]) >= MIN_PREFIX_LENGTH:
            terms[-1] = f"{terms[-1]}:*"
        return (" | " if any_word else " & ").join(terms)


def search_plan(raw_query: str) -> SearchPlan:
    words = [word for word in query_words(raw_query) if word not in STOP_WORDS][:12]
    return SearchPlan(raw=raw_query or "", intent_text=normalize_intent(raw_query), words=words)


@dataclass(frozen=True)
class CapabilityHighlight:
    capability_id: int
    title_html: str  # escaped in SQL, then only <mark> tags added


@dataclass
class SearchResults:
    plan: SearchPlan
    browse: BrowseResult | None
    broadened: bool = False
    highlights: dict[int, list[CapabilityHighlight]] = field(default_factory=dict)
    suggested_categories: list[Category] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.browse.total if self.browse else 0


def _matching_ids(tsquery: str) -> list[int]:
    """Published artifacts matching through their own document (name, capability titles,
    summary, categories) or through one capability's text (title and description)."""
    query = SearchQuery(tsquery, search_type="raw", config="english")
    by_document = Artifact.objects.published().filter(search_vector=query).values_list("pk")
    by_capability = Capability.objects.filter(
        search_vector=query, artifact__is_published=True
    ).values_list("artifact_id")
    return [pk for (pk,) in by_document.union(by_capability)]


def _by_ids(ids: list[int]) -> QuerySet:
    """Match once, then let the facets select by id: each re-running the full-text match
    would re-read every matching document."""
    return Artifact.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))


def _intent_id(plan: SearchPlan) -> int | None:
    if not plan.intent_text:
        return None
    return Intent.objects.filter(text=plan.intent_text).values_list("pk", flat=True).first()


def artifact_search(
    *, raw_query: str, data: QueryDict, page_number: str | None, per_page: int
) -> SearchResults:
    """Full-text search with facets, ordered by `matchgraph.relevance` unless a sort is chosen.

    All words must match; when that finds nothing, any word may (and the page says so)."""
    plan = search_plan(raw_query)
    # The words are matched by full-text search here, not by browse's keyword filter.
    data = data.copy()
    data.pop("q", None)
    if plan.is_empty:
        return SearchResults(plan=plan, browse=None, suggested_categories=_popular_categories())
    broadened = False
    tsquery = plan.tsquery()
    ids = _matching_ids(tsquery)
    if not ids and len(plan.words) > 1:
        tsquery = plan.tsquery(any_word=True)
        ids = _matching_ids(tsquery)
        broadened = True
    scored = rank_by_relevance(ids=ids, tsquery=tsquery, intent_id=_intent_id(plan))
    browse = artifact_browse(
        data=data,
        page_number=page_number,
        per_page=per_page,
        base=_by_ids(ids),
        ranked_ids=[item.artifact_id for item in scored],
    )
    # The scores behind the order, on each shown artifact (templates and tests read them).
    scores = {item.artifact_id: item for item in scored}
    for artifact in browse.page.object_list:
        score = scores.get(artifact.pk)
        artifact.text_match = score.text_match if score else 0.0
        artifact.match_weight = score.match_weight if score else 0.0
        artifact.relevance = score.relevance if score else 0.0
    results = SearchResults(plan=plan, browse=browse, broadened=broadened)
    shown = [artifact.pk for artifact in browse.page.object_list]
    results.highlights = capability_highlights(artifact_ids=shown, query=tsquery)
    if browse.total == 0:
        results.suggested_categories = _categories_for(plan) or _popular_categories()
    return results


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
      AND search_vector @@ to_tsquery('english', %(query_any)s)
) AS ranked
WHERE nth <= %(limit)s
ORDER BY artifact_id, nth
"""


def capability_highlights(
    *, artifact_ids: list[int], query: str
) -> dict[int, list[CapabilityHighlight]]:
    """Per result, the capabilities whose text matched the tsquery `query`, words marked.
    One query for the whole page."""
    if not artifact_ids:
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


def _categories_for(plan: SearchPlan) -> list[Category]:
    condition = Q()
    for word in plan.words:
        condition |= Q(name__icontains=word)
    return list(Category.objects.filter(condition).order_by("name")[:8])


def _popular_categories() -> list[Category]:
    from catalog.selectors import category_list_with_counts

    return list(category_list_with_counts()[:8])


# --- Match-graph evidence shown on artifact pages -------------------------------------------


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
    matches: int


def capability_evidence(*, artifact: Artifact) -> dict[int, CapabilityEvidence]:
    """Per capability of `artifact`: how many distinct searches it explained. One query."""
    rows = (
        IntentCapabilityEdge.objects.filter(
            capability__artifact=artifact,
            intent__is_hidden=False,
            intent__merged_into__isnull=True,
        )
        .values("capability_id")
        .annotate(intents=Count("intent_id", distinct=True), matches=Sum("matches"))
    )
    return {
        row["capability_id"]: CapabilityEvidence(row["intents"], row["matches"]) for row in rows
    }


def artifact_top_intents(*, artifact: Artifact, limit: int = 3) -> list[str]:
    return list(
        IntentArtifactEdge.objects.filter(
            artifact=artifact, intent__is_hidden=False, intent__merged_into__isnull=True
        )
        .order_by("-weight")
        .values_list("intent__text", flat=True)[:limit]
    )


def artifact_match_stats(*, artifact: Artifact) -> ArtifactMatchStats | None:
    return ArtifactMatchStats.objects.filter(artifact=artifact).first()
