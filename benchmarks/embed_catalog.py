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
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
REPORT = re.compile(r"Embedded (\d+) artifacts \((\d+) passages\)")


def bench_url(bench: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL must name the development database the bench sits beside")
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"{parts.path}_{bench}_bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="pypi", help="the kept scratch database's name")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int, default=None, help="artifacts per worker")
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": bench_url(args.bench)}
    env.pop("REDIS_URL", None)  # never the development site's cache or broker
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True)
    command = [*manage, "embed_artifacts", "--batch-size", "64"]
    if args.limit:
        command += ["--limit", str(args.limit)]
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [*command, "--shard", f"{index}/{args.workers}"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(args.workers)
    ]
    artifacts = passages = 0
    for worker in workers:
        output, _ = worker.communicate()
        found = REPORT.findall(output)
        if worker.returncode or not found:
            sys.exit(f"a worker failed:\n{output}")
        artifacts += int(found[-1][0])
        passages += int(found[-1][1])
    seconds = time.perf_counter() - started
    print(
        f"embedded {artifacts:,} artifacts ({passages:,} passages) in {seconds:,.0f} s "
        f"with {args.workers} worker processes"
    )
    if artifacts:
        per_thousand = seconds / artifacts * 1000
        print(
            f"per 1,000 artifacts: {per_thousand:,.1f} s ({passages / artifacts:.1f} passages "
            f"each); 100,000 artifacts: {per_thousand * 100 / 60:,.0f} min with "
            f"{args.workers} workers, {per_thousand * 100 * args.workers / 3600:,.1f} h "
            "with one"
        )


if __name__ == "__main__":
    main()
