"""Listing edits by the verified builder: what may change, the kept diff, a curator's revert,
who may edit, and that no edit moves the rank."""

import pytest
from django.test import Client
from django.urls import reverse

from builders import services
from builders.models import Claim, EditsReviewed, EditStatus, ListingEdit
from catalog.models import Artifact
from ranking import services as ranking_services
from tests.builders.conftest import make_user
from tests.conftest import FROZEN_NOW
from tests.ranking.test_no_pay import directory, snapshot

pytestmark = pytest.mark.django_db

__all__ = ["directory"]


def owned_by(artifact, user) -> None:
    claim = Claim.objects.create(artifact=artifact, user=user, method="curator")
    services.claim_approve(claim=claim, curator=make_user(f"curator-{artifact.pk}"))


def form_data(artifact, **changes) -> dict:
    data = {
        "summary": artifact.summary,
        "about": artifact.about,
        "best_for": "\n".join(artifact.best_for),
        "limitations": "\n".join(artifact.limitations),
        "requirements": "\n".join(artifact.requirements),
    }
    return {**data, **changes}


@pytest.fixture
def listed(artifact, builder):
    Artifact.objects.filter(pk=artifact.pk).update(best_for=["audiobooks"], limitations=[])
    artifact.refresh_from_db()
    owned_by(artifact, builder)
    return artifact


def edit_url(artifact) -> str:
    return reverse("builders:listing-edit", args=[artifact.slug])


def test_an_edit_is_saved_with_its_diff(builder_client, listed, builder):
    response = builder_client.post(
        edit_url(listed),
        form_data(
            listed, summary="Reads text aloud in 30 voices.", best_for="audiobooks\npodcasts"
        ),
    )
    assert response.status_code == 302
    listed.refresh_from_db()
    assert listed.summary == "Reads text aloud in 30 voices."
    assert listed.best_for == ["audiobooks", "podcasts"]
    edit = ListingEdit.objects.get()
    assert edit.user == builder
    assert edit.changes["best_for"] == {"old": ["audiobooks"], "new": ["audiobooks", "podcasts"]}
    assert set(edit.changes) == {"summary", "best_for"}
    html = builder_client.get(edit_url(listed)).content.decode()
    assert "podcasts" in html and "builder" in html


def test_an_unchanged_save_keeps_no_edit(builder_client, listed):
    builder_client.post(edit_url(listed), form_data(listed))
    assert not ListingEdit.objects.exists()


def test_filling_or_emptying_a_list_the_rank_reads_is_refused(builder_client, listed):
    for changes in ({"limitations": "Only English"}, {"best_for": ""}):
        response = builder_client.post(edit_url(listed), form_data(listed, **changes))
        assert response.status_code == 400
        assert "would change what the rank reads" in response.content.decode()
    listed.refresh_from_db()
    assert (listed.best_for, listed.limitations) == (["audiobooks"], [])
    assert not ListingEdit.objects.exists()


def test_links_are_not_editable_by_the_builder(builder_client, listed):
    builder_client.post(edit_url(listed), form_data(listed, homepage="https://evil.example/"))
    listed.refresh_from_db()
    assert listed.homepage == "https://parrot.example/tts"


def test_a_curator_reverts_an_edit(listed, builder):
    edit = services.listing_edit(artifact=listed, user=builder, values={"summary": "New words."})
    curator = make_user("reverting-curator")
    revert = services.listing_edit_revert(edit=edit, curator=curator)
    listed.refresh_from_db()
    assert listed.summary == "Parrot TTS does one useful thing well."
    assert (revert.reverts, revert.user) == (edit, curator)


@pytest.mark.parametrize("who", ["visitor", "stranger", "pending claimant"])
def test_only_the_verified_builder_may_edit(listed, who):
    client = Client()
    if who != "visitor":
        user = make_user(who.replace(" ", "-"))
        if who == "pending claimant":
            Claim.objects.create(artifact=listed, user=user, method="curator")
        client.force_login(user)
    get, post = (
        client.get(edit_url(listed)),
        client.post(edit_url(listed), form_data(listed, summary="x")),
    )
    expected = 302 if who == "visitor" else 404
    assert (get.status_code, post.status_code) == (expected, expected)
    assert not ListingEdit.objects.exists()


def test_edit_form_refuses_a_post_without_a_csrf_token(listed, builder):
    client = Client(enforce_csrf_checks=True)
    client.force_login(builder)
    assert client.post(edit_url(listed), form_data(listed, summary="x")).status_code == 403


def test_builder_edits_never_change_a_score(directory):
    ranking_services.rank_recompute_all(now=FROZEN_NOW)
    before = snapshot()
    for index, artifact in enumerate(directory):
        user = make_user(f"owner{index}")
        owned_by(artifact, user)
        services.listing_edit(
            artifact=artifact,
            user=user,
            values={
                "summary": "The best, most trusted artifact ever listed. " * 5,
                "about": "# Why we are number one\n\nBuy now! " * 20,
            },
        )
        capabilities = services.capabilities_snapshot(artifact=artifact)
        praised = [
            {**capabilities[0], "description": "Better than all others.", "confidence": "high"}
        ]
        services.listing_edit(
            artifact=artifact, user=user, values={"capabilities": praised + capabilities[1:]}
        )
        # Adding capabilities waits for a curator: the builder alone cannot add to the count.
        more = [{"title": f"Extra {n}", "description": "Also great."} for n in range(5)]
        services.listing_edit(
            artifact=artifact, user=user, values={"capabilities": capabilities + more}
        )
        plans = services.plans_snapshot(artifact=artifact)
        services.listing_edit(
            artifact=artifact,
            user=user,
            values={"plans": [{**plan, "price": "0", "as_of": "2026-11-20"} for plan in plans]},
        )
    assert ListingEdit.objects.filter(status=EditStatus.APPLIED).count() == 3 * len(directory)
    ranking_services.rank_recompute_all(now=FROZEN_NOW)
    assert snapshot() == before


class TestReviewedEdits:
    @pytest.fixture
    def reviewed(self, listed):
        EditsReviewed.objects.create(artifact=listed)
        return listed

    def test_an_edit_waits_for_a_curator(self, builder_client, reviewed):
        response = builder_client.post(
            edit_url(reviewed), form_data(reviewed, summary="Held."), follow=True
        )
        assert "curator&#x27;s review" in response.content.decode()
        reviewed.refresh_from_db()
        assert reviewed.summary != "Held."
        edit = ListingEdit.objects.get()
        assert edit.status == EditStatus.PENDING

        services.listing_edit_apply(edit=edit, curator=make_user("curator"))
        reviewed.refresh_from_db()
        assert reviewed.summary == "Held."
        edit.refresh_from_db()
        assert edit.status == EditStatus.APPLIED

    def test_a_stale_edit_cannot_apply(self, reviewed, builder):
        edit = services.listing_edit(artifact=reviewed, user=builder, values={"summary": "One."})
        Artifact.objects.filter(pk=reviewed.pk).update(summary="A curator's own words.")
        with pytest.raises(services.EditRefused, match="changed since"):
            services.listing_edit_apply(edit=edit, curator=make_user("curator"))

    def test_declined_and_pending_edits_cannot_be_reverted(self, reviewed, builder):
        curator = make_user("curator")
        edit = services.listing_edit(artifact=reviewed, user=builder, values={"summary": "One."})
        with pytest.raises(services.EditRefused):
            services.listing_edit_revert(edit=edit, curator=curator)
        services.listing_edit_decline(edit=edit, curator=curator)
        with pytest.raises(services.EditRefused):
            services.listing_edit_apply(edit=edit, curator=curator)
