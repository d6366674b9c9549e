"""Suggesting corrections (any visitor) and submitting new artifacts (checked by the
importer's validation, published and ranked on a curator's approval)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from builders import services
from builders.models import Claim, Correction, ListingEdit, ReviewStatus, Submission
from catalog.models import Artifact
from ranking.models import RankScore
from ranking.services import rank_recompute_all
from tests.builders.conftest import make_user
from tests.catalog.factories import ArtifactFactory
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CORRECTION = {"field": "license", "value": "Apache-2.0", "source_url": "https://parrot.example/l"}


def correction_url(artifact) -> str:
    return reverse("builders:correction", args=[artifact.slug])


class TestCorrections:
    def test_a_visitor_suggests_a_correction_in_place(self, client, artifact):
        html = client.get(artifact.get_absolute_url()).content.decode()
        assert f'hx-get="{correction_url(artifact)}"' in html
        response = client.post(correction_url(artifact), CORRECTION, **HTMX)
        assert response.status_code == 200 and "Thank you" in response.content.decode()
        correction = Correction.objects.get()
        assert (correction.field, correction.user, correction.status) == (
            "license",
            None,
            "pending",
        )

    def test_bad_input_is_a_400(self, client, artifact):
        response = client.post(correction_url(artifact), {**CORRECTION, "source_url": "nope"})
        assert response.status_code == 400
        assert not Correction.objects.exists()

    def test_one_visitor_is_rate_limited(self, client, artifact):
        from builders.ratelimit import CORRECTIONS_PER_CLIENT

        for _ in range(CORRECTIONS_PER_CLIENT.limit):
            client.post(correction_url(artifact), CORRECTION)
        assert client.post(correction_url(artifact), CORRECTION).status_code == 429

    def test_the_form_refuses_a_post_without_a_csrf_token(self, artifact):
        client = Client(enforce_csrf_checks=True)
        assert client.post(correction_url(artifact), CORRECTION).status_code == 403

    def test_the_verified_builder_accepts_a_summary_as_a_revertable_edit(
        self, builder_client, builder, artifact
    ):
        claim = Claim.objects.create(artifact=artifact, user=builder, method="curator")
        services.claim_approve(claim=claim, curator=make_user("curator"))
        correction = Correction.objects.create(
            artifact=artifact, **{**CORRECTION, "field": "summary", "value": "Reads aloud."}
        )
        html = builder_client.get(reverse("builders:analytics", args=[artifact.slug])).content
        assert b"Reads aloud." in html
        builder_client.post(reverse("builders:correction-decide", args=[correction.pk, "accept"]))
        correction.refresh_from_db()
        assert (correction.status, correction.decided_by) == (ReviewStatus.ACCEPTED, builder)
        artifact.refresh_from_db()
        assert artifact.summary == "Reads aloud."
        edit = ListingEdit.objects.get()
        assert (edit.user, edit.changes["summary"]["new"]) == (builder, "Reads aloud.")
        services.listing_edit_revert(edit=edit, curator=make_user("reverter"))
        artifact.refresh_from_db()
        assert artifact.summary == "Parrot TTS does one useful thing well."

    def test_a_builder_cannot_accept_a_link_or_license(self, builder_client, builder, artifact):
        claim = Claim.objects.create(artifact=artifact, user=builder, method="curator")
        services.claim_approve(claim=claim, curator=make_user("curator"))
        correction = Correction.objects.create(artifact=artifact, **CORRECTION)
        url = reverse("builders:correction-decide", args=[correction.pk, "accept"])
        response = builder_client.post(url, follow=True)
        assert "Only a curator can change the license" in response.content.decode()
        correction.refresh_from_db()
        artifact.refresh_from_db()
        assert (correction.status, artifact.license) == (ReviewStatus.PENDING, "")
        assert not ListingEdit.objects.exists()

    def test_a_curator_accepting_a_link_applies_it_as_a_revertable_edit(self, artifact):
        curator = make_user("curator")
        curator.is_staff = True
        curator.save(update_fields=["is_staff"])
        correction = Correction.objects.create(
            artifact=artifact,
            field="docs_url",
            value="https://parrot.example/docs",
            source_url="https://parrot.example/",
        )
        edit = services.correction_decide(correction=correction, user=curator, accept=True)
        artifact.refresh_from_db()
        assert artifact.docs_url == "https://parrot.example/docs"
        assert (edit.status, edit.decided_by) == ("applied", curator)
        services.listing_edit_revert(edit=edit, curator=curator)
        artifact.refresh_from_db()
        assert artifact.docs_url == ""

    def test_a_curator_cannot_apply_a_link_that_is_not_one(self, artifact):
        curator = make_user("curator")
        curator.is_staff = True
        correction = Correction.objects.create(
            artifact=artifact, field="homepage", value="not a link", source_url="https://x.example/"
        )
        with pytest.raises(services.EditRefused, match="valid URL"):
            services.correction_decide(correction=correction, user=curator, accept=True)
        correction.refresh_from_db()
        assert correction.status == ReviewStatus.PENDING

    def test_nobody_else_decides(self, client, artifact):
        correction = Correction.objects.create(artifact=artifact, **CORRECTION)
        stranger = make_user("stranger")
        with pytest.raises(PermissionDenied):
            services.correction_decide(correction=correction, user=stranger, accept=False)
        client.force_login(stranger)
        url = reverse("builders:correction-decide", args=[correction.pk, "decline"])
        assert client.post(url).status_code == 403
        correction.refresh_from_db()
        assert correction.status == ReviewStatus.PENDING


SUBMISSION = {
    "name": "Quill OCR",
    "kind": "tool",
    "summary": "Reads handwriting from photos.",
    "homepage": "https://quill.example/",
    "license": "MIT",
}


class TestSubmissions:
    def test_a_submission_waits_for_a_curator_then_is_published_and_ranked(
        self, builder_client, django_capture_on_commit_callbacks
    ):
        ArtifactFactory(name="Someone Else")
        rank_recompute_all(now=FROZEN_NOW)
        response = builder_client.post(reverse("builders:submit"), SUBMISSION)
        assert response.status_code == 302
        submission = Submission.objects.get()
        assert submission.slug == "quill-ocr" and not Artifact.objects.filter(slug="quill-ocr")

        with django_capture_on_commit_callbacks(execute=True):
            artifact = services.submission_approve(
                submission=submission, curator=make_user("curator")
            )
        assert artifact.is_published and artifact.license == "MIT"
        assert RankScore.objects.filter(artifact=artifact, run__is_current=True).exists()
        submission.refresh_from_db()
        assert (submission.status, submission.artifact) == (ReviewStatus.ACCEPTED, artifact)

    def test_the_importer_validation_explains_what_is_wrong(self, builder_client):
        response = builder_client.post(
            reverse("builders:submit"), {**SUBMISSION, "homepage": "not a url"}
        )
        assert response.status_code == 400
        assert "homepage:" in response.content.decode()
        assert not Submission.objects.exists()

    def test_an_artifact_listed_already_is_refused(self, builder_client, artifact):
        response = builder_client.post(
            reverse("builders:submit"), {**SUBMISSION, "name": artifact.name}
        )
        assert response.status_code == 400
        assert "listed already" in response.content.decode()

    def test_an_unconfirmed_account_cannot_submit(self, client):
        client.force_login(make_user("new", verified=False))
        assert client.post(reverse("builders:submit"), SUBMISSION).status_code == 403
        assert not Submission.objects.exists()

    def test_visitors_are_sent_to_log_in(self, client):
        response = client.get(reverse("builders:submit"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_the_form_refuses_a_post_without_a_csrf_token(self, builder):
        client = Client(enforce_csrf_checks=True)
        client.force_login(builder)
        assert client.post(reverse("builders:submit"), SUBMISSION).status_code == 403

    def test_a_curator_declines_in_the_admin(self, builder):
        submission = services.submission_create(user=builder, data=SUBMISSION)
        curator = make_user("curator")
        curator.is_staff = curator.is_superuser = True
        curator.save()
        client = Client()
        client.force_login(curator)
        client.post(
            reverse("admin:builders_submission_changelist"),
            {"action": "decline", "_selected_action": [submission.pk]},
        )
        submission.refresh_from_db()
        assert submission.status == ReviewStatus.DECLINED
        assert not Artifact.objects.filter(slug="quill-ocr").exists()


def test_deciding_a_correction_refuses_a_post_without_a_csrf_token(artifact, builder):
    claim = Claim.objects.create(artifact=artifact, user=builder, method="curator")
    services.claim_approve(claim=claim, curator=make_user("curator"))
    correction = Correction.objects.create(artifact=artifact, **CORRECTION)
    client = Client(enforce_csrf_checks=True)
    client.force_login(builder)
    url = reverse("builders:correction-decide", args=[correction.pk, "accept"])
    assert client.post(url).status_code == 403
    correction.refresh_from_db()
    assert correction.status == ReviewStatus.PENDING
