"""Match-graph evidence on the artifact page: "confirmed by N searches", the one-level
confidence bump, and the prefilled "Search the match graph →" link."""

import re

import pytest
from django.template import Context, Template

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


def matched(artifact, intents, *, via="click"):
    for index, text in enumerate(intents):
        MatchEventFactory(
            intent=IntentFactory(text=text), artifact=artifact, via=via, source_hash=f"v{index}"
        )
    match_graph_aggregate(now=FROZEN_NOW)


def capability_line(client, artifact, capability) -> str:
    html = client.get(artifact.get_absolute_url()).content.decode()
    block = html.split(f'id="cap-{capability.pk}"')[1].split("</article>")[0]
    return re.sub(r"\s+", " ", block.split('class="confidence')[1].split("</p>")[0])


@pytest.mark.parametrize(
    ("curated", "intents", "shown"),
    [
        ("medium", THREE_INTENTS[:1], "Medium confidence · confirmed by 1 search"),
        ("medium", THREE_INTENTS[:2], "Medium confidence · confirmed by 2 searches"),
        ("medium", THREE_INTENTS, "High confidence · confirmed by 3 searches"),
        ("low", THREE_INTENTS, "Medium confidence · confirmed by 3 searches"),
        ("high", THREE_INTENTS, "High confidence · confirmed by 3 searches"),
    ],
)
def test_confirmed_by_searches_and_one_level_bump(client, studio, curated, intents, shown):
    captions = CapabilityFactory(
        artifact=studio, title="Caption product photos", confidence=curated, position=0
    )
    CapabilityFactory(artifact=studio, title="Caption video", position=1)
    matched(studio, intents)
    line = capability_line(client, studio, captions)
    assert shown in line
    assert f"confidence-{shown.split()[0].lower()}" in line


def test_capability_without_evidence_shows_its_curated_confidence(client, studio):
    captions = CapabilityFactory(artifact=studio, title="Caption product photos")
    speech = CapabilityFactory(artifact=studio, title="Transcribe speech", confidence="low")
    matched(studio, THREE_INTENTS)
    assert "confirmed by 3 searches" in capability_line(client, studio, captions)
    line = capability_line(client, studio, speech)
    assert "Low confidence" in line
    assert "confirmed" not in line


def test_hidden_intents_stop_confirming(client, studio):
    captions = CapabilityFactory(artifact=studio, title="Caption product photos")
    matched(studio, THREE_INTENTS)
    intents_set_hidden(intent_ids=[IntentFactory(text=THREE_INTENTS[0]).pk], hidden=True)
    assert "Medium confidence · confirmed by 2 searches" in capability_line(
        client, studio, captions
    )


def test_evidence_for_every_capability_is_one_query(studio, django_assert_num_queries):
    for index in range(6):
        CapabilityFactory(artifact=studio, title=f"Caption photos style {index}")
    matched(studio, THREE_INTENTS)
    with django_assert_num_queries(1):
        evidence = capability_evidence(artifact=studio)
    assert sum(found.distinct_intents for found in evidence.values()) == 3


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


def test_search_link_for_a_comparison_joins_each_artifacts_top_intent(studio):
    matched(studio, ["caption photos"])
    other = ArtifactFactory(name="Speech Kit", kind="tool")
    CapabilityFactory(artifact=other, title="Transcribe meetings")
    rendered = Template("{% load matchgraph_tags %}{% match_graph_search_url a b %}").render(
        Context({"a": studio, "b": other})
    )
    assert rendered == "/search/?q=caption+photos+Transcribe+meetings"
