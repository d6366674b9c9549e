"""The claim flow and the builder pages over HTTP: htmx partials, status codes, CSRF, who
may see what, query counts and the CSV export."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from builders import services
from builders.models import Claim, ClaimMethod, ClaimStatus
from matchgraph.models import Intent, IntentArtifactEdge, MatchEvent, SearchEvent
from tests.builders.conftest import Route, make_user
from tests.catalog.factories import ArtifactFactory
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def claim_url(artifact) -> str:
    return reverse("builders:claim", args=[artifact.slug])


def verified_claim(artifact, user) -> Claim:
    claim = Claim.objects.create(artifact=artifact, user=user, method=ClaimMethod.CURATOR)
    services.claim_approve(claim=claim, curator=make_user("curator"))
    return claim


class TestClaimPanel:
    def test_the_artifact_page_opens_the_claim_panel_in_place(self, client, artifact):
        html = client.get(artifact.get_absolute_url()).content.decode()
        assert f'hx-get="{claim_url(artifact)}"' in html
        assert f'href="{claim_url(artifact)}"' in html

    def test_a_visitor_is_asked_to_log_in(self, client, artifact):
        partial = client.get(claim_url(artifact), **HTMX).content.decode()
        assert partial.lstrip().startswith('<div id="claim-panel"')
        assert "Log in" in partial and "<html" not in partial
        page = client.get(claim_url(artifact)).content.decode()
        assert "<html" in page and "Claim Parrot TTS" in page

    def test_a_visitor_posting_is_sent_to_log_in(self, client, artifact):
        response = client.post(claim_url(artifact), {"method": "curator", "evidence": "x"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_an_unconfirmed_account_cannot_claim(self, client, artifact):
        client.force_login(make_user("new", verified=False))
        assert (
            "Confirm your email address first" in client.get(claim_url(artifact)).content.decode()
        )
        response = client.post(claim_url(artifact), {"method": "curator", "evidence": "x"}, **HTMX)
        assert response.status_code == 403
        assert not Claim.objects.exists()

    def test_the_form_offers_each_verifier_that_applies(self, builder_client, artifact):
        html = builder_client.get(claim_url(artifact), **HTMX).content.decode()
        assert "Email at the homepage" in html and "Token on the homepage" in html
        assert "Reviewed by a curator" in html
        bare = ArtifactFactory(name="No Homepage", homepage="")
        html = builder_client.get(claim_url(bare), **HTMX).content.decode()
        assert "Token on the homepage" not in html and "a curator reviews every claim" in html
        repo = ArtifactFactory(name="On GitHub", homepage="https://github.com/parrot/tts")
        html = builder_client.get(claim_url(repo), **HTMX).content.decode()
        assert "Email at the homepage" not in html and "Token on the homepage" not in html
        assert "Reviewed by a curator" in html

    def test_an_email_claim_through_the_page(self, builder_client, artifact):
        response = builder_client.post(
            claim_url(artifact), {"method": "email", "email": "ada@parrot.example"}, **HTMX
        )
        assert response.status_code == 200
        assert "We sent a link to ada@parrot.example" in response.content.decode()
        path = re.search(r"/claim/confirm/[^/\s]+/", mail.outbox[-1].body).group(0)

        other = Client()  # the link works from any browser: it is the proof
        assert "Confirm" in other.get(path).content.decode()
        assert Claim.objects.get().status == ClaimStatus.PENDING  # a GET changes nothing
        assert other.post(path).status_code == 200
        assert Claim.objects.get().status == ClaimStatus.VERIFIED
        assert other.post(path).status_code == 400

    def test_bad_input_is_a_400_with_the_message(self, builder_client, artifact):
        response = builder_client.post(
            claim_url(artifact), {"method": "email", "email": "ada@gmail.com"}, **HTMX
        )
        assert response.status_code == 400
        assert "homepage&#x27;s domain" in response.content.decode()
        assert builder_client.post(claim_url(artifact), {"method": "nope"}).status_code == 400

    def test_too_many_attempts_is_a_429(self, builder_client, artifact):
        from builders.ratelimit import CLAIM_ATTEMPTS_PER_USER

        for _ in range(CLAIM_ATTEMPTS_PER_USER.limit):
            builder_client.post(claim_url(artifact), {"method": "curator", "evidence": "proof"})
        response = builder_client.post(claim_url(artifact), {"method": "curator", "evidence": "p"})
        assert response.status_code == 429

    def test_a_token_claim_checked_through_the_task(
        self, homepage_server, builder_client, django_capture_on_commit_callbacks
    ):
        artifact = ArtifactFactory(name="Local", homepage=homepage_server.url("/"))
        builder_client.post(claim_url(artifact), {"method": "well_known"}, **HTMX)
        claim = Claim.objects.get()
        html = builder_client.get(claim_url(artifact), **HTMX).content.decode()
        assert claim.token in html and "/.well-known/unfragile-verify.txt" in html

        check = reverse("builders:claim-check", args=[claim.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = builder_client.post(check, **HTMX)
        assert response.status_code == 202
        assert "Checking now" in response.content.decode()
        assert "No token at" in builder_client.get(claim_url(artifact), **HTMX).content.decode()

        homepage_server.routes["/.well-known/unfragile-verify.txt"] = Route(
            body=claim.token.encode()
        )
        with django_capture_on_commit_callbacks(execute=True):
            builder_client.post(check, **HTMX)
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.VERIFIED
        # Verified: nothing left to check.
        assert builder_client.post(check, **HTMX).status_code == 400

    def test_someone_elses_claim_cannot_be_checked(self, client, artifact, builder):
        claim = services.claim_start(
            artifact=artifact, user=builder, method="well_known", absolute_url=str
        )
        client.force_login(make_user("other"))
        assert client.post(reverse("builders:claim-check", args=[claim.pk])).status_code == 404


class TestBadge:
    def test_the_artifact_page_shows_how_it_was_verified(self, client, artifact, builder):
        assert "Verified builder" not in client.get(artifact.get_absolute_url()).content.decode()
        verified_claim(artifact, builder)
        html = client.get(artifact.get_absolute_url()).content.decode()
        assert "Verified builder · reviewed by a curator" in html


def test_every_form_refuses_a_post_without_a_csrf_token(artifact, builder):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("builders:sign-up"), {}).status_code == 403
    assert client.post(reverse("builders:login"), {}).status_code == 403
    assert client.post(reverse("builders:password-reset"), {}).status_code == 403
    assert client.post(reverse("builders:claim-confirm", args=["x"])).status_code == 403
    client.force_login(builder)
    assert client.post(reverse("builders:logout")).status_code == 403
    assert client.post(reverse("builders:resend-verification")).status_code == 403
    assert client.post(claim_url(artifact), {"method": "curator"}, **HTMX).status_code == 403
    claim = services.claim_start(
        artifact=artifact, user=builder, method="well_known", absolute_url=str
    )
    assert client.post(reverse("builders:claim-check", args=[claim.pk])).status_code == 403
    assert Claim.objects.count() == 1


@pytest.fixture
def owned(artifact, builder):
    verified_claim(artifact, builder)
    return artifact


@pytest.fixture
def traffic(owned, frozen_clock):
    rival = ArtifactFactory(name="Rival TTS")
    intents = [
        Intent.objects.create(text=text, is_public=True, client_count=5)
        for text in ("read text aloud", "voice for my app", "secret private search")
    ]
    Intent.objects.filter(text="secret private search").update(is_public=False)
    IntentArtifactEdge.objects.create(intent=intents[0], artifact=owned, impressions=40, matches=10)
    IntentArtifactEdge.objects.create(intent=intents[1], artifact=owned, impressions=30, matches=0)
    IntentArtifactEdge.objects.create(intent=intents[2], artifact=owned, impressions=99, matches=0)
    IntentArtifactEdge.objects.create(intent=intents[1], artifact=rival, impressions=30, matches=12)
    for _ in range(3):
        SearchEvent.objects.create(
            intent=intents[0],
            shown_artifact_ids=[rival.pk, owned.pk],
            source_hash="s",
            created_at=FROZEN_NOW,
        )
    MatchEvent.objects.create(
        intent=intents[0], artifact=owned, source_hash="s", created_at=FROZEN_NOW
    )
    MatchEvent.objects.create(
        intent=intents[0],
        artifact=owned,
        source_hash="s",
        created_at=FROZEN_NOW,
        evidence="unproven",
    )
    return owned


class TestDashboard:
    def test_visitors_are_sent_to_log_in(self, client, owned):
        for url in (
            reverse("builders:dashboard"),
            reverse("builders:analytics", args=[owned.slug]),
            reverse("builders:analytics-export", args=[owned.slug, "daily"]),
        ):
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    @pytest.mark.parametrize("who", ["stranger", "pending claimant", "revoked owner"])
    def test_only_the_verified_builder_sees_analytics(self, client, owned, builder, who):
        if who == "stranger":
            user = make_user("stranger")
        elif who == "pending claimant":
            user = make_user("hopeful")
            Claim.objects.create(artifact=owned, user=user, method="curator")
        else:
            user = builder
            services.claim_revoke(claim=Claim.objects.get(user=builder), curator=user)
        client.force_login(user)
        assert client.get(reverse("builders:analytics", args=[owned.slug])).status_code == 404
        export = reverse("builders:analytics-export", args=[owned.slug, "intents"])
        assert client.get(export).status_code == 404

    def test_the_dashboard_lists_claims(self, builder_client, owned, django_assert_num_queries):
        other = ArtifactFactory(name="Second Thing")
        Claim.objects.create(artifact=other, user=Claim.objects.get().user, method="curator")
        # session, user, claims, submissions, account
        with django_assert_num_queries(5):
            html = builder_client.get(reverse("builders:dashboard")).content.decode()
        assert "Parrot TTS" in html and "Match analytics" in html
        assert "Second Thing" in html and "Next step" in html

    def test_analytics_show_intents_missed_intents_and_competitors(
        self, builder_client, traffic, django_assert_num_queries
    ):
        url = reverse("builders:analytics", args=[traffic.slug])
        # session, user, artifact, edges, daily shown, daily chosen, competitors, screening
        # discards, rank, pending corrections
        with django_assert_num_queries(10):
            response = builder_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "read text aloud" in html and "voice for my app" in html
        assert "secret private search" not in html  # not public: its text stays hidden
        assert "Rival TTS" in html
        assert "<svg" in html and "shown 3 times, chosen 1 times" in html
        assert "1 more choices were not counted" in html
        assert "No documentation link" in html

    def test_csv_exports(self, builder_client, traffic):
        daily = builder_client.get(
            reverse("builders:analytics-export", args=[traffic.slug, "daily"])
        )
        assert daily["Content-Type"].startswith("text/csv")
        lines = daily.content.decode().splitlines()
        assert lines[0] == "day,impressions,matches,match_rate,choices_not_counted"
        assert lines[-1] == "2026-11-24,3,1,0.3333,1"
        intents = (
            builder_client.get(reverse("builders:analytics-export", args=[traffic.slug, "intents"]))
            .content.decode()
            .splitlines()
        )
        assert intents == [
            "intent,impressions,matches,match_rate",
            "read text aloud,40,10,0.2500",
            "voice for my app,30,0,0.0000",
        ]
        unknown = reverse("builders:analytics-export", args=[traffic.slug, "other"])
        assert builder_client.get(unknown).status_code == 404
