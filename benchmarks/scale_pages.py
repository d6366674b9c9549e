"""Page timings for `make bench`: every public page, in-process, with its SQL and plans.

Each page is requested through Django's test client (view, selectors, template; no network),
as a gunicorn worker would serve it: the application loaded through config.wsgi, tasks only
queued (an in-memory broker). Two passes:

- uncached: before each request the cache is put back to what the writing jobs leave in it
  (the figures `listing_figures_warm` counts, nothing else): the page pays for everything of
  its own (neighbours, search statistics, facet totals of its filter, the page itself);
- cached: the same URLs again with the cache as the uncached pass left it.

Every distinct SQL statement the pages ran is EXPLAINed; a sequential scan of a table with
more than SEQ_SCAN_ROWS rows is reported as a failure.
"""

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field

SEQ_SCAN_ROWS = 20_000
# Statements that read a whole table by design, and why that is not a page's cost.
EXPECTED_FULL_READS = {
    "SELECT word, frequency, correctable FROM matchgraph_searchterm": (
        "the spelling vocabulary, loaded once per process and vocabulary version"
    ),
    "SELECT EXISTS (SELECT 1 FROM matchgraph_searchterm)": "stops at the first row",
}
SEARCH_QUERIES = 20  # the first N judged PyPI queries, keywords and paraphrases alike
# Asked for as htmx asks: the picker's suggestions while typing (a full-page request whose
# words name one artifact exactly goes straight to that comparison instead).
HTMX_GROUPS = {"picker"}


@dataclass
class PageTimings:
    group: str
    urls: list[str]
    milliseconds: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        ordered = sorted(self.milliseconds)
        return {
            "requests": len(ordered),
            "p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(_quantile(ordered, 0.95), 2),
            "p99_ms": round(_quantile(ordered, 0.99), 2),
            "max_ms": round(ordered[-1], 2),
            "queries_min": min(self.queries),
            "queries_max": max(self.queries),
        }


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _scalar_rows(sql: str, params: list | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def page_groups() -> dict[str, list[str]]:
    """The URLs measured, read from the catalog as it stands (so every size gets the same
    kinds of page: the largest and smallest category, the top-ranked and random artifacts)."""
    from django.conf import settings

    from matchgraph.evaluation.runner import PYPI_QUERIES

    sizes = _scalar_rows(
        "SELECT c.slug, count(*) FROM catalog_category c JOIN catalog_artifact_categories ac "
        "ON ac.category_id = c.id GROUP BY c.slug ORDER BY count(*) DESC, c.slug"
    )
    categories = [slug for slug, _ in sizes]
    category_page = min(40, max(1, sizes[0][1] // settings.ARTIFACTS_PER_PAGE))
    published = _scalar_rows("SELECT count(*) FROM catalog_artifact WHERE is_published")[0][0]
    deepest = min(settings.LISTING_MAX_PAGES, max(1, published // settings.ARTIFACTS_PER_PAGE))
    top = [s for (s,) in _scalar_rows(
        "SELECT slug FROM catalog_artifact WHERE is_published "
        "ORDER BY current_rank DESC NULLS LAST, name LIMIT 5"
    )]  # fmt: skip
    spread = [s for (s,) in _scalar_rows(
        "SELECT slug FROM catalog_artifact WHERE is_published "
        "ORDER BY md5(slug) LIMIT 15"
    )]  # fmt: skip
    artifacts = top + spread
    queries = [entry["query"] for entry in json.loads(PYPI_QUERIES.read_text())["queries"]]
    big, small = categories[0], categories[-1]
    return {
        "home": ["/"],
        "browse": [
            "/browse/",
            "/browse/?sort=name",
            "/browse/?sort=newest",
            "/browse/?kind=repository",
            f"/browse/?category={big}",
            f"/browse/?category={small}",
            "/browse/?input=audio",
            "/browse/?output=embedding&sort=name",
            f"/browse/?category={big}&input=text",
            "/browse/?sort=price",
            "/browse/?price=1",
            "/browse/?free_tier=on&price=15&sort=price",
        ],
        "browse, deep pages": [
            "/browse/?page=2",
            f"/browse/?page={deepest}",
            f"/browse/?sort=name&page={deepest}",
            f"/browse/?sort=newest&page={deepest}",
            f"/browse/?sort=price&page={deepest}",
            f"/browse/?category={big}&page={category_page}",
        ],
        "category": ["/categories/", f"/categories/{big}/", f"/categories/{small}/"],
        "search": [_search_url(query) for query in queries[:SEARCH_QUERIES]],
        "artifact": [f"/a/{slug}/" for slug in artifacts],
        "a-vs-b": [
            "/compare/{}-vs-{}/".format(*sorted(pair))
            for pair in zip(artifacts[0:10:2], artifacts[1:10:2], strict=True)
        ],
        "grid": ["/compare/?" + "&".join(f"a={slug}" for slug in artifacts[:4])],
        "picker": [
            f"/compare/pick/?a={artifacts[0]}",
            f"/compare/pick/?a={artifacts[0]}&q=speech",
        ],
    }


def _search_url(query: str) -> str:
    from urllib.parse import urlencode

    return "/search/?" + urlencode({"q": query})


def measure_pages(groups: dict[str, list[str]], *, repeats: int) -> dict:
    """{"uncached": {group: summary}, "cached": {...}, "sql": [distinct statements]}."""
    import gc

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import config.wsgi  # noqa: F401  (as a server process stands: the app loaded and frozen)
    from config.celery import app

    gc.collect()
    app.conf.task_always_eager = False  # recording is queued, as a request does with a worker
    # A live search is not recorded as an intent: the figures are search's, not recording's.
    client = Client(headers={"X-Live-Search": "1"}, SERVER_NAME="localhost")
    statements: dict[str, None] = {}
    for group, urls in groups.items():  # warm-up: plans, compiled templates, process caches
        for url in urls:
            _checked_get(client, url, htmx=group in HTMX_GROUPS)
    as_the_jobs_leave_it = _cache_as_the_jobs_leave_it()
    figures: dict = {}
    for mode in ("uncached", "cached"):
        timings = {group: PageTimings(group, urls) for group, urls in groups.items()}
        for _ in range(repeats):
            for group, urls in groups.items():
                for url in urls:
                    if mode == "uncached":
                        _cache_restore(as_the_jobs_leave_it)
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        _checked_get(client, url, htmx=group in HTMX_GROUPS)
                        elapsed = (time.perf_counter() - started) * 1000
                    timings[group].milliseconds.append(elapsed)
                    timings[group].queries.append(len(captured.captured_queries))
                    statements.update(dict.fromkeys(q["sql"] for q in captured.captured_queries))
        figures[mode] = {group: t.summary() for group, t in timings.items()}
    app.conf.task_always_eager = True
    figures["sql"] = list(statements)
    return figures


def _cache_as_the_jobs_leave_it() -> tuple[dict, dict]:
    """A copy of the local-memory cache holding only what the writing jobs count
    (`listing_figures_warm`, and the rank run's ranked-per-kind figure): restored before
    each uncached request, much quicker than counting a million artifacts each time."""
    from django.core.cache import cache

    from catalog.selectors import listing_figures_warm
    from ranking.kind_counts import ranked_per_kind
    from ranking.models import RankRun

    cache.clear()
    listing_figures_warm()
    for run_id in RankRun.objects.filter(is_current=True).values_list("pk", flat=True):
        ranked_per_kind(run_id=run_id)
    with cache._lock:  # LocMemCache's own storage (scratch.py: never Redis here)
        return dict(cache._cache), dict(cache._expire_info)


def _cache_restore(state: tuple[dict, dict]) -> None:
    from django.core.cache import cache

    stored, expiry = state
    with cache._lock:
        cache._cache.clear()
        cache._cache.update(stored)
        cache._expire_info.clear()
        cache._expire_info.update(expiry)


def _checked_get(client, url: str, *, htmx: bool) -> None:
    response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: the benchmark stops")


def sequential_scans(statements: list[str]) -> list[dict]:
    """Each plan node that reads a large table from end to end, with the statement."""
    from django.db import connection

    large = {
        name
        for name, rows in _scalar_rows(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND reltuples > %s",
            [SEQ_SCAN_ROWS],
        )
    }
    found = []
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            if sql.strip() in EXPECTED_FULL_READS:
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0][0]["Plan"]
            for node in _nodes(plan):
                if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in large:
                    found.append({"table": node["Relation Name"], "sql": sql[:600]})
    return found


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def print_pages(size: int, figures: dict) -> None:
    for mode in ("uncached", "cached"):
        print(f"  pages at {size:,} artifacts, {mode}:")
        for group, row in figures[mode].items():
            queries = (
                str(row["queries_min"])
                if row["queries_min"] == row["queries_max"]
                else f"{row['queries_min']}-{row['queries_max']}"
            )
            print(
                f"    {group:<20} p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f}  "
                f"p99 {row['p99_ms']:7.1f} ms   queries {queries:>5}   n={row['requests']}"
            )


def growth(first: dict, last: dict) -> dict[str, float]:
    """p50 at the largest size over p50 at the smallest, per group (uncached)."""
    by_group = defaultdict(float)
    for group, row in last["uncached"].items():
        base = first["uncached"].get(group)
        if base and base["p50_ms"]:
            by_group[group] = round(row["p50_ms"] / base["p50_ms"], 2)
    return dict(by_group)
