"""Candidate stages: which artifacts a query could be about, before any is ranked.

Each stage is a small bounded query (a LIMIT lets PostgreSQL stop early, where one big UNION
would have to finish every part), strongest first: every task word in the artifact's own
document; then, when those are few, the words in one capability, artifacts chosen by
searchers of related intents, and the query with a synonym of a typed phrase; when all that is
almost nothing, any of the words. A query of constraints only ("open source api") starts from
the best-ranked artifacts that satisfy them.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from catalog.models import TOP_TIER_RANK, Artifact, Capability
from catalog.search_words import SEARCH_CONFIG, document_query
from matchgraph.models import Intent, IntentArtifactEdge, IntentRelation
from matchgraph.search.fit import does_task_condition
from matchgraph.search.plan import SearchPlan
from matchgraph.search.relevance import RELATED_WEIGHT, Feedback

# Below this many results, search also tries a spelling correction and any-word matching.
FEW_RESULTS = 3
# Related intents lend their matches; only strong, unrejected relations count.
MAX_RELATED_INTENTS = 5
MIN_RELATION_STRENGTH = 0.3
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
# The search document's field that holds the name (`catalog.search_index`).
NAME_FIELD = "A"
# With this many direct matches the wider nets (capability descriptions, synonyms, related
# intents) add nothing a visitor would reach.
ENOUGH_DIRECT = 200


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


def candidates_for(plan: SearchPlan, *, scope: Q | None = None) -> Candidates:
    """Artifacts with every task word in their own document (when more than MAX_CANDIDATES
    do, those with every word of several in their name first, then the best established).
    When those are few, also
    artifacts with the words in one capability, with a synonym of a typed phrase, or chosen
    by searchers of a related intent; when all that is almost nothing, any of the words.

    Without task words, the best-ranked artifacts in `scope` (what meets any strong
    constraint)."""
    own_id, related = intent_and_relations(plan)
    if not plan.has_task:
        ids = best_ranked(scope=scope, limit=MAX_CANDIDATES + 1)
        capped = len(ids) > MAX_CANDIDATES
        return Candidates(ids[:MAX_CANDIDATES], "", False, capped, own_id, related)
    several_words = len(plan.words) > 1
    named = None
    if several_words:
        ids, named = document_and_name_matches(
            plan.index_tsquery(),
            plan.index_tsquery(field=NAME_FIELD),
            limit=MAX_CANDIDATES + 1,
            name_limit=MAX_CANDIDATES,
        )
    else:
        ids = document_matches(plan.index_tsquery(), limit=MAX_CANDIDATES + 1)
    capped = len(ids) > MAX_CANDIDATES
    if capped and several_words:
        # More match than are scored. Those named with every word ("text-to-speech" for
        # "text to speech") are named after the task: kept, whatever their rank. (Hundreds of
        # names have one common word, "transformer": a name says little more than the text.)
        if named is None:
            named = document_matches(plan.index_tsquery(field=NAME_FIELD), limit=MAX_CANDIDATES)
        ids = merged(named, ids)
    ids = ids[:MAX_CANDIDATES]
    if len(ids) < ENOUGH_DIRECT:
        ids = merged(ids, _wider_matches(plan, related, have=len(ids)))
    if len(ids) < FEW_RESULTS and len(plan.words) > 1:
        extra = merged(ids, _some_word_matches(plan))
        if len(extra) > len(ids):
            return Candidates(extra, plan.tsquery(any_word=True), True, capped, own_id, related)
    return Candidates(ids, plan.tsquery(), False, capped, own_id, related)


def best_ranked(*, scope: Q | None, limit: int) -> list[int]:
    """The best-ranked published artifacts in `scope`, then the unranked. Ranked ones are
    read in the rank index's own order, so the walk stops after `limit`."""
    artifacts = Artifact.objects.published()
    if scope is not None:
        artifacts = artifacts.filter(scope)
    ranked = artifacts.filter(current_rank__isnull=False).by_rank()
    ids = list(ranked.values_list("pk", flat=True)[:limit])
    if len(ids) < limit:
        unranked = artifacts.filter(current_rank__isnull=True).by_name()
        ids += list(unranked.values_list("pk", flat=True)[: limit - len(ids)])
    return ids


# Published artifacts whose own document matches the raw tsquery `query` (as
# `matching_document` asks), and the first `rows` of them in the top tier: the condition its
# small partial index carries.
MATCHES = "is_published AND search_vector @@ to_tsquery(%(config)s::regconfig, %(query)s)"
TOP_TIER_CTE = f"""top_tier AS MATERIALIZED (
    SELECT id FROM catalog_artifact
    WHERE {MATCHES} AND current_rank >= %(top_tier)s
    {{order}} LIMIT %(rows)s
)"""
BY_RANK = "ORDER BY current_rank DESC NULLS LAST, id"

# At most `rows` matches from the top tier, and from the whole catalog only when the top tier
# held fewer than `needed`: one statement, whose second read PostgreSQL skips when the first
# is enough. Written out rather than built by the ORM: compiling the two querysets cost more
# than running them.
DOCUMENT_MATCHES_SQL = f"""
WITH {TOP_TIER_CTE}
SELECT false, id FROM top_tier
UNION ALL
SELECT true, id FROM (
    SELECT id FROM catalog_artifact WHERE {MATCHES}
    {{order}} LIMIT %(rows)s
) AS every_tier
WHERE (SELECT count(*) FROM top_tier) < %(needed)s
"""

# `DOCUMENT_MATCHES_SQL` ordered, and with the best established of the matches whose name has
# the words too (`name_query`, which only ever matches a subset), read from the same rows
# when the top tier was not enough and more than `cap` match: a weight in a tsquery is
# checked on each row, so a probe of its own would read every match again.
DOCUMENT_AND_NAME_MATCHES_SQL = f"""
WITH {TOP_TIER_CTE.format(order=BY_RANK)},
every_match AS MATERIALIZED (
    SELECT id, current_rank, search_vector FROM catalog_artifact WHERE {MATCHES}
)
SELECT 0, id FROM top_tier
UNION ALL
SELECT 1, id FROM (SELECT id FROM every_match {BY_RANK} LIMIT %(rows)s) AS every_tier
WHERE (SELECT count(*) FROM top_tier) < %(needed)s
UNION ALL
SELECT 2, id FROM (
    SELECT id FROM every_match
    WHERE search_vector @@ to_tsquery(%(config)s::regconfig, %(name_query)s)
    {BY_RANK} LIMIT %(name_rows)s
) AS named
WHERE (SELECT count(*) FROM top_tier) < %(needed)s AND (SELECT count(*) FROM every_match) > %(cap)s
"""


def document_matches(
    tsquery: str, *, limit: int, ordered: bool = True, enough: int | None = None
) -> list[int]:
    """Published artifacts whose own document (name, capability titles, summary,
    categories) matches, at most `limit`, those in the top tier first. When more than
    `limit` match, `ordered` keeps the best established (highest UnfragileRank); otherwise
    any `limit` do, and `enough` from the top tier end the search early."""
    # The top tier has its own small index: a broad query is usually settled there, without
    # probing the whole catalog's index for its words. Without an order, LIMIT lets
    # PostgreSQL stop reading rows early.
    needed = limit if ordered or enough is None else min(enough, limit)
    params = {
        "config": SEARCH_CONFIG,
        "query": tsquery,
        "top_tier": TOP_TIER_RANK,
        "rows": max(limit, MIN_PROBE_ROWS),
        "needed": needed,
    }
    with connection.cursor() as cursor:
        cursor.execute(DOCUMENT_MATCHES_SQL.format(order=BY_RANK if ordered else ""), params)
        rows = cursor.fetchall()
    best = [pk for from_every_tier, pk in rows if not from_every_tier][:limit]
    if len(best) >= needed:
        return best
    every = [pk for from_every_tier, pk in rows if from_every_tier][:limit]
    # When the top tier (a quarter of the catalog) holds fewer than `limit`, all the matches
    # are likely about four times that: few enough to sort. (A heuristic: with many unranked
    # or low-ranked matches this sorts more.)
    return every if ordered else merged(best, every, limit=limit)


def document_and_name_matches(
    tsquery: str, name_tsquery: str, *, limit: int, name_limit: int
) -> tuple[list[int], list[int] | None]:
    """`document_matches(tsquery, limit=limit)`, and, when more than `limit - 1` match and
    the top tier was not enough, `document_matches(name_tsquery, limit=name_limit)` from the
    same read; None when it was not read (then it is a probe of its own)."""
    params = {
        "config": SEARCH_CONFIG,
        "query": tsquery,
        "name_query": name_tsquery,
        "top_tier": TOP_TIER_RANK,
        "rows": max(limit, MIN_PROBE_ROWS),
        "name_rows": max(name_limit, MIN_PROBE_ROWS),
        "needed": limit,
        "cap": limit - 1,
    }
    with connection.cursor() as cursor:
        cursor.execute(DOCUMENT_AND_NAME_MATCHES_SQL, params)
        rows = cursor.fetchall()
    parts: tuple[list[int], list[int], list[int]] = ([], [], [])
    for part, pk in rows:
        parts[part].append(pk)
    top_tier, every_tier, named = parts
    if len(top_tier) >= limit:
        return top_tier[:limit], None
    capped = len(every_tier) >= limit
    return every_tier[:limit], named[:name_limit] if capped else None


def _some_word_matches(plan: SearchPlan) -> list[int]:
    """Published artifacts matching some of the words, those sharing two of them first: a
    paraphrase ("turn recorded speech into text") is about its pairs of words, not about
    whichever one word is commonest. Each group the best established first, and through
    their own document, then through one capability's text. No read is sorted as a whole: a
    common word ("make") matches a tenth of a large catalog."""
    ids: list[int] = []
    if len(plan.words) > 2:
        ids = document_matches(plan.index_tsquery(two_words=True), limit=MAX_CANDIDATES)
    tsquery = plan.index_tsquery(any_word=True)
    if len(ids) < MAX_CANDIDATES:
        ids = merged(ids, document_matches(tsquery, limit=MAX_CANDIDATES))
    if len(ids) >= MAX_CANDIDATES:
        return ids
    query = document_query(tsquery)
    by_capability = (
        Capability.objects.filter(search_vector=query, artifact__is_published=True)
        .order_by()
        .values_list("artifact_id", flat=True)
    )
    return merged(ids, list(by_capability[:MAX_CANDIDATES]))


def intent_and_relations(plan: SearchPlan) -> tuple[int | None, list[RelatedIntent]]:
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
            related__in=Intent.objects.public(),
        )
        .order_by("-strength")
        .values_list("related_id", "related__text", "strength")[:MAX_RELATED_INTENTS]
    )
    return own_id, [RelatedIntent(pk, text, strength) for pk, text, strength in relations]


def _wider_matches(plan: SearchPlan, related: list[RelatedIntent], *, have: int) -> list[int]:
    """Wider nets, strongest first: the typed words in one capability, artifacts that
    related intents chose, then the query with any synonym of a typed phrase. It stops once
    the `have` direct matches plus these reach ENOUGH_DIRECT: synonyms are only searched
    when the narrower nets found little."""
    all_words = plan.index_tsquery()

    def by_capability(limit: int, enough: int) -> list[int]:
        return _capability_matches(all_words, limit=limit)

    def borrowed(limit: int, enough: int) -> list[int]:
        return _borrowed_matches(related, limit=limit)

    def by_direction(limit: int, enough: int) -> list[int]:
        return _direction_matches(plan, limit=limit)

    def by_synonym(limit: int, enough: int) -> list[int]:
        # Every rewrite in one probe: each word's index entries are read once.
        rewrites = plan.alternatives_index_tsquery()
        return document_matches(rewrites, limit=limit, ordered=False, enough=enough)

    nets = [
        by_capability,
        *([borrowed] if related else []),
        *([by_synonym] if plan.alternatives else []),
        *([by_direction] if plan.direction else []),
    ]
    found: list[int] = []
    for net in nets:
        found = merged(found, net(MAX_CANDIDATES - len(found), ENOUGH_DIRECT - have - len(found)))
        if have + len(found) >= ENOUGH_DIRECT:
            break
    return found


def _capability_matches(tsquery: str, *, limit: int) -> list[int]:
    query = document_query(tsquery)
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


# Artifacts that do an X-to-Y task by their modalities alone, whatever their words: enough
# to fill the first pages, the best established first.
MAX_DIRECTION_MATCHES = 50


def _direction_matches(plan: SearchPlan, *, limit: int) -> list[int]:
    """Artifacts whose inputs and outputs are the task's ("audio to text": whisper, which
    says "speech recognition")."""
    direction = plan.direction
    doing = Artifact.objects.published().filter(
        does_task_condition(direction.source, direction.target)
    )
    return list(doing.by_rank().values_list("pk", flat=True)[: min(limit, MAX_DIRECTION_MATCHES)])


def _borrowed_matches(related: list[RelatedIntent], *, limit: int) -> list[int]:
    return list(
        IntentArtifactEdge.objects.filter(
            intent_id__in=[relation.intent_id for relation in related],
            artifact__is_published=True,
        )
        .order_by("-weight")
        .values_list("artifact_id", flat=True)[:limit]
    )


def merged(ids: list[int], more: list[int], *, limit: int | None = None) -> list[int]:
    limit = MAX_CANDIDATES if limit is None else limit
    seen = set(ids)
    result = list(ids)
    for pk in more:
        if pk not in seen and len(result) < limit:
            seen.add(pk)
            result.append(pk)
    return result
