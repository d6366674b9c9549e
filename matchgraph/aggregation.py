"""Raw events -> match-graph edges, set-based in SQL, rebuilt in one transaction.

Only choices with evidence that their client was shown the artifact for that intent can
count, and each passes the per-client and per-network caps of SCREENED_MATCHES first (what
they discard is reported, `AggregationRun`). Each counted choice is weighted before it is
summed:

    weight = via_weight × position_weight × decay × burst_damping

* position_weight = log2(position + 1), capped: people click what is on top, so a click at
  position 8 says more about fit than one at position 1;
* decay = 0.5 ^ (age_days / HALF_LIFE_DAYS): recent choices count more;
* burst_damping: past BURST_ALLOWANCE matches per artifact per hour, further ones add only
  their square root, so an artifact cannot be farmed cheaply.

Merged intents count for the intent they were merged into; hidden intents count for nothing.
"""

import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from catalog.page_cache import pages_changed
from matchgraph.maintenance import tables_rebuilt, vacuum_analyze
from matchgraph.models import (
    NOT_HIDDEN_INTENT,
    VISIBLE_INTENT,
    AggregationRun,
    Intent,
    intent_sql,
)
from matchgraph.selectors import GRAPH_VERSION_KEY


# The SQL fragments every step shares, written once.
def network_of(event: str) -> str:
    """The network (/24, /48) an event of alias `event` came from; its client when unknown."""
    return f"coalesce(nullif({event}.network_hash, ''), {event}.source_hash)"


def day_of(column: str) -> str:
    """The de-duplication bucket: hashes change at midnight, so every per-client rule is a
    per-day rule."""
    return f"date_trunc('day', {column})"


def hour_of(column: str) -> str:
    """The burst bucket (BURST_ALLOWANCE per hour)."""
    return f"date_trunc('hour', {column})"


def decay_times_burst_damping(*, created_at: str, burst_size: str) -> str:
    """decay × burst_damping of an event created at `created_at`, one of `burst_size` in its
    burst bucket (see the module's docstring). Unbracketed, as one more factor of a product."""
    return f"""power(0.5::float8, extract(epoch FROM (%(now)s - {created_at}))::float8
                          / 86400.0 / %(half_life)s::float8)
     * (least({burst_size}, %(burst)s)::float8
        + sqrt(greatest({burst_size} - %(burst)s, 0)::float8))
       / {burst_size}::float8"""


# The screening verdicts of SCREENED_MATCHES other than "counted".
SCREENING_REASONS = ("repeat", "client_cap", "network_cap")

# Searches and comparisons from one source count once per window.
DEDUP_WINDOW = "30 minutes"
# Per day: how many artifacts one client can choose for one intent, and how many clients of
# one network (/24, /48) count for one artifact.
CLIENT_ARTIFACTS_PER_INTENT = 5
NETWORK_ALLOWANCE = 2
WORK_MEM = "256MB"
# A pg advisory lock key: one rebuild at a time, whichever machine runs it (two would fight
# over the same fresh tables; the later one would only repeat the work).
AGGREGATION_LOCK = 0x4D475247  # "MGRG"
HALF_LIFE_DAYS = 90.0
BURST_ALLOWANCE = 20
MAX_POSITION_WEIGHT = 4.0
VIA_WEIGHTS = {"click": 1.0, "fits": 2.0, "compare": 1.0}
# Only each intent's strongest artifacts pair up, and each artifact keeps its strongest
# co-matches: pairs grow with the square of an intent's artifacts otherwise.
PAIRS_FROM_TOP_ARTIFACTS = 6
COMATCHES_KEPT_PER_ARTIFACT = 20

RESOLVED_INTENTS = f"""
    -- Each intent's surviving target: itself, or the intent it was merged into; neither hidden.
    SELECT i.id AS intent_id, coalesce(i.merged_into_id, i.id) AS target_id
    FROM matchgraph_intent i
    LEFT JOIN matchgraph_intent t ON t.id = i.merged_into_id
    WHERE {intent_sql("i", NOT_HIDDEN_INTENT)}
      AND (t.id IS NULL OR {intent_sql("t", NOT_HIDDEN_INTENT)})
"""

# Every choice with evidence that its client was shown it is screened in order; the first
# rule it breaks discards it, and the reasons are counted for curators (`AggregationRun`):
# * repeat: a client counts once per artifact per day (a "this fits" over a click), whatever
#   intents it typed: a script with one address buys one match a day, not one per query;
# * client_cap: at most CLIENT_ARTIFACTS_PER_INTENT artifacts per client per intent per day;
# * network_cap: at most NETWORK_ALLOWANCE clients of one network (/24, /48) per artifact
#   per day: fifty addresses of one rented block count as two people, not fifty.
# Days are the hashes' days: a client's hash changes at midnight, so no rule can span one.
SCREENED_MATCHES = f"""
CREATE TEMP TABLE screened_match ON COMMIT DROP AS
WITH resolved AS ({RESOLVED_INTENTS}),
shown AS (
    SELECT r.target_id AS intent_id, m.artifact_id, m.position, m.via, m.created_at,
           m.source_hash, {network_of("m")} AS network, {day_of("m.created_at")} AS day
    FROM matchgraph_matchevent m
    JOIN resolved r ON r.intent_id = m.intent_id
    WHERE m.evidence = 'shown'
),
first_choice AS (
    SELECT shown.*,
           row_number() OVER (PARTITION BY source_hash, artifact_id, day
                              ORDER BY (via = 'fits') DESC, created_at) = 1 AS is_first
    FROM shown
),
within_client_cap AS (
    SELECT first_choice.*,
           is_first AND row_number() OVER (PARTITION BY source_hash, intent_id, day, is_first
                                           ORDER BY created_at)
                        <= %(client_cap)s AS within_client
    FROM first_choice
),
within_network_cap AS (
    SELECT within_client_cap.*,
           within_client AND row_number() OVER (PARTITION BY network, artifact_id, day,
                                                             within_client
                                                ORDER BY created_at)
                             <= %(network_allowance)s AS within_network
    FROM within_client_cap
)
SELECT intent_id, artifact_id, position, via, created_at, source_hash, network,
       CASE WHEN NOT is_first THEN 'repeat'
            WHEN NOT within_client THEN 'client_cap'
            WHEN NOT within_network THEN 'network_cap'
            ELSE 'counted' END AS verdict
FROM within_network_cap
"""

WEIGHTED_MATCHES = f"""
CREATE TEMP TABLE weighted_match ON COMMIT DROP AS
WITH counted AS (SELECT * FROM screened_match WHERE verdict = 'counted'),
burst AS (
    SELECT artifact_id, {hour_of("created_at")} AS hour, count(*) AS n
    FROM counted GROUP BY 1, 2
)
-- float8 throughout: numeric log/power would cost microseconds per event.
SELECT d.intent_id, d.artifact_id, d.created_at, d.source_hash, d.network,
       (CASE d.via WHEN 'fits' THEN %(fits)s WHEN 'compare' THEN %(compare)s
                   ELSE %(click)s END)::float8
     * CASE WHEN d.position IS NULL THEN 1.0::float8
            ELSE least(ln(d.position + 1.0::float8) / ln(2.0::float8),
                       %(max_position_weight)s::float8) END
     * {decay_times_burst_damping(created_at="d.created_at", burst_size="b.n")} AS weight
FROM counted d
JOIN burst b ON b.artifact_id = d.artifact_id AND b.hour = {hour_of("d.created_at")}
"""

# Per artifact, the choices each screening rule discarded: read by its builder's analytics.
ARTIFACT_DISCARDS = """
INSERT INTO {discards} (artifact_id, reason, choices)
SELECT artifact_id, verdict, count(*) FROM screened_match
WHERE verdict <> 'counted'
GROUP BY artifact_id, verdict
"""

# What each choice came to: read by the run's report.
CHOICE_VERDICTS = """
SELECT verdict, count(*) FROM screened_match GROUP BY verdict
UNION ALL
SELECT evidence, count(*) FROM matchgraph_matchevent WHERE evidence <> 'shown' GROUP BY evidence
UNION ALL
SELECT 'read', count(*) FROM matchgraph_matchevent
"""

# Impressions: how many distinct clients (networks, per day) were shown each artifact for
# each intent; a client searching the same thing again adds nothing.
IMPRESSIONS = f"""
CREATE TEMP TABLE impression ON COMMIT DROP AS
WITH resolved AS ({RESOLVED_INTENTS}),
seen AS (
    SELECT DISTINCT ON ({network_of("s")}, r.target_id, {day_of("s.created_at")})
           r.target_id AS intent_id, s.shown_artifact_ids
    FROM matchgraph_searchevent s
    JOIN resolved r ON r.intent_id = s.intent_id
    ORDER BY {network_of("s")}, r.target_id, {day_of("s.created_at")}, s.created_at DESC
)
SELECT seen.intent_id, shown.artifact_id, count(*) AS n
FROM seen
CROSS JOIN LATERAL unnest(seen.shown_artifact_ids) AS shown(artifact_id)
GROUP BY 1, 2
"""

# Matches are summed per pair first: the pairs then look up their impressions in a hash of
# a million rows, where joining every match to every impression would sort four million.
ARTIFACT_EDGES = """
INSERT INTO {edges}
       (intent_id, artifact_id, matches, impressions, weight, last_matched_at)
SELECT m.intent_id, m.artifact_id, m.matches, coalesce(i.n, 0), m.weight, m.last_matched_at
FROM (
    SELECT intent_id, artifact_id, count(*) AS matches, sum(weight) AS weight,
           max(created_at) AS last_matched_at
    FROM weighted_match GROUP BY intent_id, artifact_id
) AS m
JOIN catalog_artifact a ON a.id = m.artifact_id
LEFT JOIN impression i ON i.intent_id = m.intent_id AND i.artifact_id = m.artifact_id
ORDER BY m.intent_id, m.artifact_id  -- in unique-index order: sequential index inserts
"""

# Capabilities are credited for each intent's strongest artifacts only.
EXPLAINED_PER_INTENT = 20

# Each edge's place among its intent's edges and among its artifact's, ranked once: the
# capability, co-match and relation steps each read only an intent's strongest few.
RANKED_EDGES = """
CREATE TEMP TABLE ranked_edge ON COMMIT DROP AS
SELECT intent_id, artifact_id, matches, weight, by_intent, by_artifact FROM (
    SELECT intent_id, artifact_id, matches, weight,
           row_number() OVER (PARTITION BY intent_id ORDER BY weight DESC) AS by_intent,
           row_number() OVER (PARTITION BY artifact_id ORDER BY weight DESC) AS by_artifact
    FROM {edges}
) AS ranked
WHERE by_intent <= %(ranked_depth)s
"""

# Each intent's words as an any-word query, parsed once per intent rather than per edge.
INTENT_QUERIES = """
CREATE TEMP TABLE intent_query ON COMMIT DROP AS
SELECT i.id AS intent_id,
       nullif(replace(plainto_tsquery('english', i.text)::text, '&', '|'), '')::tsquery AS q
FROM matchgraph_intent i
WHERE i.id IN (SELECT DISTINCT intent_id FROM {edges})
"""

# The capability that best explains each (intent, artifact) edge: the highest-ranked match
# of the intent's words (any of them) against the artifact's capability text.
EXPLAINED = """
CREATE TEMP TABLE explained ON COMMIT DROP AS
SELECT e.intent_id, e.artifact_id, best.capability_id, e.matches, e.weight
FROM (
    -- Each intent's strongest artifacts: the long tail of single stray clicks explains
    -- little, and attributing it would double the work.
    SELECT intent_id, artifact_id, matches, weight FROM ranked_edge
    WHERE by_intent <= %(explained_per_intent)s
) AS e
JOIN intent_query iq ON iq.intent_id = e.intent_id AND iq.q IS NOT NULL
CROSS JOIN LATERAL (
    -- ts_match_vq is `@@` spelled as a function: the same test, but one the planner cannot
    -- answer from the GIN index, so it reads the artifact's few capabilities by artifact_id
    -- instead of scanning the whole text index once per edge.
    SELECT c.id AS capability_id
    FROM catalog_capability c
    WHERE c.artifact_id = e.artifact_id AND ts_match_vq(c.search_vector, iq.q)
    ORDER BY ts_rank(c.search_vector, iq.q) DESC, c.position
    LIMIT 1
) AS best
"""

CAPABILITY_EDGES = """
INSERT INTO {capability_edges} (intent_id, capability_id, matches, weight)
SELECT intent_id, capability_id, sum(matches), sum(weight)
FROM explained GROUP BY intent_id, capability_id
"""

# How many distinct clients' choices each capability explained: one client typing three
# queries is one confirmation, not three.
CAPABILITY_STATS = """
INSERT INTO {capability_stats} (capability_id, matches, distinct_intents, distinct_clients)
SELECT x.capability_id, count(*), count(DISTINCT x.intent_id), count(DISTINCT w.network)
FROM explained x
JOIN weighted_match w ON w.intent_id = x.intent_id AND w.artifact_id = x.artifact_id
GROUP BY x.capability_id
"""

# Every artifact shown in search or chosen gets a row: shown and never chosen is a real 0
# (ranking reads it), never shown stays unknown (no row).
ARTIFACT_STATS = """
INSERT INTO {stats}
       (artifact_id, matches_total, matches_30d, impressions, shown_clients, distinct_intents,
        distinct_clients, weighted_matches, computed_at)
SELECT coalesce(a.artifact_id, imp.artifact_id), coalesce(a.matches_total, 0),
       coalesce(a.matches_30d, 0), coalesce(imp.n, 0), coalesce(imp.most, 0),
       coalesce(a.distinct_intents, 0), coalesce(a.distinct_clients, 0),
       coalesce(a.weighted, 0), %(now)s
FROM (
    SELECT artifact_id, count(*) AS matches_total,
           count(*) FILTER (WHERE created_at >= %(now)s - interval '30 days') AS matches_30d,
           count(DISTINCT intent_id) AS distinct_intents,
           count(DISTINCT network) AS distinct_clients, sum(weight) AS weighted
    FROM weighted_match GROUP BY artifact_id
) AS a
FULL OUTER JOIN (
    SELECT artifact_id, sum(n) AS n, max(n) AS most FROM impression GROUP BY 1
) AS imp
       ON imp.artifact_id = a.artifact_id
JOIN catalog_artifact art ON art.id = coalesce(a.artifact_id, imp.artifact_id)
"""

# "Times matched" is denormalized onto the artifact for cards and sorting.
DENORMALIZE_TIMES_MATCHED = """
UPDATE catalog_artifact a
SET times_matched = coalesce(s.matches_total, 0), times_matched_30d = coalesce(s.matches_30d, 0)
FROM catalog_artifact src
LEFT JOIN {stats} s ON s.artifact_id = src.id
WHERE a.id = src.id
  AND (a.times_matched, a.times_matched_30d)
      IS DISTINCT FROM (coalesce(s.matches_total, 0), coalesce(s.matches_30d, 0))
"""

# Intent texts that are never shown publicly, whoever searched them: links and addresses
# (normalized, "spam.example.com" reads "spam example com"), long digit runs (phone numbers),
# and words only spam uses. A PostgreSQL regular expression (\m, \M: word edges).
SPAM_WORDS = (
    "https?",
    "www",
    "com",
    "ru",
    "xyz",
    "biz",
    "giveaway",
    "airdrop",
    "casino",
    "jackpot",
    "viagra",
    "cialis",
    "porn",
    "porno",
    "xxx",
    "escorts?",
    "telegram",
    "whatsapp",
)
SPAM_PATTERN = r"\m(" + "|".join(SPAM_WORDS) + r")\M|[0-9]{7,}"

# Searches count once per source per DEDUP_WINDOW; clients are distinct networks (see
# SCREENED_MATCHES) that searched the intent or chose for it. Hashes change daily, so a client
# seen on three days counts three times: no rule here can link one day to the next.
INTENT_COUNTS = f"""
WITH resolved AS ({RESOLVED_INTENTS}),
searches AS (
    SELECT r.target_id AS intent_id,
           count(DISTINCT (s.source_hash,
                           date_bin(interval '{DEDUP_WINDOW}', s.created_at,
                                    timestamptz '2000-01-01'))) AS n
    FROM matchgraph_searchevent s JOIN resolved r ON r.intent_id = s.intent_id
    GROUP BY 1
),
matches AS (SELECT intent_id, count(*) AS n FROM weighted_match GROUP BY 1),
clients AS (
    SELECT intent_id, count(DISTINCT network) AS n FROM (
        SELECT r.target_id AS intent_id, {network_of("s")} AS network
        FROM matchgraph_searchevent s JOIN resolved r ON r.intent_id = s.intent_id
        UNION
        SELECT intent_id, network FROM weighted_match
    ) AS seen
    GROUP BY intent_id
),
counted AS (
    SELECT src.id, coalesce(s.n, 0) AS searches, coalesce(m.n, 0) AS matches,
           coalesce(c.n, 0) AS clients,
           -- Public: visible (the models' rule), seen by enough clients, not spam.
           {intent_sql("src", VISIBLE_INTENT)}
           AND coalesce(c.n, 0) >= %(public_min_clients)s
           AND src.text !~* %(spam_pattern)s AS public
    FROM matchgraph_intent src
    LEFT JOIN searches s ON s.intent_id = src.id
    LEFT JOIN matches m ON m.intent_id = src.id
    LEFT JOIN clients c ON c.intent_id = src.id
)
UPDATE matchgraph_intent i
SET search_count = c.searches, match_count = c.matches, client_count = c.clients,
    is_public = c.public
FROM counted c
WHERE i.id = c.id
  -- Only what changed: rewriting every intent each hour leaves a table of dead rows.
  AND (i.search_count, i.match_count, i.client_count, i.is_public)
      IS DISTINCT FROM (c.searches, c.matches, c.clients, c.public)
"""

# Two artifacts chosen for the same intent are co-matches; weight is the smaller side's.
# Two artifacts opened in one comparison are co-matches too (shared_intents stays the count
# of intents): each pair once per client per day and capped per network like a choice,
# decayed and burst-damped like a match event, weighted by VIA_WEIGHTS["compare"].
COMATCHES = f"""
INSERT INTO {{comatches}} (artifact_id, other_id, shared_intents, weight)
WITH top_edges AS (
    SELECT intent_id, artifact_id, weight FROM ranked_edge WHERE by_intent <= %(pairs_from_top)s
),
intent_pairs AS (
    SELECT a.artifact_id, b.artifact_id AS other_id, count(*) AS shared,
           sum(least(a.weight, b.weight)) AS weight
    FROM top_edges a
    JOIN top_edges b ON b.intent_id = a.intent_id AND b.artifact_id <> a.artifact_id
    GROUP BY a.artifact_id, b.artifact_id
),
compared_once AS (
    -- Like choices: a client counts once per pair per day, a network for NETWORK_ALLOWANCE.
    SELECT DISTINCT ON (c.source_hash, x.id, y.id, {day_of("c.created_at")})
           x.id AS artifact_id, y.id AS other_id, c.created_at, {network_of("c")} AS network
    FROM matchgraph_comparisonevent c
    CROSS JOIN LATERAL unnest(c.artifact_ids) AS x(id)
    CROSS JOIN LATERAL unnest(c.artifact_ids) AS y(id)
    WHERE x.id <> y.id
    ORDER BY c.source_hash, x.id, y.id, {day_of("c.created_at")}, c.created_at
),
compared AS (
    SELECT artifact_id, other_id, created_at FROM (
        SELECT compared_once.*,
               row_number() OVER (PARTITION BY network, artifact_id, other_id,
                                               {day_of("created_at")}
                                  ORDER BY created_at) AS nth_in_network
        FROM compared_once
    ) AS numbered
    WHERE nth_in_network <= %(network_allowance)s
),
compared_burst AS (
    SELECT artifact_id, other_id, {hour_of("created_at")} AS hour, count(*) AS n
    FROM compared GROUP BY 1, 2, 3
),
compared_pairs AS (
    SELECT c.artifact_id, c.other_id,
           sum(%(compare)s::float8
               * {decay_times_burst_damping(created_at="c.created_at", burst_size="b.n")})
           AS weight
    FROM compared c
    JOIN compared_burst b ON b.artifact_id = c.artifact_id AND b.other_id = c.other_id
                         AND b.hour = {hour_of("c.created_at")}
    -- Artifacts deleted since they were compared leave no pair behind.
    JOIN catalog_artifact a ON a.id = c.artifact_id
    JOIN catalog_artifact o ON o.id = c.other_id
    GROUP BY c.artifact_id, c.other_id
),
pairs AS (
    SELECT artifact_id, other_id, sum(shared) AS shared, sum(weight) AS weight
    FROM (
        SELECT artifact_id, other_id, shared, weight FROM intent_pairs
        UNION ALL
        SELECT artifact_id, other_id, 0, weight FROM compared_pairs
    ) AS both_kinds
    GROUP BY artifact_id, other_id
)
SELECT artifact_id, other_id, shared, weight FROM (
    SELECT pairs.*, row_number() OVER (PARTITION BY artifact_id ORDER BY weight DESC) AS nth
    FROM pairs
) AS ranked
WHERE nth <= %(kept_per_artifact)s
"""


EDGES = "matchgraph_intentartifactedge"
CAPABILITY_EDGES_TABLE = "matchgraph_intentcapabilityedge"
COMATCHES_TABLE = "matchgraph_comatch"
STATS_TABLE = "matchgraph_artifactmatchstats"
CAPABILITY_STATS_TABLE = "matchgraph_capabilitymatchstats"
DISCARDS_TABLE = "matchgraph_artifactdiscard"
# Each derived table is built fresh and swapped in at the end of the transaction.
REBUILT_TABLES = (
    EDGES,
    CAPABILITY_EDGES_TABLE,
    COMATCHES_TABLE,
    STATS_TABLE,
    CAPABILITY_STATS_TABLE,
    DISCARDS_TABLE,
)


# Learned relations: intents whose chosen artifacts overlap (cosine over edge weights, on
# each intent's strongest artifacts and each artifact's strongest intents, so one popular
# artifact cannot pair every intent with every other). Rejected pairs keep their rejection.
RELATION_MIN_SHARED = 2
RELATION_MIN_STRENGTH = 0.3
RELATION_TOP_ARTIFACTS = 10
RELATION_TOP_INTENTS_PER_ARTIFACT = 50

INTENT_RELATIONS = """
INSERT INTO matchgraph_intentrelation
       (intent_id, related_id, shared_artifacts, strength, is_rejected)
WITH edge AS (
    SELECT intent_id, artifact_id, weight FROM ranked_edge
    WHERE by_intent <= %(top_artifacts)s AND by_artifact <= %(top_intents)s
),
norm AS (SELECT intent_id, sqrt(sum(weight * weight)) AS n FROM edge GROUP BY intent_id),
pairs AS (
    SELECT a.intent_id, b.intent_id AS related_id, count(*) AS shared,
           sum(a.weight * b.weight) AS dot
    FROM edge a JOIN edge b ON b.artifact_id = a.artifact_id AND b.intent_id <> a.intent_id
    GROUP BY a.intent_id, b.intent_id
    HAVING count(*) >= %(min_shared)s
)
SELECT p.intent_id, p.related_id, p.shared, p.dot / (na.n * nb.n), false
FROM pairs p
JOIN norm na ON na.intent_id = p.intent_id
JOIN norm nb ON nb.intent_id = p.related_id
WHERE p.dot / nullif(na.n * nb.n, 0) >= %(min_strength)s
ON CONFLICT (intent_id, related_id) DO UPDATE
SET shared_artifacts = EXCLUDED.shared_artifacts, strength = EXCLUDED.strength
"""


@dataclass(frozen=True)
class AggregationReport:
    artifact_edges: int
    capability_edges: int
    comatches: int
    intent_relations: int
    artifacts_with_matches: int
    choices_counted: int
    discarded: dict[str, int]
    seconds: float


class AggregationInProgress(RuntimeError):
    """Another session is rebuilding the graph right now: this run did nothing."""


def match_graph_aggregate(*, now: datetime | None = None) -> AggregationReport:
    """Rebuild every edge from the raw events in one transaction: pages see the old graph
    until the new one is complete. Raises AggregationInProgress when another run holds the
    rebuild (on any machine)."""
    now = now or timezone.now()
    params = {
        "now": now,
        "half_life": HALF_LIFE_DAYS,
        "burst": BURST_ALLOWANCE,
        "max_position_weight": MAX_POSITION_WEIGHT,
        "pairs_from_top": PAIRS_FROM_TOP_ARTIFACTS,
        "kept_per_artifact": COMATCHES_KEPT_PER_ARTIFACT,
        "top_artifacts": RELATION_TOP_ARTIFACTS,
        "explained_per_intent": EXPLAINED_PER_INTENT,
        "top_intents": RELATION_TOP_INTENTS_PER_ARTIFACT,
        "min_shared": RELATION_MIN_SHARED,
        "min_strength": RELATION_MIN_STRENGTH,
        "ranked_depth": max(EXPLAINED_PER_INTENT, PAIRS_FROM_TOP_ARTIFACTS, RELATION_TOP_ARTIFACTS),
        "client_cap": CLIENT_ARTIFACTS_PER_INTENT,
        "network_allowance": NETWORK_ALLOWANCE,
        "public_min_clients": settings.MATCHGRAPH_PUBLIC_INTENT_MIN_CLIENTS,
        "spam_pattern": SPAM_PATTERN,
        **VIA_WEIGHTS,
    }
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [AGGREGATION_LOCK])
        if not cursor.fetchone()[0]:
            raise AggregationInProgress("the match graph is being rebuilt by another run")
        # Sorting a million events fits in memory with this; the default spills to disk.
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(SCREENED_MATCHES, params)
        cursor.execute(CHOICE_VERDICTS)
        verdicts = dict(cursor.fetchall())
        cursor.execute(WEIGHTED_MATCHES, params)
        cursor.execute(IMPRESSIONS)
        cursor.execute("ANALYZE weighted_match; ANALYZE impression;")
        with tables_rebuilt(cursor, REBUILT_TABLES) as fresh:
            counts = _fill(cursor, fresh, params)
        # ON COMMIT DROP only fires at the outermost commit: inside a caller's transaction
        # (a test, an atomic block) a second run would find the tables still there.
        cursor.execute(
            "DROP TABLE screened_match, weighted_match, impression, ranked_edge, intent_query, "
            "explained"
        )
        run = _record_run(verdicts, now=now, seconds=time.perf_counter() - started)
    cache.set(GRAPH_VERSION_KEY, run.pk, None)
    pages_changed()  # times matched, evidence and co-matches are new
    # The swapped-in tables need visibility maps; relations and intents hold dead rows.
    vacuum_analyze((*REBUILT_TABLES, "matchgraph_intentrelation", "matchgraph_intent"))
    return AggregationReport(
        **counts,
        choices_counted=run.choices_counted,
        discarded=run.discarded,
        seconds=time.perf_counter() - started,
    )


def _fill(cursor, fresh: dict[str, str], params: dict) -> dict[str, int]:
    """Fill the fresh copies of REBUILT_TABLES ({table: copy}) from the temporary tables, and
    update the relations, intents and artifacts read from them; returns the row counts."""
    edges = fresh[EDGES]
    cursor.execute(ARTIFACT_EDGES.format(edges=edges))
    artifact_edges = cursor.rowcount
    cursor.execute(f"ANALYZE {edges}")
    cursor.execute(RANKED_EDGES.format(edges=edges), params)
    cursor.execute("ANALYZE ranked_edge")
    cursor.execute(INTENT_QUERIES.format(edges=edges))
    cursor.execute(EXPLAINED, params)
    cursor.execute(CAPABILITY_EDGES.format(capability_edges=fresh[CAPABILITY_EDGES_TABLE]))
    capability_edges = cursor.rowcount
    cursor.execute(CAPABILITY_STATS.format(capability_stats=fresh[CAPABILITY_STATS_TABLE]))
    cursor.execute(ARTIFACT_STATS.format(stats=fresh[STATS_TABLE]), params)
    artifacts_with_matches = cursor.rowcount
    cursor.execute(COMATCHES.format(comatches=fresh[COMATCHES_TABLE]), params)
    comatches = cursor.rowcount
    cursor.execute("DELETE FROM matchgraph_intentrelation WHERE NOT is_rejected")
    cursor.execute(INTENT_RELATIONS, params)
    intent_relations = cursor.rowcount
    cursor.execute(DENORMALIZE_TIMES_MATCHED.format(stats=fresh[STATS_TABLE]))
    cursor.execute(INTENT_COUNTS, params)
    cursor.execute(ARTIFACT_DISCARDS.format(discards=fresh[DISCARDS_TABLE]))
    return {
        "artifact_edges": artifact_edges,
        "capability_edges": capability_edges,
        "artifacts_with_matches": artifacts_with_matches,
        "comatches": comatches,
        "intent_relations": intent_relations,
    }


def _record_run(verdicts: dict[str, int], *, now: datetime, seconds: float) -> AggregationRun:
    """The run's account of every choice it read: counted, or discarded and why."""
    read = verdicts.pop("read", 0)
    counted = verdicts.pop("counted", 0)
    screened = counted + sum(verdicts.get(reason, 0) for reason in SCREENING_REASONS)
    unscreened = sum(verdicts.get(reason, 0) for reason in ("unproven", "automated"))
    discarded = {reason: n for reason, n in verdicts.items() if n}
    if hidden := read - screened - unscreened:
        discarded["hidden_intent"] = hidden
    return AggregationRun.objects.create(
        finished_at=now,
        seconds=round(seconds, 3),
        choices_read=read,
        choices_counted=counted,
        discarded=discarded,
        public_intents=Intent.objects.public().count(),
    )
