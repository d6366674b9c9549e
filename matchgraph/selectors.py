"""Reads for search and for the match graph's evidence on artifact pages."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.http import QueryDict

from catalog.models import TOP_TIER_RANK, Artifact, Capability, Category
from catalog.querysets import ArtifactQuerySet
from catalog.selectors import (
    BrowseResult,
    artifact_browse,
    artifact_related,
    category_list_with_counts,
)
from matchgraph.models import (
    CoMatch,
    Intent,
    IntentArtifactEdge,
    IntentCapabilityEdge,
    IntentRelation,
)
from matchgraph.querying import SearchPlan, search_plan, synonym_groups, words_tsquery
from matchgraph.relevance import RELATED_WEIGHT, Feedback, Scored, rank_by_relevance
from matchgraph.vocabulary import (
    completions,
    correct_words,
    may_correct,
    total_documents,
    vocabulary_rebuild_if_stale,
)

__all__ = ["SearchPlan", "artifact_search", "search_plan"]

MAX_HIGHLIGHTS_PER_RESULT = 3
# Below this many results, search also tries a spelling correction and any-word matching.
FEW_RESULTS = 3
# Related intents lend their matches; only strong, unrejected relations count.
MAX_RELATED_INTENTS = 5
MIN_RELATION_STRENGTH = 0.3
LONE_RESULT_NEIGHBOURS = 5
# A broad query ("image") can match a large share of the catalog. Scoring, facets and pages
# are bounded to the MAX_CANDIDATES best-established matches, and the page says there are
# more; a narrower query is what such a visitor needs anyway.
MAX_CANDIDATES = 500
# Asked for very few rows, PostgreSQL's planner bets on a walk through the whole table that
# stops early. For a word no listing has (a typo), that walk reads the whole table instead
# of one index lookup. Probes ask for at least this many rows, where the index always wins.
MIN_PROBE_ROWS = 50
# Rows read per artifact wanted: an artifact often has more than one matching capability.
CAPABILITY_ROWS_PER_ARTIFACT = 2
# With this many direct matches the wider nets (capability descriptions, synonyms, related
# intents) add nothing a visitor would reach.
ENOUGH_DIRECT = 200


@dataclass(frozen=True)
class CapabilityHighlight:
    capability_id: int
    title_html: str  # escaped in SQL, then only <mark> tags added


@dataclass(frozen=True)
class Correction:
    typed: str
    searched: str


@dataclass(frozen=True)
class MatchReason:
    """Why a result is shown when it does not carry the typed words themselves."""

    kind: str  # "synonym", "related" (intent) or "similar" (to the lone direct match)
    label: str


@dataclass
class SearchResults:
    plan: SearchPlan
    browse: BrowseResult | None
    broadened: bool = False
    capped: bool = False
    correction: Correction | None = None
    highlights: dict[int, list[CapabilityHighlight]] = field(default_factory=dict)
    reasons: dict[int, MatchReason] = field(default_factory=dict)
    suggested_categories: list[Category] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.browse.total if self.browse else 0


@dataclass(frozen=True)
class RelatedIntent:
    intent_id: int
    text: str
    strength: float


@dataclass(frozen=True)
class Candidates:
    ids: list[int]
    text_query: str  # what highlights mark: all words, or any word once broadened
    broadened: bool
    capped: bool  # more than MAX_CANDIDATES matched; the best established are kept
    own_intent_id: int | None
    related: list[RelatedIntent]

    def feedback(self) -> Feedback:
        intent_ids = [self.own_intent_id] if self.own_intent_id else []
        strengths = [1.0] if self.own_intent_id else []
        for relation in self.related:
            intent_ids.append(relation.intent_id)
            strengths.append(RELATED_WEIGHT * relation.strength)
        return Feedback(intent_ids=intent_ids, strengths=strengths)


def _document_matches(
    tsquery: str, *, limit: int, ordered: bool = True, enough: int | None = None
) -> list[int]:
    """Published artifacts whose own document (name, capability titles, summary,
    categories) matches, at most `limit`, those in the top tier first. When more than
    `limit` match, `ordered` keeps the best established (highest UnfragileRank); otherwise
    any `limit` do, and `enough` from the top tier end the search early."""
    query = SearchQuery(tsquery, search_type="raw", config="english")
    # order_by(): without an order, LIMIT lets PostgreSQL stop reading rows early.
    matches = Artifact.objects.published().filter(search_vector=query).order_by()
    by_rank = (F("current_rank").desc(nulls_last=True), "pk")
    # The top tier has its own small index: a broad query is usually settled there, without
    # probing the whole catalog's index for its words.
    top_tier = matches.filter(current_rank__gte=TOP_TIER_RANK)
    best = _first_ids(top_tier.order_by(*by_rank) if ordered else top_tier, limit)
    if len(best) >= (limit if ordered or enough is None else min(enough, limit)):
        return best
    if ordered:
        # The top tier (a quarter of the catalog) held fewer than `limit`, so all the matches
        # are likely about four times that: few enough to sort. (A heuristic: with many
        # unranked or low-ranked matches this sorts more.)
        return _first_ids(matches.order_by(*by_rank), limit)
    return _merged(best, _first_ids(matches, limit), limit=limit)


def _first_ids(queryset: QuerySet, limit: int) -> list[int]:
    return list(queryset.values_list("pk", flat=True)[: max(limit, MIN_PROBE_ROWS)])[:limit]


def _text_matches(tsquery: str) -> QuerySet:
    """Published artifacts matching through their own document or through one capability's
    text (title and description together)."""
    query = SearchQuery(tsquery, search_type="raw", config="english")
    by_document = Artifact.objects.published().filter(search_vector=query).values_list("pk")
    by_capability = Capability.objects.filter(
        search_vector=query, artifact__is_published=True
    ).values_list("artifact_id")
    return by_document.union(by_capability)


def _intent_and_relations(plan: SearchPlan) -> tuple[int | None, list[RelatedIntent]]:
    if not plan.intent_text:
        return None, []
    own = Intent.objects.visible().filter(text=plan.intent_text).values_list("pk", flat=True)
    own_id = own.first()
    if own_id is None:
        return None, []
    relations = (
        IntentRelation.objects.filter(
            intent_id=own_id,
            is_rejected=False,
            strength__gte=MIN_RELATION_STRENGTH,
            related__is_hidden=False,
        )
        .order_by("-strength")
        .values_list("related_id", "related__text", "strength")[:MAX_RELATED_INTENTS]
    )
    return own_id, [RelatedIntent(pk, text, strength) for pk, text, strength in relations]


def _candidates(plan: SearchPlan) -> Candidates:
    """Artifacts with every word in their own document. When those are few, also artifacts
    with the words in one capability, with a synonym of a typed phrase, or chosen by
    searchers of a related intent; when all that is almost nothing, any of the words."""
    own_id, related = _intent_and_relations(plan)
    ids = _document_matches(plan.index_tsquery(), limit=MAX_CANDIDATES + 1)
    capped = len(ids) > MAX_CANDIDATES
    ids = ids[:MAX_CANDIDATES]
    if len(ids) < ENOUGH_DIRECT:
        ids = _merged(ids, _wider_matches(plan, related, have=len(ids)))
    if len(ids) < FEW_RESULTS and len(plan.words) > 1:
        any_word = plan.index_tsquery(any_word=True)
        extra = _merged(ids, [pk for (pk,) in _text_matches(any_word)[:MAX_CANDIDATES]])
        if len(extra) > len(ids):
            return Candidates(extra, plan.tsquery(any_word=True), True, capped, own_id, related)
    return Candidates(ids, plan.tsquery(), False, capped, own_id, related)


def _wider_matches(plan: SearchPlan, related: list[RelatedIntent], *, have: int) -> list[int]:
    """Wider nets, strongest first, each a bounded query (a LIMIT lets PostgreSQL stop early,
    where one big UNION would have to finish every part): the typed words in one capability,
    artifacts that related intents chose, then the query with any synonym of a typed phrase.
    It stops once the `have` direct matches plus these reach ENOUGH_DIRECT: synonyms are
    only searched when the narrower nets found little."""
    all_words = plan.index_tsquery()

    def by_capability(limit: int, enough: int) -> list[int]:
        return _capability_matches(all_words, limit=limit)

    def borrowed(limit: int, enough: int) -> list[int]:
        return _borrowed_matches(related, limit=limit)

    def by_synonym(limit: int, enough: int) -> list[int]:
        # Every rewrite in one probe: each word's index entries are read once.
        rewrites = plan.alternatives_index_tsquery()
        return _document_matches(rewrites, limit=limit, ordered=False, enough=enough)

    nets = [
        by_capability,
        *([borrowed] if related else []),
        *([by_synonym] if plan.alternatives else []),
    ]
    found: list[int] = []
    for net in nets:
        found = _merged(found, net(MAX_CANDIDATES - len(found), ENOUGH_DIRECT - have - len(found)))
        if have + len(found) >= ENOUGH_DIRECT:
            break
    return found


def _capability_matches(tsquery: str, *, limit: int) -> list[int]:
    query = SearchQuery(tsquery, search_type="raw", config="english")
    # Plain rows, de-duplicated here: with DISTINCT and a LIMIT, PostgreSQL may walk every
    # capability in artifact order instead of looking the words up in the index. An artifact
    # with many matching capabilities can leave fewer than `limit`; the next net fills in.
    matching = (
        Capability.objects.filter(search_vector=query, artifact__is_published=True)
        .order_by()
        .values_list("artifact_id", flat=True)
    )
    rows = max(limit, MIN_PROBE_ROWS) * CAPABILITY_ROWS_PER_ARTIFACT
    return list(dict.fromkeys(matching[:rows]))[:limit]


def _borrowed_matches(related: list[RelatedIntent], *, limit: int) -> list[int]:
    return list(
        IntentArtifactEdge.objects.filter(
            intent_id__in=[relation.intent_id for relation in related],
            artifact__is_published=True,
        )
        .order_by("-weight")
        .values_list("artifact_id", flat=True)[:limit]
    )


def _merged(ids: list[int], more: list[int], *, limit: int | None = None) -> list[int]:
    limit = MAX_CANDIDATES if limit is None else limit
    seen = set(ids)
    merged = list(ids)
    for pk in more:
        if pk not in seen and len(merged) < limit:
            seen.add(pk)
            merged.append(pk)
    return merged


def _by_ids(ids: list[int]) -> QuerySet:
    """Match once, then let the facets select by id: each re-running the full-text match
    would re-read every matching document."""
    return Artifact.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))


def _spelling_corrector(
    plan: SearchPlan, synonyms: list[list[tuple[str, ...]]]
) -> Callable[[], SearchPlan | None]:
    """The query with its unknown words corrected, worked out on first use and only once:
    fuzzy matching against the vocabulary costs milliseconds, and most queries never need
    it. None when correcting changes nothing."""

    @functools.cache
    def corrected() -> SearchPlan | None:
        words = correct_words(plan.words)
        if words == plan.words:
            return None
        return search_plan(" ".join(words), synonyms=synonyms, complete=completions)

    return corrected


def _clearly_misspelled(
    plan: SearchPlan, corrected: Callable[[], SearchPlan | None]
) -> tuple[SearchPlan, Correction | None]:
    """The common case, decided cheaply before any wider net runs: the words as typed name
    almost no listing, and corrected they name more."""
    typed = _document_matches(plan.index_tsquery(), limit=FEW_RESULTS, ordered=False)
    if len(typed) >= FEW_RESULTS or (corrected_plan := corrected()) is None:
        return plan, None
    found = _document_matches(corrected_plan.index_tsquery(), limit=FEW_RESULTS, ordered=False)
    if len(found) <= len(typed):
        return plan, None
    return corrected_plan, Correction(plan.raw, corrected_plan.raw)


def _with_spelling_corrected(
    plan: SearchPlan, candidates: Candidates, corrected: Callable[[], SearchPlan | None]
) -> tuple[SearchPlan, Candidates, Correction | None]:
    """When the query as typed finds little, try it with unknown words corrected; keep the
    correction only if it finds more. A query with good results is never rewritten."""
    if len(candidates.ids) >= FEW_RESULTS and not candidates.broadened:
        return plan, candidates, None
    if (corrected_plan := corrected()) is None:
        return plan, candidates, None
    found = _candidates(corrected_plan)
    better = len(found.ids) > len(candidates.ids) or (
        candidates.broadened and not found.broadened and found.ids
    )
    if not better:
        return plan, candidates, None
    return corrected_plan, found, Correction(plan.raw, corrected_plan.raw)


def artifact_search(
    *,
    raw_query: str,
    data: QueryDict,
    page_number: str | None,
    per_page: int,
    exact: bool = False,
) -> SearchResults:
    """Full-text search with facets, ordered by `matchgraph.relevance` unless a sort is chosen.

    `exact` searches the words as typed, with no spelling correction."""
    vocabulary_rebuild_if_stale()
    synonyms = synonym_groups()
    plan = search_plan(raw_query, synonyms=synonyms, complete=completions)
    # The words are matched by full-text search here, not by browse's keyword filter.
    data = data.copy()
    for key in ("q", "exact"):
        data.pop(key, None)
    if plan.is_empty:
        return SearchResults(plan=plan, browse=None, suggested_categories=_popular_categories())
    correction = None
    # Only a query with a word the catalog does not know can be corrected.
    corrected = None
    if not exact and may_correct(plan.words):
        corrected = _spelling_corrector(plan, synonyms)
    if corrected is not None:
        plan, correction = _clearly_misspelled(plan, corrected)
    candidates = _candidates(plan)
    if corrected is not None and correction is None:
        plan, candidates, correction = _with_spelling_corrected(plan, candidates, corrected)
    scored = rank_by_relevance(
        ids=candidates.ids,
        words=plan.words,
        term_queries=plan.term_queries(),
        all_query=plan.tsquery(),
        synonyms_query=plan.alternatives_tsquery(),
        feedback=candidates.feedback(),
        documents=total_documents(),
    )
    ranked_ids = [item.artifact_id for item in scored]
    neighbours = _neighbours_of_a_lone_result(ranked_ids)
    browse = artifact_browse(
        data=data,
        page_number=page_number,
        per_page=per_page,
        base=_by_ids(candidates.ids + [pk for pk, _ in neighbours]),
        ranked_ids=ranked_ids + [pk for pk, _ in neighbours],
        cards=ArtifactQuerySet.for_search_results,
    )
    _attach_scores(browse, scored)
    results = SearchResults(
        plan=plan,
        browse=browse,
        broadened=candidates.broadened,
        capped=candidates.capped,
        correction=correction,
    )
    shown = [artifact.pk for artifact in browse.page.object_list]
    results.highlights = capability_highlights(artifact_ids=shown, query=candidates.text_query)
    results.reasons = _match_reasons(browse, plan, candidates)
    for pk, name in neighbours:
        results.reasons[pk] = MatchReason("similar", name)
    if browse.total == 0:
        results.suggested_categories = _categories_for(plan) or _popular_categories()
    return results


def _neighbours_of_a_lone_result(ranked_ids: list[int]) -> list[tuple[int, str]]:
    """A search that names one artifact ("qdrant") finds just it; its closest neighbours,
    shown after it, are what such a visitor usually compares it with."""
    if not 0 < len(ranked_ids) < FEW_RESULTS:
        return []
    top = Artifact.objects.filter(pk=ranked_ids[0]).first()
    if top is None:
        return []
    related = artifact_related(artifact=top, limit=LONE_RESULT_NEIGHBOURS)
    return [(other.pk, top.name) for other in related if other.pk not in ranked_ids]


def _attach_scores(browse: BrowseResult, scored: list[Scored]) -> None:
    """The scores behind the order, on each shown artifact (templates and tests read them)."""
    scores = {item.artifact_id: item for item in scored}
    for artifact in browse.page.object_list:
        score = scores.get(artifact.pk)
        artifact.has_all_words = score.has_all_words if score else False
        artifact.text_match = score.text_match if score else 0.0
        artifact.match_weight = score.match_weight if score else 0.0
        artifact.relevance = score.relevance if score else 0.0


SYNONYM_REASONS_SQL = """
SELECT DISTINCT ON (a.id) a.id, alt.n
FROM catalog_artifact a,
     unnest(%(queries)s::text[]) WITH ORDINALITY AS alt(query, n)
WHERE a.id = ANY(%(ids)s) AND a.search_vector @@ to_tsquery('english', alt.query)
ORDER BY a.id, alt.n
"""


def _match_reasons(
    browse: BrowseResult, plan: SearchPlan, candidates: Candidates
) -> dict[int, MatchReason]:
    """For shown results without every typed word: the synonym they matched, or else the
    related search whose visitors chose them."""
    without_words = [a.pk for a in browse.page.object_list if not a.has_all_words]
    reasons: dict[int, MatchReason] = {}
    if without_words and plan.alternatives:
        queries = [words_tsquery(list(alt.words)) for alt in plan.alternatives]
        with connection.cursor() as cursor:
            cursor.execute(SYNONYM_REASONS_SQL, {"queries": queries, "ids": without_words})
            for artifact_id, n in cursor.fetchall():
                reasons[artifact_id] = MatchReason("synonym", plan.alternatives[n - 1].label)
    unexplained = [pk for pk in without_words if pk not in reasons]
    if unexplained and candidates.related:
        texts = {relation.intent_id: relation.text for relation in candidates.related}
        edges = (
            IntentArtifactEdge.objects.filter(artifact_id__in=unexplained, intent_id__in=texts)
            .order_by("artifact_id", "-weight")
            .values_list("artifact_id", "intent_id")
        )
        for artifact_id, intent_id in edges:
            reasons.setdefault(artifact_id, MatchReason("related", texts[intent_id]))
    return reasons


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


# Counting every category's artifacts reads the whole catalog; the most popular change slowly.
POPULAR_CATEGORIES_SECONDS = 300


def _popular_categories() -> list[Category]:
    return cache.get_or_set(
        "matchgraph:popular-categories",
        lambda: list(category_list_with_counts()[:8]),
        POPULAR_CATEGORIES_SECONDS,
    )


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
