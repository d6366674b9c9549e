"""Synonyms: curated groups apply at query time in both directions, at a lower weight than the
words typed, say why a result matched, and follow admin edits at once."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.migrations import RunPython
from django.http import QueryDict
from django.urls import reverse

from catalog.search_index import artifacts_refresh_search
from matchgraph.models import SynonymGroup
from matchgraph.search import MatchReason, artifact_search
from matchgraph.search.plan import synonym_groups
from matchgraph.search.vocabulary import vocabulary_rebuild
from matchgraph.services import search_terms_changed
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db

SEED_MIGRATION = importlib.import_module("matchgraph.migrations.0004_seed_synonyms")


@pytest.fixture(autouse=True)
def seeded_synonyms():
    """The rows the data migration seeds. Transactional (browser) tests flush every table, so
    with --reuse-db a later run can find the table empty; seeding again is idempotent."""
    SEED_MIGRATION.seed(apps, None)
    search_terms_changed()


def search(query: str):
    return artifact_search(raw_query=query, data=QueryDict(), page_number=None, per_page=24)


def names(results) -> list[str]:
    return [artifact.name for artifact in results.browse.page.object_list]


def shown(results, name: str):
    return next(item.score for item in results.items if item.artifact.name == name)


def synonym_reasons(results, pk: int) -> list[MatchReason]:
    return [reason for reason in results.reasons_of(pk) if reason.kind == "synonym"]


@pytest.fixture
def speech():
    """Two listings that say the same thing two ways, in the same place (the summary)."""
    by_phrase = ArtifactFactory(
        name="Dictaphone", summary="Offline speech recognition for meetings.", inputs=["audio"]
    )
    CapabilityFactory(artifact=by_phrase, title="Meeting notes", description="Offline.")
    by_abbreviation = ArtifactFactory(
        name="Parrot", summary="A small ASR engine for meetings.", inputs=["video"]
    )
    CapabilityFactory(artifact=by_abbreviation, title="Live captions", description="Fast.")
    ArtifactFactory(name="Sketchbook", summary="Draws pictures.", inputs=["image"])
    artifacts_refresh_search()
    vocabulary_rebuild()
    return {"phrase": by_phrase, "abbreviation": by_abbreviation}


def test_an_abbreviation_finds_a_listing_that_spells_it_out(speech):
    results = search("asr")
    assert names(results) == ["Parrot", "Dictaphone"]
    assert synonym_reasons(results, speech["phrase"].pk) == [
        MatchReason("synonym", "speech recognition")
    ]
    assert synonym_reasons(results, speech["abbreviation"].pk) == []


def test_a_phrase_finds_a_listing_that_abbreviates_it(speech):
    results = search("speech recognition")
    assert names(results) == ["Dictaphone", "Parrot"]
    assert synonym_reasons(results, speech["abbreviation"].pk) == [MatchReason("synonym", "asr")]
    assert synonym_reasons(results, speech["phrase"].pk) == []


@pytest.mark.parametrize(
    ("query", "typed", "through_synonym"),
    [("asr", "Parrot", "Dictaphone"), ("speech recognition", "Dictaphone", "Parrot")],
)
def test_a_synonym_weighs_less_than_the_words_typed(speech, query, typed, through_synonym):
    results = search(query)
    direct, borrowed = shown(results, typed), shown(results, through_synonym)
    assert direct.has_all_words and not borrowed.has_all_words
    assert direct.text_match > borrowed.text_match > 0
    assert direct.relevance > borrowed.relevance


def test_the_page_says_which_synonym_matched(client, speech):
    html = client.get(reverse("matchgraph:search"), {"q": "asr"}).content.decode()
    assert (
        '<li class="match-reason reason-synonym">Matched <em>speech recognition</em></li>' in html
    )
    assert html.count('class="match-reason reason-synonym"') == 1


def test_an_inactive_group_is_not_applied(speech):
    SynonymGroup.objects.filter(name="Speech recognition").update(is_active=False)
    search_terms_changed()
    results = search("asr")
    assert names(results)[0] == "Parrot"
    assert "synonym" not in results.reason_kinds()
    assert results.plan.alternatives == []


@pytest.fixture
def curator_client(client):
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    client.force_login(user)
    return client


def test_editing_a_group_in_the_admin_applies_at_once(curator_client, speech):
    assert names(search("dictation")) == []  # and the groups are now cached
    group = SynonymGroup.objects.get(name="Speech recognition")

    response = curator_client.post(
        reverse("admin:matchgraph_synonymgroup_change", args=[group.pk]),
        {"name": group.name, "terms": ",".join([*group.terms, "dictation"]), "is_active": "on"},
    )

    assert response.status_code == 302
    results = search("dictation")
    assert set(names(results)) == {"Dictaphone", "Parrot"}
    assert "synonym" in results.reason_kinds()
    assert all(synonym_reasons(results, item.artifact.pk) for item in results.items)


def test_deactivating_a_group_in_the_admin_applies_at_once(curator_client, speech):
    assert "Dictaphone" in names(search("asr"))
    group = SynonymGroup.objects.get(name="Speech recognition")

    curator_client.post(
        reverse("admin:matchgraph_synonymgroup_change", args=[group.pk]),
        {"name": group.name, "terms": ",".join(group.terms)},  # is_active unticked
    )

    assert not search("asr").plan.alternatives


def test_a_group_added_in_the_admin_applies_at_once(curator_client, speech):
    assert search("voicebox").total == 0
    curator_client.post(
        reverse("admin:matchgraph_synonymgroup_add"),
        {"name": "Voicebox", "terms": "voicebox,speech recognition", "is_active": "on"},
    )
    results = search("voicebox")
    assert names(results) == ["Dictaphone"]
    assert synonym_reasons(results, speech["phrase"].pk) == [
        MatchReason("synonym", "speech recognition")
    ]


@pytest.mark.parametrize(
    ("term", "also"),
    [
        ("asr", ("speech", "recognition")),
        ("tts", ("text", "speech")),
        ("ocr", ("text", "recognition")),
        ("rag", ("retrieval", "augmented", "generation")),
        ("llm", ("large", "language", "model")),
        ("vlm", ("vision", "language", "model")),
        ("embeddings", ("vectors",)),
        ("fine tune", ("finetune",)),
        ("image generation", ("text", "image")),
    ],
)
def test_seeded_groups_relate_the_fields_common_terms(term, also):
    groups = [group for group in synonym_groups() if tuple(term.split()) in group]
    assert groups, f"no active group holds {term!r}"
    assert any(also in group for group in groups)


def test_the_data_migration_seeds_the_groups_as_curated_rows():
    SynonymGroup.objects.all().delete()
    (operation,) = SEED_MIGRATION.Migration.operations
    assert isinstance(operation, RunPython) and operation.code is SEED_MIGRATION.seed

    SEED_MIGRATION.seed(apps, None)

    names = set(SynonymGroup.objects.filter(is_active=True).values_list("name", flat=True))
    assert {
        "Speech recognition",
        "Text to speech",
        "OCR",
        "RAG",
        "LLM",
        "VLM",
        "Embeddings",
        "Fine-tuning",
        "Image generation",
    } <= names
