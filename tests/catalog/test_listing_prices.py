"""Price where people choose, on browse: the free-tier and price filters, the sort by price
within token prices, the figures they read (denormalized by `artifacts_refresh_prices`) kept
current by every writer, and pages that never fail on bad input."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from catalog.importing import artifacts_import
from catalog.models import Artifact, PricingPlan
from catalog.services import artifacts_refresh_prices
from tests.catalog.factories import (
    ArtifactFactory,
    CategoryFactory,
    PricingPlanFactory,
    token_api_with_two_plans,
)

pytestmark = pytest.mark.django_db

BROWSE = reverse("catalog:browse")


def _token_api(name: str, *, per_million_in: str, rank: int, **fields) -> Artifact:
    artifact = ArtifactFactory(
        name=name, kind="api", pricing_model="paid", free_tier=False, current_rank=rank, **fields
    )
    PricingPlanFactory(
        artifact=artifact, name="Input", price=Decimal(per_million_in) / 1_000_000, position=0
    )
    PricingPlanFactory(
        artifact=artifact,
        name="Output",
        price=Decimal(per_million_in) * 4 / 1_000_000,
        unit="completion token",
        position=1,
    )
    return artifact


@pytest.fixture
def priced():
    """Three token APIs ($0.40, $1 from the Claude-like two plans, $15 per 1M input), and
    artifacts priced per image, per month (with a $0 plan), in euros, or not at all."""
    cheap = _token_api("Cheap Tokens", per_million_in="0.40", rank=10)
    claude = token_api_with_two_plans()
    Artifact.objects.filter(pk=claude.pk).update(current_rank=40, free_tier=False)
    dear = _token_api("Dear Tokens", per_million_in="15", rank=30)
    images = ArtifactFactory(
        name="Image Maker", kind="api", pricing_model="paid", free_tier=False, current_rank=95
    )
    PricingPlanFactory(artifact=images, name="Standard", price=Decimal("0.04"), unit="image")
    studio = ArtifactFactory(
        name="Free Plan Studio", kind="app", pricing_model="freemium", free_tier=None
    )
    Artifact.objects.filter(pk=studio.pk).update(current_rank=60)
    PricingPlanFactory(artifact=studio, name="Hobby", price=Decimal("0"), unit="month")
    PricingPlanFactory(artifact=studio, name="Pro", price=Decimal("10"), unit="month")
    euro = _token_api("Euro Tokens", per_million_in="0.10", rank=20)
    euro.plans.update(currency="EUR")
    ArtifactFactory(name="Open Repo", kind="repository", free_tier=True, current_rank=50)
    ArtifactFactory(name="Unpriced Tool", kind="tool", free_tier=False, current_rank=70)
    artifacts_refresh_prices(artifact_ids=[claude.pk, euro.pk])  # the updates above
    return {"cheap": cheap, "claude": claude, "dear": dear, "studio": studio}


def names(response) -> list[str]:
    return [artifact.name for artifact in response.context["result"].page.object_list]


def test_the_figures_come_from_the_headline_and_the_plans(priced):
    figures = dict(Artifact.objects.values_list("name", "headline_token_price_per_million")) | {
        "free": set(Artifact.objects.filter(has_free_tier=True).values_list("name", flat=True))
    }
    assert figures["Cheap Tokens"] == Decimal("0.400000")
    assert figures["Claude API"] == Decimal("1.000000")  # Haiku's input: the headline plan
    assert figures["Dear Tokens"] == Decimal("15.000000")
    assert figures["Image Maker"] is None  # per image: another family
    assert figures["Euro Tokens"] is None  # not converted, so not compared
    assert figures["Unpriced Tool"] is None
    assert figures["free"] == {"Free Plan Studio", "Open Repo"}  # a $0 plan counts


def test_sort_by_price_orders_token_prices_then_the_rest_by_rank(client, priced):
    response = client.get(BROWSE, {"sort": "price"})
    assert names(response) == [
        "Cheap Tokens",
        "Claude API",
        "Dear Tokens",
        # Not priced per token: by rank, never mixed into the token order.
        "Image Maker",
        "Unpriced Tool",
        "Free Plan Studio",
        "Open Repo",
        "Euro Tokens",
    ]
    html = response.content.decode()
    assert "Sorted by price per 1M input tokens, cheapest first." in html
    assert "prices in different units are not compared" in html
    cards = html.split('class="card-grid"')[1]
    assert cards.index("From here on, artifacts not priced per token") < cards.index("Image Maker")
    assert cards.index("Dear Tokens") < cards.index("From here on")
    assert '<option value="price" selected>Input token price</option>' in html


def test_the_price_filter_keeps_token_prices_up_to_the_limit(client, priced):
    assert names(client.get(BROWSE, {"price": "1", "sort": "price"})) == [
        "Cheap Tokens",
        "Claude API",  # exactly $1.00: "up to $1"
    ]
    assert names(client.get(BROWSE, {"price": "0.5"})) == ["Cheap Tokens"]
    everything_token_priced = client.get(BROWSE, {"price": "15"})
    assert sorted(names(everything_token_priced)) == ["Cheap Tokens", "Claude API", "Dear Tokens"]
    assert everything_token_priced.context["result"].total == 3
    html = everything_token_priced.content.decode()
    assert '<option value="15" selected>Up to $15</option>' in html


def test_the_facet_counts_agree_with_the_price_filter(client, priced):
    result = client.get(BROWSE, {"price": "1"}).context["result"]
    kinds = {facet.name: facet for facet in result.facets}["kind"]
    assert [(option.value, option.count) for option in kinds.options] == [("api", 2)]


def test_free_tier_includes_a_plan_priced_at_zero(client, priced):
    assert sorted(names(client.get(BROWSE, {"free_tier": "on"}))) == [
        "Free Plan Studio",
        "Open Repo",
    ]
    html = client.get(BROWSE, {"free_tier": "on", "sort": "name"}).content.decode()
    studio_card = html.split('id="card-free-plan-studio"')[1].split("</article>")[0]
    assert "Free tier" in studio_card


def test_free_tier_and_price_together(client, priced):
    Artifact.objects.filter(pk=priced["cheap"].pk).update(free_tier=True)
    artifacts_refresh_prices(artifact_ids=[priced["cheap"].pk])
    assert names(client.get(BROWSE, {"free_tier": "on", "price": "5", "sort": "price"})) == [
        "Cheap Tokens"
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"price": "abc"},
        {"sort": "bogus"},
        {"price": "abc", "sort": "bogus"},
        {"price": "-1"},
        {"price": "1e999"},
        {"price": "NaN"},
        {"price": "0.25"},  # not one of the limits offered
        {"sort": ["price", "bogus"]},  # the last value counts, as for every filter
    ],
)
def test_bad_price_or_sort_is_ignored_never_an_error(client, priced, query):
    response = client.get(BROWSE, query)
    assert response.status_code == 200
    assert response.context["result"].total == 8
    assert names(response)[0] == "Image Maker"  # the default order: by rank


def test_editing_a_plan_in_the_admin_updates_the_card_and_the_filter(priced):
    visitor = Client()  # no session: served from the page cache when it can be
    assert "Dear Tokens" not in names(visitor.get(BROWSE, {"price": "1"}))
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw")
    curator = Client()
    curator.force_login(user)
    plan = priced["dear"].plans.get(name="Input")
    response = curator.post(
        reverse("admin:catalog_pricingplan_change", args=[plan.pk]),
        {
            "artifact": plan.artifact_id,
            "position": 0,
            "name": "Input",
            "price": "0.0000003",
            "currency": "USD",
            "unit": "prompt token",
            "as_of": "2026-11-01",
        },
    )
    assert response.status_code == 302
    assert "Dear Tokens" in names(visitor.get(BROWSE, {"price": "1"}))  # not the cached page
    after = visitor.get(BROWSE, {"price": "1", "sort": "price"})
    assert names(after) == ["Dear Tokens", "Cheap Tokens", "Claude API"]
    assert "From $0.30 / $60.00 per 1M tokens (input / output)" in after.content.decode()

    response = curator.post(
        reverse("admin:catalog_pricingplan_delete", args=[plan.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert "Dear Tokens" not in names(visitor.get(BROWSE, {"price": "15"}))


def test_editing_the_artifacts_free_tier_in_the_admin_updates_the_filter(priced):
    from catalog import services

    dear = priced["dear"]
    dear.free_tier = True
    dear.save()
    services.artifact_after_curator_edit(artifact=dear)  # what the admin's save calls
    assert "Dear Tokens" in names(Client().get(BROWSE, {"free_tier": "on"}))


def _record(slug: str, price: str, *, free_tier: bool = False) -> str:
    return json.dumps(
        {
            "slug": slug,
            "name": slug.title(),
            "kind": "api",
            "summary": "Answers questions over an API.",
            "pricing": {
                "model": "paid",
                "free_tier": free_tier,
                "plans": [
                    {"name": "Input", "price": price, "unit": "prompt token"},
                    {"name": "Output", "price": "0.00001", "unit": "completion token"},
                ],
            },
        }
    )


def test_the_importer_sets_the_figures_in_bulk_and_a_reimport_changes_them(client):
    report = artifacts_import(lines=[_record("alpha-api", "0.000002"), _record("beta-api", "0.02")])
    assert report.ok
    assert names(client.get(BROWSE, {"price": "5"})) == ["Alpha-Api"]
    report = artifacts_import(
        lines=[_record("alpha-api", "0.000002"), _record("beta-api", "0.0000005", free_tier=True)]
    )
    assert (report.updated, report.unchanged) == (1, 1)
    figures = dict(Artifact.objects.values_list("slug", "headline_token_price_per_million"))
    assert figures == {"alpha-api": Decimal("2.000000"), "beta-api": Decimal("0.500000")}
    assert Artifact.objects.get(slug="beta-api").has_free_tier
    assert names(client.get(BROWSE, {"price": "0.5"})) == ["Beta-Api"]


def test_refreshing_writes_only_what_changed(priced):
    assert artifacts_refresh_prices() == 0
    PricingPlan.objects.filter(artifact=priced["cheap"], name="Input").update(
        price=Decimal("0.000009")
    )
    assert artifacts_refresh_prices() == 1
    priced["cheap"].refresh_from_db()
    assert priced["cheap"].headline_token_price_per_million == Decimal("9.000000")


def test_browse_query_count_with_price_filter_and_sort_does_not_grow(
    client, priced, django_assert_max_num_queries
):
    """Guards against a query per card for its plans (the price line) under the price sort
    and filters: the same bound as the plain listing."""
    for index in range(30):
        _token_api(f"Filler {index}", per_million_in="0.20", rank=index)
    with django_assert_max_num_queries(14):
        response = client.get(BROWSE, {"sort": "price", "price": "15", "free_tier": ""})
    assert response.status_code == 200
    assert response.context["result"].total == 33


def test_a_category_page_sorted_by_price_says_so(client, priced):
    llm = CategoryFactory(name="LLM", slug="llm")
    for artifact in Artifact.objects.filter(name__in=["Dear Tokens", "Cheap Tokens", "Open Repo"]):
        artifact.categories.add(llm)
    response = client.get(reverse("catalog:category-detail", args=["llm"]), {"sort": "price"})
    assert names(response) == ["Cheap Tokens", "Dear Tokens", "Open Repo"]
    assert "From here on, artifacts not priced per token" in response.content.decode()
