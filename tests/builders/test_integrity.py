"""A builder's own choices of their artifact never reach the match graph."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from builders import services
from builders.models import Claim
from catalog.search_index import artifacts_refresh_search
from matchgraph.models import MatchEvent
from matchgraph.recording import _chosen_by_its_builder
from tests.builders.conftest import make_user
from tests.catalog.factories import CapabilityFactory
from tests.clients import CommittingClient
from tests.matchgraph.test_recording import visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def client():
    """Runs on-commit callbacks, so recording's queued tasks happen (as in matchgraph's tests)."""
    return CommittingClient()


@pytest.fixture
def owned(artifact, builder):
    CapabilityFactory(artifact=artifact, title="Read text aloud")
    artifacts_refresh_search()
    claim = Claim.objects.create(artifact=artifact, user=builder, method="curator")
    services.claim_approve(claim=claim, curator=make_user("curator"))
    return artifact


def test_the_builders_own_choices_are_not_recorded(builder_client, owned):
    visit(builder_client, owned, query="read text aloud")
    assert not MatchEvent.objects.exists()


def test_anyone_elses_choices_are(client, owned):
    client.force_login(make_user("listener"))
    visit(client, owned, query="read text aloud")
    assert MatchEvent.objects.filter(artifact=owned).count() == 2


def test_a_revoked_builder_counts_like_anyone(builder_client, owned, builder):
    services.claim_revoke(claim=Claim.objects.get(user=builder), curator=builder)
    visit(builder_client, owned, query="read text aloud")
    assert MatchEvent.objects.filter(artifact=owned).count() == 2


def test_checking_costs_anonymous_visitors_no_query(owned, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert not _chosen_by_its_builder(request, artifact_id=owned.pk)
