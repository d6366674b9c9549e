"""Search and match-recording views: full page or htmx partial, what gets recorded, safe
redirects, and a bounded number of queries."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.search_index import artifacts_refresh_search
from matchgraph.models import MatchEvent, SearchEvent
from matchgraph.search.vocabulary import vocabulary_rebuild
from tests.catalog.factories import (
    ArtifactFactory,
    CapabilityFactory,
    CategoryFactory,
    PricingPlanFactory,
)
from tests.clients import shown_token

pytestmark = pytest.mark.django_db

SEARCH = reverse("matchgraph:search")
HTMX = {"HX-Request": "true"}
LIVE = {"HX-Request": "true", "X-Live-Search": "1"}


@pytest.fixture
def studio():
    artifact = ArtifactFactory(name="Caption Studio", slug="caption-studio", kind="tool")
    CapabilityFactory(artifact=artifact, title="Caption product photos")
    other = ArtifactFactory(name="Photo Namer", slug="photo-namer")
    CapabilityFactory(artifact=other, title="Name photos by what they show", description="Caption")
    artifacts_refresh_search()
    return artifact


class TestSearchPage:
    def test_full_page(self, client, studio):
        response = client.get(SEARCH, {"q": "caption photos"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" in html
        assert "2 results for “caption photos”" in html
        assert "Caption Studio" in html
        assert "HX-Request" in response["Vary"]

    def test_htmx_request_gets_only_the_partial(self, client, studio):
        response = client.get(SEARCH, {"q": "caption photos"}, headers=HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert "<h1>" not in html
        assert "2 results for “caption photos”" in html
        assert "HX-Request" in response["Vary"]

    def test_empty_search_page_invites_a_query(self, client, studio):
        html = client.get(SEARCH).content.decode()
        assert "What are you building?" in html
        assert 'name="q"' in html
        assert not SearchEvent.objects.exists()

    def test_result_links_carry_query_and_impression_token(self, client, studio):
        html = client.get(SEARCH, {"q": "caption photos"}).content.decode()
        link = f'href="/search/open/{studio.slug}/?q=caption%20photos&amp;t={studio.pk}.1%3A'
        assert link in html
        assert "pos=" not in html

    def test_search_page_refuses_post(self, client):
        assert client.post(SEARCH, {"q": "caption"}).status_code == 405

    def test_bad_page_is_a_404(self, client, studio):
        assert client.get(SEARCH, {"q": "caption", "page": "9"}).status_code == 404
        assert client.get(SEARCH, {"q": "caption", "page": "x"}).status_code == 404


class TestSearchRecording:
    def test_submitted_search_is_recorded_with_what_was_shown(self, client, studio):
        response = client.get(SEARCH, {"q": "  Caption the PHOTOS! "})
        event = SearchEvent.objects.get()
        assert event.intent.text == "caption photos"
        shown = [artifact.pk for artifact in response.context["results"].browse.page]
        assert event.shown_artifact_ids == shown
        assert shown[0] == studio.pk

    def test_htmx_submit_is_recorded(self, client, studio):
        client.get(SEARCH, {"q": "caption photos"}, headers=HTMX)
        assert SearchEvent.objects.count() == 1

    def test_live_keystrokes_are_not_recorded(self, client, studio):
        for typed in ["cap", "capti", "caption ph"]:
            response = client.get(SEARCH, {"q": typed}, headers=LIVE)
            assert response.status_code == 200
        assert not SearchEvent.objects.exists()

    def test_query_without_words_is_not_recorded(self, client, studio):
        client.get(SEARCH, {"q": "the of and !!"})
        assert not SearchEvent.objects.exists()

    def test_search_with_no_results_is_still_an_intent(self, client, studio):
        client.get(SEARCH, {"q": "quantum annealing"})
        event = SearchEvent.objects.get()
        assert event.intent.text == "quantum annealing"
        assert event.shown_artifact_ids == []


class TestOpenResult:
    def test_records_a_click_at_the_shown_position_and_redirects(self, client, studio):
        token = shown_token(client, "Caption photos", studio.slug)
        url = reverse("matchgraph:open", args=[studio.slug])
        response = client.get(url, {"q": "Caption photos", "t": token, "pos": "9999"})
        assert response.status_code == 302
        assert response["Location"] == studio.get_absolute_url()
        match = MatchEvent.objects.get()
        assert (match.artifact, match.intent.text, match.position, match.via) == (
            studio,
            "caption photos",
            1,
            "click",
        )
        assert match.evidence == "shown"

    def test_beacon_post_records_the_click_without_redirecting(self, client, studio):
        token = shown_token(client, "caption photos", studio.slug)
        url = reverse("matchgraph:open", args=[studio.slug])
        response = client.post(url, {"q": "caption photos", "t": token})
        assert response.status_code == 204
        assert MatchEvent.objects.get().evidence == "shown"

    def test_unknown_or_hidden_artifact_is_404_and_records_nothing(self, client, studio):
        hidden = ArtifactFactory(slug="hidden-one", is_published=False)
        for slug in ["no-such-artifact", hidden.slug]:
            url = reverse("matchgraph:open", args=[slug])
            assert client.get(url, {"q": "caption", "pos": "1"}).status_code == 404
        assert not MatchEvent.objects.exists()

    @pytest.mark.parametrize(
        "token", ["", "abc", "1.1", f"{10**30}.1:x:y", "1.1:aaaaaa:bbbbbbbbbb", "\u00e9" * 300]
    )
    def test_garbage_token_is_recorded_as_unproven(self, client, studio, token):
        url = reverse("matchgraph:open", args=[studio.slug])
        response = client.get(url, {"q": "caption", "t": token})
        assert response.status_code == 302
        match = MatchEvent.objects.get()
        assert (match.evidence, match.position) == ("unproven", None)

    def test_without_a_query_it_only_redirects(self, client, studio):
        response = client.get(reverse("matchgraph:open", args=[studio.slug]))
        assert response.status_code == 302
        assert not MatchEvent.objects.exists()

    def test_refuses_other_methods(self, client, studio):
        url = reverse("matchgraph:open", args=[studio.slug])
        assert client.put(url, {"q": "caption"}).status_code == 405


class TestThisFits:
    def url(self, artifact) -> str:
        return reverse("matchgraph:fits", args=[artifact.slug])

    def test_htmx_post_records_fits_and_returns_the_thanks_fragment(self, client, studio):
        ArtifactFactory(name="Caption Helper", slug="caption-helper", summary="Caption photos")
        artifacts_refresh_search()
        token = shown_token(client, "caption photos", studio.slug)
        response = client.post(
            self.url(studio), {"q": "caption photos", "t": token, "pos": "9"}, headers=HTMX
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert "Thanks — your vote for Caption Studio" in html
        assert 'id="live-status"' in html  # the same words, for screen readers
        match = MatchEvent.objects.get()
        assert (match.via, match.evidence, match.intent.text) == ("fits", "shown", "caption photos")
        assert match.position == int(token.split(":")[0].split(".")[1])

    def test_plain_post_redirects_back_with_a_message(self, client, studio):
        back = f"{SEARCH}?q=caption+photos&kind=tool"
        response = client.post(self.url(studio), {"q": "caption photos", "pos": "1", "next": back})
        assert response.status_code == 302
        assert response["Location"] == back
        assert MatchEvent.objects.get().via == "fits"
        page = client.get(back).content.decode()
        assert "your vote that Caption Studio fits “caption photos” is noted" in page

    @pytest.mark.parametrize(
        "next_url",
        [
            "https://evil.example/phish",
            "//evil.example/phish",
            "http:///evil.example",
            "javascript:alert(1)",
            "",
        ],
    )
    def test_next_cannot_leave_the_site(self, client, studio, next_url):
        response = client.post(self.url(studio), {"q": "caption photos", "next": next_url})
        assert response.status_code == 302
        assert response["Location"] == f"{SEARCH}?q=caption+photos"

    def test_get_is_refused(self, client, studio):
        assert client.get(self.url(studio), {"q": "caption"}).status_code == 405
        assert not MatchEvent.objects.exists()

    def test_csrf_is_enforced(self, studio):
        strict = Client(enforce_csrf_checks=True)
        response = strict.post(self.url(studio), {"q": "caption photos"}, headers=HTMX)
        assert response.status_code == 403
        assert not MatchEvent.objects.exists()

    def test_unknown_artifact_is_404(self, client):
        response = client.post(
            reverse("matchgraph:fits", args=["no-such-artifact"]), {"q": "caption"}
        )
        assert response.status_code == 404


@pytest.fixture
def thirty_matches():
    vision = CategoryFactory(name="Computer vision", slug="computer-vision")
    speech = CategoryFactory(name="Speech", slug="speech")
    for index in range(30):
        artifact = ArtifactFactory(
            name=f"Captioner {index:02d}",
            kind=["model", "tool", "api"][index % 3],
            license=["MIT", "Apache-2.0"][index % 2],
            categories=[vision, speech] if index % 2 else [vision],
            current_rank=index,
        )
        CapabilityFactory(artifact=artifact, title=f"Caption photos in style {index}")
        CapabilityFactory(artifact=artifact, title="Caption video frames")
        CapabilityFactory(artifact=artifact, title="Export captions")
        PricingPlanFactory(artifact=artifact)
    artifacts_refresh_search()
    # Built now, so the page under measurement does not queue (and here run) a rebuild.
    vocabulary_rebuild()


def test_search_page_query_count_does_not_grow_with_results(
    client, thirty_matches, django_assert_max_num_queries
):
    """Guards against an N+1 over the results: a query per card for its categories or plans,
    per result for its matched-capability highlights or match-graph weight, or per facet value.
    The 14 are a live keystroke's 10 (below) and recording the search (intent get-or-create
    with its savepoint, and the event). (A first search loads the vocabulary and the meaning
    vectors into the process: not counted, as in a running server.)"""
    client.get(SEARCH, {"q": "capt"}, headers=LIVE)
    with django_assert_max_num_queries(14):
        response = client.get(SEARCH, {"q": "caption photos"})
    assert response.status_code == 200
    assert response.context["results"].total == 30
    assert all(item.highlights for item in response.context["results"].items)
    assert len(response.context["results"].items) == 24


def test_live_partial_query_count_does_not_grow_with_results(
    client, thirty_matches, django_assert_max_num_queries
):
    """The same N+1 guard for keystrokes of live search, which record nothing. The 10 are:
    the matches of the words (for the spelling check, then every tier and the names in one
    statement), the intent, the capability net, relevance, the page and its plans, the facet
    counts, the highlights and the matched fields. (A first keystroke loads the vocabulary
    and the meaning vectors into the process: not counted, as in a running server.)"""
    client.get(SEARCH, {"q": "capt"}, headers=LIVE)
    with django_assert_max_num_queries(10):
        response = client.get(SEARCH, {"q": "caption phot"}, headers=LIVE)
    assert response.status_code == 200
    assert response.context["results"].total == 30
