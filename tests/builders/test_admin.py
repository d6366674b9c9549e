"""Curators decide claims in the admin; each action goes through the services."""

import pytest
from django.urls import reverse

from builders.models import Claim, ClaimEvent, ClaimStatus
from tests.builders.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client):
    from django.contrib.auth import get_user_model

    curator = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    client.force_login(curator)
    return client


def act(client, action: str, *claims) -> str:
    response = client.post(
        reverse("admin:builders_claim_changelist"),
        {"action": action, "_selected_action": [claim.pk for claim in claims]},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_approve_reject_and_revoke_from_the_admin(curator_client, artifact):
    first = Claim.objects.create(
        artifact=artifact, user=make_user("a"), method="curator", evidence="e"
    )
    second = Claim.objects.create(
        artifact=artifact, user=make_user("b"), method="curator", evidence="e"
    )
    assert "1 claim approved" in act(curator_client, "approve", first)
    assert "1 claim rejected" in act(curator_client, "reject", second)
    assert "1 claim revoked" in act(curator_client, "revoke", first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ClaimStatus.REVOKED, ClaimStatus.REJECTED)
    assert first.decided_by.username == "curator"
    assert ClaimEvent.objects.filter(actor__username="curator").count() == 3


def test_a_refused_move_is_reported_not_raised(curator_client, artifact):
    claim = Claim.objects.create(artifact=artifact, user=make_user("a"), method="curator")
    html = act(curator_client, "revoke", claim)
    assert "cannot become revoked" in html


def test_the_claim_page_shows_evidence_and_history(curator_client, artifact):
    claim = Claim.objects.create(
        artifact=artifact, user=make_user("a"), method="curator", evidence="See my commits."
    )
    act(curator_client, "approve", claim)
    html = curator_client.get(
        reverse("admin:builders_claim_change", args=[claim.pk])
    ).content.decode()
    assert "See my commits." in html and "Approved." in html
    assert curator_client.get(reverse("admin:builders_claimevent_changelist")).status_code == 200


def test_curators_revert_a_builder_edit_from_the_admin(curator_client, artifact):
    from builders import services
    from builders.models import ListingEdit

    edit = services.listing_edit(artifact=artifact, user=make_user("a"), values={"summary": "New."})
    response = curator_client.post(
        reverse("admin:builders_listingedit_changelist"),
        {"action": "revert", "_selected_action": [edit.pk]},
        follow=True,
    )
    assert "1 edit reverted" in response.content.decode()
    artifact.refresh_from_db()
    assert artifact.summary != "New."
    assert ListingEdit.objects.filter(reverts=edit).exists()


def test_curators_require_review_then_apply_from_the_admin(curator_client, artifact):
    from builders import services
    from builders.models import EditsReviewed, EditStatus

    curator_client.post(reverse("admin:builders_editsreviewed_add"), {"artifact": artifact.pk})
    assert EditsReviewed.objects.get().required_by.username == "curator"
    edit = services.listing_edit(artifact=artifact, user=make_user("a"), values={"summary": "New."})
    assert edit.status == EditStatus.PENDING
    response = curator_client.post(
        reverse("admin:builders_listingedit_changelist"),
        {"action": "apply", "_selected_action": [edit.pk]},
        follow=True,
    )
    assert "1 edit applied" in response.content.decode()
    artifact.refresh_from_db()
    assert artifact.summary == "New."
