"""Reads for comparison pages.

A comparison is built in a fixed number of queries whatever the catalog size (pair: 10 on a
cache miss, 1 on a hit; grid: 8 and 1) and cached whole under a key made of what it depends
on, read in the one query every request makes anyway:

* each artifact's `modified_at` (any edit through the admin or an import),
* the current `RankRun` and each artifact's score `computed_at` in it (a full recompute, or
  the re-score of one artifact after an edit, which updates the row in place),
* each artifact's match-graph `computed_at` (every aggregation rebuilds the evidence).

A change to any of them changes the key, so nothing is ever deleted; stale entries expire.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from catalog.models import KIND_PLURALS, Artifact, Capability, Category, PricingPlan
from catalog.pricing import headline_price
from catalog.selectors import artifact_meaning_neighbours
from compare import naming
from compare.overlap import capability_overlap
from compare.table import feature_rows
from compare.types import (
    SIGNAL_KEYS,
    CapabilityItem,
    Comparison,
    IntentEvidence,
    SharedSearches,
    Side,
    SignalValue,
)
from compare.verdict import comparison_verdict
from matchgraph.models import ArtifactMatchStats, CoMatch
from matchgraph.search.plan import search_words, words_tsquery
from matchgraph.services import MAX_COMPARED
from ranking.models import RankRun, RankScore
from ranking.scoring import round_half_up
from ranking.selectors import rank_scores_for_artifacts

logger = logging.getLogger(__name__)

CACHE_VERSION = 2  # 2: a side's price is the headline price (catalog.pricing)
# Every input is in the key; the timeout only bounds memory and curator-side changes outside
# it (hiding an intent shows at the next aggregation anyway).
CACHE_SECONDS = 6 * 60 * 60
MAX_GRID = MAX_COMPARED
MIN_GRID = 2
TOP_INTENTS = 3
SHARED_SEARCH_EXAMPLES = 3
SUGGESTIONS = 8
MAX_SLUG_LENGTH = 120
# Beyond this many `a` values a grid request is refused before any query.
MAX_VALUES_READ = 20
# What a suggestion shows.
CARD_FIELDS = ("id", "slug", "name", "kind", "current_rank")


# --- Problems a visitor can cause: shown as a page that explains, never a 500 ---------------


@dataclass(frozen=True)
class Suggestion:
    slug: str
    name: str
    kind_label: str
    rank: int | None
    url: str  # where choosing it goes: a comparison
    reason: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str


class ComparisonProblem(Exception):
    """A comparison that cannot be shown, with what the visitor can do instead."""

    status = 400

    def __init__(
        self,
        message: str,
        *,
        title: str = "That comparison cannot be shown",
        links: Sequence[Link] = (),
        suggestions: dict[str, list[Suggestion]] | None = None,
        picker_slugs: Sequence[str] = (),
        picker_mode: str = "pair",
    ):
        super().__init__(message)
        self.message = message
        self.title = title
        self.links = list(links)
        self.suggestions = suggestions or {}
        self.picker_slugs = list(picker_slugs)
        self.picker_mode = picker_mode


class UnknownArtifacts(ComparisonProblem):
    status = 404


class InvalidSelection(ComparisonProblem):
    status = 400


class NeedsMore(ComparisonProblem):
    """Fewer than two artifacts: not an error but a step ("pick one more"), shown as such."""

    status = 200


# --- The one query every request makes: who is compared, and the cache key parts ------------


@dataclass(frozen=True)
class Stamp:
    id: int
    slug: str
    name: str
    modified_at: datetime
    score_at: datetime | None
    stats_at: datetime | None


def _stamps(slugs: Iterable[str]) -> tuple[dict[str, Stamp], int | None]:
    """Published artifacts by slug, with what their comparison's cache key is made of."""
    current_run = RankRun.objects.filter(is_current=True).values("pk")[:1]
    rows = (
        Artifact.objects.published()
        .filter(slug__in=sorted(set(slugs)))
        .annotate(
            run_id=Subquery(current_run),
            score_at=Subquery(
                RankScore.objects.filter(
                    run_id=Subquery(current_run), artifact_id=OuterRef("pk")
                ).values("computed_at")[:1]
            ),
            stats_at=Subquery(
                ArtifactMatchStats.objects.filter(artifact_id=OuterRef("pk")).values("computed_at")[
                    :1
                ]
            ),
        )
        .values_list("pk", "slug", "name", "modified_at", "score_at", "stats_at", "run_id")
    )
    found: dict[str, Stamp] = {}
    run_id = None
    for pk, slug, name, modified_at, score_at, stats_at, run in rows:
        found[slug] = Stamp(pk, slug, name, modified_at, score_at, stats_at)
        run_id = run
    return found, run_id


def comparison_cache_key(stamps: Sequence[Stamp], run_id: int | None) -> str:
    def moment(value: datetime | None) -> str:
        return value.isoformat() if value else "-"

    raw = "|".join(
        f"{s.id}:{moment(s.modified_at)}:{moment(s.score_at)}:{moment(s.stats_at)}" for s in stamps
    )
    digest = hashlib.sha256(f"{raw}|run:{run_id}".encode()).hexdigest()[:40]
    return f"compare:v{CACHE_VERSION}:{digest}"


def _cached(stamps: Sequence[Stamp], run_id: int | None) -> Comparison:
    """The comparison from the cache, built on a miss. A cache that is down costs speed,
    never the page."""
    key = comparison_cache_key(stamps, run_id)
    try:
        comparison = cache.get(key)
    except Exception:  # Redis down, or an entry an older release wrote
        logger.warning("comparison cache read failed for %s", key, exc_info=True)
        comparison = None
    if comparison is None:
        comparison = comparison_build(artifact_ids=[s.id for s in stamps], run_id=run_id)
        try:
            cache.set(key, comparison, CACHE_SECONDS)
        except Exception:
            logger.warning("comparison cache write failed for %s", key, exc_info=True)
    return comparison


# --- Building a comparison (fixed number of queries) -----------------------------------------


def _artifacts(ids: list[int]) -> dict[int, Artifact]:
    """Four queries: the artifacts, then their capabilities, plans and categories."""
    queryset = (
        Artifact.objects.filter(pk__in=ids)
        .without_page_text()
        .prefetch_related(
            Prefetch(
                "capabilities",
                queryset=Capability.objects.order_by("position", "id").defer("search_vector"),
            ),
            Prefetch("plans", queryset=PricingPlan.objects.order_by("position", "id")),
            Prefetch("categories", queryset=Category.objects.order_by("name").only("id", "name")),
        )
    )
    return {artifact.pk: artifact for artifact in queryset}


# Counts read the edges as the aggregation built them, from visible intents only (an intent a
# curator hides later drops out at the next aggregation). Any intent TEXT a page shows is
# checked again here: public (see `Intent.is_public`) and not hidden or merged since.
VISIBLE = "{i}.is_public AND NOT {i}.is_hidden AND {i}.merged_into_id IS NULL"

CAPABILITY_SEARCHES_SQL = """
SELECT e.capability_id, count(*)  -- (intent, capability) is unique: each row is one search
FROM catalog_capability c
JOIN matchgraph_intentcapabilityedge e ON e.capability_id = c.id
WHERE c.artifact_id = ANY(%(ids)s)
GROUP BY e.capability_id
"""

# Each artifact's strongest searches: the (artifact, -weight) index, stopped after a few.
TOP_INTENTS_SQL = f"""
SELECT a.id, top.text, top.matches, top.weight
FROM unnest(%(ids)s::bigint[]) AS a(id)
CROSS JOIN LATERAL (
    SELECT i.text, e.matches, e.weight
    FROM matchgraph_intentartifactedge e
    JOIN matchgraph_intent i ON i.id = e.intent_id
    WHERE e.artifact_id = a.id AND {VISIBLE.format(i="i")}
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
             JOIN matchgraph_intent i ON i.id = best.intent_id AND {VISIBLE.format(i="i")}
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
        JOIN matchgraph_intent i ON i.id = best.id AND {VISIBLE.format(i="i")}
        ORDER BY best.n
        LIMIT 1)
FROM ea
JOIN eb ON eb.intent_id = ea.intent_id
GROUP BY ea.capability_id, eb.capability_id
"""


def _capability_searches(ids: list[int]) -> dict[int, int]:
    """Per capability of these artifacts: how many searches it explained. One query."""
    with connection.cursor() as cursor:
        cursor.execute(CAPABILITY_SEARCHES_SQL, {"ids": ids})
        return dict(cursor.fetchall())


def _top_intents(ids: list[int]) -> dict[int, list[IntentEvidence]]:
    """Each artifact's strongest searches (by match-graph weight). One query."""
    found: dict[int, list[IntentEvidence]] = {}
    with connection.cursor() as cursor:
        cursor.execute(TOP_INTENTS_SQL, {"ids": ids, "limit": TOP_INTENTS})
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], -row[3], row[1]))
    for artifact_id, text, matches, _ in rows:
        found.setdefault(artifact_id, []).append(IntentEvidence(text, matches))
    return found


def _shared_searches(a: int, b: int) -> SharedSearches:
    """Searches in which visitors chose both. One query."""
    with connection.cursor() as cursor:
        cursor.execute(SHARED_SEARCHES_SQL, {"a": a, "b": b, "examples": SHARED_SEARCH_EXAMPLES})
        count, examples = cursor.fetchone()
    return SharedSearches(count=count or 0, examples=tuple(examples or ()))


def _capability_pairs(a: int, b: int) -> dict[tuple[int, int], tuple[int, str]]:
    """Capabilities of `a` and `b` that explained the same searches. One query."""
    with connection.cursor() as cursor:
        cursor.execute(CAPABILITY_PAIRS_SQL, {"a": a, "b": b})
        return {(left, right): (n, example) for left, right, n, example in cursor.fetchall()}


def _signals(score: RankScore | None) -> tuple[SignalValue, ...]:
    if score is None:
        return tuple(SignalValue(key) for key in SIGNAL_KEYS)
    values = []
    for key in SIGNAL_KEYS:
        raw = getattr(score, key)
        values.append(
            SignalValue(
                key,
                score=None if raw is None else round_half_up(raw),
                badge=bool(getattr(score, f"{key}_badge")),
            )
        )
    return tuple(values)


def _side(
    artifact: Artifact,
    *,
    score: RankScore | None,
    searches: dict[int, int],
    intents: list[IntentEvidence],
) -> Side:
    return Side(
        id=artifact.pk,
        slug=artifact.slug,
        name=artifact.name,
        url=artifact.get_absolute_url(),
        kind=artifact.kind,
        kind_label=artifact.get_kind_display(),
        kind_plural=KIND_PLURALS.get(artifact.kind, "artifacts of its kind"),
        organization=artifact.organization,
        summary=artifact.summary,
        # The current run's rank; without a score row, the denormalized one (normally None).
        rank=score.rank if score is not None else artifact.current_rank,
        signals=_signals(score),
        pricing_model=artifact.pricing_model,
        pricing_label=artifact.get_pricing_model_display() if artifact.pricing_model else "",
        free_tier=artifact.free_tier,
        price=headline_price(artifact.plans.all()),
        license=artifact.license,
        inputs=tuple(artifact.inputs),
        outputs=tuple(artifact.outputs),
        categories=tuple(category.name for category in artifact.categories.all()),
        capabilities=tuple(
            CapabilityItem(
                id=capability.pk,
                title=capability.title,
                description=capability.description,
                unique_angle=capability.unique_angle,
                vs_alternatives=capability.vs_alternatives,
                confidence=capability.confidence,
                searches=searches.get(capability.pk, 0),
            )
            for capability in artifact.capabilities.all()
        ),
        times_matched=artifact.times_matched,
        times_matched_30d=artifact.times_matched_30d,
        top_intents=tuple(intents),
        updated=artifact.updated,
    )


def match_graph_search_url(sides: Sequence[Side]) -> str:
    """Search prefilled from every side: its strongest intent, else its first capability, else
    its kind — the rule of `matchgraph_tags.match_graph_search_url`, from data already read."""
    terms = []
    for side in sides:
        if side.top_intents:
            terms.append(side.top_intents[0].text)
        elif side.capabilities:
            terms.append(side.capabilities[0].title)
        else:
            terms.append(side.kind_label)
    return f"{reverse('matchgraph:search')}?{urlencode({'q': ' '.join(terms)[:200]})}"


def comparison_build(*, artifact_ids: Sequence[int], run_id: int | None = None) -> Comparison:
    """The whole comparison of these artifacts, in the given order. Pair: 9 queries; grid: 7."""
    ids = list(artifact_ids)
    artifacts = _artifacts(ids)
    scores = rank_scores_for_artifacts(artifact_ids=ids)
    searches = _capability_searches(ids)
    intents = _top_intents(ids)
    sides = tuple(
        _side(
            artifacts[pk],
            score=scores.get(pk),
            searches=searches,
            intents=intents.get(pk, []),
        )
        for pk in ids
        if pk in artifacts
    )
    overlap = None
    shared = SharedSearches()
    if len(sides) == 2:
        left, right = sides
        shared = _shared_searches(left.id, right.id)
        overlap = capability_overlap(
            left.capabilities,
            right.capabilities,
            shared_searches=_capability_pairs(left.id, right.id),
        )
    return Comparison(
        sides=sides,
        rows=feature_rows(sides),
        verdict=comparison_verdict(sides, shared=shared),
        search_url=match_graph_search_url(sides),
        rank_run_id=run_id,
        built_at=timezone.now(),
        overlap=overlap,
        shared_searches=shared,
    )


# --- A vs B -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairResult:
    canonical_url: str
    is_canonical: bool
    comparison: Comparison | None  # None when the request must redirect to the canonical URL
    other_readings: tuple[Link, ...] = ()


def _split_for_message(key: str) -> tuple[str, str] | None:
    splits = naming.pair_splits(key)
    return splits[0] if len(splits) == 1 else None


def comparison_for_pair(*, pair: str) -> PairResult:
    """Resolve `<slug-a>-vs-<slug-b>` (slugs may contain "-vs-": every split is tried against
    the catalog in one query) and return the comparison, or where the canonical page is."""
    splits = naming.pair_splits(pair)
    found, run_id = _stamps(slug for split in splits for slug in split)
    readings = [(a, b) for a, b in splits if a in found and b in found and a != b]
    if not readings:
        _raise_pair_problem(pair, splits, found)
    left, right = readings[0]
    first, second = sorted((left, right))
    canonical_url = naming.pair_url(first, second)
    others = tuple(
        Link(f"{found[a].name} vs {found[b].name}", naming.grid_url(sorted((a, b))))
        for a, b in readings[1:]
    )
    if naming.pair_key(left, right) != pair:
        return PairResult(canonical_url, False, None, others)
    comparison = _cached([found[first], found[second]], run_id)
    return PairResult(canonical_url, True, comparison, others)


def _raise_pair_problem(pair: str, splits: list[tuple[str, str]], found: dict[str, Stamp]):
    if any(a == b and a in found for a, b in splits):
        slug = next(a for a, b in splits if a == b and a in found)
        raise InvalidSelection(
            f"Both sides are {found[slug].name}. Pick something to compare it with.",
            title="Compare it with something else",
            picker_slugs=[slug],
        )
    split = _split_for_message(pair)
    if split is None:
        # Several (or no) ways to read the address and none works: name what we know.
        known = sorted({slug for a, b in splits for slug in (a, b) if slug in found})
        raise UnknownArtifacts(
            f"“{pair}” does not name two artifacts in the directory.",
            title="We could not find that comparison",
            suggestions=_suggestions_for_unknown(
                [pair.replace(naming.SEPARATOR, " ")],
                target=lambda _, slug: naming.pair_url(known[0], slug) if known else None,
            ),
            picker_slugs=known[:1],
        )
    unknown = [slug for slug in split if slug not in found]
    known = [slug for slug in split if slug in found]
    names = " and ".join(f"“{slug}”" for slug in unknown)
    raise UnknownArtifacts(
        f"We do not list an artifact at {names}."
        + (f" {found[known[0]].name} is listed: compare it with something else." if known else ""),
        title="We could not find that comparison",
        suggestions=_suggestions_for_unknown(
            unknown, target=lambda _, slug: naming.pair_url(known[0], slug) if known else None
        ),
        picker_slugs=known,
    )


# --- N-way grid ---------------------------------------------------------------------------------


def comparison_for_grid(*, slugs: Sequence[str]) -> Comparison:
    """2–6 artifacts side by side, in the order given. Duplicates, unknown slugs, too many or
    too few raise a `ComparisonProblem` that says what to do instead."""
    values = [value.strip() for value in slugs if value.strip()]
    if len(values) > MAX_VALUES_READ:
        raise InvalidSelection(
            f"A grid compares at most {MAX_GRID} artifacts; this address lists {len(values)}.",
            title="Too many artifacts to compare",
        )
    if len(values) > MAX_GRID:
        raise InvalidSelection(
            f"A grid compares at most {MAX_GRID} artifacts; this address lists {len(values)}. "
            "Remove some, or compare the first six.",
            title="Too many artifacts to compare",
            links=[Link("Compare the first six", naming.grid_url(_unique(values)[:MAX_GRID]))],
        )
    unique = _unique(values)
    if len(unique) < len(values):
        repeated = sorted({value for value in values if values.count(value) > 1})
        raise InvalidSelection(
            f"{', '.join(f'“{v}”' for v in repeated)} "
            f"{'is' if len(repeated) == 1 else 'are'} listed more than once.",
            title="The same artifact twice",
            links=[Link("Compare each once", naming.grid_url(unique))]
            if len(unique) >= MIN_GRID
            else [],
            picker_slugs=unique if len(unique) < MIN_GRID else (),
            picker_mode="grid",
        )
    found, run_id = _stamps(value for value in values if len(value) <= MAX_SLUG_LENGTH)
    unknown = [value for value in values if value not in found]
    known = [value for value in values if value in found]
    if unknown:
        raise UnknownArtifacts(
            f"We do not list {', '.join(f'“{v[:MAX_SLUG_LENGTH]}”' for v in unknown)}.",
            title="Some of these are not in the directory",
            links=[Link("Compare the ones we list", naming.grid_url(known))]
            if len(known) >= MIN_GRID
            else [],
            suggestions=_suggestions_for_unknown(
                unknown,
                target=lambda value, slug: naming.grid_url(
                    _unique([slug if v == value else v for v in values])
                ),
            ),
            picker_slugs=known if len(known) < MIN_GRID else (),
            picker_mode="grid",
        )
    if len(values) < MIN_GRID:
        raise NeedsMore(
            "A comparison needs at least two artifacts. Add another one below.",
            title="Pick one more to compare",
            picker_slugs=known,
            picker_mode="grid",
        )
    return _cached([found[value] for value in values], run_id)


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


# --- The picker: related artifacts first, then name matches --------------------------------


@dataclass(frozen=True)
class Picker:
    kept: tuple[Stamp, ...]
    query: str
    mode: str  # "pair" (from an artifact page), "swap" (a side of a pair), "grid" (a column)
    swap: str = ""
    heading: str = ""
    suggestions: tuple[Suggestion, ...] = ()
    exact_url: str | None = None
    full: bool = False  # the grid already has the maximum number of columns
    hidden: list[tuple[str, str]] = field(default_factory=list)  # form fields to carry


PICKER_MODES = ("pair", "swap", "grid")


def artifact_name_matches(
    *,
    query: str,
    exclude_ids: Iterable[int] = (),
    limit: int = SUGGESTIONS,
    any_word: bool = False,
) -> list[Artifact]:
    """Published artifacts whose name (or listing) matches what was typed, the last word as a
    prefix: exact and leading name matches first, then relevance weighted to the name, then
    rank. Found through the search document's GIN index, plus an exact slug. One query; its
    cost grows with how many artifacts hold the words (see the benchmark).

    Typing narrows (every word must match); `any_word` suits guessing what a mistyped address
    meant."""
    words = search_words(query)
    text = query.strip()
    condition = Q(slug=text.lower())
    if words:
        tsquery = SearchQuery(
            words_tsquery(words, prefix_last=True, any_word=any_word),
            search_type="raw",
            config="english",
        )
        condition |= Q(search_vector=tsquery)
        relevance = SearchRank(F("search_vector"), tsquery, weights=[0.02, 0.05, 0.2, 1.0])
    else:
        relevance = Value(0.0)
    return list(
        Artifact.objects.published()
        .filter(condition)
        .exclude(pk__in=list(exclude_ids))
        .annotate(
            closeness=Case(
                When(Q(slug=text.lower()) | Q(name__iexact=text), then=2),
                When(name__istartswith=text, then=1),
                default=0,
                output_field=IntegerField(),
            ),
            relevance=relevance,
        )
        .order_by("-closeness", "-relevance", F("current_rank").desc(nulls_last=True), "name")
        .only(*CARD_FIELDS)[:limit]
    )


def _suggestions_for_unknown(
    values: Sequence[str], *, target: Callable[[str, str], str | None] | None = None
) -> dict[str, list[Suggestion]]:
    """For each value we could not find, a few listed artifacts it may have meant, each
    linking to the comparison with it put right (`target(value, slug)`), else to its page.
    An error path only: one query per value, at most six."""
    found = {}
    for value in values[:MAX_GRID]:
        text = value.replace("-", " ")[:MAX_SLUG_LENGTH]
        matches = artifact_name_matches(query=text, limit=3, any_word=True)
        found[value] = [
            Suggestion(
                a.slug,
                a.name,
                a.get_kind_display(),
                a.current_rank,
                (target(value, a.slug) if target else None) or a.get_absolute_url(),
            )
            for a in matches
        ]
    return found


def related_suggestions(
    *, artifact_id: int, exclude_ids: Iterable[int] = (), limit: int = SUGGESTIONS
) -> list[tuple[Artifact, str]]:
    """What to compare an artifact with before anything is typed: the match graph's
    co-matches first (chosen for the same searches, or compared together), then the closest
    in meaning, then artifacts sharing a category, then of the same kind, each by rank. At
    most five or six indexed queries at
    any catalog size (the artifact page's capability-overlap "related" list costs seconds on a
    large catalog, too slow for a type-ahead)."""
    excluded = set(exclude_ids) | {artifact_id}
    found: list[tuple[Artifact, str]] = []

    def room() -> int:
        return limit - len(found)

    comatches = (
        CoMatch.objects.filter(artifact_id=artifact_id, other__is_published=True)
        .exclude(other_id__in=excluded)
        .select_related("other")
        .only("shared_intents", "other", *(f"other__{name}" for name in CARD_FIELDS))
        .order_by("-weight")[:limit]
    )
    for row in comatches:
        reason = (
            f"chosen for {row.shared_intents} of the same searches"
            if row.shared_intents
            else "compared with it before"
        )
        found.append((row.other, reason))
        excluded.add(row.other_id)
    if room() > 0:
        found += _close_in_meaning(artifact_id, excluded, room())
        excluded.update(other.pk for other, _ in found)
    # Ranked artifacts in rank order, exactly as the published rank index runs (NULLS LAST
    # included: any other order is a sort of the whole kind), so the scan stops after a few
    # rows instead of sorting a whole category or kind.
    ranked = (
        Artifact.objects.published()
        .filter(current_rank__isnull=False)
        .order_by(F("current_rank").desc(nulls_last=True), "name")
        .only(*CARD_FIELDS)
    )
    if room() > 0:
        through = Artifact.categories.through
        categories = through.objects.filter(artifact_id=artifact_id).values("category_id")
        same_category = ranked.filter(
            Exists(through.objects.filter(artifact_id=OuterRef("pk"), category_id__in=categories))
        ).exclude(pk__in=excluded)[: room()]
        for other in same_category:
            found.append((other, "in the same category"))
            excluded.add(other.pk)
    if room() > 0:
        kind = Artifact.objects.filter(pk=artifact_id).values("kind")
        same_kind = ranked.filter(kind=Subquery(kind)).exclude(pk__in=excluded)[: room()]
        found.extend((other, f"another {other.get_kind_display().lower()}") for other in same_kind)
    return found


def _close_in_meaning(
    artifact_id: int, excluded: set[int], limit: int
) -> list[tuple[Artifact, str]]:
    """Published artifacts nearest in meaning (embeddings), for the picker: two queries."""
    artifact = Artifact(pk=artifact_id)
    nearest = artifact_meaning_neighbours(artifact=artifact, limit=limit + len(excluded))
    ids = [pk for pk in nearest if pk not in excluded]
    loaded = Artifact.objects.published().filter(pk__in=ids).only(*CARD_FIELDS).in_bulk()
    return [(loaded[pk], "close in meaning") for pk in ids if pk in loaded][:limit]


def compare_picker(
    *, kept_slugs: Sequence[str], query: str = "", mode: str = "pair", swap: str = ""
) -> Picker:
    """Suggestions for what to compare with the kept artifacts: with nothing typed, the
    artifacts most related to the first (co-matches, then catalog overlap); else name matches.
    Each suggestion links to the comparison it makes."""
    mode = mode if mode in PICKER_MODES else "pair"
    kept_values = _unique([slug.strip() for slug in kept_slugs if slug.strip()])[:MAX_GRID]
    if mode != "grid":
        kept_values = kept_values[:1]
    query = query.strip()[:200]
    found, _ = _stamps([*kept_values, swap] if swap else kept_values)
    kept = tuple(found[slug] for slug in kept_values if slug in found)
    if not kept and (mode != "grid" or kept_values):
        raise UnknownArtifacts(
            "Start from an artifact the directory lists.",
            title="Nothing to compare with",
            suggestions=_suggestions_for_unknown(kept_values) if kept_values else {},
        )
    hidden = [("a", stamp.slug) for stamp in kept] + [("mode", mode)]
    if swap and swap in found:
        hidden.append(("swap", swap))
    if mode == "grid" and len(kept) >= MAX_GRID:
        return Picker(kept, query, mode, swap, full=True, hidden=hidden)
    exclude = {stamp.id for stamp in kept} | ({found[swap].id} if swap in found else set())

    def target(slug: str) -> str:
        if mode == "grid":
            return naming.grid_url([stamp.slug for stamp in kept] + [slug])
        return naming.pair_url(kept[0].slug, slug)

    suggestions: list[Suggestion] = []
    if not kept and not query:
        heading = "Type a name to start"
    elif query:
        heading = f"Names matching “{query}”"
        for artifact in artifact_name_matches(query=query, exclude_ids=exclude):
            suggestions.append(
                Suggestion(
                    artifact.slug,
                    artifact.name,
                    artifact.get_kind_display(),
                    artifact.current_rank,
                    target(artifact.slug),
                )
            )
    else:
        heading = f"Related to {kept[0].name}"
        for artifact, reason in related_suggestions(
            artifact_id=kept[0].id, exclude_ids=exclude, limit=SUGGESTIONS
        ):
            suggestions.append(
                Suggestion(
                    artifact.slug,
                    artifact.name,
                    artifact.get_kind_display(),
                    artifact.current_rank,
                    target(artifact.slug),
                    reason,
                )
            )
    exact = [s for s in suggestions if query and query.lower() in (s.slug.lower(), s.name.lower())]
    return Picker(
        kept=kept,
        query=query,
        mode=mode,
        swap=swap if swap in found else "",
        heading=heading,
        suggestions=tuple(suggestions),
        exact_url=exact[0].url if len(exact) == 1 else None,
        hidden=hidden,
    )
