"""Learned intent relations: intents whose chosen artifacts overlap strongly lend each other
their matches; a curator's rejection holds across re-aggregation."""

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.urls import reverse

from catalog.search_index import artifacts_refresh_search
from matchgraph.aggregation import match_graph_aggregate
from matchgraph.models import Intent, IntentRelation
from matchgraph.search import MatchReason, artifact_search
from matchgraph.search.vocabulary import vocabulary_rebuild
from matchgraph.services import intent_relations_set_rejected, match_record
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

TRANSCRIBE = "transcribe meetings"
MINUTES = "meeting minutes"
UNRELATED = "voice cloning"


def search(query: str):
    return artifact_search(raw_query=query, data=QueryDict(), page_number=None, per_page=24)


def names(results) -> list[str]:
    return [artifact.name for artifact in results.browse.page.object_list]


def choose(query: str, artifact, times: int = 2) -> None:
    """`times` visitors (distinct sources, so none is de-duplicated) choose `artifact`."""
    for source in range(times):
        match_record(
            query=query,
            artifact_id=artifact.pk,
            via="click",
            source_hash=f"{query}-{artifact.pk}-{source}",
        )


def relation(intent_text: str, related_text: str) -> IntentRelation | None:
    return IntentRelation.objects.filter(
        intent__text=intent_text, related__text=related_text
    ).first()


@pytest.fixture
def graph():
    """Three transcribers chosen for both intents; an agenda tool chosen only for minutes."""
    transcribers = []
    for name in ["Scribe One", "Scribe Two", "Scribe Three"]:
        artifact = ArtifactFactory(name=name, summary="Turns calls into text.")
        CapabilityFactory(artifact=artifact, title="Transcribe meetings", description="Live.")
        transcribers.append(artifact)
    agenda = ArtifactFactory(name="Agenda Robot", summary="Keeps action items tidy.")
    CapabilityFactory(artifact=agenda, title="Track action items", description="Per person.")
    artifacts_refresh_search()
    vocabulary_rebuild()
    for artifact in transcribers:
        choose(TRANSCRIBE, artifact)
        choose(MINUTES, artifact)
    choose(MINUTES, agenda)
    match_graph_aggregate()
    return {"transcribers": transcribers, "agenda": agenda}


def test_strongly_overlapping_intents_are_related_both_ways(graph):
    forward, backward = relation(TRANSCRIBE, MINUTES), relation(MINUTES, TRANSCRIBE)
    assert forward is not None and backward is not None
    assert forward.strength == pytest.approx(backward.strength)
    assert forward.strength >= 0.3
    assert forward.shared_artifacts == backward.shared_artifacts == 3
    assert not forward.is_rejected


def test_a_query_borrows_the_matches_of_a_related_intent(graph):
    results = search(TRANSCRIBE)
    shown = names(results)
    assert "Agenda Robot" in shown
    assert shown[-1] == "Agenda Robot"  # borrowed matches rank below the words' own matches
    borrowed = results.items[-1]
    assert borrowed.score.text_match == 0  # none of the words typed, nor a synonym of them
    assert MatchReason("related", MINUTES) in results.reasons_of(graph["agenda"].pk)
    for artifact in graph["transcribers"]:
        assert "related" not in {reason.kind for reason in results.reasons_of(artifact.pk)}


def test_the_page_says_which_related_search_chose_it(client, graph):
    html = client.get(reverse("matchgraph:search"), {"q": "Transcribe meetings"}).content.decode()
    assert "Chosen by people who searched <em>meeting minutes</em>" in html


def test_a_rejected_relation_stays_rejected_and_lends_nothing(graph):
    intent_relations_set_rejected(relation_ids=[relation(TRANSCRIBE, MINUTES).pk], rejected=True)
    match_graph_aggregate()

    assert relation(TRANSCRIBE, MINUTES).is_rejected
    results = search(TRANSCRIBE)
    assert "Agenda Robot" not in names(results)
    assert "related" not in results.reason_kinds()


def test_rejecting_in_the_admin_survives_re_aggregation(client, graph):
    curator = get_user_model().objects.create_superuser("curator", "c@example.org", "pw")
    client.force_login(curator)
    changelist = reverse("admin:matchgraph_intentrelation_changelist")
    assert MINUTES in client.get(changelist).content.decode()

    selected = [relation(TRANSCRIBE, MINUTES).pk]
    response = client.post(
        changelist, {"action": "reject", "_selected_action": selected}, follow=True
    )
    assert "Rejected 1 relation(s)." in response.content.decode()

    choose(MINUTES, graph["agenda"], times=3)  # more evidence arrives; the curator still wins
    match_graph_aggregate()

    assert relation(TRANSCRIBE, MINUTES).is_rejected
    assert "Agenda Robot" not in names(search(TRANSCRIBE))


def test_weakly_overlapping_intents_are_not_related(graph):
    # Shares two artifacts with "transcribe meetings", but its own choices dominate.
    own = [ArtifactFactory(name=f"Cloner {n}") for n in range(6)]
    for artifact in own:
        choose(UNRELATED, artifact, times=5)
    for artifact in graph["transcribers"][:2]:
        choose(UNRELATED, artifact, times=1)
    match_graph_aggregate()

    assert relation(TRANSCRIBE, MINUTES) is not None
    assert relation(TRANSCRIBE, UNRELATED) is None
    assert relation(UNRELATED, TRANSCRIBE) is None
    assert relation(UNRELATED, MINUTES) is None


def test_intents_sharing_a_single_artifact_are_not_related(graph):
    choose(UNRELATED, graph["transcribers"][0], times=3)
    match_graph_aggregate()

    assert Intent.objects.filter(text=UNRELATED).exists()
    assert relation(UNRELATED, TRANSCRIBE) is None
    assert relation(TRANSCRIBE, UNRELATED) is None
