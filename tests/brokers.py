"""Pointing the cache and the Celery broker at a dead or a private Redis, for tests of how
pages and tasks behave when Redis goes away and comes back (tests/test_resilience.py,
tests/builders/test_mail_queue.py). Nothing is mocked: the sockets really fail."""

import os
import shutil
import socket
import subprocess
import time

import pytest
import redis
from kombu import pools as kombu_pools

from matchgraph.search import vocabulary

DEAD_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
SHORT_TIMEOUTS = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}


def forget_broker_connections(app) -> None:
    """Drop the app's pooled broker connections so the next send connects to the broker
    now configured. `app.pool` is kombu's process-wide pool for the URL: closing it alone
    (`force_close_all()`) would leave the closed pool registered for the next user of that
    URL, so kombu's registries are reset (closed and emptied) instead."""
    kombu_pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def point_redis_at(settings):
    """point(url): the cache and the Celery broker use Redis at `url` (short timeouts, one
    publish attempt, not eager); point(url, cache=False) moves only the broker. Everything
    is restored afterwards."""
    from config.celery import app

    keys = (
        "broker_url",
        "broker_connection_timeout",
        "broker_transport_options",
        "task_publish_retry",
        "task_always_eager",
    )
    saved = {key: app.conf[key] for key in keys}
    # While the cache is unreachable the vocabulary's built version reads as "unversioned",
    # and the process keeps the lexicon it loads under that name: put the previous one back
    # so this test's (rolled-back) vocabulary is not the next test's.
    saved_lexicon = vocabulary._lexicon

    def point(url: str, *, cache: bool = True) -> None:
        if cache:
            settings.CACHES = {
                "default": {
                    "BACKEND": "config.cache.ForgivingRedisCache",
                    "LOCATION": url,
                    "OPTIONS": dict(SHORT_TIMEOUTS),
                }
            }
        # max_retries=0: without it kombu sleeps 2 s after a refused connect before giving
        # up (the project sets it too: test_a_dead_broker_costs_a_request_little_...).
        app.conf.update(
            broker_url=url,
            broker_connection_timeout=0.2,
            broker_transport_options={**SHORT_TIMEOUTS, "max_retries": 0},
            task_publish_retry=False,
            task_always_eager=False,
        )
        forget_broker_connections(app)

    yield point
    app.conf.update(saved)
    forget_broker_connections(app)
    vocabulary._lexicon = saved_lexicon


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own on `port`, started and stopped at will."""

    def __init__(self, binary: str, port: int):
        self.binary = binary
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, **SHORT_TIMEOUTS)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"redis-server did not start on port {self.port}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def queued(self) -> int:
        """Messages waiting in Celery's default queue."""
        return self.client().llen("celery")


@pytest.fixture
def private_redis():
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed; the Redis-back test needs it"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    server = PrivateRedis(binary, _free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
