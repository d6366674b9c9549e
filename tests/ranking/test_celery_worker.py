"""The full recompute through a real Celery worker on Redis, against the test database.

Skips when Redis is unreachable, unless REQUIRE_SERVICES=1 (then it fails)."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.db import connection

from catalog.models import Artifact
from ranking.models import RankRun, RankScore
from ranking.tasks import recompute_all_ranks
from tests.catalog.factories import ArtifactFactory, SignalsFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_worker]

BASE_DIR = Path(__file__).resolve().parents[2]
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# A queue of its own: the worker never picks up other tests' messages, nor they its.
QUEUE = "ranking-integration-test"


def redis_url_or_skip() -> str:
    import redis

    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.exceptions.RedisError as error:
        message = f"Redis is unreachable at {url} ({error}); the real-worker test needs it"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


def worker_database_url() -> str:
    """The pytest test database as a URL for the worker (a unix-socket HOST is
    percent-encoded, which dj-database-url decodes)."""
    settings = connection.settings_dict
    host = settings["HOST"] or "localhost"
    if host != host.lower():
        pytest.skip("urlparse lower-cases host names, so this socket path cannot be passed")
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return (
        f"postgres://{credentials}{quote(host, safe='')}{port}/{quote(settings['NAME'], safe='')}"
    )


@pytest.fixture
def worker():
    redis_url = redis_url_or_skip()
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": worker_database_url(),
        "DB_CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--queues",
            QUEUE,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    producer = Celery("ranking-worker-test", broker=redis_url, backend=redis_url)
    producer.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    try:
        yield producer, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        producer.close()


def test_recompute_all_runs_on_a_real_worker(worker):
    producer, process = worker
    for index, stars in enumerate([10, 5_000, 80_000]):
        SignalsFactory(artifact=ArtifactFactory(name=f"Worker test {index}"), stars=stars)

    result = producer.send_task(recompute_all_ranks.name, queue=QUEUE)
    started = time.monotonic()
    try:
        report = result.get(timeout=90)
    except Exception as error:
        process.terminate()
        output = process.communicate(timeout=15)[0]
        pytest.fail(f"worker did not finish the task ({error!r}); its output:\n{output[-4000:]}")

    run = RankRun.objects.get(is_current=True)
    assert report["run_id"] == run.pk
    assert report["artifacts_ranked"] == 3
    assert RankScore.objects.filter(run=run).count() == 3
    assert not Artifact.objects.filter(current_rank__isnull=True).exists()
    assert time.monotonic() - started < 90
