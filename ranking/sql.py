"""The rank formula of `ranking.scoring`, set-based in PostgreSQL.

One `INSERT … SELECT` scores every published artifact: aggregates over signals, capabilities,
categories, sources and links; `cume_dist()` windows per kind; then weights, points, whole
points (largest remainder) and badges. No Python loop per artifact. The arithmetic mirrors
`ranking.scoring` operation for operation (same order of additions and divisions), so both give
the same numbers; `tests/ranking/test_sql_matches_scoring.py` holds them to it.

Recomputing one artifact runs the same SELECT for that artifact alone, and replaces the window
functions by counts against the current run's raw values of its kind (`placed` below).
"""

import math

from catalog.models import Artifact, ArtifactLink, Capability, DataSource, Signals
from matchgraph.models import MIN_CLIENTS_FOR_FEEDBACK
from ranking import scoring
from ranking.models import RankHistory, RankRun, RankScore, WeightsVersion
from ranking.signals import PERCENTILE_SIGNALS, SIGNAL_KEYS

ARTIFACT = Artifact._meta.db_table
SIGNALS = Signals._meta.db_table
CAPABILITY = Capability._meta.db_table
ARTIFACT_CATEGORY = Artifact.categories.through._meta.db_table
DATA_SOURCE = DataSource._meta.db_table
LINK = ArtifactLink._meta.db_table
SCORE = RankScore._meta.db_table
HISTORY = RankHistory._meta.db_table

KEYS = SIGNAL_KEYS

INPUT_COLUMNS = (
    "stars",
    "forks",
    "downloads_30d",
    "likes",
    "contributors",
    "dependents",
    "signals_as_of",
    "docs_pages",
    "has_examples",
    "has_changelog",
    "capabilities",
    "capability_confidence",
    "listing_fields",
    "links",
    "orgs_linking_in",
    "orgs_linked_out",
    "match_feedback",
    "last_activity",
    "last_activity_source",
)
SCORE_COLUMNS = (
    "artifact_id",
    "kind",
    *INPUT_COLUMNS,
    *(f"{key}_raw" for key in KEYS),
    *(f"{key}_pct" for key in KEYS),
    *(f"{key}_peers" for key in KEYS),
    *KEYS,
    *(f"{key}_points" for key in KEYS),
    *(f"{key}_part" for key in KEYS),
    *(f"{key}_badge" for key in KEYS),
    "total",
    "rank",
)


def match_feedback_sql() -> str:
    """Match-graph feedback: `artifact_id, raw_match`, one row per artifact the match graph
    has seen. `weighted_matches` is already position-corrected (a choice far down the list
    counts more), decayed and burst-damped by the match graph's aggregation; the log keeps a
    few very popular artifacts from flattening the rest.

    Evidence from fewer than MIN_CLIENTS_FOR_FEEDBACK distinct clients is not used: shown to
    fewer (for any one intent) means no row, so the signal is unknown and its weight goes to
    the other signals; chosen by fewer counts as never chosen, a real 0. The value is ranked
    as a percentile within each kind, like adoption.
    """
    least = int(MIN_CLIENTS_FOR_FEEDBACK)
    return (
        f"SELECT artifact_id, CASE WHEN distinct_clients >= {least} "
        "THEN ln(1 + weighted_matches)::float8 ELSE 0::float8 END AS raw_match "
        "FROM matchgraph_artifactmatchstats "
        f"WHERE shown_clients >= {least} OR distinct_clients >= {least}"
    )


def _org(alias: str) -> str:
    """An artifact's organization for link counting; a blank one is its own organization."""
    return f"coalesce(nullif(lower(btrim({alias}.organization)), ''), '#' || {alias}.id::text)"


def _raw_ctes(*, one: bool) -> str:
    """CTEs `raw` (inputs) and `rawvals` (inputs + raw signal values) for every published
    artifact, or for %(artifact_id)s alone."""
    only = "AND a.id = %(artifact_id)s" if one else ""
    only_caps = "WHERE c.artifact_id = %(artifact_id)s" if one else ""
    only_cats = "WHERE ac.artifact_id = %(artifact_id)s" if one else ""
    only_sources = "WHERE d.artifact_id = %(artifact_id)s" if one else ""
    only_out = "AND l.source_id = %(artifact_id)s" if one else ""
    only_in = "AND l.target_id = %(artifact_id)s" if one else ""
    listing = " + ".join(
        [
            "(a.homepage <> '')::int",
            "(a.repository_url <> '')::int",
            "(a.docs_url <> '')::int",
            "(a.license <> '')::int",
            "(cats.artifact_id IS NOT NULL)::int",
            "(cardinality(a.inputs) > 0)::int",
            "(cardinality(a.outputs) > 0)::int",
            "(cardinality(a.best_for) > 0)::int",
            "(cardinality(a.limitations) > 0)::int",
            "(cardinality(a.requirements) > 0)::int",
            "(a.details NOT IN ('[]'::jsonb, '{}'::jsonb, 'null'::jsonb))::int",
            "(a.released IS NOT NULL)::int",
            "(srcs.artifact_id IS NOT NULL)::int",
        ]
    )
    assert listing.count("::int") == len(scoring.LISTING_FIELDS)
    adoption_terms = " + ".join(
        f"CASE WHEN r.{name} IS NULL THEN 0::float8 "
        f"ELSE ln(1 + greatest(r.{name}, 0)::float8) / %(ln_ref_{name})s END"
        for name in scoring.ADOPTION_REFERENCES
    )
    adoption_known = " + ".join(
        f"(r.{name} IS NOT NULL)::int" for name in scoring.ADOPTION_REFERENCES
    )
    quality_known = (
        "(r.docs_pages IS NOT NULL)::int + (r.has_examples IS NOT NULL)::int"
        " + (r.has_changelog IS NOT NULL)::int + (r.capabilities > 0)::int"
        " + (r.capabilities > 0 AND r.capability_confidence IS NOT NULL)::int"
    )
    quality_terms = (
        "0::float8"
        " + CASE WHEN r.docs_pages IS NULL THEN 0::float8"
        "   ELSE least(1::float8, ln(1 + greatest(r.docs_pages, 0)::float8) / %(ln_ref_docs)s) END"
        " + CASE WHEN r.has_examples THEN 1::float8 ELSE 0::float8 END"
        " + CASE WHEN r.has_changelog THEN 1::float8 ELSE 0::float8 END"
        " + CASE WHEN r.capabilities > 0"
        "   THEN least(1::float8, ln(1 + r.capabilities::float8) / %(ln_ref_caps)s)"
        "   ELSE 0::float8 END"
        " + CASE WHEN r.capabilities > 0 AND r.capability_confidence IS NOT NULL"
        "   THEN r.capability_confidence ELSE 0::float8 END"
        f" + r.listing_fields::float8 / {len(scoring.LISTING_FIELDS)}"
    )
    latest = "greatest(a.updated, s.last_commit, a.released)"
    return f"""
arts AS (
    SELECT a.* FROM {ARTIFACT} a WHERE a.is_published {only}
),
caps AS (
    SELECT c.artifact_id, count(*) AS n,
           count(*) FILTER (WHERE c.confidence = 'high') AS n_high,
           count(*) FILTER (WHERE c.confidence = 'medium') AS n_medium,
           count(*) FILTER (WHERE c.confidence = 'low') AS n_low
    FROM {CAPABILITY} c {only_caps}
    GROUP BY c.artifact_id
),
cats AS (SELECT DISTINCT ac.artifact_id FROM {ARTIFACT_CATEGORY} ac {only_cats}),
srcs AS (SELECT DISTINCT d.artifact_id FROM {DATA_SOURCE} d {only_sources}),
link_ends AS (
    -- Every link seen from both ends, minus self-links. The other end's organization is only
    -- known when it is published; same-organization links count as links but add no org.
    SELECT l.source_id AS artifact_id, false AS inbound, {_org("src")} AS own_org,
           CASE WHEN tgt.is_published THEN {_org("tgt")} END AS other_org
    FROM {LINK} l
    JOIN {ARTIFACT} src ON src.id = l.source_id
    LEFT JOIN {ARTIFACT} tgt ON tgt.id = l.target_id
    WHERE l.target_id IS DISTINCT FROM l.source_id {only_out}
    UNION ALL
    SELECT l.target_id, true, {_org("tgt")}, {_org("src")}
    FROM {LINK} l
    JOIN {ARTIFACT} src ON src.id = l.source_id AND src.is_published
    JOIN {ARTIFACT} tgt ON tgt.id = l.target_id
    WHERE l.target_id <> l.source_id {only_in}
),
eco AS (
    SELECT artifact_id, count(*) AS links,
           count(DISTINCT other_org) FILTER (WHERE inbound AND other_org <> own_org) AS orgs_in,
           count(DISTINCT other_org) FILTER (WHERE NOT inbound AND other_org <> own_org)
               AS orgs_out
    FROM link_ends GROUP BY artifact_id
),
match_feedback AS ({match_feedback_sql()}),
raw AS (
    SELECT a.id AS artifact_id, a.kind,
           s.stars, s.forks, s.downloads_30d, s.likes, s.contributors, s.dependents,
           s.as_of AS signals_as_of, s.docs_pages, s.has_examples, s.has_changelog,
           coalesce(c.n, 0) AS capabilities,
           (3 * c.n_high + 2 * c.n_medium + c.n_low)::float8
               / nullif(3 * (c.n_high + c.n_medium + c.n_low), 0) AS capability_confidence,
           {listing} AS listing_fields,
           coalesce(e.links, 0) AS links,
           coalesce(e.orgs_in, 0) AS orgs_linking_in,
           coalesce(e.orgs_out, 0) AS orgs_linked_out,
           m.raw_match AS match_feedback,
           {latest} AS last_activity,
           CASE {latest} WHEN a.updated THEN 'updated' WHEN s.last_commit THEN 'last_commit'
                         WHEN a.released THEN 'released' ELSE '' END AS last_activity_source
    FROM arts a
    LEFT JOIN {SIGNALS} s ON s.artifact_id = a.id
    LEFT JOIN caps c ON c.artifact_id = a.id
    LEFT JOIN cats ON cats.artifact_id = a.id
    LEFT JOIN srcs ON srcs.artifact_id = a.id
    LEFT JOIN eco e ON e.artifact_id = a.id
    LEFT JOIN match_feedback m ON m.artifact_id = a.id
),
rawvals AS MATERIALIZED (
    SELECT r.*,
           CASE WHEN ({adoption_known}) = 0 THEN NULL
                ELSE (0::float8 + {adoption_terms}) / ({adoption_known}) END AS adoption_raw,
           CASE WHEN ({quality_known}) = 0 THEN NULL
                ELSE ({quality_terms}) / (({quality_known}) + 1) END AS quality_raw,
           CASE WHEN r.links <= 0 THEN NULL
                ELSE ({scoring.ECOSYSTEM_IN_WEIGHT} * r.orgs_linking_in
                      + {scoring.ECOSYSTEM_OUT_WEIGHT} * r.orgs_linked_out)::float8
           END AS ecosystem_raw,
           r.match_feedback AS match_graph_raw,
           CASE WHEN r.last_activity IS NULL THEN NULL
                ELSE 100::float8 * power(0.5::float8,
                    greatest(%(today)s::date - r.last_activity, 0)::float8 / %(half_life)s)
           END AS freshness_raw
    FROM raw r
)"""


def _windowed_cte() -> str:
    """`normalized`: within-kind percentiles over the whole directory (cume_dist), and how
    many of the kind have a known value (the peers each percentile is taken among)."""
    columns = ",\n           ".join(
        f"CASE WHEN v.{key}_raw IS NULL THEN NULL WHEN v.{key}_raw <= 0 THEN 0::float8 "
        f"ELSE cume_dist() OVER (PARTITION BY v.kind, v.{key}_raw IS NULL "
        f"ORDER BY v.{key}_raw) END AS {key}_pct, "
        f"count(v.{key}_raw) OVER (PARTITION BY v.kind) AS {key}_peers"
        for key in KEYS
    )
    return f"""
normalized AS MATERIALIZED (
    SELECT v.*,
           {columns}
    FROM rawvals v
)"""


def _placed_cte() -> str:
    """`normalized` for one artifact: its percentile among the current run's raw values of its
    kind, as if it were one of them (what cume_dist would give it)."""
    counts = ",\n               ".join(
        f"count(p.{key}_raw) AS n_{key}, "
        f"count(*) FILTER (WHERE p.{key}_raw <= v.{key}_raw) AS le_{key}"
        for key in KEYS
    )
    columns = ",\n           ".join(
        f"CASE WHEN v.{key}_raw IS NULL THEN NULL WHEN v.{key}_raw <= 0 THEN 0::float8 "
        f"ELSE (1 + d.le_{key})::float8 / (1 + d.n_{key}) END AS {key}_pct, "
        f"d.n_{key} + (v.{key}_raw IS NOT NULL)::int AS {key}_peers"
        for key in KEYS
    )
    return f"""
normalized AS MATERIALIZED (
    SELECT v.*,
           {columns}
    FROM rawvals v
    CROSS JOIN LATERAL (
        SELECT {counts}
        FROM {SCORE} p
        WHERE p.run_id = %(run_id)s AND p.kind = v.kind AND p.artifact_id <> v.artifact_id
    ) d
)"""


def _tail_ctes() -> str:
    """From `normalized` to standings, scores, points, total, rank, whole points and badges."""
    standings = ",\n           ".join(
        f"CASE WHEN n.{key}_pct IS NULL THEN NULL WHEN n.{key}_pct <= 0 THEN 0::float8 "
        f"ELSE 0.5::float8 + (n.{key}_pct - 0.5::float8) "
        f"* least(1::float8, n.{key}_peers::float8 / %(full_peers)s) END AS {key}_standing"
        for key in KEYS
    )
    scores = ",\n           ".join(
        f"100::float8 * n.{key}_standing AS {key}"
        if key in PERCENTILE_SIGNALS
        else f"n.{key}_raw AS {key}"
        for key in KEYS
    )
    weight_sum = " + ".join(
        ["0::float8"]
        + [f"CASE WHEN s.{key} IS NULL THEN 0::float8 ELSE %(w_{key})s END" for key in KEYS]
    )
    points = ",\n           ".join(
        f"CASE WHEN w.weight_sum > 0 AND w.{key} IS NOT NULL "
        f"THEN %(w_{key})s * w.{key} / w.weight_sum END AS {key}_points"
        for key in KEYS
    )
    summed = " + ".join(["0::float8"] + [f"coalesce(p.{key}_points, 0::float8)" for key in KEYS])
    floors = ",\n           ".join(
        f"floor(t.{key}_points)::int AS {key}_floor, "
        f"t.{key}_points - floor(t.{key}_points) AS {key}_rem"
        for key in KEYS
    )
    floor_sum = " + ".join(f"coalesce(r.{key}_floor, 0)" for key in KEYS)
    return f"""
stood AS (
    SELECT n.*,
           {standings}
    FROM normalized n
),
scored AS (
    SELECT n.*,
           {scores}
    FROM stood n
),
weighted AS (
    SELECT s.*, {weight_sum} AS weight_sum FROM scored s
),
pointed AS MATERIALIZED (
    SELECT w.*,
           {points}
    FROM weighted w
),
totaled AS (
    SELECT p.*,
           CASE WHEN p.weight_sum > 0
                THEN least(100::float8, greatest(0::float8, {summed})) END AS total
    FROM pointed p
),
floored AS MATERIALIZED (
    SELECT t.*, floor(t.total + 0.5)::int AS rank,
           {floors}
    FROM totaled t
),
final AS (
    SELECT r.*, r.rank - ({floor_sum}) AS missing FROM floored r
)"""


def _part_expression(key: str) -> str:
    """Whole points for one signal: its floor, plus one if its remainder is among the
    `missing` largest (ties to the signal listed first), as `scoring.displayed_parts`."""
    index = KEYS.index(key)
    ahead = " + ".join(
        f"CASE WHEN f.{other}_rem {'>=' if other_index < index else '>'} f.{key}_rem "
        "THEN 1 ELSE 0 END"
        for other_index, other in enumerate(KEYS)
        if other != key
    )
    return (
        f"CASE WHEN f.{key}_floor IS NULL THEN NULL "
        f"ELSE f.{key}_floor + CASE WHEN ({ahead}) < f.missing THEN 1 ELSE 0 END END"
    )


def _final_select() -> str:
    columns = [
        "f.artifact_id",
        "f.kind",
        *(f"f.{name}" for name in INPUT_COLUMNS),
        *(f"f.{key}_raw" for key in KEYS),
        *(f"f.{key}_pct" for key in KEYS),
        *(f"f.{key}_peers" for key in KEYS),
        *(f"f.{key}" for key in KEYS),
        *(f"f.{key}_points" for key in KEYS),
        *(_part_expression(key) for key in KEYS),
        *(
            f"coalesce(f.{key}_standing > 0 AND f.{key}_standing >= %(badge)s, false)"
            for key in KEYS
        ),
        "f.total",
        "f.rank",
    ]
    return "SELECT %(run_id)s, %(now)s, " + ",\n       ".join(columns) + "\nFROM final f"


def _insert_into() -> str:
    return f"INSERT INTO {SCORE} (run_id, computed_at, {', '.join(SCORE_COLUMNS)})"


INSERT_ALL_SCORES = (
    _insert_into()
    + "\nWITH "
    + _raw_ctes(one=False)
    + ","
    + _windowed_cte()
    + ","
    + _tail_ctes()
    + "\n"
    + _final_select()
)

UPSERT_ONE_SCORE = (
    _insert_into()
    + "\nWITH "
    + _raw_ctes(one=True)
    + ","
    + _placed_cte()
    + ","
    + _tail_ctes()
    + "\n"
    + _final_select()
    + "\nON CONFLICT (run_id, artifact_id) DO UPDATE SET "
    + ", ".join(f"{column} = EXCLUDED.{column}" for column in ("computed_at", *SCORE_COLUMNS[1:]))
    + f"\nRETURNING {SCORE}.rank"
)

# The share of the run's weights whose signals are known for a score row `s` of run `r`'s
# weights `w`: how much of the rank rests on evidence.
EVIDENCE = (
    "(("
    + " + ".join(f"CASE WHEN s.{key} IS NOT NULL THEN w.{key}_weight ELSE 0 END" for key in KEYS)
    + ") / nullif("
    + " + ".join(f"w.{key}_weight" for key in KEYS)
    + ", 0))::float8"
)
RUN_WEIGHTS = f"""
JOIN {RankRun._meta.db_table} r ON r.id = s.run_id
JOIN {WeightsVersion._meta.db_table} w ON w.id = r.weights_id
"""

# Switch the denormalized rank (and its evidence) to a run: only rows that change are written.
DENORMALIZE_RUN = f"""
UPDATE {ARTIFACT} a
SET current_rank = s.rank, rank_evidence = s.evidence
FROM {ARTIFACT} src
LEFT JOIN (
    SELECT s.artifact_id, s.rank, {EVIDENCE} AS evidence
    FROM {SCORE} s {RUN_WEIGHTS}
    WHERE s.run_id = %(run_id)s
) s ON s.artifact_id = src.id
WHERE a.id = src.id
  AND (a.current_rank IS DISTINCT FROM s.rank OR a.rank_evidence IS DISTINCT FROM s.evidence)
"""

DENORMALIZE_ONE = f"""
UPDATE {ARTIFACT} a
SET (current_rank, rank_evidence) = (
    SELECT s.rank, {EVIDENCE} FROM {SCORE} s {RUN_WEIGHTS}
    WHERE s.run_id = %(run_id)s AND s.artifact_id = a.id
)
WHERE a.id = %(artifact_id)s
"""

# The per-day history: the day's last ranking wins.
UPSERT_HISTORY = f"""
INSERT INTO {HISTORY} (artifact_id, day, rank, total)
SELECT s.artifact_id, %(day)s, s.rank, s.total
FROM {SCORE} s
WHERE s.run_id = %(run_id)s AND s.rank IS NOT NULL {{only}}
ON CONFLICT (artifact_id, day) DO UPDATE SET rank = EXCLUDED.rank, total = EXCLUDED.total
WHERE ({HISTORY}.rank, {HISTORY}.total) IS DISTINCT FROM (EXCLUDED.rank, EXCLUDED.total)
"""
UPSERT_HISTORY_ALL = UPSERT_HISTORY.format(only="")
# An artifact that lost its rank since an earlier run the same day loses that day's row.
DELETE_STALE_HISTORY = f"""
DELETE FROM {HISTORY} h
WHERE h.day = %(day)s AND NOT EXISTS (
    SELECT 1 FROM {SCORE} s
    WHERE s.run_id = %(run_id)s AND s.artifact_id = h.artifact_id AND s.rank IS NOT NULL
)
"""
UPSERT_HISTORY_ONE = UPSERT_HISTORY.format(only="AND s.artifact_id = %(artifact_id)s")
DELETE_HISTORY_ONE = f"DELETE FROM {HISTORY} WHERE artifact_id = %(artifact_id)s AND day = %(day)s"


def formula_params(*, weights: dict[str, float], half_life_days: float) -> dict[str, float]:
    """The constants the SQL reads, computed in Python exactly as `ranking.scoring` does."""
    params: dict[str, float] = {f"w_{key}": float(weights[key]) for key in KEYS}
    for name, reference in scoring.ADOPTION_REFERENCES.items():
        params[f"ln_ref_{name}"] = math.log(1 + reference)
    params["ln_ref_docs"] = math.log(1 + scoring.DOCS_PAGES_REFERENCE)
    params["ln_ref_caps"] = math.log(1 + scoring.CAPABILITIES_REFERENCE)
    params["half_life"] = float(half_life_days)
    params["full_peers"] = float(scoring.FULL_KIND_PEERS)
    return params
