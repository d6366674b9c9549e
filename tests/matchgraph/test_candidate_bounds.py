"""A broad query keeps its best-established matches: search ranks at most MAX_CANDIDATES,
found through the top tier's own index first, and the wider nets stop once they have enough.
The bounds are made small here so a handful of artifacts shows the behaviour."""

import pytest
from django.http import QueryDict

from catalog.search_index import artifacts_refresh_search
from matchgraph.models import SynonymGroup
from matchgraph.search import artifact_search
from matchgraph.search import candidates as search_candidates
from matchgraph.services import search_terms_changed
from tests.catalog.factories import ArtifactFactory

pytestmark = pytest.mark.django_db

RANKS = [99, 95, 90, 80, 60, 40, 20, None]


def search(query: str):
    return artifact_search(raw_query=query, data=QueryDict(), page_number=None, per_page=24)


def ranks_shown(results) -> list[int | None]:
    return sorted(
        (artifact.current_rank for artifact in results.browse.page.object_list),
        key=lambda rank: -1 if rank is None else rank,
        reverse=True,
    )


@pytest.fixture
def vector_stores():
    for n, rank in enumerate(RANKS):
        ArtifactFactory(name=f"Store {n}", summary="A vector store.", current_rank=rank)
    ArtifactFactory(name="Painter", summary="Paints pictures.", current_rank=99)
    artifacts_refresh_search()


def test_when_the_top_tier_has_enough_the_best_established_are_kept(monkeypatch, vector_stores):
    monkeypatch.setattr(search_candidates, "MAX_CANDIDATES", 3)
    results = search("vector")
    assert results.capped
    assert ranks_shown(results) == [99, 95, 90]


def test_when_the_top_tier_has_too_few_the_rest_are_sorted_by_rank(monkeypatch, vector_stores):
    monkeypatch.setattr(search_candidates, "MAX_CANDIDATES", 5)
    results = search("vector")
    assert results.capped
    assert ranks_shown(results) == [99, 95, 90, 80, 60]


def test_a_query_within_the_bound_finds_every_match_ranked_or_not(vector_stores):
    results = search("vector")
    assert not results.capped
    assert ranks_shown(results) == RANKS


@pytest.fixture
def spelled_out():
    SynonymGroup.objects.create(name="Speech", terms=["asr", "speech recognition"])
    search_terms_changed()
    for rank in (90, 85, 30):
        ArtifactFactory(name=f"Listener {rank}", summary="Speech recognition.", current_rank=rank)
    artifacts_refresh_search()


def test_the_synonym_net_stops_in_the_top_tier_once_it_has_enough(monkeypatch, spelled_out):
    monkeypatch.setattr(search_candidates, "ENOUGH_DIRECT", 2)
    assert ranks_shown(search("asr")) == [90, 85]


def test_the_synonym_net_reaches_below_the_top_tier_when_it_needs_to(spelled_out):
    assert ranks_shown(search("asr")) == [90, 85, 30]


def test_a_capped_query_of_several_words_keeps_what_is_named_with_them(monkeypatch):
    monkeypatch.setattr(search_candidates, "MAX_CANDIDATES", 3)
    for n, rank in enumerate([99, 95, 90, 80]):
        ArtifactFactory(name=f"Store {n}", summary="A vector database.", current_rank=rank)
    named = ArtifactFactory(name="vector-database", summary="A vector database.", current_rank=5)
    artifacts_refresh_search()

    results = search("vector database")

    assert results.capped
    shown = [artifact.pk for artifact in results.browse.page.object_list]
    assert shown[0] == named.pk  # kept whatever its rank, and named as the query
    assert len(shown) == 3


def test_a_capped_query_below_the_top_tier_reads_what_is_named_with_the_matches(
    monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(search_candidates, "MAX_CANDIDATES", 3)
    for n, rank in enumerate([99, 60, 50, 40]):
        ArtifactFactory(name=f"Store {n}", summary="A vector database.", current_rank=rank)
    named = ArtifactFactory(name="vector-database", summary="A vector database.", current_rank=5)
    artifacts_refresh_search()

    with django_assert_num_queries(1):
        ids, named_ids = search_candidates.document_and_name_matches(
            "vector & database", "vector:A & database:A", limit=4, name_limit=3
        )
    assert len(ids) == 4 and named.pk not in ids  # the four best established
    assert named_ids == [named.pk]
    results = search("vector database")
    assert results.capped
    shown = [artifact.pk for artifact in results.browse.page.object_list]
    assert shown[0] == named.pk
    assert len(shown) == 3


def test_matches_within_the_bound_need_no_names(vector_stores):
    ids, named_ids = search_candidates.document_and_name_matches(
        "vector & store", "vector:A & store:A", limit=501, name_limit=500
    )
    assert len(ids) == len(RANKS)
    assert named_ids is None


def test_a_capped_query_of_one_word_keeps_the_best_established(monkeypatch, vector_stores):
    monkeypatch.setattr(search_candidates, "MAX_CANDIDATES", 3)
    ArtifactFactory(name="Vector", summary="A vector store.", current_rank=5)
    artifacts_refresh_search()
    assert ranks_shown(search("vector")) == [99, 95, 90]


def test_with_too_few_matches_of_every_word_two_shared_words_come_before_one(monkeypatch):
    """The any-word net is bounded too; filled by rank alone, artifacts that share only the
    commonest word ("python", ranked high) would crowd out one sharing two of the words."""
    monkeypatch.setattr(search_candidates, "MAX_CANDIDATES", 3)
    for n in range(4):
        ArtifactFactory(name=f"Helper {n}", summary="A python helper.", current_rank=90 - n)
    ArtifactFactory(name="Voice notes", summary="Turns speech into written notes.", current_rank=10)
    artifacts_refresh_search()
    results = search("python speech transcript notes")
    names = [artifact.name for artifact in results.browse.page.object_list]
    assert "Voice notes" in names
    assert results.broadened
