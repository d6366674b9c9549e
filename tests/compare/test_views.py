"""Comparison pages over HTTP: redirects, partials for htmx, problems as pages, recording."""

import re

import pytest

from matchgraph.models import ComparisonEvent, MatchEvent
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db

PAIR = "/compare/ernie-4-5-vl-vs-flux-1-pro/"
HTMX = {"HX-Request": "true"}


def test_reverse_order_is_a_permanent_redirect_keeping_the_query(client, directory):
    response = client.get("/compare/flux-1-pro-vs-ernie-4-5-vl/?more=flux-1-pro")
    assert response.status_code == 301
    assert response["Location"] == PAIR + "?more=flux-1-pro"


def test_pair_page_has_headline_canonical_table_verdict_and_search(client, directory):
    response = client.get(PAIR)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<link rel="canonical" href="http://testserver{PAIR}">' in html
    assert (
        '<h1 id="comparison-title" tabindex="-1" data-focus-fallback>'
        'Baidu: ERNIE 4.5 VL <span class="vs">vs</span> FLUX.1 Pro</h1>'
    ) in html
    # A vision-language model and an image generator: no lead, what each is for.
    assert (
        "These do different jobs: Baidu: ERNIE 4.5 VL is for “Multimodal vision-language "
        "understanding”, and FLUX.1 Pro is for “Generate images from text prompts”." in html
    )
    assert "lead of" not in html
    for label in (
        "Type",
        "UnfragileRank",
        "Adoption",
        "Documentation",
        "Connections",
        "Search choices",
        "Pricing",
        "Starting price",
        "Free tier",
        "License",
        "Inputs",
        "Outputs",
        "Capabilities",
        "Times matched",
        "Last updated",
    ):
        assert re.search(rf'<th scope="row">{label}(<span|</th>)', html), label
    assert "$0.42 per 1M input tokens" in html
    assert "per prompt token" not in html
    assert "as of Nov 1, 2026" in html
    assert "7 decomposed" in html and "3 decomposed" in html
    # The better value is marked with text, not colour alone.
    assert '<span class="visually-hidden"> (better)</span>' in html
    assert "Need something different?" in html
    assert "Search the match graph →" in html
    assert 'href="/search/?q=' in html


def test_capabilities_show_five_then_expand_without_js(client, directory):
    html = client.get(PAIR).content.decode()
    sixth = re.compile(r'<h3 id="cap-\d+">Open weights for local use</h3>')
    assert not sixth.search(html)  # the sixth of FLUX's seven
    assert "+2 more capabilities" in html
    expanded = client.get(PAIR + "?more=flux-1-pro").content.decode()
    assert sixth.search(expanded)
    assert re.search(r'<h3 id="cap-\d+">Photorealistic high resolution output</h3>', expanded)
    assert "+2 more capabilities" not in expanded


def test_capabilities_expand_in_place_as_a_partial_without_recording(client, directory):
    response = client.get(
        PAIR + "?more=flux-1-pro", headers={**HTMX, "HX-Target": "caps-flux-1-pro"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<div id="caps-flux-1-pro"')
    assert html.count('<article class="capability') == 7
    assert "autofocus" in html  # focus moves to the first revealed capability
    assert response["Vary"].count("HX-Target") == 1
    assert not ComparisonEvent.objects.exists()


def test_a_swap_returns_the_comparison_region_with_its_title(client, directory):
    response = client.get(
        "/compare/ernie-4-5-vl-vs-sdnext/", headers={**HTMX, "HX-Target": "comparison"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert re.search(r"^<title>[^<]*</title>\s*<div id=\"comparison\"", html.strip())
    assert "<title>Baidu: ERNIE 4.5 VL vs sdnext — compared — Unfragile</title>" in html


def test_opening_a_comparison_records_a_co_match(
    client, directory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(PAIR)
    event = ComparisonEvent.objects.get()
    assert event.artifact_ids == sorted([directory["ernie"].pk, directory["flux"].pk])
    assert len(event.source_hash) == 32
    assert not MatchEvent.objects.exists()


def test_a_comparison_opened_from_a_search_is_a_match_for_both(
    client, directory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(PAIR + "?q=Caption+product+photos")
    matches = MatchEvent.objects.order_by("artifact_id")
    assert [(m.via, m.intent.text) for m in matches] == [
        ("compare", "caption product photos"),
        ("compare", "caption product photos"),
    ]


def test_unknown_slug_is_a_helpful_404(client, directory):
    response = client.get("/compare/flux-1-pro-vs-ernie-four/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We do not list an artifact at “ernie-four”" in html
    assert "FLUX.1 Pro is listed: compare it with something else." in html
    assert 'href="/compare/ernie-4-5-vl-vs-flux-1-pro/"' in html  # did you mean…
    assert '<input type="hidden" name="a" value="flux-1-pro">' in html


def test_an_address_without_two_known_artifacts_is_a_404(client, db):
    assert client.get("/compare/nothing-vs-here/").status_code == 404
    assert client.get("/compare/a-vs-b-vs-c/").status_code == 404


def test_pair_page_query_budget_holds_with_thirty_more_artifacts(
    client, directory, django_assert_max_num_queries
):
    """The page reads the pair and its evidence in a fixed number of queries (no N+1 over
    the catalog, capabilities or related artifacts); a cached page costs one."""
    for index in range(30):
        other = ArtifactFactory(name=f"Crowd {index}")
        CapabilityFactory(artifact=other, title="Generate images from text prompts")
    with django_assert_max_num_queries(10):
        assert client.get(PAIR).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(PAIR).status_code == 200


# --- Grid ---------------------------------------------------------------------------------------


def test_grid_shows_columns_in_order_with_remove_links(client, directory):
    response = client.get("/compare/?a=sdnext&a=flux-1-pro&a=ernie-4-5-vl")
    html = response.content.decode()
    assert response.status_code == 200
    heads = re.findall(r'<th scope="col" class="side-head" data-slug="([^"]+)"', html)
    assert heads == ["sdnext", "flux-1-pro", "ernie-4-5-vl"]
    assert 'href="/compare/?a=flux-1-pro&amp;a=ernie-4-5-vl"' in html  # remove sdnext
    assert "Add a column" in html
    assert (
        '<link rel="canonical" '
        'href="http://testserver/compare/?a=sdnext&amp;a=flux-1-pro&amp;a=ernie-4-5-vl">' in html
    )


def test_a_grid_of_two_points_to_the_pair_page(client, directory):
    html = client.get("/compare/?a=flux-1-pro&a=sdnext").content.decode()
    assert '<link rel="canonical" href="http://testserver/compare/flux-1-pro-vs-sdnext/">' in html
    assert "Remove" not in html


def test_grid_htmx_request_gets_the_grid_region(client, directory):
    response = client.get("/compare/?a=flux-1-pro&a=sdnext&a=ernie-4-5-vl", headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert re.search(
        r"^<title>Compare FLUX.1 Pro, sdnext, Baidu: ERNIE 4.5 VL — Unfragile</title>"
        r"\s*<div id=\"grid\"",
        html.strip(),
    )


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ("a=flux-1-pro", 200, "Pick one more to compare"),
        ("a=flux-1-pro&a=flux-1-pro", 400, "listed more than once"),
        ("a=flux-1-pro&a=missing", 404, "We do not list “missing”"),
        ("&".join(f"a=s{n}" for n in range(7)), 400, "at most 6 artifacts"),
        ("a=%3Cscript%3E&a=flux-1-pro", 404, "&lt;script&gt;"),
    ],
)
def test_grid_problems_are_pages_not_errors(client, directory, query, status, text):
    response = client.get(f"/compare/?{query}")
    assert response.status_code == status
    assert text in response.content.decode()


def test_compare_without_artifacts_is_a_start_page(client, db):
    response = client.get("/compare/")
    assert response.status_code == 200
    assert "Compare artifacts side by side" in response.content.decode()


def test_grid_opening_records_every_column(client, directory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/compare/?a=flux-1-pro&a=sdnext&a=ernie-4-5-vl")
    assert len(ComparisonEvent.objects.get().artifact_ids) == 3


# --- Picker -------------------------------------------------------------------------------------


def test_artifact_page_has_the_compare_picker(client, directory):
    html = client.get("/a/flux-1-pro/").content.decode()
    assert '<h2 id="compare-title">Compare with…</h2>' in html
    assert 'action="/compare/pick/"' in html
    assert '<input type="hidden" name="a" value="flux-1-pro">' in html


def test_picker_suggestions_as_a_partial_are_plain_links_on_an_artifact_page(client, directory):
    response = client.get(
        "/compare/pick/?a=flux-1-pro&q=", headers={**HTMX, "HX-Target": "compare-suggestions"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Related to FLUX.1 Pro" in html
    assert 'href="/compare/flux-1-pro-vs-sdnext/"' in html
    assert "hx-get" not in html


def test_picker_suggestions_swap_in_place_on_a_comparison(client, directory):
    response = client.get(
        "/compare/pick/?a=flux-1-pro&swap=ernie-4-5-vl&mode=swap&q=sdn",
        headers={**HTMX, "HX-Target": "swap-suggestions-ernie-4-5-vl"},
    )
    html = response.content.decode()
    assert 'hx-get="/compare/flux-1-pro-vs-sdnext/"' in html
    assert 'hx-target="#comparison"' in html
    assert 'hx-push-url="true"' in html
    # Focus follows the incoming side to its own Swap control (js/comparison_focus.js).
    assert 'data-focus-after="swap-sdnext"' in html


def test_picker_without_js_redirects_on_an_exact_name_and_lists_otherwise(client, directory):
    exact = client.get("/compare/pick/?a=flux-1-pro&q=Baidu: ERNIE 4.5 VL")
    assert exact.status_code == 302
    assert exact["Location"] == "/compare/ernie-4-5-vl-vs-flux-1-pro/"
    listed = client.get("/compare/pick/?a=flux-1-pro&q=ern")
    assert listed.status_code == 200
    assert 'href="/compare/ernie-4-5-vl-vs-flux-1-pro/"' in listed.content.decode()


def test_picker_suggestions_say_what_each_rank_is_compared_with(client, directory):
    html = client.get("/compare/pick/?a=flux-1-pro&q=").content.decode()
    suggestions = html.split('class="picker-list"')[1].split("</ul>")[0]
    scopes = re.findall(r'/100 <span class="rank-scope">among (\w+)</span>', suggestions)
    assert "repositories" in scopes  # sdnext
    assert not re.search(r"\d+/100(?! <span class=\"rank-scope\">)", suggestions)


def test_picker_for_an_unknown_artifact_is_a_404(client, db):
    assert client.get("/compare/pick/?a=missing").status_code == 404


def capability_article(html: str, capability_id: int) -> str:
    found = re.search(
        rf'<article class="capability[^"]*" aria-labelledby="cap-{capability_id}".*?</article>',
        html,
        re.S,
    )
    assert found, f"no article for capability {capability_id}"
    return found.group(0)


def test_a_capability_reads_the_same_on_the_artifact_page_and_the_pair_page(client, directory):
    """Confidence raised by search evidence, and the searchers behind it, have one owner
    (`matchgraph.selectors.confirmed_confidence`) and one partial on both pages."""
    from matchgraph.models import CapabilityMatchStats

    ernie = directory["ernie"]
    confirmed = ernie.capabilities.order_by("position").first()
    assert confirmed.confidence == "medium"
    CapabilityMatchStats.objects.create(
        capability=confirmed, matches=5, distinct_intents=2, distinct_clients=3
    )
    artifact_page = client.get(ernie.get_absolute_url()).content.decode()
    pair_page = client.get(PAIR).content.decode()
    on_artifact = capability_article(artifact_page, confirmed.pk)
    assert "High confidence · chosen through it by 3 searchers" in on_artifact
    assert capability_article(pair_page, confirmed.pk) == on_artifact


@pytest.mark.parametrize(
    "url",
    [
        "/a/flux-1-pro/",
        PAIR,
        "/compare/?a=flux-1-pro&a=sdnext&a=ernie-4-5-vl",
        "/compare/pick/?a=flux-1-pro&q=ern",
        "/compare/?a=no-such-artifact&a=flux-1-pro",
        "/compare/",
    ],
)
def test_every_picker_form_is_the_one_partial_with_its_suggestions_region(client, directory, url):
    html = client.get(url).content.decode()
    forms = re.findall(r'<form class="picker-form[^"]*".*?</form>', html, re.S)
    assert forms
    for form in forms:
        field = re.search(r'<label for="([^"]+)">', form).group(1)
        target = re.search(r'aria-controls="([^"]+)"', form).group(1)
        assert f'<input id="{field}" type="search" name="q"' in form
        assert f'hx-target="#{target}"' in form
        assert f'<div id="{target}" class="picker-suggestions" aria-live="polite">' in html
