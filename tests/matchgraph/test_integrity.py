"""Match-graph integrity: a choice counts only with proof it was shown to that client for that
intent; one client or one network cannot buy more than a capped share; what is discarded is
counted for curators; intent text goes public only with distinct clients and without spam."""

import datetime as dt
import hashlib
import urllib.parse

import pytest
from django.urls import reverse

from catalog.search_index import artifacts_refresh_search
from matchgraph.aggregation import NETWORK_ALLOWANCE, match_graph_aggregate
from matchgraph.models import AggregationRun, ArtifactMatchStats, Intent, MatchEvent
from matchgraph.services import intents_set_hidden
from tests.catalog.factories import ArtifactFactory, CapabilityFactory
from tests.clients import shown_token
from tests.matchgraph.factories import IntentFactory, MatchEventFactory, SearchEventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

QUERY = "caption photos"
HOME = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "Mozilla/5.0 Firefox/140.0"}


@pytest.fixture
def studio():
    artifact = ArtifactFactory(name="Caption Studio", slug="caption-studio")
    CapabilityFactory(artifact=artifact, title="Caption product photos")
    ArtifactFactory(name="Photo Captioner", slug="photo-captioner", summary="Caption photos")
    artifacts_refresh_search()
    return artifact


def open_result(client, artifact, token, *, query=QUERY, method="get", **meta):
    url = reverse("matchgraph:open", args=[artifact.slug])
    send = client.post if method == "post" else client.get
    return send(url, {"q": query, "t": token}, **{**HOME, **meta})


def evidence_recorded() -> list[str]:
    return list(MatchEvent.objects.order_by("pk").values_list("evidence", flat=True))


class TestImpressionTokens:
    def test_a_token_proves_the_choice_it_was_shown_for(self, client, studio):
        open_result(client, studio, shown_token(client, QUERY, studio.slug, **HOME))
        assert evidence_recorded() == ["shown"]

    def test_a_token_from_another_address_proves_nothing(self, client, studio):
        token = shown_token(client, QUERY, studio.slug, **HOME)
        open_result(client, studio, token, REMOTE_ADDR="198.51.100.9")
        assert evidence_recorded() == ["unproven"]

    def test_a_token_for_another_query_proves_nothing(self, client, studio):
        token = shown_token(client, QUERY, studio.slug, **HOME)
        open_result(client, studio, token, query="speech recognition")
        assert evidence_recorded() == ["unproven"]

    def test_the_same_query_typed_differently_is_the_same_intent(self, client, studio):
        token = shown_token(client, QUERY, studio.slug, **HOME)
        open_result(client, studio, token, query="  Caption the PHOTOS! ")
        assert evidence_recorded() == ["shown"]

    def test_a_token_for_another_artifact_proves_nothing(self, client, studio):
        other = ArtifactFactory(slug="other-one")
        open_result(client, other, shown_token(client, QUERY, studio.slug, **HOME))
        assert evidence_recorded() == ["unproven"]

    def test_a_token_expires(self, client, studio, frozen_clock, settings):
        token = shown_token(client, QUERY, studio.slug, **HOME)
        frozen_clock.shift(dt.timedelta(seconds=settings.MATCHGRAPH_IMPRESSION_MAX_AGE + 1))
        open_result(client, studio, token)
        assert evidence_recorded() == ["unproven"]

    def test_a_tampered_position_breaks_the_signature(self, client, studio):
        token = shown_token(client, QUERY, studio.slug, **HOME)
        shown_at = token.split(":")[0]
        forged = token.replace(shown_at, f"{studio.pk}.999", 1)
        open_result(client, studio, forged)
        assert evidence_recorded() == ["unproven"]

    def test_a_new_user_agent_keeps_the_token_valid(self, client, studio):
        token = shown_token(client, QUERY, studio.slug, **HOME)
        open_result(client, studio, token, HTTP_USER_AGENT="Mozilla/5.0 Rotated/7")
        assert evidence_recorded() == ["shown"]

    @pytest.mark.parametrize(
        "meta",
        [
            {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
            {"HTTP_PURPOSE": "prefetch"},
            {"HTTP_X_MOZ": "prefetch"},
            {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
            {"HTTP_USER_AGENT": "python-requests/2.32"},
        ],
    )
    def test_prefetches_and_robots_are_automated(self, client, studio, meta):
        token = shown_token(client, QUERY, studio.slug, **HOME)
        response = open_result(client, studio, token, **meta)
        assert response.status_code == 302
        assert evidence_recorded() == ["automated"]

    def test_head_is_automated(self, client, studio):
        token = shown_token(client, QUERY, studio.slug, **HOME)
        url = reverse("matchgraph:open", args=[studio.slug])
        response = client.head(f"{url}?{urllib.parse.urlencode({'q': QUERY, 't': token})}", **HOME)
        assert response.status_code == 302
        assert evidence_recorded() == ["automated"]

    def test_this_fits_needs_the_token_too(self, client, studio):
        url = reverse("matchgraph:fits", args=[studio.slug])
        client.post(url, {"q": QUERY, "pos": "9"}, **HOME)
        token = shown_token(client, QUERY, studio.slug, **HOME)
        client.post(url, {"q": QUERY, "t": token}, **HOME)
        assert evidence_recorded() == ["unproven", "shown"]

    def test_only_proven_choices_count(self, client, studio):
        for agent in range(5):
            open_result(client, studio, "", HTTP_USER_AGENT=f"Agent/{agent}")
        match_graph_aggregate()
        studio.refresh_from_db()
        assert studio.times_matched == 0


def choice(artifact, *, source, network=None, intent=QUERY, via="click"):
    return MatchEventFactory(
        intent=IntentFactory(text=intent),
        artifact=artifact,
        source_hash=source,
        network_hash=network or source,
        via=via,
    )


class TestCaps:
    def test_one_client_counts_once_per_artifact_per_day_whatever_it_types(self, studio):
        for index in range(40):
            choice(studio, source="script", intent=f"caption photos {index}", via="fits")
        match_graph_aggregate()
        studio.refresh_from_db()
        assert studio.times_matched == 1

    def test_one_client_chooses_a_capped_number_of_artifacts_per_intent(self, studio):
        artifacts = [ArtifactFactory() for _ in range(8)]
        for artifact in artifacts:
            choice(artifact, source="eager")
        match_graph_aggregate()
        counted = ArtifactMatchStats.objects.filter(matches_total=1).count()
        assert counted == 5
        assert AggregationRun.objects.get().discarded == {"client_cap": 3}

    def test_one_network_counts_as_a_few_clients(self, studio):
        for address in range(50):
            choice(studio, source=f"address-{address}", network="one-slash-24")
        match_graph_aggregate()
        studio.refresh_from_db()
        assert studio.times_matched == NETWORK_ALLOWANCE
        stats = ArtifactMatchStats.objects.get(artifact=studio)
        assert stats.distinct_clients == 1

    def test_distinct_networks_all_count(self, studio):
        for address in range(30):
            choice(studio, source=f"address-{address}")
        match_graph_aggregate()
        studio.refresh_from_db()
        assert studio.times_matched == 30


class TestDiscardsAreReported:
    def test_each_run_counts_what_it_discarded_and_why(self, studio):
        choice(studio, source="a")
        choice(studio, source="a")  # repeat
        for address in range(4):
            choice(studio, source=f"net-{address}", network="block")  # two past the allowance
        MatchEventFactory(artifact=studio, evidence="unproven")
        MatchEventFactory(artifact=studio, evidence="automated")
        hidden = IntentFactory(text="hidden need", is_hidden=True)
        MatchEventFactory(artifact=studio, intent=hidden)
        report = match_graph_aggregate()
        run = AggregationRun.objects.get()
        assert run.choices_read == 9
        assert run.choices_counted == report.choices_counted == 3
        assert (
            run.discarded
            == report.discarded
            == {
                "repeat": 1,
                "network_cap": 2,
                "unproven": 1,
                "automated": 1,
                "hidden_intent": 1,
            }
        )
        assert run.choices_discarded == 6

    def test_curators_see_the_runs_and_the_unproven_choices(self, admin_client, studio):
        MatchEventFactory(artifact=studio, evidence="unproven")
        match_graph_aggregate()
        runs = admin_client.get(reverse("admin:matchgraph_aggregationrun_changelist"))
        assert "No impression token: the client was not shown it for that search: 1" in (
            runs.content.decode()
        )
        events = admin_client.get(
            reverse("admin:matchgraph_matchevent_changelist"), {"evidence": "unproven"}
        )
        assert "Caption Studio" in events.content.decode()


class TestPublicIntents:
    def searched(self, text, clients, *, network=None):
        intent = IntentFactory(text=text)
        for client_number in range(clients):
            source = hashlib.md5(f"{text}-{client_number}".encode()).hexdigest()
            SearchEventFactory(intent=intent, source_hash=source, network_hash=network or source)
        return intent

    def public_texts(self) -> set[str]:
        return set(Intent.objects.public().values_list("text", flat=True))

    def test_public_once_enough_distinct_clients_searched_it(self, settings):
        settings.MATCHGRAPH_PUBLIC_INTENT_MIN_CLIENTS = 3
        self.searched("caption photos", 3)
        self.searched("transcribe meetings", 2)
        self.searched("one block", 20, network="block")
        match_graph_aggregate()
        assert self.public_texts() == {"caption photos"}
        assert Intent.objects.get(text="one block").client_count == 1

    @pytest.mark.parametrize(
        "text",
        [
            "free crypto giveaway evil example dot com",
            "best deals www cheap",
            "visit https spam",
            "call 5551234567 now",
            "online casino bonus",
        ],
    )
    def test_spam_is_never_public(self, text):
        self.searched(text, 10)
        match_graph_aggregate()
        assert self.public_texts() == set()

    def test_hiding_takes_it_off_public_pages_at_once(self):
        intent = self.searched("caption photos", 5)
        match_graph_aggregate()
        assert self.public_texts() == {"caption photos"}
        intents_set_hidden(intent_ids=[intent.pk], hidden=True)
        assert self.public_texts() == set()

    def test_a_private_intent_is_not_named_on_the_comparison(self, client, studio):
        other = ArtifactFactory(name="Caption Pro", slug="caption-pro")
        for artifact in (studio, other):
            choice(artifact, source="lonely", intent="free crypto giveaway")
            for number in range(3):
                choice(artifact, source=f"fan-{number}", intent="caption product photos")
        match_graph_aggregate()
        response = client.get(f"/compare/{studio.slug}-vs-{other.slug}/", follow=True)
        html = response.content.decode()
        assert "caption product photos" in html
        assert "giveaway" not in html
