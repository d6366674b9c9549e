"""Spelling correction: each kind of typo finds the artifact meant, a query with good results
is never rewritten, and correction is plain Python over an in-memory vocabulary (no pg_trgm)."""

import re
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.search_index import artifacts_refresh_search
from matchgraph.models import SearchTerm
from matchgraph.search import Correction, artifact_search
from matchgraph.search.vocabulary import (
    BUILT_VERSION_KEY,
    correct_words,
    may_correct,
    vocabulary_rebuild,
)
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db


def search(query: str, *, exact: bool = False):
    return artifact_search(
        raw_query=query, data=QueryDict(), page_number=None, per_page=24, exact=exact
    )


def names(results) -> list[str]:
    return [artifact.name for artifact in results.browse.page.object_list]


@pytest.fixture
def catalog():
    whisper = ArtifactFactory(name="Whisper", summary="Open speech model for many languages.")
    CapabilityFactory(artifact=whisper, title="Transcribe audio", description="Any language.")
    qdrant = ArtifactFactory(name="Qdrant", kind="tool", summary="A vector database in Rust.")
    CapabilityFactory(artifact=qdrant, title="Filtered vector search", description="Fast.")
    ollama = ArtifactFactory(name="Ollama", kind="tool", summary="Runs open models on a laptop.")
    CapabilityFactory(artifact=ollama, title="Serve local models", description="One command.")
    torch = ArtifactFactory(name="PyTorch", kind="tool", summary="Tensors and autograd.")
    CapabilityFactory(artifact=torch, title="Train networks", description="On GPUs.")
    nomic = ArtifactFactory(name="Nomic Embed", summary="Long-context text embeddings.")
    CapabilityFactory(artifact=nomic, title="Text embeddings", description="For retrieval.")
    listener = ArtifactFactory(name="Listener", summary="Offline dictation for notes.")
    CapabilityFactory(artifact=listener, title="Speech recognition", description="Offline.")
    artifacts_refresh_search()
    vocabulary_rebuild()


@pytest.mark.parametrize(
    ("typed", "meant", "first"),
    [
        ("whsiper", "whisper", "Whisper"),  # transposed letters
        ("qdrnt", "qdrant", "Qdrant"),  # missing letter
        ("ollamma", "ollama", "Ollama"),  # extra letter
        ("pytorchh", "pytorch", "PyTorch"),  # doubled letter
        ("whis per", "whisper", "Whisper"),  # a word split in two
        ("speechrecognition", "speech recognition", "Listener"),  # two words joined
    ],
)
def test_each_typo_class_is_corrected_to_the_artifact_meant(catalog, typed, meant, first):
    results = search(typed)
    assert results.correction == Correction(typed=typed, searched=meant)
    assert names(results)[0] == first


def test_a_corrected_query_keeps_its_stop_words_and_so_its_direction():
    speaker = ArtifactFactory(name="Speaker", summary="Text to speech in many voices.")
    ArtifactFactory(name="Scribe", summary="Speech to text for meetings.")
    artifacts_refresh_search()
    vocabulary_rebuild()

    results = search("text to speach")

    assert results.correction == Correction(typed="text to speach", searched="text to speech")
    assert results.plan.direction is not None  # the text-to-speech task, not "text speech"
    assert names(results)[0] == speaker.name


def test_a_missing_letter_in_a_common_word_finds_the_artifact(catalog):
    # "embedings" stems like "embeddings", so full-text search may find it without help;
    # either way the artifact meant comes first.
    results = search("embedings")
    assert names(results)[0] == "Nomic Embed"
    assert correct_words(["embedings"]) == ["embeddings"]


def test_exact_search_is_never_corrected(catalog):
    results = search("whsiper", exact=True)
    assert results.correction is None
    assert results.total == 0


def test_words_shorter_than_four_letters_are_left_alone_in_a_corrected_query(catalog):
    results = search("qdr ollma")
    assert results.correction == Correction(typed="qdr ollma", searched="qdr ollama")


def test_a_query_with_good_results_is_never_rewritten():
    # "transcribes" is not in the vocabulary (capability descriptions are not), but it is
    # close to a name word, and three artifacts match it as typed.
    ArtifactFactory(name="Transcriber", summary="Turns calls into notes.")
    for name in ["Alpha Notes", "Beta Notes", "Gamma Notes"]:
        artifact = ArtifactFactory(name=name, summary="Keeps meeting notes.")
        CapabilityFactory(artifact=artifact, title="Notes", description="Transcribes calls.")
    artifacts_refresh_search()
    vocabulary_rebuild()
    assert correct_words(["transcribes"]) == ["transcriber"]  # it would be corrected

    results = search("transcribes")

    assert results.correction is None
    assert results.plan.words == ["transcribes"]
    assert {"Alpha Notes", "Beta Notes", "Gamma Notes"} <= set(names(results))


def test_a_word_with_nothing_close_is_not_corrected(catalog):
    results = search("zzzzqqq")
    assert results.correction is None
    assert results.total == 0


def test_the_page_reports_the_correction_with_both_links(client, catalog):
    html = client.get(reverse("matchgraph:search"), {"q": "whsiper"}).content.decode()
    assert "Showing results for" in html
    search_url = reverse("matchgraph:search")
    assert f'href="{search_url}?q=whisper"><strong><em>whisper</em></strong></a>' in html
    assert f'href="{search_url}?q=whsiper&amp;exact=1"><em>whsiper</em></a>' in html

    exact = client.get(search_url, {"q": "whsiper", "exact": "1"}).content.decode()
    assert "Showing results for" not in exact


TRIGRAM_SQL = re.compile(r"similarity\(|pg_trgm|gin_trgm_ops|<->>?|<<?%|%>>?|\s%\s")


def test_correction_runs_no_trigram_sql_and_reads_the_vocabulary_once(catalog):
    with CaptureQueriesContext(connection) as first:
        assert search("whsiper").correction is not None
    with CaptureQueriesContext(connection) as second:
        assert search("qdrnt").correction is not None

    statements = [query["sql"] for query in first.captured_queries + second.captured_queries]
    assert not [sql for sql in statements if TRIGRAM_SQL.search(sql)]
    assert any("matchgraph_searchterm" in sql for sql in statements)
    # The vocabulary is held in memory per built version: later searches do not re-read it.
    assert not any("matchgraph_searchterm" in q["sql"] for q in second.captured_queries)


# --- correct_words against a hand-built vocabulary --------------------------------------------


@pytest.fixture
def vocabulary():
    words = {"whisper": 3, "speech": 5, "recognition": 4, "embeddings": 2, "ollama": 1}
    words |= {"lama": 1, "model": 9, "modal": 1}
    SearchTerm.objects.bulk_create(SearchTerm(word=w, frequency=f) for w, f in words.items())
    cache.set(BUILT_VERSION_KEY, f"hand-built-{uuid.uuid4().hex}", None)


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [
        (["whsiper"], ["whisper"]),
        (["embedings"], ["embeddings"]),
        (["ollamma"], ["ollama"]),
        (["whisperr"], ["whisper"]),
        (["whis", "per"], ["whisper"]),
        (["speechrecognition"], ["speech", "recognition"]),
        (["speach", "recogntion"], ["speech", "recognition"]),
    ],
)
def test_correct_words_mends_each_typo(vocabulary, typed, corrected):
    assert correct_words(typed) == corrected


def test_correct_words_keeps_known_short_and_unlike_words(vocabulary):
    assert correct_words(["whisper", "speech"]) == ["whisper", "speech"]
    assert correct_words(["lma"]) == ["lma"]  # shorter than four letters, though near "lama"
    assert correct_words(["xylophone"]) == ["xylophone"]  # nothing close enough
    assert correct_words(["画像"]) == ["画像"]


def test_correct_words_does_not_join_two_known_words(vocabulary):
    assert correct_words(["speech", "recognition"]) == ["speech", "recognition"]


def test_correct_words_prefers_the_more_frequent_of_equally_close_words(vocabulary):
    # "modxl" is as close to "model" (9 uses) as to "modal" (1 use).
    assert correct_words(["modxl"]) == ["model"]


def test_correct_words_without_a_vocabulary_changes_nothing():
    cache.set(BUILT_VERSION_KEY, f"empty-{uuid.uuid4().hex}", None)
    assert correct_words(["whsiper"]) == ["whsiper"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["whisper", "speech"], False),  # every word known
        (["lma"], False),  # unknown, but too short to correct
        (["whsiper"], True),
        (["whis", "per"], True),  # two words that join into a known one
        (["speechrecognition"], True),
    ],
)
def test_may_correct_tells_without_fuzzy_matching_whether_correcting_could_help(
    vocabulary, monkeypatch, words, expected
):
    monkeypatch.setattr("matchgraph.search.vocabulary.process.extract", forbidden_fuzzy_match)
    assert may_correct(words) is expected


def forbidden_fuzzy_match(*args, **kwargs):
    raise AssertionError("may_correct must not run fuzzy matching")


def test_a_query_with_an_unknown_word_but_good_results_skips_fuzzy_matching(catalog, monkeypatch):
    # "vectors" is not in the vocabulary, yet the words as typed already find Qdrant.
    monkeypatch.setattr("matchgraph.search.vocabulary.process.extract", forbidden_fuzzy_match)
    ArtifactFactory(name="Milvus", summary="Stores vectors at scale.")
    ArtifactFactory(name="Weaviate", summary="Vectors and search.")
    ArtifactFactory(name="Chroma", summary="Vectors for apps.")
    artifacts_refresh_search()
    results = search("vect")
    assert results.correction is None
    assert len(results.browse.page.object_list) >= 3


def test_a_word_from_a_single_summary_is_known_but_never_offered(vocabulary):
    SearchTerm.objects.create(word="zeitgeist", frequency=1, correctable=False)
    cache.set(BUILT_VERSION_KEY, f"hand-built-{uuid.uuid4().hex}", None)
    assert not may_correct(["zeitgeist"])  # known: never "corrected" into something else
    assert correct_words(["zeitgiest"]) == ["zeitgiest"]  # but not suggested either


def test_a_typo_keeping_either_end_of_the_word_is_corrected(vocabulary):
    assert correct_words(["hisper"]) == ["whisper"]  # first letter lost, last kept
    assert correct_words(["whispe"]) == ["whisper"]  # last letter lost, first kept


def test_a_typo_changing_both_ends_of_the_word_is_left_alone(vocabulary):
    # Fuzzy matching only compares words sharing the first or the last letter.
    assert correct_words(["xhispex"]) == ["xhispex"]


@pytest.mark.parametrize(("frozen_from", "frozen"), [(1, True), (10**9, False)])
def test_a_large_vocabulary_is_kept_out_of_the_garbage_collectors_sight(
    catalog, monkeypatch, frozen_from, frozen
):
    """Once loaded, a vocabulary of FROZEN_FROM_WORDS words or more is frozen with the rest
    of what the process holds, so a full collection no longer walks a million words."""
    import gc

    from matchgraph.search import vocabulary

    monkeypatch.setattr(vocabulary, "FROZEN_FROM_WORDS", frozen_from)
    gc.unfreeze()
    vocabulary_rebuild()  # a new version: the next search loads it
    try:
        assert names(search("transcribe audio")) == ["Whisper"]
        assert (gc.get_freeze_count() > 0) is frozen
    finally:
        gc.unfreeze()
