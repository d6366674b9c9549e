"""Search: from an intent to the artifacts that fit it, each with the reasons it is shown.

`artifact_search` runs the stages in order; each lives in its own module:

- `plan` and `understanding`: task words, constraints ("locally", "kind: API"), synonyms, the
  direction of an X-to-Y task;
- `spelling`: a correction when the words as typed find little;
- `candidates`: bounded index probes, strongest net first;
- `meaning`: the artifacts nearest the query's embedding, candidates whatever their words;
- `fit`: which constraints each candidate meets (strong ones order results first;
  preferences move them up), and the task's direction;
- `relevance`: the one definition of the order;
- `highlights` and `reasons`: what each result says about why it is there.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.urls import reverse

from catalog.models import Artifact, Category
from catalog.querysets import ArtifactQuerySet, name_order
from catalog.selectors import (
    BrowseResult,
    artifact_browse,
    artifact_overlap_scores,
    category_list_with_counts,
)
from matchgraph.models import ConstraintType
from matchgraph.search.candidates import FEW_RESULTS, Candidates, candidates_for, merged
from matchgraph.search.fit import FitReport, candidates_fit, scope_of
from matchgraph.search.highlights import CapabilityHighlight, capability_highlights
from matchgraph.search.meaning import Meaning, meaning_of
from matchgraph.search.plan import SearchPlan, SynonymTable, search_plan, synonym_table
from matchgraph.search.reasons import MatchReason, ReasonInputs, page_reasons
from matchgraph.search.relevance import (
    FULLY_SCORED,
    Scored,
    first_pass_columns,
    preselected,
    rank_by_relevance,
    with_fit,
)
from matchgraph.search.spelling import (
    Correction,
    clearly_misspelled,
    spelling_corrector,
    with_spelling_corrected,
)
from matchgraph.search.understanding import Constraint, VocabularyEntry, constraint_vocabulary
from matchgraph.search.vocabulary import (
    completions,
    is_known_word,
    may_correct,
    total_documents,
    vocabulary_rebuild_if_stale,
)

__all__ = [
    "CapabilityHighlight",
    "Correction",
    "MatchReason",
    "SearchPlan",
    "SearchResult",
    "SearchResults",
    "artifact_search",
    "plan_query",
]

LONE_RESULT_NEIGHBOURS = 5


@dataclass(frozen=True)
class SearchResult:
    """One shown result: the artifact, the score behind its place, why it is shown, and the
    capabilities that matched."""

    artifact: Artifact
    position: int  # 1-based, across pages
    score: Scored
    reasons: tuple[MatchReason, ...]
    highlights: tuple[CapabilityHighlight, ...]
    misses: tuple[str, ...] = ()  # the strong constraints it does not meet, as chips say them
    # The first result on the page that misses one, after some that meet them all: the page
    # draws a divider here.
    starts_misses: bool = False
    open_url: str = ""  # where opening it is recorded (`matchgraph:open`)
    fits_url: str = ""  # where "this fits" is posted (`matchgraph:fits`)
    detail_url: str = ""  # the artifact's own page (`Artifact.get_absolute_url`)


@dataclass(frozen=True)
class ChipLink:
    """A constraint search understood, and the same search without it."""

    constraint: Constraint
    query_without: str
    met_by_none: bool  # a strong constraint no result meets


@dataclass(frozen=True)
class SearchResults:
    plan: SearchPlan
    browse: BrowseResult | None
    items: tuple[SearchResult, ...] = ()
    chips: tuple[ChipLink, ...] = ()
    broadened: bool = False
    capped: bool = False
    correction: Correction | None = None
    suggested_categories: list[Category] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.browse.total if self.browse else 0

    def result(self, pk: int) -> SearchResult | None:
        return next((item for item in self.items if item.artifact.pk == pk), None)

    def reasons_of(self, pk: int) -> tuple[MatchReason, ...]:
        found = self.result(pk)
        return found.reasons if found else ()

    def reason_kinds(self) -> set[str]:
        return {reason.kind for item in self.items for reason in item.reasons}


@dataclass(frozen=True)
class SearchTerms:
    """The synonym table and the constraint vocabulary, read from the cache once per search."""

    synonyms: SynonymTable
    constraints: list[VocabularyEntry]

    @classmethod
    def current(cls) -> "SearchTerms":
        return cls(synonym_table(), constraint_vocabulary())


def known_query_words(terms: SearchTerms | None = None) -> frozenset[str]:
    """Words search understands even when no listing uses them: the synonym table's and
    the constraint vocabulary's."""
    terms = terms or SearchTerms.current()
    words = {word for term in terms.synonyms.phrases() for word in term}
    words.update(word for entry in terms.constraints for word in entry.words)
    return frozenset(words)


def plan_query(raw_query: str, terms: SearchTerms | None = None) -> SearchPlan:
    """The plan of a query with the current synonyms, constraint words and vocabulary."""
    terms = terms or SearchTerms.current()
    return search_plan(
        raw_query,
        synonyms=terms.synonyms,
        complete=completions,
        constraint_terms=terms.constraints,
        is_word=is_known_word,
    )


def artifact_search(
    *,
    raw_query: str,
    data: QueryDict,
    page_number: str | None,
    per_page: int,
    exact: bool = False,
) -> SearchResults:
    """Full-text search with facets, ordered by `relevance` unless a sort is chosen.

    `exact` searches the words as typed, with no spelling correction."""
    vocabulary_rebuild_if_stale()
    terms = SearchTerms.current()
    plan = plan_query(raw_query, terms)
    # The words are matched by full-text search here, not by browse's keyword filter.
    data = data.copy()
    for key in ("q", "exact"):
        data.pop(key, None)
    if plan.is_empty:
        return SearchResults(plan=plan, browse=None, suggested_categories=_popular_categories())
    plan, candidates, correction = _corrected_candidates(plan, terms, exact=exact)
    # A query that names one artifact ("qdrant") gets its neighbours (see below), not
    # whatever is near the name's embedding.
    lone = 0 < len(candidates.ids) < FEW_RESULTS
    meaning = Meaning() if lone else meaning_of(plan)
    ids = merged(
        candidates.ids, list(meaning.nearest), limit=len(candidates.ids) + len(meaning.nearest)
    )
    report = candidates_fit(
        ids=ids,
        constraints=plan.constraints,
        direction=plan.direction,
        first_pass=_first_pass_columns(plan) if len(ids) > FULLY_SCORED else None,
    )
    if plan.direction is not None and meaning.nearest:
        # An X-to-Y task is a precise ask: what meaning alone found must at least do it.
        lexical = set(candidates.ids)
        ids = [pk for pk in ids if pk in lexical or report.get(pk).does_task]
        meaning = meaning.keeping(ids)
    strong = frozenset(c.key for c in plan.constraints if c.is_strong)
    unmet = frozenset(key for key in strong if not any(key in report.get(pk).met for pk in ids))
    ranking = _ranked(plan, ids, candidates, report, strong, meaning)
    ranked_ids = ranking.ids
    applied = [c for c in plan.constraints if c.key in strong - unmet]
    neighbours = _neighbours_of_a_lone_result(ranked_ids, scope=scope_of(applied, every=True))
    browse = artifact_browse(
        data=data,
        page_number=page_number,
        per_page=per_page,
        base=_by_ids(ids + [pk for pk, _ in neighbours]),
        ranked_ids=ranked_ids + [pk for pk, _ in neighbours],
        cards=ArtifactQuerySet.for_search_results,
    )
    items = _page_items(
        browse, plan, candidates, ranking, dict(neighbours), strong - unmet, meaning
    )
    return SearchResults(
        plan=plan,
        browse=browse,
        items=items,
        chips=tuple(
            ChipLink(c, plan.understanding.without(c), c.key in unmet) for c in plan.constraints
        ),
        broadened=candidates.broadened,
        capped=candidates.capped,
        correction=correction,
        suggested_categories=(
            (_categories_for(plan) or _popular_categories()) if browse.total == 0 else []
        ),
    )


def _corrected_candidates(
    plan: SearchPlan, terms: SearchTerms, *, exact: bool
) -> tuple[SearchPlan, Candidates, Correction | None]:
    """The candidates of the query, or of its spelling correction when that finds more.
    Only a query with a word the catalog does not know can be corrected."""
    scope = scope_of(plan.constraints) if not plan.has_task else None
    # Without task words the candidates are the best ranked meeting any strong constraint;
    # ordering then puts those meeting the most of them first.
    corrected = None
    known = known_query_words(terms)
    unknown = [word for word in plan.words if word not in known]
    if not exact and unknown and may_correct(unknown):
        corrected = spelling_corrector(plan, partial(plan_query, terms=terms), known=known)
    correction = None
    if corrected is not None:
        plan, correction = clearly_misspelled(plan, corrected)
    candidates = candidates_for(plan, scope=scope)
    if corrected is not None and correction is None:
        plan, candidates, correction = with_spelling_corrected(plan, candidates, corrected)
    return plan, candidates, correction


def _ranked(
    plan: SearchPlan,
    ids: list[int],
    candidates: Candidates,
    report: FitReport,
    strong: frozenset[str],
    meaning: Meaning,
) -> "Ranking":
    """Every candidate in order. Only the best `FULLY_SCORED` by words, by a cheap first
    pass, and those nearest in meaning are scored in full; the rest follow in the first
    pass's order."""
    ids, rest = ids, []
    if plan.has_task and len(ids) > FULLY_SCORED:
        by_words = [pk for pk in ids if pk not in meaning.closeness]
        ids, rest = preselected(
            ids=by_words,
            query=plan.tsquery(any_word=True),
            report=report,
            strong=strong,
            keep=FULLY_SCORED,
            words=plan.words,
            name_keys=plan.name_keys,
        )
        ids = merged(ids, list(meaning.nearest), limit=len(ids) + len(meaning.nearest))
    meaning = meaning.with_closeness_of(ids)
    scored = rank_by_relevance(
        ids=ids,
        words=plan.words,
        terms=plan.scoring_terms() if plan.has_task else [],
        all_query=plan.tsquery() if plan.has_task else "",
        feedback=candidates.feedback(),
        documents=total_documents(),
        phrase=plan.phrase,
        task_pattern=plan.task_pattern,
        reverse_pattern=plan.reverse_pattern,
        asks_for_kind=any(c.type == ConstraintType.KIND for c in plan.constraints),
        candidate_count=len(candidates.ids),
        name_keys=plan.name_keys,
    )
    ranked = with_fit(
        scored,
        report,
        strong=strong,
        direction_only=plan.is_direction_only,
        closeness=meaning.closeness,
    )
    return Ranking(ranked, rest, report)


@dataclass(frozen=True)
class Ranking:
    """Every candidate in order: those scored in full, then the rest in the first pass's
    order, each below them all. One of the rest gets its score only when a page shows it."""

    scored: list[Scored]
    rest: list[int]
    report: FitReport

    @cached_property
    def ids(self) -> list[int]:
        return [item.artifact_id for item in self.scored] + self.rest

    def score_of(self, pk: int) -> Scored | None:
        found = self._scores.get(pk)
        if found is None and pk in self._rest:
            floor = min((item.relevance for item in self.scored), default=0.0)
            return Scored(pk, False, 0.0, 0.0, floor - 1.0, met=self.report.get(pk).met)
        return found

    def met_in_order(self) -> Iterator[tuple[int, frozenset[str]]]:
        """(id, the constraints it meets) of every candidate, in order."""
        for item in self.scored:
            yield item.artifact_id, item.met
        for pk in self.rest:
            yield pk, self.report.get(pk).met

    @cached_property
    def _scores(self) -> dict[int, Scored]:
        return {item.artifact_id: item for item in self.scored}

    @cached_property
    def _rest(self) -> frozenset[int]:
        return frozenset(self.rest)


def _first_pass_columns(plan: SearchPlan) -> dict | None:
    """What the cheap first pass of `_ranked` reads, asked of the candidates' one read."""
    if not plan.has_task:
        return None
    return first_pass_columns(query=plan.tsquery(any_word=True), name_keys=plan.name_keys)


def _page_items(
    browse: BrowseResult,
    plan: SearchPlan,
    candidates: Candidates,
    ranking: Ranking,
    neighbours: dict[int, str],
    strong: frozenset[str],
    meaning: Meaning,
) -> tuple[SearchResult, ...]:
    shown = list(browse.page.object_list)
    # A lone result's neighbours were picked among those meeting the strong constraints.
    page_scores = {
        artifact.pk: ranking.score_of(artifact.pk)
        or Scored(artifact.pk, False, 0.0, 0.0, 0.0, met=strong)
        for artifact in shown
    }
    first_miss = (
        _first_missing(ranking.met_in_order(), strong) if not browse.filterset.chosen_sort else None
    )
    highlights = capability_highlights(artifact_ids=list(page_scores), query=candidates.text_query)
    reasons = page_reasons(
        page_scores,
        ReasonInputs(
            plan=plan,
            text_query=candidates.text_query,
            broadened=candidates.broadened,
            related=candidates.related,
            neighbours=neighbours,
            highlights=highlights,
            meaning=meaning.matched_capabilities(
                [pk for pk, score in page_scores.items() if score.text_match == 0]
            ),
        ),
    )
    start = browse.page.start_index() if shown else 0
    labels = {c.key: c.label for c in plan.constraints}
    open_urls = _urls_by_slug(shown, lambda slug: reverse("matchgraph:open", args=[slug]))
    fits_urls = _urls_by_slug(shown, lambda slug: reverse("matchgraph:fits", args=[slug]))
    detail_urls = _urls_by_slug(shown, lambda slug: Artifact(slug=slug).get_absolute_url())
    items: list[SearchResult] = []
    for offset, artifact in enumerate(shown):
        misses = tuple(labels[key] for key in sorted(strong - page_scores[artifact.pk].met))
        items.append(
            SearchResult(
                artifact=artifact,
                position=start + offset,
                score=page_scores[artifact.pk],
                reasons=reasons[artifact.pk],
                highlights=tuple(highlights.get(artifact.pk, ())),
                misses=misses,
                starts_misses=artifact.pk == first_miss,
                open_url=open_urls[artifact.pk],
                fits_url=fits_urls[artifact.pk],
                detail_url=detail_urls[artifact.pk],
            )
        )
    return tuple(items)


# A result's links are reversed once per page rather than once per result: each depends on
# the slug alone, which stands in the path as written (`<slug:slug>` takes ASCII letters,
# digits, "-" and "_", which reversing leaves alone). Tests check each against its own.
SLUG_STAND_IN = "slug-stand-in"


def _urls_by_slug(artifacts: list[Artifact], url_of: Callable[[str], str]) -> dict[int, str]:
    """{pk: url_of(artifact.slug)} for each artifact."""
    pattern = url_of(SLUG_STAND_IN)
    return {artifact.pk: pattern.replace(SLUG_STAND_IN, artifact.slug, 1) for artifact in artifacts}


def _first_missing(
    met_in_order: Iterable[tuple[int, frozenset[str]]], strong: frozenset[str]
) -> int | None:
    """The first result, in relevance order, that misses a strong constraint after at least
    one that meets them all: where the page draws its divider."""
    if not strong:
        return None
    met_all = False
    for pk, met in met_in_order:
        if strong <= met:
            met_all = True
        elif met_all:
            return pk
        else:
            return None
    return None


def _neighbours_of_a_lone_result(
    ranked_ids: list[int], *, scope: Q | None
) -> list[tuple[int, str]]:
    """A search that names one artifact ("qdrant") finds just it; its closest neighbours
    that meet the query's strong constraints, shown after it, are what such a visitor
    usually compares it with."""
    if not 0 < len(ranked_ids) < FEW_RESULTS:
        return []
    top = Artifact.objects.filter(pk=ranked_ids[0]).first()
    if top is None:
        return []
    # What the catalog says overlaps (categories, capabilities, links), not the nearest in
    # meaning: those are already among the results when the query was worth embedding.
    related = artifact_overlap_scores(artifact=top, limit=LONE_RESULT_NEIGHBOURS)
    ids = [pk for pk in related if pk not in ranked_ids]
    if scope is not None:
        meeting = set(Artifact.objects.filter(scope, pk__in=ids).values_list("pk", flat=True))
        ids = [pk for pk in ids if pk in meeting]
    return [(pk, top.name) for pk in ids]


def _by_ids(ids: list[int]) -> QuerySet:
    """Match once, then let the facets select by id: each re-running the full-text match
    would re-read every matching document."""
    return Artifact.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))


def _categories_for(plan: SearchPlan) -> list[Category]:
    if not plan.words:
        return []
    condition = Q()
    for word in plan.words:
        condition |= Q(name__icontains=word)
    return list(Category.objects.filter(condition).order_by(name_order())[:8])


def _popular_categories() -> list[Category]:
    return category_list_with_counts()[:8]
