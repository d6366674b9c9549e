"""Claims: each verifier end to end through the services, the state machine, the audit log,
one verified owner per artifact, and the listing's denormalized claim state."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import TestCase

from builders import services
from builders.models import Claim, ClaimEvent, ClaimMethod, ClaimStatus
from catalog.models import Artifact
from tests.builders.conftest import Route, make_user
from tests.catalog.factories import ArtifactFactory

pytestmark = pytest.mark.django_db


def absolute(path: str) -> str:
    return f"http://testserver{path}"


def start(artifact, user, method, **kwargs) -> Claim:
    """Start a claim and run what it queued after commit (its emails, sent by a task)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.claim_start(
            artifact=artifact, user=user, method=method, absolute_url=absolute, **kwargs
        )


def link_token() -> str:
    return re.search(r"/claim/confirm/([^/\s]+)/", mail.outbox[-1].body).group(1)


def listing(artifact) -> tuple[str, bool]:
    row = Artifact.objects.get(pk=artifact.pk)
    return row.claim_status, row.verified_at is not None


class TestEmailVerifier:
    def test_the_link_verifies_the_claim_once(self, artifact, builder):
        claim = start(artifact, builder, ClaimMethod.EMAIL, email="ada@parrot.example")
        assert mail.outbox[-1].to == ["ada@parrot.example"]
        assert listing(artifact) == ("pending", False)

        services.claim_confirm_email(token=link_token())
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.VERIFIED
        assert claim.decided_by is None and claim.decided_at is not None
        assert listing(artifact) == ("verified", True)

        with pytest.raises(services.ClaimRefused, match="already used"):
            services.claim_confirm_email(token=link_token())

    def test_an_old_link_has_expired(self, artifact, builder, settings):
        start(artifact, builder, ClaimMethod.EMAIL, email="ada@parrot.example")
        token = link_token()
        later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(
            seconds=settings.BUILDERS_CLAIM_LINK_MAX_AGE + 60
        )
        with time_machine.travel(later), pytest.raises(services.ClaimRefused, match="expired"):
            services.claim_confirm_email(token=token)
        assert Claim.objects.get().status == ClaimStatus.PENDING

    def test_a_tampered_link_is_refused(self, artifact, builder):
        claim = start(artifact, builder, ClaimMethod.EMAIL, email="ada@parrot.example")
        forged = link_token().replace(f"{claim.pk}:", f"{claim.pk + 1}:", 1)
        with pytest.raises(services.ClaimRefused, match="not valid"):
            services.claim_confirm_email(token=forged)

    @pytest.mark.parametrize(
        "email, accepted",
        [
            ("ada@parrot.example", True),
            ("ada@PARROT.example", True),
            ("ada@evilparrot.example", False),
            ("ada@parrot.example.evil.test", False),
            ("ada@gmail.com", False),
        ],
    )
    def test_the_address_must_be_at_the_homepage_domain(self, artifact, builder, email, accepted):
        if accepted:
            assert start(artifact, builder, ClaimMethod.EMAIL, email=email).pk
        else:
            with pytest.raises(services.ClaimRefused, match="homepage's domain"):
                start(artifact, builder, ClaimMethod.EMAIL, email=email)
            assert not mail.outbox

    @pytest.mark.parametrize(
        "homepage, email",
        [
            ("https://github.com/parrot/tts", "ada@github.com"),
            ("https://parrot.github.io/", "ada@github.io"),
            ("https://huggingface.co/parrot/tts", "ada@huggingface.co"),
        ],
    )
    def test_shared_hosts_prove_nothing(self, builder, homepage, email):
        shared = ArtifactFactory(homepage=homepage)
        with pytest.raises(services.ClaimRefused):
            start(shared, builder, ClaimMethod.EMAIL, email=email)

    def test_a_subdomain_homepage_accepts_the_parent_domain(self, builder):
        docs = ArtifactFactory(homepage="https://www.docs.parrot.example/")
        assert start(docs, builder, ClaimMethod.EMAIL, email="ada@parrot.example").pk


class TestWellKnownVerifier:
    def claim_on(self, server, builder):
        artifact = ArtifactFactory(homepage=server.url("/home"))
        return start(artifact, builder, ClaimMethod.WELL_KNOWN)

    def test_a_token_file_verifies(self, homepage_server, builder):
        claim = self.claim_on(homepage_server, builder)
        homepage_server.routes["/.well-known/unfragile-verify.txt"] = Route(
            body=f"other line\n{claim.token}\n".encode()
        )
        verdict = services.claim_check_well_known(claim=claim)
        assert verdict.proven, verdict.message
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.VERIFIED
        assert "unfragile-verify.txt" in claim.last_check_message

    def test_a_meta_tag_on_the_homepage_verifies(self, homepage_server, builder):
        claim = self.claim_on(homepage_server, builder)
        homepage_server.routes["/home"] = Route(
            body=f'<html><head><meta name="Unfragile-Verify" content="{claim.token}">'.encode()
        )
        assert services.claim_check_well_known(claim=claim).proven

    def test_a_wrong_token_leaves_the_claim_pending_and_says_why(self, homepage_server, builder):
        claim = self.claim_on(homepage_server, builder)
        homepage_server.routes["/.well-known/unfragile-verify.txt"] = Route(body=b"unfragile-x")
        assert not services.claim_check_well_known(claim=claim).proven
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.PENDING
        assert "No token at" in claim.last_check_message and claim.last_check_at

    def test_a_private_homepage_is_never_fetched_in_production(
        self, homepage_server, builder, settings
    ):
        claim = self.claim_on(homepage_server, builder)
        homepage_server.routes["/.well-known/unfragile-verify.txt"] = Route(
            body=claim.token.encode()
        )
        settings.BUILDERS_FETCH_ALLOW_PRIVATE = False
        verdict = services.claim_check_well_known(claim=claim)
        assert not verdict.proven and "private" in verdict.message

    def test_an_oversized_or_slow_homepage_does_not_verify(
        self, homepage_server, builder, settings
    ):
        claim = self.claim_on(homepage_server, builder)
        settings.BUILDERS_FETCH_MAX_BYTES = 100
        settings.BUILDERS_FETCH_TIMEOUT = 0.3
        homepage_server.routes["/.well-known/unfragile-verify.txt"] = Route(
            body=claim.token.encode() + b"x" * 200
        )
        homepage_server.routes["/home"] = Route(body=claim.token.encode(), delay=1)
        verdict = services.claim_check_well_known(claim=claim)
        assert not verdict.proven
        assert "larger than 100 bytes" in verdict.message and "too slowly" in verdict.message

    def test_a_repository_host_cannot_carry_the_token_but_a_pages_subdomain_can(self, builder):
        with pytest.raises(services.ClaimRefused, match="not available"):
            start(ArtifactFactory(homepage="https://github.com/parrot/tts"), builder, "well_known")
        pages = ArtifactFactory(homepage="https://parrot.github.io/")
        assert start(pages, builder, ClaimMethod.WELL_KNOWN).token


class TestStateMachine:
    def test_curator_review_approve_then_revoke_with_who_and_when(self, artifact, builder):
        curator = make_user("curator")
        claim = start(artifact, builder, ClaimMethod.CURATOR, evidence="I commit to it.")
        services.claim_approve(claim=claim, curator=curator)
        claim.refresh_from_db()
        assert (claim.status, claim.decided_by) == (ClaimStatus.VERIFIED, curator)
        services.claim_revoke(claim=claim, curator=curator, note="Left the project.")
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.REVOKED
        assert listing(artifact) == ("unclaimed", False)
        events = list(
            ClaimEvent.objects.filter(claim=claim).values_list("from_status", "to_status", "actor")
        )
        assert events == [
            ("", "pending", builder.pk),
            ("pending", "verified", curator.pk),
            ("verified", "revoked", curator.pk),
        ]

    def test_curator_review_needs_evidence(self, artifact, builder):
        with pytest.raises(services.ClaimRefused, match="curators"):
            start(artifact, builder, ClaimMethod.CURATOR, evidence="  ")

    @pytest.mark.parametrize(
        "decide_first, decide_then",
        [
            (services.claim_reject, services.claim_approve),
            (services.claim_reject, services.claim_revoke),
            (services.claim_approve, services.claim_reject),
            (None, services.claim_revoke),
        ],
    )
    def test_moves_outside_the_machine_are_refused(
        self, artifact, builder, decide_first, decide_then
    ):
        curator = make_user("curator")
        claim = start(artifact, builder, ClaimMethod.CURATOR, evidence="proof")
        if decide_first:
            decide_first(claim=claim, curator=curator)
        before = ClaimEvent.objects.count()
        with pytest.raises(services.ClaimRefused, match="cannot become"):
            decide_then(claim=claim, curator=curator)
        assert ClaimEvent.objects.count() == before

    def test_a_second_claimant_goes_to_curator_review_and_the_owner_is_told(
        self, artifact, builder
    ):
        curator = make_user("curator")
        first = start(artifact, builder, ClaimMethod.CURATOR, evidence="proof")
        services.claim_approve(claim=first, curator=curator)
        rival = make_user("rival")
        mail.outbox.clear()

        second = start(
            artifact,
            rival,
            ClaimMethod.EMAIL,
            email="rival@parrot.example",
            evidence="I took over.",
        )
        assert (second.method, second.status) == (ClaimMethod.CURATOR, ClaimStatus.PENDING)
        assert [message.to for message in mail.outbox] == [[builder.email]]
        assert "rival" in mail.outbox[0].body
        assert listing(artifact) == ("verified", True)

        services.claim_approve(claim=second, curator=curator)
        first.refresh_from_db()
        assert first.status == ClaimStatus.REVOKED
        assert Claim.objects.verified().get(artifact=artifact).user == rival

    def test_the_owner_cannot_claim_again(self, artifact, builder):
        claim = start(artifact, builder, ClaimMethod.CURATOR, evidence="proof")
        services.claim_approve(claim=claim, curator=make_user("curator"))
        with pytest.raises(services.ClaimRefused, match="already the verified builder"):
            start(artifact, builder, ClaimMethod.WELL_KNOWN)

    def test_an_automatic_verifier_never_displaces_an_owner(self, homepage_server, builder):
        artifact = ArtifactFactory(homepage=homepage_server.url("/"))
        claim = start(artifact, builder, ClaimMethod.WELL_KNOWN)
        owner = start(artifact, make_user("owner"), ClaimMethod.CURATOR, evidence="proof")
        services.claim_approve(claim=owner, curator=make_user("curator"))
        homepage_server.routes["/.well-known/unfragile-verify.txt"] = Route(
            body=claim.token.encode()
        )
        with pytest.raises(services.ClaimRefused, match="curator decides"):
            services.claim_check_well_known(claim=claim)

    def test_the_database_allows_one_verified_claim_per_artifact(self, artifact, builder):
        Claim.objects.create(artifact=artifact, user=builder, method="curator", status="verified")
        with pytest.raises(IntegrityError), transaction.atomic():
            Claim.objects.create(
                artifact=artifact, user=make_user("other"), method="curator", status="verified"
            )


class TestRateLimits:
    def test_claim_attempts_per_user(self, artifact, builder):
        from builders.ratelimit import CLAIM_ATTEMPTS_PER_USER

        for _ in range(CLAIM_ATTEMPTS_PER_USER.limit):
            start(artifact, builder, ClaimMethod.CURATOR, evidence="proof")
        with pytest.raises(services.ClaimRefused, match="Too many"):
            start(artifact, builder, ClaimMethod.CURATOR, evidence="proof")

    def test_claim_attempts_per_artifact_across_accounts(self, artifact):
        from builders.ratelimit import CLAIM_ATTEMPTS_PER_ARTIFACT

        for index in range(CLAIM_ATTEMPTS_PER_ARTIFACT.limit):
            start(artifact, make_user(f"user{index}"), ClaimMethod.CURATOR, evidence="proof")
        with pytest.raises(services.ClaimRefused, match="Too many"):
            start(artifact, make_user("one-more"), ClaimMethod.CURATOR, evidence="proof")

    def test_verification_emails_per_user(self, artifact, builder):
        from builders.ratelimit import EMAILS_PER_USER

        for _ in range(EMAILS_PER_USER.limit):
            start(artifact, builder, ClaimMethod.EMAIL, email="ada@parrot.example")
        with pytest.raises(services.ClaimRefused, match="Too many"):
            start(artifact, builder, ClaimMethod.EMAIL, email="ada@parrot.example")
        assert len(mail.outbox) == EMAILS_PER_USER.limit
        assert Claim.objects.count() == EMAILS_PER_USER.limit


def test_the_token_is_looked_for_over_https_without_credentials(settings):
    from builders.verifiers import WellKnownTokenVerifier

    settings.BUILDERS_FETCH_ALLOW_HTTP = False
    artifact = ArtifactFactory(homepage="http://user:secret@parrot.example:8443/tts/")
    assert WellKnownTokenVerifier.urls(artifact) == (
        "https://parrot.example:8443/.well-known/unfragile-verify.txt",
        "https://parrot.example:8443/tts/",
    )
