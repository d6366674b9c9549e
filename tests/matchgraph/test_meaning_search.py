"""Meaning search with the real bundled model: what shares no word with the query is found,
says why, and search falls back to keywords when there is no backend or it fails."""

import logging
import socket

import pytest
from django.http import QueryDict

from catalog.embeddings.indexing import embeddings_refresh
from catalog.models import Embedding
from catalog.search_index import artifacts_refresh_search
from matchgraph.search import artifact_search
from matchgraph.search.vocabulary import vocabulary_rebuild
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db

PARAPHRASE = "make my computer talk"


@pytest.fixture
def catalog():
    voice = ArtifactFactory(
        name="Voicebox", slug="voicebox", summary="Reads written text aloud in natural voices."
    )
    CapabilityFactory(artifact=voice, title="Speech synthesis", description="Speaks any text.")
    scanner = ArtifactFactory(
        name="Pagescan", slug="pagescan", summary="Pulls the words out of scanned pages."
    )
    CapabilityFactory(artifact=scanner, title="OCR", description="Reads printed documents.")
    ticks = ArtifactFactory(
        name="Tickstore", slug="tickstore", summary="A database for time series metrics."
    )
    CapabilityFactory(artifact=ticks, title="Store metrics", description="Keeps sensor data.")
    listener = ArtifactFactory(
        name="Earshot",
        slug="earshot",
        summary="Turns recorded audio into written text.",
        inputs=["audio"],
        outputs=["text"],
    )
    CapabilityFactory(
        artifact=listener, title="Transcription", description="Writes down what was said."
    )
    for index in range(8):
        ArtifactFactory(name=f"Filler {index}", summary=f"Helps with chore number {index}.")
    artifacts_refresh_search()
    vocabulary_rebuild()
    embeddings_refresh()
    return {"voice": voice, "scanner": scanner, "ticks": ticks, "listener": listener}


def search(query: str):
    return artifact_search(raw_query=query, data=QueryDict(), page_number=None, per_page=24)


def slugs(results) -> list[str]:
    return [item.artifact.slug for item in results.items]


def test_a_paraphrase_finds_what_shares_no_word_with_it(catalog):
    results = search(PARAPHRASE)
    assert slugs(results)[0] == "voicebox"
    reasons = [(reason.text, reason.label) for reason in results.items[0].reasons]
    assert ("Close in meaning to", "Speech synthesis") in reasons
    assert results.items[0].score.meaning == 1.0


def test_every_result_says_why_and_none_falls_back_to_a_vague_reason(catalog):
    results = search(PARAPHRASE)
    for item in results.items:
        kinds = [reason.kind for reason in item.reasons]
        assert kinds, item.artifact.slug
        assert kinds != ["words"], item.artifact.slug  # "some of your words in its description"


def test_only_the_closer_half_of_the_pool_is_added(catalog):
    assert "tickstore" not in slugs(search(PARAPHRASE))


def test_keywords_still_come_first_when_they_match(catalog):
    assert slugs(search("scanned pages"))[0] == "pagescan"


def test_a_task_with_a_direction_takes_only_what_does_it_by_meaning(catalog):
    """ "speech to text": found by meaning alone, only what turns audio into text stays."""
    found = slugs(search("speech into words"))
    assert "earshot" in found
    directional = search("speech to text")
    meaning_only = [item.artifact.slug for item in directional.items if item.score.text_match == 0]
    assert set(meaning_only) <= {"earshot"}


def test_without_a_backend_search_is_by_keywords(catalog, settings):
    settings.EMBEDDINGS_BACKEND = "none"
    assert "voicebox" not in slugs(search(PARAPHRASE))
    assert slugs(search("scanned pages"))[0] == "pagescan"


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failing_endpoint_falls_back_to_keywords_and_logs_it(catalog, settings, caplog):
    settings.EMBEDDINGS_BACKEND = "openai"
    settings.EMBEDDINGS_URL = f"http://127.0.0.1:{unused_port()}/v1"
    settings.EMBEDDINGS_MODEL = "nothing-listens"
    settings.EMBEDDINGS_TIMEOUT = 0.5
    # Vectors of that model exist, so search tries to embed the query, and cannot. (Three
    # keyword matches: fewer would be a lone named result, which needs no meaning.)
    Embedding.objects.update(model="openai:nothing-listens")
    ArtifactFactory(name="Texter", summary="Cleans up written text.")
    artifacts_refresh_search()
    with caplog.at_level(logging.WARNING):
        results = search("written text")
    assert {"voicebox", "earshot"} <= set(slugs(results))
    assert all(item.score.meaning == 0 for item in results.items)
    assert "meaning search skipped, keywords only" in caplog.text


def test_the_query_vector_is_cached(catalog, monkeypatch):
    search(PARAPHRASE)
    from catalog.embeddings import get_backend

    backend = get_backend()

    def refuse(text):
        raise AssertionError("embedded again")

    monkeypatch.setattr(backend, "embed_query", refuse)
    assert slugs(search(PARAPHRASE))[0] == "voicebox"


def test_the_search_page_shows_the_meaning_reason(client, catalog):
    html = client.get("/search/", {"q": PARAPHRASE}).content.decode()
    assert "Close in meaning to <em>Speech synthesis</em>" in html
