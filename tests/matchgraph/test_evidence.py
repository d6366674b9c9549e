"""Match-graph evidence on the artifact page: "chosen through it by N searchers", the
one-level confidence bump (distinct clients, not distinct strings), and the prefilled
"Search the match graph →" link (public intents only)."""

import re

import pytest

from matchgraph.aggregation import match_graph_aggregate
from matchgraph.selectors import capability_evidence
from matchgraph.services import intents_set_hidden
from tests.catalog.factories import ArtifactFactory, CapabilityFactory
from tests.conftest import FROZEN_NOW
from tests.matchgraph.factories import IntentFactory, MatchEventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

THREE_INTENTS = ["caption photos", "caption product images", "photo captions"]


@pytest.fixture
def studio():
    return ArtifactFactory(name="Caption Studio", slug="caption-studio")


def matched(artifact, intents, *, via="click", clients=3, network=None):
    """Each intent chosen by `clients` distinct clients (each its own network unless one
    `network` is given); client names are per intent, so no client repeats across intents."""
    for text in intents:
        for client in range(clients):
            source = f"{text}-{client}"
            MatchEventFactory(
                intent=IntentFactory(text=text),
                artifact=artifact,
                via=via,
                source_hash=source,
                network_hash=network or source,
            )
    match_graph_aggregate(now=FROZEN_NOW)


def capability_line(client, artifact, capability) -> str:
    html = client.get(artifact.get_absolute_url()).content.decode()
    block = html.split(f'id="cap-{capability.pk}"')[1].split("</article>")[0]
    return re.sub(r"\s+", " ", block.split('class="confidence')[1].split("</p>")[0])


@pytest.mark.parametrize(
    ("curated", "clients", "shown"),
    [
        ("medium", 1, "Medium confidence · chosen through it by 1 searcher"),
        ("medium", 2, "Medium confidence · chosen through it by 2 searchers"),
        ("medium", 3, "High confidence · chosen through it by 3 searchers"),
        ("low", 3, "Medium confidence · chosen through it by 3 searchers"),
        ("high", 3, "High confidence · chosen through it by 3 searchers"),
    ],
)
def test_distinct_searchers_confirm_and_bump_one_level(client, studio, curated, clients, shown):
    captions = CapabilityFactory(
        artifact=studio, title="Caption product photos", confidence=curated, position=0
    )
    CapabilityFactory(artifact=studio, title="Caption video", position=1)
    matched(studio, THREE_INTENTS[:1], clients=clients)
    line = capability_line(client, studio, captions)
    assert shown in line
    assert f"confidence-{shown.split()[0].lower()}" in line


def test_one_client_typing_three_queries_is_one_confirmation(client, studio):
    captions = CapabilityFactory(artifact=studio, title="Caption product photos", position=0)
    for text in THREE_INTENTS:
        MatchEventFactory(intent=IntentFactory(text=text), artifact=studio, source_hash="same")
    match_graph_aggregate(now=FROZEN_NOW)
    line = capability_line(client, studio, captions)
    assert "Medium confidence · chosen through it by 1 searcher" in line


def test_many_addresses_of_one_network_are_not_a_crowd(client, studio):
    captions = CapabilityFactory(artifact=studio, title="Caption product photos", position=0)
    matched(studio, THREE_INTENTS[:1], clients=20, network="one-block")
    assert "Medium confidence · chosen through it by 1 searcher" in capability_line(
        client, studio, captions
    )


def test_capability_without_evidence_shows_its_curated_confidence(client, studio):
    captions = CapabilityFactory(artifact=studio, title="Caption product photos")
    speech = CapabilityFactory(artifact=studio, title="Transcribe speech", confidence="low")
    matched(studio, THREE_INTENTS)
    assert "chosen through it by 9 searchers" in capability_line(client, studio, captions)
    line = capability_line(client, studio, speech)
    assert "Low confidence" in line
    assert "chosen" not in line


def test_hidden_intents_stop_confirming_at_the_next_aggregation(client, studio):
    captions = CapabilityFactory(artifact=studio, title="Caption product photos")
    matched(studio, THREE_INTENTS)
    intents_set_hidden(intent_ids=[IntentFactory(text=THREE_INTENTS[0]).pk], hidden=True)
    match_graph_aggregate(now=FROZEN_NOW)
    assert "chosen through it by 6 searchers" in capability_line(client, studio, captions)


def test_evidence_for_every_capability_is_one_query(studio, django_assert_num_queries):
    for index in range(6):
        CapabilityFactory(artifact=studio, title=f"Caption photos style {index}")
    matched(studio, THREE_INTENTS)
    with django_assert_num_queries(1):
        evidence = capability_evidence(artifact=studio)
    assert sum(found.distinct_intents for found in evidence.values()) == 3
    assert sum(found.distinct_clients for found in evidence.values()) == 9


def test_search_link_is_prefilled_with_the_top_intent(client, studio):
    CapabilityFactory(artifact=studio, title="Caption product photos")
    matched(studio, ["alt text"])
    matched(studio, ["caption photos"], via="fits")
    html = client.get(studio.get_absolute_url()).content.decode()
    assert '<a href="/search/?q=caption+photos">Search the match graph →</a>' in html


def test_search_link_falls_back_to_the_first_capability(client, studio):
    CapabilityFactory(artifact=studio, title="Caption product photos", position=0)
    CapabilityFactory(artifact=studio, title="Bulk export", position=1)
    html = client.get(studio.get_absolute_url()).content.decode()
    assert '<a href="/search/?q=Caption+product+photos">Search the match graph →</a>' in html


def test_search_link_skips_intents_too_few_clients_searched(client, studio):
    CapabilityFactory(artifact=studio, title="Caption product photos")
    matched(studio, ["caption photos"], clients=2)
    html = client.get(studio.get_absolute_url()).content.decode()
    assert "caption+photos" not in html
    assert '<a href="/search/?q=Caption+product+photos">Search the match graph →</a>' in html
