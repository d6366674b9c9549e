"""`artifact_search`: full-text ranking, prefix and broadening, fallbacks, facets, highlights
and match feedback, on small crafted catalogs."""

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse

from catalog.search_index import artifacts_refresh_search
from catalog.selectors import catalog_counts
from matchgraph.aggregation import match_graph_aggregate
from matchgraph.search import artifact_search
from matchgraph.search.vocabulary import (
    MAX_COMPLETIONS,
    TOTAL_DOCUMENTS_KEY,
    completions,
    total_documents,
    vocabulary_rebuild,
)
from matchgraph.services import match_record
from tests.catalog.factories import ArtifactFactory, CapabilityFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def search(query: str, **facets):
    data = QueryDict(urlencode({"q": query, **facets}, doseq=True))
    return artifact_search(raw_query=query, data=data, page_number=None, per_page=24)


def names(results) -> list[str]:
    return [artifact.name for artifact in results.browse.page.object_list]


@pytest.fixture
def catalog():
    vision = CategoryFactory(name="Computer vision", slug="computer-vision")
    sheets = CategoryFactory(name="Spreadsheets", slug="spreadsheets")
    CategoryFactory(name="Quantum computing", slug="quantum-computing")  # no artifacts
    studio = ArtifactFactory(
        name="Caption Studio",
        kind="tool",
        summary="Writes alt text and captions for shop listings.",
        categories=[vision],
    )
    CapabilityFactory(
        artifact=studio,
        title="Caption product photos",
        description="Describes each product photo in one sentence.",
    )
    CapabilityFactory(artifact=studio, title="Bulk export", description="Exports as CSV.")
    # Popular (ranked 95) but only mentions the words in passing, in a description.
    megachat = ArtifactFactory(
        name="MegaChat",
        kind="model",
        summary="A general assistant for everything.",
        categories=[vision],
        current_rank=95,
    )
    CapabilityFactory(
        artifact=megachat, title="Chat", description="Answers questions; can caption photos too."
    )
    CapabilityFactory(artifact=megachat, title="Write code", description="Many languages.")
    wizard = ArtifactFactory(
        name="Sheet Wizard",
        kind="tool",
        summary="Formulas without the pain.",
        categories=[sheets],
    )
    CapabilityFactory(artifact=wizard, title="Edit spreadsheet formulas", description="Fixes.")
    artifacts_refresh_search()


def test_relevant_artifact_beats_a_popular_one_that_barely_matches(catalog):
    results = search("caption photos")
    assert names(results) == ["Caption Studio", "MegaChat"]
    studio, megachat = results.items
    assert studio.score.text_match > megachat.score.text_match
    assert megachat.artifact.current_rank == 95


def test_rank_decides_between_artifacts_that_fit_the_words_equally():
    for name, rank in [("Twin Alpha", 10), ("Twin Beta", 80)]:
        twin = ArtifactFactory(name=name, summary="Same words.", current_rank=rank)
        CapabilityFactory(artifact=twin, title="Remove image backgrounds", description="Fast.")
    artifacts_refresh_search()
    assert names(search("remove backgrounds")) == ["Twin Beta", "Twin Alpha"]


def test_text_weights_name_over_capability_title_over_summary_over_description():
    fields = {
        "in name": {"name": "Zebra Kit"},
        "in capability title": {"title": "zebra stripes"},
        "in summary": {"summary": "Counts zebra herds."},
        "in description": {"description": "Mentions zebra once."},
    }
    for label, where in fields.items():
        artifact = ArtifactFactory(
            name=where.get("name", f"Kit {label.split()[-1]}"),
            summary=where.get("summary", "Counts other herds."),
        )
        CapabilityFactory(
            artifact=artifact,
            title=where.get("title", "plain stripes"),
            description=where.get("description", "Mentions nothing once."),
        )
    artifacts_refresh_search()
    assert names(search("zebra")) == ["Zebra Kit", "Kit title", "Kit summary", "Kit description"]


def test_last_word_matches_as_a_prefix(catalog):
    assert names(search("capt")) == ["Caption Studio", "MegaChat"]
    results = search("caption phot")
    assert names(results) == ["Caption Studio", "MegaChat"]
    assert not results.broadened


def test_an_unfinished_word_finds_the_same_through_the_vocabulary(catalog):
    vocabulary_rebuild()
    assert completions("capt")[:2] == ("capt", "caption")
    assert names(search("capt")) == ["Caption Studio", "MegaChat"]
    assert names(search("caption phot")) == ["Caption Studio", "MegaChat"]


def test_a_prefix_the_vocabulary_cannot_complete_stays_a_prefix_search(catalog):
    ArtifactFactory(name="Thing", organization="Zyphra Labs", summary="Trains zyxelmodels once.")
    artifacts_refresh_search()
    vocabulary_rebuild()
    assert completions("zyph") == ("zyph", "zyphra")  # organizations are in the vocabulary
    assert completions("zyxe") == ("zyxe", "zyxelmodels")  # and once-only summary words
    assert completions("qqq") is None  # nothing known begins with it
    assert completions("20") is None  # numbers are not in the vocabulary
    assert completions("over") is None  # a word full-text search ignores
    assert names(search("caption phot")) == ["Caption Studio", "MegaChat"]


def test_a_short_prefix_with_many_completions_stays_a_prefix_search(catalog):
    for n in range(MAX_COMPLETIONS + 1):
        ArtifactFactory(name=f"Cap{n:02d}x", summary="Something else.")
    artifacts_refresh_search()
    vocabulary_rebuild()
    assert completions("cap") is None
    assert {"Caption Studio", "Cap07x"} <= set(names(search("cap")))


def test_only_the_last_word_is_a_prefix(catalog):
    # "phot" is a whole word here, so no artifact has every word; "caption" alone still finds.
    results = search("phot caption")
    assert results.broadened
    assert names(results) == ["Caption Studio", "MegaChat"]


def test_broadens_to_any_word_when_no_artifact_has_every_word(catalog):
    results = search("caption spreadsheet")
    assert results.broadened
    assert set(names(results)) == {"Caption Studio", "MegaChat", "Sheet Wizard"}


def test_does_not_broaden_when_every_word_matches(catalog):
    results = search("spreadsheet formulas")
    assert not results.broadened
    assert names(results) == ["Sheet Wizard"]


def test_zero_results_suggest_categories_named_like_the_query(catalog):
    results = search("quantum annealing")
    assert results.total == 0
    assert [category.name for category in results.suggested_categories] == ["Quantum computing"]


def test_zero_results_fall_back_to_popular_categories(catalog):
    results = search("xylophone")
    assert results.total == 0
    assert [category.name for category in results.suggested_categories] == [
        "Computer vision",
        "Spreadsheets",
    ]


def test_zero_results_page_shows_the_suggestions(client, catalog):
    html = client.get(reverse("matchgraph:search"), {"q": "quantum"}).content.decode()
    assert "Nothing matches “quantum”" in html
    suggestion = reverse("catalog:category-detail", args=["quantum-computing"])
    assert f'<a class="chip" href="{suggestion}">Quantum computing</a>' in html


def test_facets_apply_to_search(catalog):
    results = search("caption", kind="tool")
    assert names(results) == ["Caption Studio"]
    kinds = {
        option.value: option.count
        for facet in results.browse.facets
        if facet.name == "kind"
        for option in facet.options
    }
    # Counts are over the matches only: Sheet Wizard is a tool but does not match.
    assert kinds == {"tool": 1, "model": 1}


def test_explicit_sort_overrides_relevance(catalog):
    assert names(search("caption", sort="name")) == ["Caption Studio", "MegaChat"]
    assert names(search("caption", sort="rank")) == ["MegaChat", "Caption Studio"]


def test_highlights_mark_matched_words_of_matched_capabilities(catalog):
    results = search("caption photos")
    studio = results.items[0]
    titles = [highlight.title_html for highlight in studio.highlights]
    assert titles == ["<mark>Caption</mark> product <mark>photos</mark>"]


def test_highlights_escape_capability_titles():
    artifact = ArtifactFactory(name="Risky Tool")
    CapabilityFactory(artifact=artifact, title="Caption <script>alert(1)</script> photos & more")
    artifacts_refresh_search()
    results = search("caption photos")
    (highlight,) = results.result(artifact.pk).highlights
    html = highlight.title_html
    assert "<mark>Caption</mark>" in html
    assert "<mark>photos</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; more" in html
    assert set(re.findall(r"<[^>]*>", html)) == {"<mark>", "</mark>"}


def test_highlighted_title_on_the_page_is_escaped(client):
    artifact = ArtifactFactory(name="Risky Tool")
    CapabilityFactory(artifact=artifact, title="Caption <script>alert(1)</script> photos")
    artifacts_refresh_search()
    html = client.get(reverse("matchgraph:search"), {"q": "caption photos"}).content.decode()
    assert "<mark>Caption</mark> &lt;script&gt;alert(1)&lt;/script&gt; <mark>photos</mark>" in html
    assert "<script>alert(1)" not in html


@pytest.fixture
def twins():
    made = {}
    for name in ["Twin Alpha", "Twin Beta"]:
        made[name] = ArtifactFactory(name=name, summary="Same words.")
        CapabilityFactory(artifact=made[name], title="Remove image backgrounds")
    artifacts_refresh_search()
    return made


def test_match_feedback_for_the_same_intent_lifts_an_artifact(twins, frozen_clock):
    assert names(search("remove backgrounds")) == ["Twin Alpha", "Twin Beta"]
    for source in range(3):
        match_record(
            query="Remove backgrounds!",
            artifact_id=twins["Twin Beta"].pk,
            via="click",
            source_hash=f"source-{source}",
            position=1,
        )
    match_graph_aggregate()
    results = search("remove backgrounds")
    assert names(results) == ["Twin Beta", "Twin Alpha"]
    assert results.items[0].score.match_weight == pytest.approx(3.0)


def test_match_feedback_for_another_intent_does_not_lift(twins, frozen_clock):
    for source in range(3):
        match_record(
            query="background eraser",
            artifact_id=twins["Twin Beta"].pk,
            via="fits",
            source_hash=f"source-{source}",
            at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        )
    match_graph_aggregate()
    assert names(search("remove backgrounds")) == ["Twin Alpha", "Twin Beta"]


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5_000,
        "caption " * 1_000,
        "?!…—,.;:'\"%_\\",
        "the and of to",
        "画像 caption",
        "Подписи к фото caption",
        "caption\x00photos",
        "<script>alert(1)</script>",
        "caption & | ! :* ( ) <-> photos",
        "🔥🔥 caption",
        "caption画像",
        "İstanbul photos",
        "x86_64 v0.2 1e5 ½",
    ],
)
def test_bad_input_gets_a_page_not_an_error(client, catalog, query):
    response = client.get(reverse("matchgraph:search"), {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_mixed_scripts_still_find_the_latin_word(catalog):
    results = search("画像 caption")
    assert results.broadened
    assert "Caption Studio" in names(results)


def test_empty_query_asks_for_words_and_suggests_popular_categories(client, catalog):
    results = search("the of and")
    assert results.browse is None
    assert [category.name for category in results.suggested_categories] == [
        "Computer vision",
        "Spreadsheets",
    ]
    html = client.get(reverse("matchgraph:search"), {"q": "!!!"}).content.decode()
    assert "Tell us a little more" in html


def test_a_forgotten_document_count_is_the_catalogs_kept_count_not_a_recount(
    django_assert_num_queries,
):
    ArtifactFactory(kind="model")
    ArtifactFactory(kind="tool")
    ArtifactFactory(kind="tool", is_published=False)
    artifacts_refresh_search()
    vocabulary_rebuild()
    assert total_documents() == 2
    cache.delete(TOTAL_DOCUMENTS_KEY)
    catalog_counts()  # what the writing job keeps for every catalog change
    with django_assert_num_queries(0):
        assert total_documents() == 2


def test_each_result_links_to_its_own_pages(catalog):
    results = search("caption")
    assert results.items
    for item in results.items:
        slug = item.artifact.slug
        assert item.open_url == reverse("matchgraph:open", args=[slug])
        assert item.fits_url == reverse("matchgraph:fits", args=[slug])
        assert item.detail_url == item.artifact.get_absolute_url()
