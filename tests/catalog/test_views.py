"""Catalog pages: status, content, htmx partials and bounded query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Artifact, PricingPlan
from catalog.search_index import artifacts_refresh_search
from tests.catalog.factories import (
    ArtifactFactory,
    ArtifactLinkFactory,
    CapabilityFactory,
    CategoryFactory,
    DataSourceFactory,
    PricingPlanFactory,
    SignalsFactory,
    token_api_with_cached_input,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ernie():
    multimodal = CategoryFactory(name="Multimodal", slug="multimodal")
    artifact = ArtifactFactory(
        name="ERNIE 4.5 VL",
        slug="ernie-4-5-vl",
        kind="model",
        pricing_model="paid",
        free_tier=False,
        categories=[multimodal],
        about="Trained on **text and images**.\n\n<script>alert('x')</script>",
        best_for=["document understanding teams"],
        limitations=["no local deployment"],
        requirements=["an API key"],
        details=[["parameters_total", "424B"], ["context_length", 123000]],
        inputs=["text", "image"],
        outputs=["text"],
    )
    CapabilityFactory(artifact=artifact, title="image captioning", confidence="high", position=0)
    CapabilityFactory(artifact=artifact, title="visual question answering", position=1)
    PricingPlanFactory(artifact=artifact, price=Decimal("0.00000042"), unit="prompt token")
    PricingPlanFactory(
        artifact=artifact, name="Output", price=Decimal("0.00000125"), unit="completion token"
    )
    SignalsFactory(artifact=artifact, stars=None, downloads_30d=5400, as_of=dt.date(2026, 11, 1))
    DataSourceFactory(artifact=artifact, name="Provider card", retrieved=dt.date(2026, 11, 1))
    return artifact


def test_artifact_page_shows_every_section(client, ernie):
    response = client.get(ernie.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "ERNIE 4.5 VL",
        "Capabilities",
        "2 decomposed",
        "image captioning",
        "High confidence",
        "Unique:",
        "vs alternatives:",
        "Related artifacts",
        "Best for",
        "document understanding teams",
        "Known limitations",
        "no local deployment",
        "Requirements",
        "an API key",
        "Input / Output",
        "Model details",
        "Parameters total",
        "424B",
        "About",
        "Categories",
        "Alternatives to ERNIE 4.5 VL",
        "Data sources",
        "Provider card",
        "Claim this artifact",
        "weekly brief",
        "Looking for something else?",
    ]:
        assert text in html, text


def test_headline_price_reads_per_million_tokens_with_plans_and_date(client, ernie):
    html = client.get(ernie.get_absolute_url()).content.decode()
    assert "$0.42 / $1.25</strong> per 1M tokens" in html
    assert "(input / output)" in html
    assert "Plan “API”" in html
    assert "as of Nov 1, 2026" in html
    assert "per prompt token</strong>" not in html


def test_plans_table_reads_per_million_and_keeps_the_exact_stored_decimal(client, ernie):
    html = client.get(ernie.get_absolute_url()).content.decode()
    assert "<td>$0.42 per 1M input tokens</td>" in html
    assert '<td class="price-exact">$0.00000042 per prompt token</td>' in html
    assert '<td class="price-exact">$0.00000125 per completion token</td>' in html


def test_cached_input_is_shown_apart_not_as_the_headline(client):
    artifact = token_api_with_cached_input()
    html = client.get(artifact.get_absolute_url()).content.decode()
    assert "$2.50 / $10.00</strong> per 1M tokens" in html
    assert "Cached input $1.25 per 1M tokens" in html
    card = client.get(reverse("catalog:browse")).content.decode()
    assert "From $2.50 / $10.00 per 1M tokens (input / output)" in card


def test_card_and_header_of_a_per_image_artifact(client):
    artifact = ArtifactFactory(name="Flux", kind="api", pricing_model="paid")
    PricingPlanFactory(artifact=artifact, name="Pro", price=Decimal("0.05"), unit="image")
    PricingPlanFactory(artifact=artifact, name="Fast", price=Decimal("0.04"), unit="image")
    html = client.get(artifact.get_absolute_url()).content.decode()
    assert "$0.04</strong> per image" in html
    assert "Plan “Fast”" in html
    assert "What would it cost a month?" not in html  # no token prices: no calculator
    assert "From $0.04 per image" in client.get(reverse("catalog:browse")).content.decode()


def test_artifact_page_offers_the_cost_calculator_for_token_prices(client, ernie):
    html = client.get(ernie.get_absolute_url()).content.decode()
    cost_url = reverse("catalog:artifact-cost", args=[ernie.slug])
    assert "What would it cost a month?" in html
    assert f'action="{cost_url}" method="get"' in html
    assert f'hx-get="{cost_url}" hx-target="#cost-result"' in html
    # htmx replaces this box whole: the estimate is announced on the page's status line instead.
    assert '<div id="cost-result" class="cost-result"></div>' in html
    assert '<p id="live-status" class="visually-hidden" role="status" aria-live="polite">' in html


def test_cost_page_shows_the_monthly_cost_and_its_arithmetic(client, django_assert_num_queries):
    artifact = ArtifactFactory(name="GPT-4o API", kind="api", pricing_model="paid")
    PricingPlanFactory(artifact=artifact, name="Input", price=Decimal("0.0000025"))
    PricingPlanFactory(
        artifact=artifact, name="Output", price=Decimal("0.00001"), unit="completion token"
    )
    url = reverse("catalog:artifact-cost", args=[artifact.slug])
    with django_assert_num_queries(2):  # the artifact, its plans
        response = client.get(url, {"in": "3000000", "out": "1,000,000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "About <strong>$17.50</strong> a month" in html
    assert "3,000,000 tokens × $2.50 per 1M" in html
    assert "1,000,000 tokens × $10.00 per 1M" in html
    assert 'value="3000000"' in html  # the form keeps what was typed


def test_cost_page_for_htmx_is_the_result_fragment(client, ernie):
    url = reverse("catalog:artifact-cost", args=[ernie.slug])
    response = client.get(url, {"in": "1234"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<div id="cost-result"')
    assert "(exactly $0.00051828)" in html
    assert 'id="live-status"' in html and 'hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"in": "-1"}, "Tokens in cannot be negative."),
        ({"in": "many"}, "Tokens in must be a whole number of tokens"),
        ({"out": "99999999999999999"}, "Tokens out is more than 10,000,000,000,000 tokens"),
        ({"in": "1", "plan": "nope"}, "Choose one of the listed plans."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_cost_page_bad_input_is_a_400_with_a_message(client, ernie, query, message, htmx):
    url = reverse("catalog:artifact-cost", args=[ernie.slug])
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(url, query, headers=headers)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert ("<html" in html) is not htmx


def test_cost_page_without_token_prices_is_404(client):
    artifact = ArtifactFactory()
    PricingPlanFactory(artifact=artifact, price=Decimal("20"), unit="month")
    response = client.get(reverse("catalog:artifact-cost", args=[artifact.slug]), {"in": "1"})
    assert response.status_code == 404


def test_cost_page_is_not_kept_in_the_page_cache(client, ernie, settings):
    settings.PAGE_CACHE_SECONDS = 60
    url = reverse("catalog:artifact-cost", args=[ernie.slug])
    first = client.get(url, {"in": "1000000"}).content.decode()
    PricingPlan.objects.filter(artifact=ernie, name="API").update(price=Decimal("0.000001"))
    second = client.get(url, {"in": "1000000"}).content.decode()
    assert "$0.42</strong>" in first
    assert "$1.00</strong>" in second


def test_unknown_values_say_unknown_never_zero(client):
    artifact = ArtifactFactory(pricing_model="", free_tier=None, license="")
    html = client.get(artifact.get_absolute_url()).content.decode()
    assert "$0" not in html
    assert "Free tier</dt><dd>Unknown" in html
    assert "License</dt><dd>Unknown" in html


def test_missing_signal_reads_unknown(client, ernie):
    html = client.get(ernie.get_absolute_url()).content.decode()
    assert "GitHub stars</dt><dd>Unknown" in html
    assert "5,400" in html


def test_about_markdown_is_rendered_and_sanitized(client, ernie):
    html = client.get(ernie.get_absolute_url()).content.decode()
    assert "<strong>text and images</strong>" in html
    assert "<script>alert" not in html


def test_user_text_is_escaped(client):
    artifact = ArtifactFactory(summary="<img src=x onerror=alert(1)>")
    html = client.get(artifact.get_absolute_url()).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_hidden_artifact_is_not_found(client):
    artifact = ArtifactFactory(is_published=False)
    assert client.get(artifact.get_absolute_url()).status_code == 404


def test_unknown_artifact_gets_a_helpful_404(client):
    CategoryFactory(name="Speech", slug="speech")
    response = client.get("/a/no-such-thing/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'name="q"' in html


def test_unresolved_link_is_shown_as_not_listed_yet(client, ernie):
    ArtifactLinkFactory(source=ernie, target=None, target_slug="ernie-5")
    html = client.get(ernie.get_absolute_url()).content.decode()
    assert "ernie-5" in html
    assert "not listed yet" in html


def test_related_artifacts_rank_shared_categories_first(client, ernie):
    multimodal = ernie.categories.get()
    close = ArtifactFactory(name="Close Cousin", categories=[multimodal])
    CapabilityFactory(artifact=close, title="image captioning at scale")
    far = ArtifactFactory(name="Distant Relative")
    CapabilityFactory(artifact=far, title="question answering over tables")
    ArtifactFactory(name="Stranger")
    html = client.get(ernie.get_absolute_url()).content.decode()
    related = html.split('id="related-title"')[1].split("</section>")[0]
    assert related.index("Close Cousin") < related.index("Distant Relative")
    assert "Stranger" not in related


def test_artifact_page_query_count_does_not_grow_with_catalog(
    client, ernie, django_assert_num_queries, django_assert_max_num_queries
):
    """Guards against an N+1 over related artifacts: the artifact with its own rows
    (capabilities, categories, plans, sources, links) in one statement, related and
    alternatives together in one (overlap, meaning, co-matches, the cards), capability
    evidence with the search link's intent, and the rank with its history."""
    multimodal = ernie.categories.get()
    neighbours = []
    for index in range(15):
        other = ArtifactFactory(name=f"Neighbour {index}", categories=[multimodal])
        PricingPlanFactory(artifact=other)
        neighbours.append(other)
    # What a process reads once (whether the server has pgvector), not per page.
    client.get(neighbours[0].get_absolute_url())
    with django_assert_num_queries(4):
        assert client.get(ernie.get_absolute_url()).status_code == 200
    # Related and alternatives are cached until the catalog, graph or embeddings change.
    with django_assert_max_num_queries(3):
        assert client.get(ernie.get_absolute_url()).status_code == 200


def test_a_verified_builders_page_adds_one_query(client, ernie, django_assert_num_queries):
    """The one query a page adds for its artifact: how a verified builder was verified."""
    from django.contrib.auth import get_user_model

    from builders.models import Claim

    builder = get_user_model().objects.create_user("builder", "builder@example.com", "pw")
    Claim.objects.create(artifact=ernie, user=builder, method="curator", status="verified")
    Artifact.objects.filter(pk=ernie.pk).update(claim_status="verified")
    client.get(ArtifactFactory().get_absolute_url())  # what a process reads once
    with django_assert_num_queries(5):
        html = client.get(ernie.get_absolute_url()).content.decode()
    assert "Verified builder · " in html


def test_home_lists_top_newest_and_categories(client, ernie):
    html = client.get(reverse("catalog:home")).content.decode()
    assert "Top ranked, each in its kind" in html
    assert "Newest" in html
    assert "Multimodal" in html
    assert 'role="search"' in html


def test_home_query_count_is_bounded(client, django_assert_max_num_queries):
    """Guards against a query per card for categories or starting price."""
    category = CategoryFactory(name="LLM", slug="llm")
    for index in range(20):
        artifact = ArtifactFactory(name=f"Model {index}", categories=[category])
        PricingPlanFactory(artifact=artifact)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("catalog:home")).status_code == 200


class TestBrowse:
    @pytest.fixture
    def catalog(self):
        vision = CategoryFactory(name="Computer vision", slug="computer-vision")
        speech = CategoryFactory(name="Speech", slug="speech")
        ArtifactFactory(
            name="Alpha Vision",
            kind="model",
            categories=[vision],
            inputs=["image"],
            license="Apache-2.0",
            pricing_model="paid",
            free_tier=True,
            released=dt.date(2024, 1, 1),
        )
        ArtifactFactory(
            name="Beta Speech",
            kind="tool",
            categories=[speech],
            inputs=["audio"],
            license="MIT",
            pricing_model="open_source",
            free_tier=False,
            released=dt.date(2026, 1, 1),
        )
        ArtifactFactory(
            name="Gamma Data",
            kind="dataset",
            categories=[vision],
            inputs=["image"],
            license="MIT",
            pricing_model="free",
            free_tier=None,
            released=dt.date(2025, 1, 1),
        )
        artifacts_refresh_search()  # what every write path does: the text box reads it

    def names(self, response) -> list[str]:
        return [artifact.name for artifact in response.context["result"].page.object_list]

    def test_lists_everything_without_filters(self, client, catalog):
        response = client.get(reverse("catalog:browse"))
        assert response.status_code == 200
        assert sorted(self.names(response)) == ["Alpha Vision", "Beta Speech", "Gamma Data"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("kind=model", ["Alpha Vision"]),
            ("kind=model&kind=dataset", ["Alpha Vision", "Gamma Data"]),
            ("pricing=open_source", ["Beta Speech"]),
            ("free_tier=on", ["Alpha Vision"]),
            ("category=computer-vision", ["Alpha Vision", "Gamma Data"]),
            ("input=audio", ["Beta Speech"]),
            ("license=MIT", ["Beta Speech", "Gamma Data"]),
            ("license=MIT&input=image", ["Gamma Data"]),
            ("q=speech", ["Beta Speech"]),
            ("q=spee", ["Beta Speech"]),  # a word being typed
            ("q=vision+alpha", ["Alpha Vision"]),  # every word, in any order
            ("q=vision+beta", []),
            ("q=%2A%26%21", ["Alpha Vision", "Beta Speech", "Gamma Data"]),  # no word at all
        ],
    )
    def test_each_facet_filters(self, client, catalog, query, expected):
        response = client.get(f"{reverse('catalog:browse')}?{query}&sort=name")
        assert self.names(response) == expected

    def test_unknown_facet_values_are_ignored(self, client, catalog):
        response = client.get(f"{reverse('catalog:browse')}?kind=spaceship&sort=sideways")
        assert response.status_code == 200
        assert len(self.names(response)) == 3

    def test_sort_by_name_and_newest(self, client, catalog):
        url = reverse("catalog:browse")
        assert self.names(client.get(f"{url}?sort=name")) == [
            "Alpha Vision",
            "Beta Speech",
            "Gamma Data",
        ]
        assert self.names(client.get(f"{url}?sort=newest")) == [
            "Beta Speech",
            "Gamma Data",
            "Alpha Vision",
        ]

    def test_facet_counts_ignore_their_own_selection(self, client, catalog):
        response = client.get(f"{reverse('catalog:browse')}?kind=model")
        kinds = {
            option.value: option.count
            for facet in response.context["result"].facets
            if facet.name == "kind"
            for option in facet.options
        }
        assert kinds == {"model": 1, "tool": 1, "dataset": 1}
        licenses = {
            option.value: option.count
            for facet in response.context["result"].facets
            if facet.name == "license"
            for option in facet.options
        }
        assert licenses == {"Apache-2.0": 1}

    def test_bad_page_is_a_404_not_a_500(self, client, catalog):
        assert client.get(f"{reverse('catalog:browse')}?page=99").status_code == 404
        assert client.get(f"{reverse('catalog:browse')}?page=abc").status_code == 404

    def test_htmx_request_gets_only_the_partial(self, client, catalog):
        response = client.get(
            f"{reverse('catalog:browse')}?kind=tool", headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert "<html" not in html
        assert "Beta Speech" in html
        assert "HX-Request" in response["Vary"]

    def test_pagination(self, client, settings):
        settings.ARTIFACTS_PER_PAGE = 5
        for index in range(15):
            ArtifactFactory(name=f"Item {index:02d}")
        response = client.get(f"{reverse('catalog:browse')}?sort=name&page=2")
        assert self.names(response) == [f"Item {index:02d}" for index in range(5, 10)]

    def test_pages_past_the_cap_ask_to_narrow_the_listing(self, client, settings):
        settings.ARTIFACTS_PER_PAGE = 2
        settings.LISTING_MAX_PAGES = 3
        for index in range(12):
            ArtifactFactory(name=f"Item {index:02d}")
        url = f"{reverse('catalog:browse')}?sort=name"
        last = client.get(f"{url}&page=3")
        assert self.names(last) == ["Item 04", "Item 05"]
        html = last.content.decode()
        assert "Page 3 of 3" in html
        assert "The first 3 pages are shown" in html
        assert 'rel="next"' not in html
        past = client.get(f"{url}&page=4")
        assert past.status_code == 404
        assert "Only the first 3 pages" in past.content.decode()
        settings.LISTING_MAX_PAGES = 5  # the real last page (orphans join it): no hint
        html = client.get(f"{url}&page=5").content.decode()
        assert "Page 5 of 5" in html
        assert "pages are shown" not in html

    def test_query_count_does_not_grow_with_results(
        self, client, catalog, django_assert_max_num_queries
    ):
        """Guards against a query per card (categories, plans) or per facet value."""
        for index in range(30):
            artifact = ArtifactFactory(name=f"Filler {index}")
            PricingPlanFactory(artifact=artifact)
        with django_assert_max_num_queries(14):
            assert client.get(reverse("catalog:browse")).status_code == 200

    def test_filtered_listing_reads_the_rank_order_without_distinct(self, client, catalog):
        """DISTINCT over whole rows would make PostgreSQL sort the whole listing to find
        its first page (seconds at a million artifacts); no filter needs it (none joins)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("catalog:browse"), {"kind": ["model", "tool"]})
        cards = [q["sql"] for q in captured if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]]
        assert cards
        assert not [sql for sql in cards if "SELECT DISTINCT" in sql]


def test_category_page_lists_its_artifacts(client):
    speech = CategoryFactory(name="Speech", slug="speech")
    ArtifactFactory(name="Whisper", categories=[speech])
    ArtifactFactory(name="Not Speech")
    response = client.get(reverse("catalog:category-detail", args=["speech"]))
    html = response.content.decode()
    assert "Whisper" in html
    assert "Not Speech" not in html


def test_unknown_category_is_404(client):
    assert client.get(reverse("catalog:category-detail", args=["nope"])).status_code == 404


def test_category_list_counts_published_artifacts(client):
    speech = CategoryFactory(name="Speech", slug="speech")
    ArtifactFactory(categories=[speech])
    ArtifactFactory(categories=[speech], is_published=False)
    html = client.get(reverse("catalog:category-list")).content.decode()
    assert "1 artifact<" in html


def test_pages_refuse_post(client, ernie):
    assert client.post(reverse("catalog:browse")).status_code == 405


def test_cards_show_times_matched_when_there_are_some(client):
    ArtifactFactory(name="Often Chosen", times_matched=12, times_matched_30d=3)
    ArtifactFactory(name="Never Chosen")
    html = client.get(reverse("catalog:browse")).content.decode()
    assert "Chosen 12 times by searchers (3 in 30 days)" in html
    assert "Chosen 0 times" not in html
