"""Price where people choose, on search results: the same free-tier and price filters and
sort by price as browse, applied to the matches, and each result's headline price."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Artifact
from catalog.search_index import artifacts_refresh_search
from catalog.services import artifacts_refresh_prices
from matchgraph.search.vocabulary import vocabulary_rebuild
from tests.catalog.factories import (
    ArtifactFactory,
    CapabilityFactory,
    PricingPlanFactory,
    token_api_with_two_plans,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("matchgraph:search")
LIVE = {"HX-Request": "true", "X-Live-Search": "1"}


def _transcriber(
    name: str, *, rank: int, free_tier: bool = False, price: str = "", unit: str = "prompt token"
) -> Artifact:
    artifact = ArtifactFactory(
        name=name, kind="api", pricing_model="paid", free_tier=free_tier, current_rank=rank
    )
    CapabilityFactory(artifact=artifact, title="Transcribe recorded meetings")
    if price:
        PricingPlanFactory(artifact=artifact, name="Standard", price=Decimal(price), unit=unit)
    return artifact


@pytest.fixture
def transcribers():
    _transcriber("Cheap Scribe", rank=20, price="0.0000003")
    _transcriber("Dear Scribe", rank=80, price="0.000012")
    _transcriber("Minute Scribe", rank=90, price="0.006", unit="minute")
    _transcriber("Free Scribe", rank=50, free_tier=True)
    claude = token_api_with_two_plans()
    Artifact.objects.filter(pk=claude.pk).update(current_rank=30, free_tier=False)
    artifacts_refresh_prices(artifact_ids=[claude.pk])
    CapabilityFactory(artifact=claude, title="Transcribe recorded meetings from notes")
    artifacts_refresh_search()
    vocabulary_rebuild()


def shown(response) -> list[str]:
    return [item.artifact.name for item in response.context["results"].items]


def test_sort_by_price_orders_token_prices_then_the_rest_by_rank(client, transcribers):
    response = client.get(SEARCH, {"q": "transcribe meetings", "sort": "price"})
    assert shown(response) == [
        "Cheap Scribe",
        "Claude API",
        "Dear Scribe",
        "Minute Scribe",  # per minute: after every token price, by rank
        "Free Scribe",
    ]
    html = response.content.decode()
    assert "Sorted by price per 1M input tokens, cheapest first." in html
    results = html.split('class="search-results"')[1]
    assert results.index("Dear Scribe") < results.index("From here on, artifacts not priced")
    assert results.index("From here on, artifacts not priced") < results.index("Minute Scribe")


def test_results_show_the_headline_price(client, transcribers):
    html = client.get(SEARCH, {"q": "transcribe meetings"}).content.decode()
    assert "From $0.30 per 1M input tokens" in html
    assert "From $1.00 per 1M input tokens" in html  # Claude: Haiku's plan alone
    assert "From $0.006 per minute of audio" in html


def test_price_filter_keeps_the_matches_up_to_the_limit(client, transcribers):
    response = client.get(SEARCH, {"q": "transcribe meetings", "price": "1"})
    assert sorted(shown(response)) == ["Cheap Scribe", "Claude API"]
    assert response.context["results"].total == 2
    assert shown(client.get(SEARCH, {"q": "transcribe meetings", "price": "0.5"})) == [
        "Cheap Scribe"
    ]


def test_free_tier_filter_on_search(client, transcribers):
    response = client.get(SEARCH, {"q": "transcribe meetings", "free_tier": "on"})
    assert shown(response) == ["Free Scribe"]


@pytest.mark.parametrize(
    "query", [{"price": "abc"}, {"sort": "bogus"}, {"price": "-1", "sort": "cheapest"}]
)
@pytest.mark.parametrize("headers", [{}, LIVE], ids=["page", "live"])
def test_bad_price_or_sort_is_ignored_never_an_error(client, transcribers, query, headers):
    response = client.get(SEARCH, {"q": "transcribe meetings", **query}, headers=headers)
    assert response.status_code == 200
    assert response.context["results"].total == 5


def test_search_query_count_with_price_filter_and_sort_does_not_grow(
    client, transcribers, django_assert_max_num_queries
):
    """Guards against a query per result for its plans (the price line) under the price sort
    and filter: within the plain search page's bound (test_views)."""
    for index in range(30):
        _transcriber(f"Scribe {index}", rank=index, price="0.0000001")
    artifacts_refresh_search()
    vocabulary_rebuild()
    client.get(SEARCH, {"q": "transcr"}, headers=LIVE)
    with django_assert_max_num_queries(19):
        response = client.get(SEARCH, {"q": "transcribe meetings", "sort": "price", "price": "15"})
    assert response.context["results"].total == 33
