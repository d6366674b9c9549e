"""Recording searches and matches: one row each, no personal data, a daily-rotating hash."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.search_index import artifacts_refresh_search
from matchgraph.models import MAX_RESULT_POSITION, Intent, MatchEvent, SearchEvent
from matchgraph.services import match_record, search_record
from tests.catalog.factories import ArtifactFactory, CapabilityFactory
from tests.conftest import FROZEN_NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

IP = "203.0.113.77"
UA = "Mozilla/5.0 (X11; Linux x86_64) UnfragileFingerprint/9.9"
VISITOR = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": UA}


@pytest.fixture
def studio():
    artifact = ArtifactFactory(name="Caption Studio", slug="caption-studio")
    CapabilityFactory(artifact=artifact, title="Caption product photos")
    artifacts_refresh_search()
    return artifact


def visit(client, artifact, query="caption photos", **meta):
    """One visitor's whole path: search, open a result, mark it as fitting."""
    meta = {**VISITOR, **meta}
    client.get(reverse("matchgraph:search"), {"q": query}, **meta)
    client.get(reverse("matchgraph:open", args=[artifact.slug]), {"q": query, "pos": 1}, **meta)
    client.post(reverse("matchgraph:fits", args=[artifact.slug]), {"q": query}, **meta)


def stored_values(model) -> list[str]:
    names = [field.attname for field in model._meta.concrete_fields]
    return [str(value) for row in model.objects.values_list(*names) for value in row]


def test_no_column_holds_the_ip_or_user_agent(client, studio):
    user = get_user_model().objects.create_user("visitor", "v@example.org", "pw-for-tests")
    client.force_login(user)
    visit(client, studio)
    assert SearchEvent.objects.count() == 1
    assert MatchEvent.objects.count() == 2
    for model in (SearchEvent, MatchEvent, Intent):
        values = stored_values(model)
        for secret in [IP, UA, "UnfragileFingerprint", "visitor", "v@example.org"]:
            assert not any(secret in value for value in values), (model, secret)


def test_event_tables_have_no_personal_columns():
    for model in (SearchEvent, MatchEvent):
        columns = {field.name for field in model._meta.get_fields()}
        assert columns.isdisjoint({"ip", "ip_address", "user_agent", "user", "session"})
        assert not any(
            field.is_relation and field.related_model is get_user_model()
            for field in model._meta.get_fields()
        )


def test_same_visitor_same_day_has_one_hash(client, studio, frozen_clock):
    visit(client, studio)
    frozen_clock.shift(dt.timedelta(hours=3))
    visit(client, studio)
    hashes = {event.source_hash for event in SearchEvent.objects.all()} | {
        event.source_hash for event in MatchEvent.objects.all()
    }
    assert len(hashes) == 1


def test_hash_rotates_by_day(client, studio, frozen_clock):
    visit(client, studio)
    frozen_clock.shift(dt.timedelta(days=1))
    visit(client, studio)
    first, second = SearchEvent.objects.order_by("created_at")
    assert first.created_at == FROZEN_NOW
    assert second.created_at == FROZEN_NOW + dt.timedelta(days=1)
    assert first.source_hash != second.source_hash


def test_different_visitors_have_different_hashes(client, studio):
    visit(client, studio)
    visit(client, studio, REMOTE_ADDR="198.51.100.9")
    assert SearchEvent.objects.values("source_hash").distinct().count() == 2


def test_services_record_at_the_given_time():
    artifact = ArtifactFactory()
    at = dt.datetime(2026, 8, 1, 9, 30, tzinfo=dt.UTC)
    match = match_record(
        query="Caption photos", artifact_id=artifact.pk, via="click", source_hash="h", at=at
    )
    search = search_record(
        query="caption photos!", shown_artifact_ids=[artifact.pk], source_hash="h", at=at
    )
    assert match.created_at == search.created_at == at
    assert match.intent == search.intent
    assert Intent.objects.get().text == "caption photos"


def test_search_record_keeps_at_most_fifty_shown():
    event = search_record(query="caption", shown_artifact_ids=list(range(1, 80)), source_hash="h")
    assert event.shown_artifact_ids == list(range(1, 51))


@pytest.mark.parametrize(
    "overrides",
    [
        {"query": "the of and"},
        {"via": "hacked"},
        {"artifact_id": 0},
    ],
)
def test_match_record_refuses_what_it_cannot_count(overrides):
    artifact = ArtifactFactory()
    arguments = {
        "query": "caption photos",
        "artifact_id": artifact.pk,
        "via": "click",
        "source_hash": "h",
        **overrides,
    }
    assert match_record(**arguments) is None
    assert not MatchEvent.objects.exists()


@pytest.mark.parametrize(
    ("position", "stored"),
    [(1, 1), (MAX_RESULT_POSITION, MAX_RESULT_POSITION), (10_000, None), (0, None), (-1, None)],
)
def test_match_record_bounds_the_position(position, stored):
    artifact = ArtifactFactory()
    match = match_record(
        query="caption", artifact_id=artifact.pk, via="fits", source_hash="h", position=position
    )
    assert match.position == stored
