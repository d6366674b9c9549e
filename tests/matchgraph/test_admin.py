"""Curators' admin for the match graph: intents with top matches, merge, hide, edges."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from matchgraph.aggregation import match_graph_aggregate
from matchgraph.models import Intent, IntentArtifactEdge
from tests.catalog.factories import ArtifactFactory, CapabilityFactory
from tests.conftest import FROZEN_NOW
from tests.matchgraph.factories import IntentFactory, MatchEventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

INTENTS = reverse("admin:matchgraph_intent_changelist")


@pytest.fixture
def curator_client(client):
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    client.force_login(user)
    return client


@pytest.fixture
def graph():
    studio = ArtifactFactory(name="Caption Studio")
    CapabilityFactory(artifact=studio, title="Caption product photos")
    namer = ArtifactFactory(name="Photo Namer")
    speech = ArtifactFactory(name="Speech Kit")
    captions = IntentFactory(text="caption photos")
    transcribe = IntentFactory(text="transcribe meetings")
    for source in range(3):
        MatchEventFactory(intent=captions, artifact=studio, source_hash=f"s{source}")
    MatchEventFactory(intent=captions, artifact=namer, source_hash="s9")
    MatchEventFactory(intent=transcribe, artifact=speech, source_hash="s9")
    match_graph_aggregate(now=FROZEN_NOW)
    return {"captions": captions, "transcribe": transcribe, "studio": studio, "speech": speech}


@pytest.mark.parametrize(
    "model",
    ["intent", "intentartifactedge", "intentcapabilityedge", "artifactmatchstats", "comatch"],
)
def test_every_match_graph_changelist_opens(curator_client, graph, model):
    response = curator_client.get(reverse(f"admin:matchgraph_{model}_changelist"))
    assert response.status_code == 200


def test_intent_changelist_shows_counts_and_top_matches(curator_client, graph):
    html = curator_client.get(INTENTS).content.decode()
    assert "caption photos" in html
    assert "Caption Studio (3), Photo Namer (1)" in html
    assert "Speech Kit (1)" in html


def test_intent_changelist_query_count_does_not_grow(
    curator_client, graph, django_assert_max_num_queries
):
    """Guards against a query per intent row for its top matches or its merge target: session,
    user, two counts, the page of intents and one prefetch of their ranked edges."""
    for index in range(20):
        intent = IntentFactory(text=f"need number {index}")
        MatchEventFactory(intent=intent, artifact=graph["studio"], source_hash=f"x{index}")
    match_graph_aggregate(now=FROZEN_NOW)
    with django_assert_max_num_queries(6):
        assert curator_client.get(INTENTS).status_code == 200


def test_intent_change_page_lists_its_edges(curator_client, graph):
    url = reverse("admin:matchgraph_intent_change", args=[graph["captions"].pk])
    html = curator_client.get(url).content.decode()
    assert "Caption Studio" in html
    assert "Photo Namer" in html


def test_merge_action_asks_which_intent_to_keep_then_merges(curator_client, graph):
    duplicate = IntentFactory(text="captioning photos")
    also = IntentFactory(text="photo captioning")
    selected = [graph["captions"].pk, duplicate.pk, also.pk]

    form = curator_client.post(INTENTS, {"action": "merge_intents", "_selected_action": selected})
    assert form.status_code == 200
    html = form.content.decode()
    assert "Keep this intent" in html
    assert "captioning photos" in html
    assert not Intent.objects.filter(merged_into__isnull=False).exists()

    done = curator_client.post(
        INTENTS,
        {
            "action": "merge_intents",
            "_selected_action": selected,
            "apply": "Merge",
            "into": graph["captions"].pk,
        },
        follow=True,
    )
    assert "Merged 2 intent(s) into “caption photos”" in done.content.decode()
    duplicate.refresh_from_db()
    also.refresh_from_db()
    assert duplicate.merged_into == also.merged_into == graph["captions"]
    assert Intent.objects.get(pk=graph["captions"].pk).merged_into is None


def test_merge_refuses_a_target_outside_the_selection(curator_client, graph):
    duplicate = IntentFactory(text="captioning photos")
    response = curator_client.post(
        INTENTS,
        {
            "action": "merge_intents",
            "_selected_action": [graph["captions"].pk, duplicate.pk],
            "apply": "Merge",
            "into": graph["transcribe"].pk,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Intent.objects.filter(merged_into__isnull=False).exists()


def test_merging_a_survivor_flattens_the_chain(curator_client, graph):
    older = IntentFactory(text="captioning photos")
    curator_client.post(
        INTENTS,
        {
            "action": "merge_intents",
            "_selected_action": [graph["captions"].pk, older.pk],
            "apply": "Merge",
            "into": older.pk,
        },
    )
    curator_client.post(
        INTENTS,
        {
            "action": "merge_intents",
            "_selected_action": [graph["transcribe"].pk, older.pk],
            "apply": "Merge",
            "into": graph["transcribe"].pk,
        },
    )
    graph["captions"].refresh_from_db()
    assert graph["captions"].merged_into == graph["transcribe"]


def test_hide_action_hides_and_the_graph_drops_the_intent(curator_client, graph):
    response = curator_client.post(
        INTENTS,
        {"action": "hide_intents", "_selected_action": [graph["transcribe"].pk]},
        follow=True,
    )
    assert "Hid 1 intent(s)." in response.content.decode()
    assert Intent.objects.get(pk=graph["transcribe"].pk).is_hidden
    assert not Intent.objects.get(pk=graph["captions"].pk).is_hidden
    match_graph_aggregate(now=FROZEN_NOW)
    assert not IntentArtifactEdge.objects.filter(intent=graph["transcribe"]).exists()

    curator_client.post(
        INTENTS, {"action": "show_intents", "_selected_action": [graph["transcribe"].pk]}
    )
    assert not Intent.objects.get(pk=graph["transcribe"].pk).is_hidden


def test_aggregate_now_action_rebuilds_the_graph(curator_client, graph):
    MatchEventFactory(intent=graph["transcribe"], artifact=graph["studio"], source_hash="new")
    curator_client.post(
        INTENTS, {"action": "aggregate_now", "_selected_action": [graph["transcribe"].pk]}
    )
    assert IntentArtifactEdge.objects.filter(
        intent=graph["transcribe"], artifact=graph["studio"]
    ).exists()


def test_edges_changelist_is_searchable_by_artifact(curator_client, graph):
    url = reverse("admin:matchgraph_intentartifactedge_changelist")
    html = curator_client.get(url, {"q": "Speech Kit"}).content.decode()
    assert "transcribe meetings" in html
    assert "caption photos" not in html
    html = curator_client.get(url, {"q": "Caption Studio"}).content.decode()
    assert "caption photos" in html
    assert "transcribe meetings" not in html


def test_edges_cannot_be_added_by_hand(curator_client, graph):
    assert curator_client.get(reverse("admin:matchgraph_intentartifactedge_add")).status_code == 403


# Headings on the admin index, for every app curators use.
EXPECTED_HEADINGS = {
    "catalog": [
        "Artifacts", "Categories", "Capabilities", "Pricing plans", "Data sources",
        "Artifact links", "Signals",
    ],
    "matchgraph": [
        "Intents", "Intent artifact edges", "Intent capability edges", "Artifact match stats",
        "Co-matches", "Synonym groups", "Constraint terms", "Intent relations", "Match events",
        "Aggregation runs",
    ],
    "ranking": ["Weights versions", "Rank runs", "Rank scores", "Rank history"],
}  # fmt: skip


def test_the_admin_index_names_every_table_in_plain_english(curator_client):
    html = curator_client.get(reverse("admin:index")).content.decode()
    for headings in EXPECTED_HEADINGS.values():
        for heading in headings:
            assert f">{heading}</a>" in html, heading
    assert "match statss" not in html.lower() and "co matchs" not in html.lower()


def test_every_registered_model_has_a_plural_that_reads_right():
    from django.contrib import admin

    shown = {
        model._meta.app_label: [] for model in admin.site._registry
    }  # app -> plurals, capitalized as the index shows them
    for model in admin.site._registry:
        shown[model._meta.app_label].append(str(model._meta.verbose_name_plural).capitalize())
        plural = str(model._meta.verbose_name_plural)
        assert not plural.endswith(("ss", "chs", "shs", "xs")), model
    for app, headings in EXPECTED_HEADINGS.items():
        assert sorted(shown[app]) == sorted(headings), app
