"""Comparison page latency at scale (on demand, not a test).

    .venv/bin/python benchmarks/compare_benchmark.py --artifacts 100000
    .venv/bin/python benchmarks/compare_benchmark.py --from-search-bench --keep
    .venv/bin/python benchmarks/compare_benchmark.py --reuse

Works in its own database, `<name>_compare_bench` (dropped afterwards unless --keep):

* by default it is created, migrated and filled by `search_benchmark.populate` (N artifacts of
  ~8 capabilities, categories, intents, match and search events);
* `--from-search-bench` instead copies a database kept by `search_benchmark.py --keep`
  (`<name>_search_bench`, used as a template and never written to) and migrates the copy;
* `--reuse` runs again on a `<name>_compare_bench` kept by --keep.

Then it adds what comparisons show and the search data lacks (signals for ~85 % of artifacts,
pricing plans for ~40 %), aggregates the match graph and runs a full UnfragileRank recompute.

Measured in-process with Django's test client (view, selector and template; no network), each
request with an EMPTY cache (cleared before it) unless marked cached:
  A vs B page, uncached — pairs of popular (well-matched) artifacts and random pairs;
  the comparison selector alone; the same pages cached; a six-column grid, uncached;
  the "Compare with…" picker (related suggestions, and a typed name).
Recording the comparison is only queued (an in-memory broker, as a request does with a real
worker), so it is not in the numbers. Prints p50/p95/max in milliseconds.
"""

import argparse
import random
import time

from rank_benchmark import SIGNALS_SQL
from scratch import scratch_database, scratch_name
from search_benchmark import percentiles, populate, run_sql, timed

# The rank benchmark's heavy-tailed signals, for every artifact (the search data has none).
SIGNALS_FOR_ALL = {"after": 0}


PLANS_SQL = """
INSERT INTO catalog_pricingplan (artifact_id, position, name, price, currency, unit, as_of)
SELECT a.id, p, 'Plan ' || p, round((random() * 50)::numeric, 6) / (10 ^ (a.id %% 7)),
       'USD', (ARRAY['1M tokens', 'image', 'month', 'prompt token'])[1 + a.id %% 4],
       date '2026-10-01' + (a.id %% 40)::int
FROM catalog_artifact a
CROSS JOIN generate_series(0, (a.id %% 3)) AS p
WHERE a.id %% 5 < 2
"""

PICKER_QUERIES = ["speech", "image gen", "vector", "caption", "bench spee", "ocr", "agent"]


def prepare() -> None:
    from django.db import connection

    from matchgraph.aggregation import match_graph_aggregate
    from ranking.services import rank_recompute_all

    timed("insert signals", lambda: run_sql(SIGNALS_SQL, SIGNALS_FOR_ALL))
    timed("insert pricing plans", lambda: run_sql(PLANS_SQL, {}))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    report = timed("aggregate the match graph", match_graph_aggregate)
    print(f"  -> {report.artifact_edges:,} edges, {report.comatches:,} co-match pairs")
    result = timed("full UnfragileRank recompute", rank_recompute_all)
    print(f"  -> run #{result.run_id}: {result.artifacts_ranked:,} ranked")


def _pairs(*, count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(label, slug, slug): half among the most-matched artifacts (the richest evidence),
    half drawn from the whole catalog."""
    from catalog.models import Artifact

    popular = list(
        Artifact.objects.published().order_by("-times_matched").values_list("slug", flat=True)[:300]
    )
    ids = list(Artifact.objects.published().values_list("id", flat=True))
    sample = dict(
        Artifact.objects.filter(pk__in=rng.sample(ids, min(len(ids), count * 2))).values_list(
            "id", "slug"
        )
    )
    anywhere = list(sample.values())
    pairs = []
    for index in range(count):
        source = popular if index % 2 == 0 else anywhere
        a, b = rng.sample(source, 2)
        pairs.append(("popular" if source is popular else "random", a, b))
    return pairs


def measure(*, pairs: int, grids: int, seed: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from catalog.models import Artifact
    from compare.naming import grid_url, pair_url
    from compare.selectors import comparison_build
    from config.celery import app

    setup_test_environment()
    app.conf.task_always_eager = False  # queue only, as a request does with a worker
    rng = random.Random(seed)
    client = Client()
    chosen = _pairs(count=pairs, rng=rng)
    ids = dict(
        Artifact.objects.filter(slug__in={s for _, a, b in chosen for s in (a, b)}).values_list(
            "slug", "id"
        )
    )
    for _, a, b in chosen[:10]:  # warm-up: connections, templates, plans
        cache.clear()
        client.get(pair_url(a, b))

    page_ms: dict[str, list[float]] = {"popular": [], "random": []}
    selector_ms: list[float] = []
    cached_ms: list[float] = []
    for label, a, b in chosen:
        url = pair_url(a, b)
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        page_ms[label].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        started = time.perf_counter()
        client.get(url)
        cached_ms.append((time.perf_counter() - started) * 1000)
        first, second = sorted((a, b))
        started = time.perf_counter()
        comparison_build(artifact_ids=[ids[first], ids[second]])
        selector_ms.append((time.perf_counter() - started) * 1000)

    label, a, b = chosen[0]
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(pair_url(a, b))
    print(f"queries per uncached A vs B page: {len(queries.captured_queries)}")
    every = page_ms["popular"] + page_ms["random"]
    print(f"A vs B page, uncached (all)          {percentiles(every)}")
    print(f"  popular pairs                      {percentiles(page_ms['popular'])}")
    print(f"  random pairs                       {percentiles(page_ms['random'])}")
    print(f"comparison selector only, uncached   {percentiles(selector_ms)}")
    print(f"A vs B page, cached                  {percentiles(cached_ms)}")

    slugs = [slug for _, a, b in chosen for slug in (a, b)]
    grid_ms = []
    for _ in range(grids):
        columns = list(dict.fromkeys(rng.sample(slugs, 6)))
        cache.clear()
        started = time.perf_counter()
        response = client.get(grid_url(columns))
        grid_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    print(f"six-column grid, uncached            {percentiles(grid_ms)}")

    related_ms, named_ms = [], []
    htmx = {"HX-Request": "true", "HX-Target": "compare-suggestions"}
    for _, a, _b in chosen[: max(10, pairs // 4)]:
        started = time.perf_counter()
        client.get("/compare/pick/", {"a": a, "q": ""}, headers=htmx)
        related_ms.append((time.perf_counter() - started) * 1000)
        query = rng.choice(PICKER_QUERIES)
        started = time.perf_counter()
        client.get("/compare/pick/", {"a": a, "q": query}, headers=htmx)
        named_ms.append((time.perf_counter() - started) * 1000)
    print(f"picker, related (nothing typed)      {percentiles(related_ms)}")
    print(f"picker, typed name                   {percentiles(named_ms)}")


def _copy_database(*, source: str, target: str) -> None:
    from django.db import connection

    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def _bring_up_to_date() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _restore_declared_indexes()


def _restore_declared_indexes() -> None:
    """A kept database may have been built by an older working copy: add any index or
    constraint the models declare that it lacks, so the numbers describe today's schema."""
    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        present = {name for (name,) in cursor.fetchall()}
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            for index in model._meta.indexes:
                if index.name not in present:
                    print(f"  restoring index {index.name}")
                    editor.add_index(model, index)
            for constraint in model._meta.constraints:
                if getattr(constraint, "fields", None) and constraint.name not in present:
                    print(f"  restoring constraint {constraint.name}")
                    editor.add_constraint(model, constraint)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=int, default=100_000)
    parser.add_argument("--capabilities", type=int, default=8, help="per artifact")
    parser.add_argument("--events", type=int, default=1_000_000, help="match events")
    parser.add_argument("--intents", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=200, help="A vs B pages measured")
    parser.add_argument("--grids", type=int, default=40, help="six-column grids measured")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--reuse", action="store_true", help="reuse a database kept by --keep (no setup)"
    )
    source.add_argument(
        "--from-search-bench",
        action="store_true",
        help="copy the database kept by search_benchmark.py --keep instead of populating",
    )
    options = parser.parse_args()

    import django

    django.setup()
    if options.from_search_bench:
        timed(
            "copy the kept search benchmark database",
            lambda: _copy_database(source=scratch_name("search"), target=scratch_name("compare")),
        )
    with scratch_database(
        "compare",
        keep=options.keep,
        reuse=options.reuse or options.from_search_bench,
        bring_up_to_date=_bring_up_to_date,
    ):
        if not options.reuse:
            if not options.from_search_bench:
                populate(
                    artifacts=options.artifacts,
                    capabilities=options.capabilities,
                    events=options.events,
                    intents=options.intents,
                )
            prepare()
        from catalog.models import Artifact

        print(f"catalog: {Artifact.objects.count():,} artifacts")
        measure(pairs=options.pairs, grids=options.grids, seed=options.seed)


if __name__ == "__main__":
    main()
