"""The analytics say what was discarded: besides unproven and automated choices, what the
aggregation's screening rules (repeat, client cap, network cap) left out for this artifact,
in a builder's words, from a real aggregation run."""

import datetime as dt

import pytest
from django.urls import reverse

from builders.selectors import SCREENING_WORDS
from matchgraph.aggregation import (
    CLIENT_ARTIFACTS_PER_INTENT,
    NETWORK_ALLOWANCE,
    SCREENING_REASONS,
    match_graph_aggregate,
)
from matchgraph.selectors import artifact_discards
from tests.builders.test_views import verified_claim
from tests.catalog.factories import ArtifactFactory
from tests.conftest import FROZEN_NOW
from tests.matchgraph.factories import IntentFactory, MatchEventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

MORNING = FROZEN_NOW - dt.timedelta(hours=3)


def at(minutes: int) -> dt.datetime:
    return MORNING + dt.timedelta(minutes=minutes)


@pytest.fixture
def screened(artifact, builder):
    """One repeat, one choice past the client cap and one past the network cap, for
    `artifact`; another artifact's discards alongside."""
    verified_claim(artifact, builder)
    intent = IntentFactory(text="read text aloud")
    choose = MatchEventFactory
    # A repeat: the same client chooses it twice the same day.
    choose(intent=intent, artifact=artifact, source_hash="a", created_at=at(0))
    choose(intent=intent, artifact=artifact, source_hash="a", created_at=at(1))
    # The client cap: one client chooses more artifacts for one intent than count, ours last.
    others = ArtifactFactory.create_batch(CLIENT_ARTIFACTS_PER_INTENT)
    for minute, other in enumerate(others):
        choose(intent=intent, artifact=other, source_hash="b", created_at=at(10 + minute))
    choose(intent=intent, artifact=artifact, source_hash="b", created_at=at(30))
    # The network cap: more clients of one network than count, for ours.
    for index in range(NETWORK_ALLOWANCE + 1):
        choose(
            intent=intent,
            artifact=artifact,
            source_hash=f"n{index}",
            network_hash="one-office",
            created_at=at(40 + index),
        )
    choose(intent=intent, artifact=others[0], source_hash="a", created_at=at(50))
    choose(intent=intent, artifact=others[0], source_hash="a", created_at=at(51))
    match_graph_aggregate(now=FROZEN_NOW)
    return artifact


def test_the_aggregation_keeps_each_artifacts_discards_by_rule(screened):
    assert artifact_discards(artifact_id=screened.pk) == {
        "repeat": 1,
        "client_cap": 1,
        "network_cap": 1,
    }


def test_the_analytics_page_says_what_the_screening_discarded(builder_client, screened):
    html = builder_client.get(reverse("builders:analytics", args=[screened.slug])).content.decode()
    section = html[html.index('id="discarded-title"') :]
    for reason in SCREENING_REASONS:
        assert f"<strong>1</strong> in all: {SCREENING_WORDS[reason]}" in section


def test_without_discards_the_page_says_every_choice_counted(builder_client, artifact, builder):
    verified_claim(artifact, builder)
    html = builder_client.get(reverse("builders:analytics", args=[artifact.slug])).content.decode()
    assert "None: every recorded choice counted." in html


def test_every_screening_rule_has_a_builders_explanation():
    assert set(SCREENING_WORDS) == set(SCREENING_REASONS)
