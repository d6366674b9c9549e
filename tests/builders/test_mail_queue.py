"""Every builders email is sent by a Celery task queued after commit, never inside the
request: with the broker down a claim still answers (the email is dropped and logged), and
with a broker up the email waits in its queue and goes out when the task runs."""

import logging
import re

import pytest
from django.core import mail
from django.urls import reverse
from kombu import Connection

from builders.models import Claim, ClaimStatus
from config.celery import app
from tests.brokers import DEAD_REDIS_URL, point_redis_at, private_redis

pytestmark = [pytest.mark.django_db, pytest.mark.real_worker]

__all__ = ["point_redis_at", "private_redis"]  # the fixtures

SEND_EMAIL = "builders.tasks.send_email"


def claim_by_email(client, artifact):
    return client.post(
        reverse("builders:claim", args=[artifact.slug]),
        {"method": "email", "email": "ada@parrot.example"},
        headers={"HX-Request": "true"},
    )


def test_a_claim_answers_with_the_broker_unreachable(
    builder_client, artifact, point_redis_at, caplog
):
    point_redis_at(DEAD_REDIS_URL, cache=False)
    caplog.set_level(logging.WARNING, logger="config.queueing")
    response = claim_by_email(builder_client, artifact)
    assert response.status_code == 200
    assert "We sent a link to ada@parrot.example" in response.content.decode()
    assert Claim.objects.get().status == ClaimStatus.PENDING
    assert not mail.outbox
    dropped = [record.getMessage() for record in caplog.records]
    assert any(f"dropped {SEND_EMAIL}: broker unreachable" in message for message in dropped)


def test_the_email_waits_for_the_task_and_goes_out_when_it_runs(
    builder_client, artifact, point_redis_at, private_redis
):
    point_redis_at(private_redis.url, cache=False)
    assert claim_by_email(builder_client, artifact).status_code == 200
    assert not mail.outbox  # not sent inside the request
    assert private_redis.queued() == 1

    with Connection(private_redis.url) as connection:
        message = connection.SimpleQueue("celery").get(timeout=2)
        args, kwargs, _embed = message.payload
        message.ack()
    assert message.headers["task"] == SEND_EMAIL
    app.tasks[SEND_EMAIL].apply(args=args, kwargs=kwargs)

    assert [email.to for email in mail.outbox] == [["ada@parrot.example"]]
    path = re.search(r"/claim/confirm/[^/\s]+/", mail.outbox[0].body).group(0)
    assert builder_client.post(path).status_code == 200
    assert Claim.objects.get().status == ClaimStatus.VERIFIED


def test_a_claim_answers_with_the_cache_unreachable_too(
    builder_client, artifact, point_redis_at, caplog
):
    """The rate limits count in the cache; with it down they let the attempt through (the
    mail they guard is dropped with the broker anyway) instead of failing the page."""
    point_redis_at(DEAD_REDIS_URL, cache=True)
    caplog.set_level(logging.WARNING, logger="builders.ratelimit")
    response = claim_by_email(builder_client, artifact)
    assert response.status_code == 200
    assert Claim.objects.get().status == ClaimStatus.PENDING
    assert any("not counted" in record.getMessage() for record in caplog.records)
