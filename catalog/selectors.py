"""Reads for catalog pages. Each returns exactly what a page needs in a fixed number of queries."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, QueryDict

from catalog.derived import derived, derived_keep, listing_version
from catalog.embeddings import EmbeddingUnavailable, get_backend
from catalog.embeddings.store import nearest_to_artifact, nearest_to_artifact_query
from catalog.facets import (
    FACET_TITLES,
    FIXED_LABELS,
    Facet,
    build_facets,
    count_facets,
    count_facets_and_total,
    count_single_filter_facets,
    count_two_filter_facets,
)
from catalog.filters import ArtifactFilter
from catalog.models import (
    Artifact,
    Category,
    PricingPlan,
)
from catalog.page_rows import attach_page_rows, with_page_rows
from catalog.querysets import ArtifactQuerySet, name_order

# A listing of at least this many artifacts is never collected first (`_collecting_is_cheaper`).
COLLECTED_AT_MOST = 10_000
# A listing filtered two ways with at least this many artifacts is counted by the job that
# changes the catalog, not by its first visitor (`_large_two_filter_listings_warm`).
TWO_FILTER_LISTINGS_COUNTED_FROM = 2_000
# Related artifacts are chosen among at most this many sharing categories (read from the first
# this many of each category) and this many sharing capability words (plus every linked one),
# so the cost stays flat as the catalog grows.
RELATED_POOL = 300
# How much each kind of overlap counts when ranking related artifacts.
RELATED_WEIGHTS = {
    "category": 3.0,
    "capability_term": 10.0,
    "modality": 0.5,
    "kind": 1.0,
    "link": 6.0,
}


def artifact_get(*, slug: str) -> Artifact:
    """One published artifact with everything its page shows, or 404. One query: its own
    rows (capabilities, categories, plans, sources, links) come inside it
    (`catalog.page_rows`), and its related managers answer from them."""
    queryset = with_page_rows(Artifact.objects.published().select_related("signals"))
    try:
        return attach_page_rows(queryset.get(slug=slug))
    except Artifact.DoesNotExist as missing:
        raise Http404(f"No artifact is listed at “{slug}”.") from missing


def artifact_get_with_plans(*, slug: str) -> Artifact:
    """One published artifact with its pricing plans only (the cost calculator), or 404.
    Two queries."""
    queryset = Artifact.objects.published().prefetch_related(
        Prefetch("plans", queryset=PricingPlan.objects.order_by("position", "id"))
    )
    try:
        return queryset.get(slug=slug)
    except Artifact.DoesNotExist as missing:
        raise Http404(f"No artifact is listed at “{slug}”.") from missing


RELATED_SQL = """
WITH source_query AS (
    -- Any lexeme of this artifact's capability titles, as one OR query.
    SELECT string_agg(DISTINCT quote_literal(term), ' | ')::tsquery AS q
    FROM catalog_capability c,
         unnest(tsvector_to_array(to_tsvector('english', c.title))) AS term
    WHERE c.artifact_id = %(artifact_id)s AND length(term) >= 3 AND term !~ '^[0-9]+$'
),
mine AS (
    SELECT category_id FROM catalog_artifact_categories WHERE artifact_id = %(artifact_id)s
),
by_category AS (
    -- The first artifacts (by id) of each category this one is in: a short index range each,
    -- however large the category. Those found in more of the ranges come first.
    SELECT first.artifact_id
    FROM mine
    CROSS JOIN LATERAL (
        SELECT other.artifact_id FROM catalog_artifact_categories other
        WHERE other.category_id = mine.category_id AND other.artifact_id <> %(artifact_id)s
        ORDER BY other.artifact_id
        LIMIT %(pool)s
    ) first
    GROUP BY first.artifact_id
    ORDER BY count(*) DESC, first.artifact_id
    LIMIT %(pool)s
),
by_terms AS (
    -- Only when categories found too few: an uncategorized artifact still gets neighbours,
    -- and a large catalog never pays for an any-word scan it does not need.
    SELECT c.artifact_id
    FROM catalog_capability c, source_query s
    WHERE (SELECT count(*) FROM by_category) < %(pool)s
      AND s.q IS NOT NULL AND c.search_vector @@ s.q AND c.artifact_id <> %(artifact_id)s
    LIMIT %(pool)s
),
linked AS (
    -- Ecosystem links in either direction (same family, integrates with, ...).
    SELECT target_id AS artifact_id FROM catalog_artifactlink
    WHERE source_id = %(artifact_id)s AND target_id IS NOT NULL
    UNION
    SELECT source_id FROM catalog_artifactlink WHERE target_id = %(artifact_id)s
),
candidate AS (
    SELECT artifact_id FROM by_category
    UNION SELECT artifact_id FROM by_terms
    UNION SELECT artifact_id FROM linked
),
category_overlap AS (
    -- Counted per candidate from its own few rows, not by reading each category again.
    SELECT k.artifact_id,
           (SELECT count(*) FROM catalog_artifact_categories theirs
            WHERE theirs.artifact_id = k.artifact_id
              AND theirs.category_id = ANY(ARRAY(SELECT category_id FROM mine))) AS shared
    FROM candidate k
),
term_overlap AS (
    -- How much each candidate's capabilities overlap (ts_match_vq: read them by artifact).
    SELECT c.artifact_id, sum(ts_rank('{0.1, 0.2, 0.4, 1.0}', c.search_vector, s.q)) AS shared
    FROM candidate k
    JOIN catalog_capability c ON c.artifact_id = k.artifact_id
    CROSS JOIN source_query s
    WHERE s.q IS NOT NULL AND ts_match_vq(c.search_vector, s.q)
    GROUP BY c.artifact_id
)
SELECT a.id,
       %(category)s * coalesce(cat.shared, 0)
     + %(capability_term)s * coalesce(terms.shared, 0)
     + %(modality)s * (
           cardinality(ARRAY(SELECT unnest(a.inputs)
                             INTERSECT SELECT unnest(%(inputs)s::varchar[])))
         + cardinality(ARRAY(SELECT unnest(a.outputs)
                             INTERSECT SELECT unnest(%(outputs)s::varchar[])))
       )
     + CASE WHEN a.kind = %(kind)s THEN %(kind_weight)s ELSE 0 END
     + CASE WHEN linked.artifact_id IS NOT NULL THEN %(link)s ELSE 0 END AS score
FROM candidate k
JOIN catalog_artifact a ON a.id = k.artifact_id
LEFT JOIN category_overlap cat ON cat.artifact_id = a.id
LEFT JOIN term_overlap terms ON terms.artifact_id = a.id
LEFT JOIN linked ON linked.artifact_id = a.id
WHERE a.is_published
  AND a.id <> %(artifact_id)s
  AND (%(same_kind_only)s = false OR a.kind = %(kind)s)
ORDER BY score DESC, a.current_rank DESC NULLS LAST, a.name
LIMIT %(limit)s
"""


def artifact_overlap_scores(
    *, artifact: Artifact, limit: int, same_kind_only: bool = False
) -> dict[int, float]:
    """{artifact id: overlap score} of the published artifacts sharing the most categories,
    capability terms, modalities and links with `artifact`, best first. One query."""
    sql, params = artifact_overlap_query(
        artifact=artifact, limit=limit, same_kind_only=same_kind_only
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk: float(score) for pk, score in cursor.fetchall()}


def artifact_overlap_query(
    *, artifact: Artifact, limit: int, same_kind_only: bool = False
) -> tuple[str, dict]:
    """The overlap as SQL of (id, score) rows and its parameters, for a reader that needs
    it within a larger statement (related artifacts read it with the match graph's)."""
    params = {
        "artifact_id": artifact.pk,
        "inputs": list(artifact.inputs),
        "outputs": list(artifact.outputs),
        "kind": artifact.kind,
        "same_kind_only": same_kind_only,
        "limit": limit,
        "pool": RELATED_POOL,
        "kind_weight": RELATED_WEIGHTS["kind"],
        **{key: value for key, value in RELATED_WEIGHTS.items() if key != "kind"},
    }
    return RELATED_SQL, params


# Rows of the same shape when there is nothing to search by meaning.
NO_MEANING_NEIGHBOURS = "SELECT NULL::bigint AS artifact_id, NULL::float8 AS similarity WHERE false"


def artifact_meaning_neighbours(*, artifact: Artifact, limit: int) -> dict[int, float]:
    """{artifact id: cosine similarity} of the artifacts closest in meaning (name, summary,
    capability titles), best first; empty without embeddings. At most one query."""
    backend, dimensions = _meaning_backend()
    if backend is None:
        return {}
    return dict(
        nearest_to_artifact(artifact.pk, model=backend.name, dimensions=dimensions, limit=limit)
    )


def artifact_meaning_query(*, artifact: Artifact, limit: int) -> tuple[str, dict]:
    """The same neighbours as SQL of (artifact_id, similarity) rows (the artifact itself
    among them) for a reader that needs them within a larger statement."""
    backend, dimensions = _meaning_backend()
    if backend is None:
        return NO_MEANING_NEIGHBOURS, {}
    return nearest_to_artifact_query(
        artifact.pk, model=backend.name, dimensions=dimensions, limit=limit
    )


def _meaning_backend():
    """(backend, its vector size), or (None, 0) when meaning search is off or down."""
    backend = get_backend()
    if backend is None:
        return None, 0
    try:
        return backend, backend.dimensions  # an endpoint may be asked once, and be down
    except EmbeddingUnavailable:
        return None, 0


@dataclass(frozen=True)
class BrowseResult:
    filterset: ArtifactFilter
    page: Page
    facets: list[Facet]
    total: int

    @property
    def by_price(self) -> bool:
        return self.filterset.chosen_sort == "price"

    @cached_property
    def first_not_token_priced(self) -> int | None:
        """Sorted by price: the id of the first artifact on the page without a token price
        after one with (where the page says the order changes), else None."""
        if not self.by_price:
            return None
        priced_before = False
        for artifact in self.page.object_list:
            if artifact.headline_token_price_per_million is not None:
                priced_before = True
            elif priced_before:
                return artifact.pk
            else:
                return None
        return None


def _filter_key(data: QueryDict) -> str:
    """The filters in `data` (every filter of the filterset but the sort; not the page), the
    same however they were ordered."""
    names = [name for name in ArtifactFilter.base_filters if name != "sort"]
    return "&".join(f"{name}={value}" for name in names for value in sorted(data.getlist(name)))


def _category_choices() -> list[tuple[str, str, int]]:
    """(slug, name, id) of every category, in name order."""
    return derived(
        "category-choices",
        lambda: list(Category.objects.order_by(name_order()).values_list("slug", "name", "id")),
    )


def _filterset(
    data: QueryDict, *, categories: list, queryset: QuerySet | None = None
) -> ArtifactFilter:
    return ArtifactFilter(
        data,
        queryset=queryset if queryset is not None else Artifact.objects.published(),
        category_choices=[(slug, name) for slug, name, _ in categories],
        category_ids={slug: pk for slug, _, pk in categories},
    )


def _facets(
    data: QueryDict,
    *,
    categories: list,
    base: QuerySet,
    fully_filtered: QuerySet,
    whole_catalog: bool = False,
) -> list[Facet]:
    """Facets with nothing ticked are counted together over the fully filtered set; each
    facet with ticked values is counted over the set filtered by the *other* facets.
    `whole_catalog`: the listing is the published catalog, not a search's matches, so the
    counts of each filter are counted once per catalog change."""
    selected = {name: set(data.getlist(name)) for name in FACET_TITLES}
    counts = (
        _catalog_listing_counts(data, categories=categories)
        if whole_catalog
        else _matches_counts(data, categories=categories, base=base, fully_filtered=fully_filtered)
    )
    # Licenses are open-ended: the values found, plus any ticked, are the options.
    licenses = sorted(set(counts.get("license", {})) | selected["license"])
    labels = {
        **FIXED_LABELS,
        "category": {slug: name for slug, name, _ in categories},
        "license": {value: value for value in licenses},
    }
    return build_facets(selected=selected, counts=counts, labels=labels)


def _without(data: QueryDict, name: str) -> QueryDict:
    others = data.copy()
    others.pop(name, None)
    return others


def _ticked(data: QueryDict) -> list[str]:
    return [name for name in FACET_TITLES if data.getlist(name)]


def _matches_counts(
    data: QueryDict, *, categories: list, base: QuerySet, fully_filtered: QuerySet
) -> dict[str, dict[str, int]]:
    """Facet counts over a search's matches: one pass for the untouched facets, one per
    ticked facet (over the matches filtered by the others)."""
    ticked = _ticked(data)
    counts = count_facets(fully_filtered, [name for name in FACET_TITLES if name not in ticked])
    for name in ticked:
        filtered = _filterset(_without(data, name), categories=categories, queryset=base).qs
        counts.update(count_facets(filtered, [name]))
    return counts


def _catalog_listing_counts(data: QueryDict, *, categories: list) -> dict[str, dict[str, int]]:
    """Facet counts of a listing of the published catalog, counted once per catalog change.

    A ticked facet's counts are the untouched counts of the listing without it, which is
    kept too: so a listing filtered two ways costs one pass (its own untouched facets and
    its total), not three, once its one-filter listings are counted, and `listing_figures_warm`
    counts all of those after every change."""
    variant = _filter_key(data)

    def count() -> dict[str, dict[str, int]]:
        version = listing_version()
        ticked = _ticked(data)
        listing = _filterset(data, categories=categories).qs
        untouched = [name for name in FACET_TITLES if name not in ticked]
        counts, total = count_facets_and_total(listing, untouched)
        derived_keep("browse-total", total, variant=variant, version=version)
        for name in ticked:
            others = _catalog_listing_counts(_without(data, name), categories=categories)
            counts[name] = others.get(name, {})
        return dict(counts)

    return derived("facets", count, variant=variant)


def artifact_browse(
    *,
    data: QueryDict,
    page_number: str | None,
    per_page: int,
    base: QuerySet | None = None,
    ranked_ids: list[int] | None = None,
    cards: Callable[[QuerySet], QuerySet] = ArtifactQuerySet.for_cards,
) -> BrowseResult:
    """Filtered, sorted, paginated artifacts with facet counts. Raises Http404 for a bad page.

    `base` narrows the listing (search passes its matches). `ranked_ids` is an order decided
    elsewhere (search relevance), used unless the visitor chose a sort; otherwise the
    default order is UnfragileRank. `cards` loads what the page shows of each artifact."""
    categories = _category_choices()
    whole_catalog = base is None
    base = base if base is not None else Artifact.objects.published()
    filterset = _filterset(data, categories=categories, queryset=base)
    if ranked_ids is not None and not filterset.chosen_sort:
        page = _page_in_given_order(filterset, data, ranked_ids, page_number, per_page, cards)
    else:
        queryset = filterset.qs if filterset.chosen_sort else filterset.qs.by_rank()
        page = _page_of_cards(
            queryset,
            page_number=page_number,
            per_page=per_page,
            count=_catalog_listing_total(data, filterset, categories) if whole_catalog else None,
            cards=cards,
        )
    facets = _facets(
        data,
        categories=categories,
        base=base,
        fully_filtered=filterset.qs,
        whole_catalog=whole_catalog,
    )
    return BrowseResult(filterset=filterset, page=page, facets=facets, total=page.paginator.count)


def _catalog_listing_total(data: QueryDict, filterset: ArtifactFilter, categories: list) -> int:
    """How many artifacts a listing of the catalog has, counted once per catalog change, in
    the same pass as its facets when those are not counted yet."""
    variant = _filter_key(data)
    _catalog_listing_counts(data, categories=categories)
    return derived("browse-total", filterset.qs.count, variant=variant)


def _page_of_cards(
    queryset: QuerySet,
    *,
    page_number: str | None,
    per_page: int,
    count: int | None,
    cards: Callable[[QuerySet], QuerySet],
) -> Page:
    """A page of `queryset` in its order, in one query that finds the page's ids first and
    only then loads their cards. Page 40 of a large category skips 960 rows: read from the
    order's covering index (`Artifact.Meta.indexes`), not as 960 whole rows sorted.

    With `count` (the listing's size, known for listings of the catalog) a listing of a few
    rare matches is collected first and then sorted (`_collecting_is_cheaper`): the planner,
    which takes a filter's matches to be spread evenly over the order, would otherwise walk
    the order's index looking for them, through most of the catalog when they sit at its
    end (a rare output sorted by name, a small category of low-ranked artifacts)."""
    page = paginate(
        queryset.values_list("pk", flat=True),
        page_number=page_number,
        per_page=per_page,
        count=count,
    )
    page_ids = page.object_list  # a sliced subquery, not run on its own
    if count is not None and _collecting_is_cheaper(count=count, through=page.end_index()):
        collected = queryset.collected_first().values_list("pk", flat=True)
        page_ids = collected[page.start_index() - 1 : page.end_index()]
    page.object_list = list(
        cards(queryset.model.objects.filter(pk__in=page_ids)).order_by(*queryset.query.order_by)
    )
    return page


def _collecting_is_cheaper(*, count: int, through: int) -> bool:
    """Whether collecting a listing's `count` artifacts and sorting them costs less than
    walking its order's index to its `through`-th one, which passes about
    through × catalog / count rows when its artifacts are spread evenly. Measured here, a
    collected artifact costs about two steps of such a walk (at 100,000 packages, a rare
    output's first page: walked 2.6 ms, collected 8.7; at 841,708: walked 35-131 ms,
    collected 10), and past COLLECTED_AT_MOST collecting is never the cheap way."""
    if count >= COLLECTED_AT_MOST:
        return False
    catalog = sum(catalog_counts().values())
    return 2 * count * count < through * catalog


def _page_in_given_order(
    filterset: ArtifactFilter,
    data: QueryDict,
    ranked_ids: list[int],
    page_number: str | None,
    per_page: int,
    cards: Callable[[QuerySet], QuerySet],
) -> Page:
    """Paginate ids in their given order, keeping those the facets let through, then load
    only the page's artifacts."""
    if filterset.narrows:
        passing = set(filterset.qs.values_list("pk", flat=True))
        ranked_ids = [pk for pk in ranked_ids if pk in passing]
    page = paginate(ranked_ids, page_number=page_number, per_page=per_page)
    loaded = cards(Artifact.objects.filter(pk__in=list(page.object_list))).in_bulk()
    page.object_list = [loaded[pk] for pk in page.object_list if pk in loaded]
    return page


class CappedPaginator(Paginator):
    """A paginator that serves at most `max_pages` pages. A page far down a listing costs an
    OFFSET over every row before it, so at a million artifacts page 30,000 would read them
    all; past the cap the visitor is asked to narrow the listing instead."""

    def __init__(self, *args, max_pages: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_pages = max_pages

    @cached_property
    def all_pages(self) -> int:
        return Paginator.num_pages.func(self)

    @cached_property
    def num_pages(self) -> int:
        return min(self.all_pages, self.max_pages)

    @property
    def capped(self) -> bool:
        return self.all_pages > self.max_pages


def paginate(items, *, page_number: str | None, per_page: int, count: int | None = None) -> Page:
    """A page of a queryset or list; a missing or malformed page number is a 404. `count`:
    how many `items` holds, when already known (saves counting them)."""
    paginator = CappedPaginator(items, per_page, orphans=3, max_pages=settings.LISTING_MAX_PAGES)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not computed
    try:
        return paginator.page(page_number or 1)
    except PageNotAnInteger as bad_page:
        raise Http404("That page of results does not exist.") from bad_page
    except EmptyPage as past_the_end:
        if paginator.capped:
            raise Http404(
                f"Only the first {paginator.max_pages} pages of a listing are shown: "
                "narrow it with the filters, or change the sort."
            ) from past_the_end
        raise Http404("That page of results does not exist.") from past_the_end


def artifact_list_top(*, limit: int = 8) -> list[Artifact]:
    return list(Artifact.objects.published().by_rank().for_cards()[:limit])


def artifact_list_newest(*, limit: int = 8) -> list[Artifact]:
    return list(Artifact.objects.published().newest().for_cards()[:limit])


def category_list_with_counts() -> list[Category]:
    """Categories with published artifacts, the largest first, each with `artifact_count`
    (counted once per catalog change: `catalog.derived`)."""
    return derived(
        "categories",
        lambda: list(
            Category.objects.annotate(
                artifact_count=Count("artifacts", filter=Q(artifacts__is_published=True))
            )
            .filter(artifact_count__gt=0)
            .order_by("-artifact_count", name_order())
        ),
    )


def category_get(*, slug: str) -> Category:
    try:
        return Category.objects.get(slug=slug)
    except Category.DoesNotExist as missing:
        raise Http404(f"There is no category “{slug}”.") from missing


def catalog_counts() -> dict[str, int]:
    """Published artifacts per kind, for the home page (counted once per catalog change)."""

    def count() -> dict[str, int]:
        rows = Artifact.objects.published().order_by().values("kind").annotate(n=Count("id"))
        return {row["kind"]: row["n"] for row in rows}

    return derived("kinds", count)


def listing_figures_warm() -> None:
    """Count what listings need for the current listing version, so that after a write the
    job that wrote, not the next visitor, pays for counting the whole catalog: kinds and
    categories, and the totals and facets of the unfiltered listing and of every listing
    filtered by one value (a kind, a category, an input, ...: every category page). Those
    take two passes over the catalog, however many values there are; then the large listings
    filtered two ways, in a third."""
    version = listing_version()  # what is counted from here on is kept under it
    catalog_counts()
    category_list_with_counts()
    # The unfiltered listing: its facets and its total, in one pass.
    whole = _catalog_listing_counts(QueryDict(), categories=_category_choices())
    pairs = count_single_filter_facets()
    for facet, values in whole.items():
        for value, total in values.items():
            others = {name: dict(found) for name, found in pairs.get((facet, value), {}).items()}
            counts = {**others, facet: dict(values)}
            _listing_figures_keep([(facet, value)], counts, total, version=version)
    _large_two_filter_listings_warm(pairs, version=version)


def _listing_figures_keep(
    filters: list[tuple[str, str]], counts: dict, total: int, *, version: str
) -> None:
    """Keep the facets and the total of the listing filtered by `filters` ((facet, value)
    pairs), as `_catalog_listing_counts` and `_catalog_listing_total` would read them."""
    data = QueryDict(mutable=True)
    for facet, value in filters:
        data.setlist(facet, [value])
    variant = _filter_key(data)
    derived_keep("facets", counts, variant=variant, version=version)
    derived_keep("browse-total", total, variant=variant, version=version)


def _large_two_filter_listings_warm(pairs: dict, *, version: str) -> None:
    """Facets and totals of every listing filtered by two values of two facets (a category
    and an input, say) with at least TWO_FILTER_LISTINGS_COUNTED_FROM artifacts: counting
    one of those on a visit reads all its rows. `pairs` are the single-value listings'
    counts, which give each such listing's total and its two ticked facets; the facets it
    leaves untouched are counted here, for all of them in one pass."""
    large = [
        ((facet, value), (other, other_value))
        for (facet, value), others in pairs.items()
        for other, found in others.items()
        if facet < other
        for other_value, total in found.items()
        if total >= TWO_FILTER_LISTINGS_COUNTED_FROM
    ]
    untouched = count_two_filter_facets(large)
    for first, second in large:
        counts = {name: dict(found) for name, found in untouched[first, second].items()}
        # A ticked facet counts what its values give with the other filter alone.
        counts[first[0]] = dict(pairs[second].get(first[0], {}))
        counts[second[0]] = dict(pairs[first].get(second[0], {}))
        total = pairs[first][second[0]][second[1]]
        _listing_figures_keep([first, second], counts, total, version=version)
