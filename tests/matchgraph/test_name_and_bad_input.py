"""Artifact names match however they are spelled out, and any input gets a page, not a 5xx."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from catalog.search_index import artifacts_refresh_search
from matchgraph.search import artifact_search
from matchgraph.search.vocabulary import vocabulary_rebuild
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db

PAGE_HEADING = "<h1>Search by what you want to do</h1>"


def search(query: str):
    return artifact_search(raw_query=query, data=QueryDict(), page_number=None, per_page=24)


def names(results) -> list[str]:
    return [artifact.name for artifact in results.browse.page.object_list]


@pytest.fixture
def catalog():
    llama_cpp = ArtifactFactory(name="llama.cpp", kind="tool", summary="LLM inference in C++.")
    CapabilityFactory(artifact=llama_cpp, title="Run models on a CPU", description="GGUF.")
    for name, summary in [
        ("Llama 3.1", "Open weights language model from Meta."),
        ("whisper.cpp", "Speech recognition in C++, a port of Whisper."),
        ("Ollama", "Runs llama models locally."),
        ("Caption Studio", "Writes image captions for shop listings."),
    ]:
        ArtifactFactory(name=name, summary=summary)
    artifacts_refresh_search()
    vocabulary_rebuild()


@pytest.mark.parametrize("query", ["llamacpp", "llama.cpp", "llama cpp", "LLaMA-cpp", "Llama_CPP"])
def test_a_name_matches_whatever_its_case_punctuation_and_spacing(catalog, query):
    assert names(search(query))[0] == "llama.cpp"


@pytest.mark.parametrize("query", ["llamacpp", "llama.cpp", "llama cpp", "LLaMA-cpp"])
def test_a_spelled_out_name_is_found_as_typed_not_corrected(catalog, query):
    assert search(query).correction is None


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("caption " + "x" * 4_992, id="5000-characters"),
        pytest.param("x" * 5_000, id="5000-characters-one-word"),
        pytest.param("?!…—,.;:'\"%_\\&|<->*()[]{}", id="only-punctuation"),
        pytest.param("the and of to with for a", id="only-stop-words"),
        pytest.param("画像 caption", id="cjk-and-latin"),
        pytest.param("Ünïcödé tts", id="diacritics"),
        pytest.param("Подписи caption 字幕", id="three-scripts"),
        pytest.param("caption\x00photos", id="nul"),
        pytest.param("\x00\x01\x02\x1b[31m\x7f", id="only-control-characters"),
        pytest.param("llama\tcpp\r\nwhisper\x0b", id="whitespace-controls"),
        pytest.param(" ".join(f"captoin{n}" for n in range(50)), id="fifty-misspelled-words"),
        pytest.param(" ".join(["caption", "llama", "whisper", "shop"] * 13)[:400], id="50-words"),
    ],
)
def test_bad_input_answers_with_a_page(client, catalog, query):
    response = client.get(reverse("matchgraph:search"), {"q": query})
    assert response.status_code == 200
    assert PAGE_HEADING in response.content.decode()


def test_invalid_utf8_and_encoded_nul_in_the_url_answer_with_a_page(client, catalog):
    url = reverse("matchgraph:search") + "?q=%ED%A0%80%FF%00caption%C3"
    response = client.get(url)
    assert response.status_code == 200
    assert PAGE_HEADING in response.content.decode()


def test_a_query_of_fifty_words_searches_its_first_words(client, catalog):
    query = " ".join(["caption"] + [f"word{n}" for n in range(49)])
    assert len(query.split()) == 50
    response = client.get(reverse("matchgraph:search"), {"q": query})
    assert response.status_code == 200
    results = response.context["results"]
    assert len(results.plan.words) <= 12
    assert "Caption Studio" in names(results)


def test_only_stop_words_ask_for_more(client, catalog):
    response = client.get(reverse("matchgraph:search"), {"q": "the and of to"})
    assert response.status_code == 200
    assert response.context["results"].browse is None
    assert "Tell us a little more" in response.content.decode()


def test_mixed_scripts_still_find_the_latin_word(client, catalog):
    response = client.get(reverse("matchgraph:search"), {"q": "画像 caption"})
    assert "Caption Studio" in names(response.context["results"])
