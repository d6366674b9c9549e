"""Ranking fixtures: a curator, and Celery in eager mode for tests that run tasks in-process
(CI sets REDIS_URL, which would otherwise send them to a broker nobody consumes)."""

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def eager_celery():
    from config.celery import app

    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def curator_client(client):
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    client.force_login(user)
    return client
