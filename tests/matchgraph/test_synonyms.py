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
from matchgraph.querying import synonym_groups
from matchgraph.selectors import MatchReason, artifact_search
from matchgraph.services import synonyms_changed
from matchgraph.vocabulary import vocabulary_rebuild
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db

SEED_MIGRATION = importlib.import_module("matchgraph.migrations.0004_seed_synonyms")


@pytest.fixture(autouse=True)
def seeded_synonyms():
    """The rows the data migration seeds. Transactional (browser) tests flush every table, so
    with --reuse-db a later run can find the table empty; seeding again is idempotent."""
    SEED_MIGRATION.seed(apps, None)
    synonyms_changed()


def search(query: str):
    return artifact_search(raw_query=query, data=QueryDict(), page_number=None, per_page=24)


def names(results) -> list[str]:
    return [artifact.name for artifact in results.browse.page.object_list]


def shown(results, name: str):
    return next(a for a in results.browse.page.object_list if a.name == name)


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
    assert results.reasons[speech["phrase"].pk] == MatchReason("synonym", "speech recognition")
    assert speech["abbreviation"].pk not in results.reasons


def test_a_phrase_finds_a_listing_that_abbreviates_it(speech):
    results = search("speech recognition")
    assert names(results) == ["Dictaphone", "Parrot"]
    assert results.reasons[speech["abbreviation"].pk] == MatchReason("synonym", "asr")
    assert speech["phrase"].pk not in results.reasons


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
    assert '<p class="match-reason">Matched <em>speech recognition</em></p>' in html
    assert html.count('class="match-reason"') == 1


def test_an_inactive_group_is_not_applied(speech):
    SynonymGroup.objects.filter(name="Speech recognition").update(is_active=False)
    synonyms_changed()
    results = search("asr")
    assert names(results)[0] == "Parrot"
    assert "synonym" not in {reason.kind for reason in results.reasons.values()}
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
    assert {reason.kind for reason in results.reasons.values()} == {"synonym"}


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
    assert results.reasons[speech["phrase"].pk] == MatchReason("synonym", "speech recognition")


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
