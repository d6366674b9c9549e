"""UnfragileRank full recompute at scale (on demand, not a test).

    .venv/bin/python benchmarks/rank_benchmark.py --artifacts 100000

Builds a throwaway database next to the development one (`<name>_rank_bench`, migrated, then
dropped; the development rows are never touched) and grows it by bulk SQL (generate_series)
to each size in --sizes: artifacts of nine kinds and ~2,000 organizations, signals with
realistic gaps (unknown is common), 0–8 capabilities, ~3 links each (some to the same
organization, some to themselves, some unresolved), categories and sources. At each size it
times `rank_recompute_all` twice — the first run at that size (every new artifact's rank is
written) and a steady-state rerun (same data: nearly nothing changes) — and prints seconds and
microseconds per artifact, so linear growth shows as a flat per-artifact cost. At the largest
size it also times re-scoring single artifacts (`rank_recompute_artifact`).
"""

import argparse
import random
import statistics
import time

from scratch import scratch_database, scratch_name

KINDS = ["model", "repository", "tool", "api", "dataset", "agent", "app", "course", "paper"]

ARTIFACTS_SQL = """
INSERT INTO catalog_artifact (
    slug, name, kind, organization, summary, about, homepage, repository_url, docs_url,
    license, inputs, outputs, pricing_model, free_tier, best_for, limitations, requirements,
    details, extra, released, updated, claim_status, is_published, times_matched,
    times_matched_30d, import_hash, created_at, modified_at)
SELECT 'rank-bench-' || g, 'Rank bench ' || g, (%(kinds)s::text[])[1 + g %% 9],
       'Org ' || (g * 7919 %% 2000), 'Synthetic artifact number ' || g || '.', '',
       CASE WHEN random() < 0.8 THEN 'https://example.org/' || g ELSE '' END,
       CASE WHEN random() < 0.5 THEN 'https://github.com/bench/' || g ELSE '' END,
       CASE WHEN random() < 0.4 THEN 'https://docs.example.org/' || g ELSE '' END,
       CASE WHEN random() < 0.7 THEN 'Apache-2.0' ELSE '' END,
       CASE WHEN random() < 0.8 THEN ARRAY['text'] ELSE '{}' END,
       CASE WHEN random() < 0.7 THEN ARRAY['text'] ELSE '{}' END,
       (ARRAY['free', 'paid', 'freemium', 'open_source', ''])[1 + g %% 5], NULL,
       CASE WHEN random() < 0.5 THEN ARRAY['teams'] ELSE '{}' END,
       CASE WHEN random() < 0.4 THEN ARRAY['no GPU support'] ELSE '{}' END, '{}',
       CASE WHEN random() < 0.3 THEN '[["size", "7B"]]'::jsonb ELSE '[]'::jsonb END, '{}'::jsonb,
       CASE WHEN random() < 0.8 THEN date '2022-01-01' + floor(random() * 1700)::int END,
       CASE WHEN random() < 0.6 THEN date '2025-01-01' + floor(random() * 690)::int END,
       'unclaimed', random() < 0.98, 0, 0, '', now(), now()
FROM generate_series(%(start)s, %(stop)s) AS g
"""

# Heavy-tailed counts: exp(random() * k) spans 1 … e^k; None (unknown) is common.
SIGNALS_SQL = """
INSERT INTO catalog_signals (
    artifact_id, stars, forks, downloads_30d, likes, contributors, dependents, open_issues,
    closed_issues_90d, releases_365d, last_commit, docs_pages, has_examples, has_changelog, as_of)
SELECT a.id,
       CASE WHEN random() < 0.6 THEN floor(exp(random() * 12))::bigint END,
       CASE WHEN random() < 0.5 THEN floor(exp(random() * 9))::bigint END,
       CASE WHEN random() < 0.5 THEN floor(exp(random() * 16))::bigint END,
       CASE WHEN random() < 0.3 THEN floor(exp(random() * 9))::bigint END,
       CASE WHEN random() < 0.4 THEN floor(exp(random() * 6))::bigint END,
       CASE WHEN random() < 0.2 THEN floor(exp(random() * 8))::bigint END,
       NULL, NULL, NULL,
       CASE WHEN random() < 0.5 THEN date '2026-11-20' - floor(random() * 900)::int END,
       CASE WHEN random() < 0.5 THEN floor(exp(random() * 5))::bigint END,
       CASE WHEN random() < 0.6 THEN random() < 0.5 END,
       CASE WHEN random() < 0.5 THEN random() < 0.5 END,
       date '2026-11-01'
FROM catalog_artifact a
WHERE a.id > %(after)s AND random() < 0.85
"""

CAPABILITIES_SQL = """
INSERT INTO catalog_capability (artifact_id, position, title, title_key, description,
                                unique_angle, vs_alternatives, confidence)
SELECT a.id, c, 'capability ' || c, 'capability ' || c, 'Does thing ' || c || '.', '', '',
       (ARRAY['low', 'medium', 'high'])[1 + (a.id + c) %% 3]
FROM catalog_artifact a
CROSS JOIN LATERAL generate_series(1, (a.id * 7 %% 9)::int) AS c
WHERE a.id > %(after)s
"""

LINKS_SQL = """
WITH picks AS (
    SELECT a.id AS source_id, c,
           %(low)s + floor(random() * (%(high)s - %(low)s + 1))::bigint AS target_id
    FROM catalog_artifact a
    CROSS JOIN generate_series(1, 3) AS c
    WHERE a.id > %(after)s AND random() < 0.85
)
INSERT INTO catalog_artifactlink (source_id, relation, target_slug, target_id)
SELECT p.source_id, (ARRAY['integrates_with', 'depends_on', 'derived_from'])[p.c],
       t.slug, t.id
FROM picks p JOIN catalog_artifact t ON t.id = p.target_id
UNION ALL
SELECT a.id, 'same_family', 'not-listed-' || a.id, NULL
FROM catalog_artifact a WHERE a.id > %(after)s AND a.id %% 10 = 0
"""

CATEGORIES_SQL = """
INSERT INTO catalog_category (name, slug, description)
SELECT 'Bench category ' || g, 'bench-category-' || g, '' FROM generate_series(1, 30) AS g
ON CONFLICT DO NOTHING
"""

ARTIFACT_CATEGORIES_SQL = """
INSERT INTO catalog_artifact_categories (artifact_id, category_id)
SELECT a.id, c.id FROM catalog_artifact a
JOIN catalog_category c ON c.slug = 'bench-category-' || (a.id %% 30 + 1)
WHERE a.id > %(after)s AND a.id %% 10 < 7
"""

SOURCES_SQL = """
INSERT INTO catalog_datasource (artifact_id, position, name, url, retrieved)
SELECT a.id, 0, 'Model card', 'https://example.org/card/' || a.id, date '2026-11-01'
FROM catalog_artifact a WHERE a.id > %(after)s AND a.id %% 5 < 2
"""


def run_sql(sql: str, params: dict | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.rowcount


def scalar(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def grow_to(size: int) -> float:
    """Add artifacts (with everything around them) until there are `size`."""
    started = time.perf_counter()
    have = scalar("SELECT count(*) FROM catalog_artifact")
    if size <= have:
        return 0.0
    after = scalar("SELECT coalesce(max(id), 0) FROM catalog_artifact")
    run_sql(ARTIFACTS_SQL, {"kinds": KINDS, "start": have + 1, "stop": size})
    low = scalar("SELECT min(id) FROM catalog_artifact")
    high = scalar("SELECT max(id) FROM catalog_artifact")
    params = {"after": after, "low": low, "high": high}
    run_sql(SIGNALS_SQL, params)
    run_sql(CAPABILITIES_SQL, params)
    run_sql(LINKS_SQL, params)
    run_sql(CATEGORIES_SQL)
    run_sql(ARTIFACT_CATEGORIES_SQL, params)
    run_sql(SOURCES_SQL, params)
    run_sql("ANALYZE")
    return time.perf_counter() - started


def describe() -> str:
    counts = {
        table: scalar(f"SELECT count(*) FROM catalog_{table}")
        for table in ("artifact", "signals", "capability", "artifactlink")
    }
    return (
        f"{counts['artifact']:,} artifacts, {counts['signals']:,} with signals, "
        f"{counts['capability']:,} capabilities, {counts['artifactlink']:,} links"
    )


def timed_run(label: str, artifacts: int) -> float:
    from ranking.services import rank_recompute_all

    result = rank_recompute_all()
    per_artifact = result.seconds / artifacts * 1e6
    steps = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in result.steps.items())
    print(
        f"  {label:<18} {result.seconds:7.2f} s   {per_artifact:6.1f} µs/artifact   "
        f"({result.artifacts_ranked:,} ranked; {steps})"
    )
    return result.seconds


def time_single_rescores(samples: int) -> None:
    from ranking.services import rank_recompute_artifact

    rng = random.Random(3)
    low = scalar("SELECT min(id) FROM catalog_artifact")
    high = scalar("SELECT max(id) FROM catalog_artifact")
    timings = []
    for _ in range(samples):
        artifact_id = rng.randint(low, high)
        started = time.perf_counter()
        rank_recompute_artifact(artifact_id=artifact_id)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        f"  re-score one artifact: median {statistics.median(timings):.1f} ms, "
        f"max {timings[-1]:.1f} ms (n={samples})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=int, default=100_000, help="the largest size")
    parser.add_argument(
        "--sizes",
        default="10000,50000,100000",
        help="comma-separated sizes to time (capped at --artifacts, which is always timed)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()
    sizes = sorted(
        {int(size) for size in options.sizes.split(",") if 0 < int(size) <= options.artifacts}
        | {options.artifacts}
    )

    import django

    django.setup()
    print(f"creating and migrating the scratch database {scratch_name('rank')} …")
    summary: list[tuple[int, float, float]] = []
    with scratch_database("rank", keep=options.keep):
        for size in sizes:
            seconds = grow_to(size)
            print(f"\n{describe()}  (generated in {seconds:.1f} s)")
            first = timed_run("first run", size)
            again = timed_run("steady-state rerun", size)
            summary.append((size, first, again))
        time_single_rescores(samples=50)
        print("\nartifacts   first run   µs/artifact   rerun   µs/artifact")
        for size, first, again in summary:
            print(
                f"{size:>9,}   {first:7.2f} s   {first / size * 1e6:9.1f}   "
                f"{again:5.2f} s   {again / size * 1e6:9.1f}"
            )


if __name__ == "__main__":
    main()
