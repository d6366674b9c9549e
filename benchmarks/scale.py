"""`make bench`: the site at real scale, from 3,000 to every package of the PyPI list.

    .venv/bin/python benchmarks/scale.py                      # 3,000, 100,000, all (~842k)
    .venv/bin/python benchmarks/scale.py --sizes 3000,20000   # a quick run
    .venv/bin/python benchmarks/scale.py --keep               # keep the scratch database

One scratch database (`<development database>_scale_bench`) grows in stages
(`scale_records.py`: real names and summaries, with what their topic words imply). At each
stage it:

1. imports the stage's records through the real importer (`artifacts_import`), printing
   progress, throughput and the process's memory;
2. adds what the list lacks, in SQL: adoption signals for the new artifacts, and one match
   event per new artifact (a fifth as many searches) over 20,000 intents;
3. VACUUM ANALYZE (this machine's server runs with autovacuum off), then times the jobs:
   full rank recompute, match-graph aggregation, search vocabulary rebuild, and counting
   the listing figures the jobs keep;
4. times every public page (`scale_pages.py`): p50/p95/p99 and SQL queries per page,
   uncached and cached, and EXPLAINs every statement they ran.

Meaning search is off for the whole run (EMBEDDINGS_BACKEND=none): embedding takes about
29 s per 1,000 packages here, hours for the full list; `search_benchmark.py` measures it.
Figures are printed, checked against issue #19's targets, and written as JSON under
bench/results/. The exit status is 1 when a page's plan reads a large table sequentially
(the one failure that is not a matter of machine noise), 0 otherwise.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from pypi_catalog import DEFAULT_TSV
from rank_benchmark import SIGNALS_SQL
from scale_pages import growth, measure_pages, page_groups, print_pages, sequential_scans
from scale_records import Stage, ordered_records, stages
from scratch import scratch_database
from search_benchmark import (
    INTENTS_SQL,
    MATCH_EVENTS_SQL,
    SEARCH_EVENTS_SQL,
    VOCABULARY,
    run_sql,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
INTENTS = 20_000
PAGE_GROUPS_UNDER_30_MS = ("home", "browse", "browse, deep pages", "category", "artifact")
PAGE_GROUPS_COMPARE = ("a-vs-b",)


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"  {label:<40} {seconds:8.2f} s")
    return result, round(seconds, 2)


def resident_megabytes() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def import_stage(records: list[dict]) -> dict:
    """The stage's records through `artifacts_import`, with a progress line; its figures."""
    from catalog.importing import artifacts_import

    total = len(records)
    memory: list[tuple[int, float]] = [(0, round(resident_megabytes(), 1))]
    started = time.perf_counter()

    def progress(done: int) -> None:
        seconds = time.perf_counter() - started
        rss = resident_megabytes()
        if done % 50_000 < 1000 or done == total:
            memory.append((done, round(rss, 1)))
        bar = "#" * int(30 * done / total)
        print(
            f"\r  import [{bar:<30}] {done:>9,}/{total:,} {done / seconds:7,.0f}/s "
            f"rss {rss:6.0f} MB",
            end="",
            flush=True,
        )

    lines = (json.dumps(record, ensure_ascii=False) for record in records)
    report = artifacts_import(lines=lines, atomic=True, on_progress=progress)
    seconds = time.perf_counter() - started
    print()
    if not report.ok:
        raise SystemExit(f"the import refused the records: {report.errors[:3]}")
    return {
        "records": total,
        "seconds": round(seconds, 1),
        "records_per_second": round(total / seconds),
        "created": report.created,
        "warnings": report.warning_count,
        "rss_mb_by_records": memory,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000, 1),
    }


def add_generated_activity(*, first_new_id: int, new_artifacts: int) -> None:
    """Signals for the new artifacts; match and search events in proportion to them."""
    params = {
        "after": first_new_id - 1,
        "events": new_artifacts,
        "searches": max(new_artifacts // 5, 1),
        "vocabulary": VOCABULARY,
        "size": len(VOCABULARY),
        "intents": INTENTS,
    }
    run_sql(SIGNALS_SQL, params)
    if not _scalar("SELECT count(*) FROM matchgraph_intent"):
        run_sql(INTENTS_SQL, params)
    run_sql(MATCH_EVENTS_SQL, params)
    run_sql(SEARCH_EVENTS_SQL, params)


def _scalar(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0] or 0


def run_jobs() -> dict:
    from catalog.selectors import listing_figures_warm
    from matchgraph.aggregation import match_graph_aggregate
    from matchgraph.maintenance import vacuum_analyze
    from matchgraph.search.vocabulary import vocabulary_rebuild
    from ranking.services import rank_recompute_all

    vacuum_analyze([])  # every table
    jobs = {}
    _, jobs["rank_recompute_s"] = timed("full rank recompute", rank_recompute_all)
    _, jobs["aggregation_s"] = timed("match-graph aggregation", match_graph_aggregate)
    _, jobs["vocabulary_s"] = timed("search vocabulary rebuild", vocabulary_rebuild)
    vacuum_analyze([])  # every table
    _, jobs["listing_figures_s"] = timed("count the listing figures", listing_figures_warm)
    return jobs


def check_targets(stage_results: list[dict]) -> list[str]:
    """Issue #19's targets, as lines saying met or missed."""
    lines = []
    first = stage_results[0]
    for result in stage_results[1:] or stage_results:
        size = result["size"]
        big = size >= 500_000
        page_limit, search_limit, growth_limit = (40, 80, 1.6) if big else (30, 50, 1.3)
        pages = result["pages"]["uncached"]
        for group in (*PAGE_GROUPS_UNDER_30_MS, *PAGE_GROUPS_COMPARE):
            lines.append(_verdict(f"{size:,}: {group} p95", pages[group]["p95_ms"], page_limit))
        lines.append(_verdict(f"{size:,}: search p95", pages["search"]["p95_ms"], search_limit))
        for group, ratio in growth(first["pages"], result["pages"]).items():
            lines.append(_verdict(f"{size:,}: {group} p50 growth", ratio, growth_limit, "x"))
        artifact = pages["artifact"]
        lines.append(_verdict(f"{size:,}: artifact queries", artifact["queries_max"], 10, ""))
        if artifact["queries_min"] != artifact["queries_max"]:
            lines.append(f"missed  {size:,}: artifact queries differ between artifacts")
        rank_limit = 300 if big else 30
        lines.append(
            _verdict(f"{size:,}: rank recompute", result["jobs"]["rank_recompute_s"], rank_limit)
        )
    return lines


def _verdict(label: str, value: float, limit: float, unit: str = "ms") -> str:
    """Times must stay under their limit (<); growth and query counts may reach it (≤)."""
    unit = unit if unit != "ms" or "recompute" not in label else "s"
    timed = unit in ("ms", "s")
    state = "met   " if (value < limit if timed else value <= limit) else "missed"
    return f"{state}  {label}: {value}{unit} (target {'<' if timed else '≤'} {limit}{unit})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tsv", default=DEFAULT_TSV)
    parser.add_argument(
        "--sizes", default="3000,100000,full", help="catalog sizes, comma-separated; full = all"
    )
    parser.add_argument("--repeats", type=int, default=3, help="requests per URL and pass")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a kept database again, importing nothing"
    )
    parser.add_argument("--json", type=Path, default=None, help="default: bench/results/")
    options = parser.parse_args()
    sizes = [None if size == "full" else int(size) for size in options.sizes.split(",")]

    import django

    django.setup()
    from django.test.utils import override_settings

    started = time.perf_counter()
    plan = []
    if not options.reuse:
        records, _ = timed("read and select the package list", lambda: ordered_records(options.tsv))
        plan = stages(records, sizes)
        del records
    results = []
    scratch = scratch_database("scale", keep=options.keep or options.reuse, reuse=options.reuse)
    with override_settings(EMBEDDINGS_BACKEND="none"), scratch:
        for stage in plan or [
            Stage(size=_scalar("SELECT count(*) FROM catalog_artifact"), records=[])
        ]:
            print(f"stage: {stage.size:,} artifacts")
            imported = {}
            if stage.records:
                first_new_id = _scalar("SELECT max(id) FROM catalog_artifact") + 1
                imported = import_stage(stage.records)
                stage.records.clear()  # memory: the stage is in the database now
                generate = partial(
                    add_generated_activity,
                    first_new_id=first_new_id,
                    new_artifacts=imported["records"],
                )
                timed("generated signals and match events", generate)
            jobs = run_jobs()
            groups = page_groups()
            pages = measure_pages(groups, repeats=options.repeats)
            statements = pages.pop("sql")
            scans = sequential_scans(statements) if stage.size >= 50_000 else []
            print_pages(stage.size, pages)
            for scan in scans:
                print(f"  SEQUENTIAL SCAN of {scan['table']}: {scan['sql'][:300]}")
            results.append(
                {
                    "size": stage.size,
                    "import": imported,
                    "jobs": jobs,
                    "pages": pages,
                    "urls": groups,
                    "sequential_scans": scans,
                    "statements_explained": len(statements),
                }
            )
    verdicts = check_targets(results)
    print("targets (issue #19):")
    for line in verdicts:
        print("  " + line)
    output = write_results(results, verdicts, total_seconds=time.perf_counter() - started)
    print(f"figures written to {output}")
    if any(result["sequential_scans"] for result in results):
        sys.exit("a page read a large table sequentially (see above)")


def write_results(results: list[dict], verdicts: list[str], *, total_seconds: float) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"scale-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    document = {
        "commit": commit,
        "when": stamp,
        "seconds": round(total_seconds),
        "stages": results,
        "targets": verdicts,
    }
    path.write_text(json.dumps(document, indent=2))
    return path


if __name__ == "__main__":
    main()
