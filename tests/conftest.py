"""Project-wide fixtures: a fixed clock and fast password hashing."""

import datetime as dt
import uuid

import pytest
import time_machine

FROZEN_NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test gets an empty local-memory cache, so cached facet choices never leak between
    tests. (Clearing a shared Redis instead would also flush Celery's broker queues.) Tests
    about caching itself override CACHES again with the real Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request):
    """Celery tasks run eagerly in tests, even when REDIS_URL points at a broker (CI), so a
    request's recording is visible to the next assertion. Tests marked `real_worker` send
    tasks to a real broker and worker instead."""
    if request.node.get_closest_marker("real_worker"):
        yield
        return
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def frozen_clock():
    """Pin "now" so dates on pages and freshness maths are repeatable."""
    with time_machine.travel(FROZEN_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _no_vectors_from_other_tests():
    """Meaning search keeps a process copy of the vectors, refreshed every few seconds: a
    test must not see the rows of a test that ran (and rolled back) just before it."""
    from catalog.embeddings.store import forget_loaded_vectors

    forget_loaded_vectors()
    yield
