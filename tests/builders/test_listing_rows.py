"""Capabilities and pricing plans edited by the verified builder: kept as snapshots in the
listing edit (who, when, before and after), revertable by curators, held for a curator when
a capability is added or removed, prices always with an as-of date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from builders import services
from builders.models import EditsReviewed, EditStatus, ListingEdit
from catalog.models import Artifact, Capability, PricingPlan
from tests.builders.conftest import make_user
from tests.builders.test_listing_edits import owned_by
from tests.catalog.factories import CapabilityFactory, PricingPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(artifact, builder):
    CapabilityFactory(artifact=artifact, title="Reads aloud", confidence="high", position=0)
    PricingPlanFactory(
        artifact=artifact, name="API", price=Decimal("0.00000042"), unit="prompt token"
    )
    owned_by(artifact, builder)
    return artifact


def capabilities_url(artifact) -> str:
    return reverse("builders:listing-capabilities", args=[artifact.slug])


def prices_url(artifact) -> str:
    return reverse("builders:listing-prices", args=[artifact.slug])


def rows_data(prefix: str, rows: list[dict], **extra) -> dict:
    """A formset's POST as the page sends it: the management form (rows with an id are the
    initial ones, listed first) and each row's fields."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(sum(1 for row in rows if "id" in row)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def capability_row(capability: Capability, **changes) -> dict:
    return {
        "id": capability.pk,
        "title": capability.title,
        "description": capability.description,
        "unique_angle": capability.unique_angle,
        "vs_alternatives": capability.vs_alternatives,
        **changes,
    }


def plan_row(plan: PricingPlan, **changes) -> dict:
    return {
        "id": plan.pk,
        "name": plan.name,
        "price": str(plan.price),
        "currency": plan.currency,
        "unit": plan.unit,
        **changes,
    }


class TestCapabilities:
    def test_the_words_change_at_once_and_a_curator_reverts_them(
        self, builder_client, listed, builder
    ):
        capability = Capability.objects.get(artifact=listed)
        response = builder_client.post(
            capabilities_url(listed),
            rows_data(
                "capabilities",
                # A builder cannot set how sure we are: the extra field is ignored.
                [capability_row(capability, description="Thirty voices.", confidence="low")],
            ),
        )
        assert response.status_code == 302
        capability.refresh_from_db()
        assert (capability.description, capability.confidence) == ("Thirty voices.", "high")
        edit = ListingEdit.objects.get()
        assert (edit.user, edit.status, list(edit.changes)) == (
            builder,
            "applied",
            ["capabilities"],
        )
        assert edit.changes["capabilities"]["new"][0]["description"] == "Thirty voices."
        html = builder_client.get(capabilities_url(listed)).content.decode()
        assert "Thirty voices." in html and "Explains in plain words" in html  # the history

        services.listing_edit_revert(edit=edit, curator=make_user("curator"))
        capability.refresh_from_db()
        assert capability.description == "Explains in plain words what the artifact does here."

    def test_adding_or_removing_waits_for_a_curator(self, builder_client, listed, builder):
        capability = Capability.objects.get(artifact=listed)
        new = {"title": "Clones a voice", "description": "From a minute of speech."}
        response = builder_client.post(
            capabilities_url(listed),
            rows_data("capabilities", [capability_row(capability), new]),
            follow=True,
        )
        assert "curator&#x27;s review" in response.content.decode()
        assert Capability.objects.filter(artifact=listed).count() == 1
        edit = ListingEdit.objects.get()
        assert edit.status == EditStatus.PENDING

        curator = make_user("curator")
        edit = services.listing_edit_apply(edit=edit, curator=curator)
        added = Capability.objects.get(artifact=listed, title="Clones a voice")
        assert added.confidence == services.NEW_CAPABILITY_CONFIDENCE
        services.listing_edit_revert(edit=edit, curator=curator)
        assert list(Capability.objects.filter(artifact=listed).values_list("title", flat=True)) == [
            "Reads aloud"
        ]

        removal = rows_data("capabilities", [capability_row(capability, DELETE="on")])
        builder_client.post(capabilities_url(listed), removal)
        assert ListingEdit.objects.filter(status=EditStatus.PENDING).count() == 1
        assert Capability.objects.filter(artifact=listed).exists()

    def test_two_capabilities_with_one_title_are_refused(self, builder_client, listed):
        capability = Capability.objects.get(artifact=listed)
        rows = [capability_row(capability), {"title": " READS ALOUD ", "description": "Again."}]
        response = builder_client.post(capabilities_url(listed), rows_data("capabilities", rows))
        assert response.status_code == 400
        assert "same title" in response.content.decode()
        assert not ListingEdit.objects.exists()


class TestPrices:
    def test_a_price_edit_keeps_its_date_refreshes_the_listing_and_reverts(
        self, builder_client, listed
    ):
        plan = PricingPlan.objects.get(artifact=listed)
        before = Artifact.objects.get(pk=listed.pk).headline_token_price_per_million
        response = builder_client.post(
            prices_url(listed),
            rows_data(
                "plans",
                [
                    plan_row(plan, price="0.0000005"),
                    {"name": "Free", "price": "0", "currency": "usd", "unit": "month"},
                ],
                as_of="2026-11-20",
            ),
        )
        assert response.status_code == 302
        plans = list(PricingPlan.objects.filter(artifact=listed))
        assert [(p.name, p.price, p.currency, p.as_of) for p in plans] == [
            ("API", Decimal("0.0000005"), "USD", dt.date(2026, 11, 20)),
            ("Free", Decimal("0"), "USD", dt.date(2026, 11, 20)),
        ]
        refreshed = Artifact.objects.get(pk=listed.pk)
        assert refreshed.headline_token_price_per_million == Decimal("0.5")
        assert refreshed.has_free_tier

        edit = ListingEdit.objects.get()
        services.listing_edit_revert(edit=edit, curator=make_user("curator"))
        plan = PricingPlan.objects.get(artifact=listed)
        assert (plan.price, plan.as_of) == (Decimal("0.00000042"), dt.date(2026, 11, 1))
        assert Artifact.objects.get(pk=listed.pk).headline_token_price_per_million == before

    @pytest.mark.parametrize("as_of", ["", "not a date", "2999-01-01"])
    def test_a_price_edit_without_a_past_date_is_refused(self, builder_client, listed, as_of):
        plan = PricingPlan.objects.get(artifact=listed)
        data = rows_data("plans", [plan_row(plan, price="1")], as_of=as_of)
        response = builder_client.post(prices_url(listed), data)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
        assert not ListingEdit.objects.exists()
        assert PricingPlan.objects.get(pk=plan.pk).price == Decimal("0.00000042")

    def test_reviewed_listings_hold_price_edits(self, builder_client, listed):
        EditsReviewed.objects.create(artifact=listed)
        plan = PricingPlan.objects.get(artifact=listed)
        data = rows_data("plans", [plan_row(plan, price="1")], as_of="2026-11-20")
        builder_client.post(prices_url(listed), data)
        assert ListingEdit.objects.get().status == EditStatus.PENDING
        assert PricingPlan.objects.get(pk=plan.pk).price == Decimal("0.00000042")


@pytest.mark.parametrize("url", [capabilities_url, prices_url])
@pytest.mark.parametrize("who", ["visitor", "stranger"])
def test_only_the_verified_builder_may_edit_rows(listed, url, who):
    client = Client()
    if who == "stranger":
        client.force_login(make_user("stranger"))
    expected = 302 if who == "visitor" else 404
    assert client.get(url(listed)).status_code == expected
    assert client.post(url(listed), {"as_of": "2026-11-20"}).status_code == expected
    assert not ListingEdit.objects.exists()


@pytest.mark.parametrize("url", [capabilities_url, prices_url])
def test_row_forms_refuse_a_post_without_a_csrf_token(listed, builder, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(builder)
    assert client.post(url(listed), {"as_of": "2026-11-20"}).status_code == 403
