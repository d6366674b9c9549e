"""Embed a benchmark catalog and print the throughput: per 1,000 artifacts, and the time to
embed 100,000 extrapolated from it.

It runs `manage.py embed_artifacts --shard i/n` in `--workers` processes side by side on a
kept scratch database (`<development database>_<bench>_bench`, e.g. the PyPI catalog that
`benchmarks/relevance_real.py --keep` leaves), after migrating it. Already embedded,
unchanged artifacts are skipped, so it can be stopped and run again.

    python benchmarks/relevance_real.py --keep      # once: the 71,837-package catalog
    python benchmarks/embed_catalog.py --bench pypi --workers 2
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
REPORT = re.compile(r"Embedded (\d+) artifacts \((\d+) passages\)")


def bench_url(bench: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL must name the development database the bench sits beside")
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"{parts.path}_{bench}_bench"))


def database_url_of(settings_dict: dict) -> str:
    """A DATABASE_URL for a Django connection's settings (a socket directory as host too)."""
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    user = quote(settings_dict.get("USER") or "", safe="")
    return f"postgres://{user}@{host}{port}/{settings_dict['NAME']}"


def embed_with_workers(database_url: str, *, workers: int, limit: int | None = None) -> dict:
    """Embed what is stale in that database with `workers` processes side by side."""
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("REDIS_URL", None)  # never the development site's cache or broker
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True)
    command = [*manage, "embed_artifacts", "--batch-size", "64"]
    if limit:
        command += ["--limit", str(limit)]
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            [*command, "--shard", f"{index}/{workers}"], env=env, stdout=subprocess.PIPE, text=True
        )
        for index in range(workers)
    ]
    artifacts = passages = 0
    for worker in running:
        output, _ = worker.communicate()
        found = REPORT.findall(output)
        if worker.returncode or not found:
            sys.exit(f"a worker failed:\n{output}")
        artifacts += int(found[-1][0])
        passages += int(found[-1][1])
    return {
        "artifacts": artifacts,
        "passages": passages,
        "seconds": time.perf_counter() - started,
        "workers": workers,
    }


def print_throughput(report: dict) -> None:
    artifacts, seconds, workers = report["artifacts"], report["seconds"], report["workers"]
    print(
        f"embedded {artifacts:,} artifacts ({report['passages']:,} passages) in {seconds:,.0f} s "
        f"with {workers} worker processes"
    )
    if artifacts:
        per_thousand = seconds / artifacts * 1000
        print(
            f"per 1,000 artifacts: {per_thousand:,.1f} s "
            f"({report['passages'] / artifacts:.1f} passages each); 100,000 artifacts: "
            f"{per_thousand * 100 / 60:,.0f} min with {workers} workers, "
            f"{per_thousand * 100 * workers / 3600:,.1f} h with one"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="pypi", help="the kept scratch database's name")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int, default=None, help="artifacts per worker")
    args = parser.parse_args()
    report = embed_with_workers(bench_url(args.bench), workers=args.workers, limit=args.limit)
    print_throughput(report)


if __name__ == "__main__":
    main()
