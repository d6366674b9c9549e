"""Search relevance on real records nobody here wrote: AI/ML packages from the PyPI list.

    .venv/bin/python benchmarks/relevance_real.py            # build, import, measure, drop
    .venv/bin/python benchmarks/relevance_real.py --keep     # keep the scratch catalog
    .venv/bin/python benchmarks/relevance_real.py --reuse    # measure the kept one again

Selects the packages with `pypi_catalog.py` (name and the author's own summary, unedited),
imports them through `import_artifacts` into a scratch database beside the development one,
ranks them and builds the search vocabulary, vacuums (as autovacuum would leave a live
catalog), then runs `eval_search` on the judged queries in
`matchgraph/evaluation/pypi_queries.json`: the /search/ view next to BM25, in the same run,
first by keywords only, then with meaning search after embedding the catalog (`--workers`
processes; only what is not embedded yet, so a kept catalog embeds once: about 40 minutes
for 71,837 packages on two cores).
A measurement, not a gate: the exit status is 0 whatever the figures are.
"""

import argparse
import io
import os
import time
from pathlib import Path

from embed_catalog import database_url_of, embed_with_workers, print_throughput
from pypi_catalog import DEFAULT_OUT, DEFAULT_TSV, select_packages, write_catalog
from scratch import scratch_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = ROOT / ".data" / "eval_search_pypi.json"


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    print(f"{label}: {time.perf_counter() - started:.1f} s")
    return result


def build_catalog(tsv: str, out: Path) -> None:
    from django.core.management import call_command

    from matchgraph.maintenance import vacuum_analyze

    selection = timed("select AI/ML packages", lambda: select_packages(tsv))
    timed("write the catalog", lambda: write_catalog(selection.records, out))
    print(f"  -> {len(selection.records):,} packages in {out}, skipped {dict(selection.skipped)}")
    # The importer warns once per record about the two PyPI fields it keeps in `extra`.
    report = io.StringIO()
    timed(
        "import through import_artifacts",
        lambda: call_command("import_artifacts", str(out), stdout=report, stderr=report),
    )
    summary = [line for line in report.getvalue().splitlines() if "created" in line]
    print("  -> " + (summary[-1] if summary else "(no summary printed)"))
    timed("rank", lambda: call_command("recompute_ranks", verbosity=0))
    timed("vacuum and analyze", lambda: vacuum_analyze(["catalog_artifact"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tsv", default=DEFAULT_TSV, help="the PyPI package list")
    parser.add_argument(
        "--catalog", type=Path, default=ROOT / DEFAULT_OUT, help="JSONL written here"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="figures written here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true", help="measure the kept database")
    parser.add_argument("--show-failures", action="store_true")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes embedding the catalog"
    )
    parser.add_argument(
        "--keywords-only", action="store_true", help="no meaning search: nothing embedded"
    )
    options = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from catalog.embeddings import get_backend
    from catalog.embeddings.store import search_method
    from matchgraph.evaluation.runner import PYPI_QUERIES
    from matchgraph.search.vocabulary import vocabulary_rebuild

    with scratch_database("pypi", keep=options.keep, reuse=options.reuse):
        if not options.reuse:
            build_catalog(options.tsv, options.catalog)
        timed("rebuild the search vocabulary", vocabulary_rebuild)
        arguments = ["--queries", str(PYPI_QUERIES)]
        if options.show_failures:
            arguments.append("--show-failures")
        keywords_json = options.json.with_name(options.json.stem + "_keywords.json")
        print("keywords only (EMBEDDINGS_BACKEND=none):")
        with override_settings(EMBEDDINGS_BACKEND="none"):
            timed(
                "evaluate",
                lambda: call_command("eval_search", *arguments, "--json", str(keywords_json)),
            )
        if options.keywords_only:
            return
        # Only what is not embedded yet (all of it on a fresh catalog: the slow part).
        connection.close()
        print_throughput(
            embed_with_workers(database_url_of(connection.settings_dict), workers=options.workers)
        )
        print(f"with meaning search ({get_backend().name}; {search_method()}):")
        timed(
            "evaluate", lambda: call_command("eval_search", *arguments, "--json", str(options.json))
        )


if __name__ == "__main__":
    main()
