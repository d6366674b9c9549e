"""Related artifacts and alternatives: catalog overlap blended with the match graph."""

import pytest

from matchgraph.aggregation import match_graph_aggregate
from matchgraph.selectors import artifact_related_blended
from tests.catalog.factories import ArtifactFactory, CapabilityFactory, CategoryFactory
from tests.conftest import FROZEN_NOW
from tests.matchgraph.factories import IntentFactory, MatchEventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def vision():
    return CategoryFactory(name="Computer vision", slug="computer-vision")


@pytest.fixture
def shops():
    return CategoryFactory(name="E-commerce", slug="e-commerce")


@pytest.fixture
def studio(vision, shops):
    artifact = ArtifactFactory(name="Caption Studio", kind="tool", categories=[vision, shops])
    CapabilityFactory(artifact=artifact, title="Caption product photos")
    return artifact


@pytest.fixture
def cousin(vision, shops):
    """Shares both categories with the studio, but nobody chose them for the same need."""
    artifact = ArtifactFactory(name="Catalog Cousin", kind="tool", categories=[vision, shops])
    CapabilityFactory(artifact=artifact, title="Resize images")
    return artifact


@pytest.fixture
def companion(vision):
    """Shares one category only, but visitors choose it for the studio's intents."""
    artifact = ArtifactFactory(name="Chosen Companion", kind="tool", categories=[vision])
    CapabilityFactory(artifact=artifact, title="Crop banners")
    return artifact


def chosen_together(*artifacts, intents=("caption photos", "alt text for shops")):
    for text in intents:
        intent = IntentFactory(text=text)
        for index, artifact in enumerate(artifacts):
            MatchEventFactory(intent=intent, artifact=artifact, source_hash=f"{text}-{index}")
    match_graph_aggregate(now=FROZEN_NOW)


def names(related) -> list[str]:
    return [item.artifact.name for item in related]


def test_catalog_overlap_orders_related_without_match_history(studio, cousin, companion):
    assert names(artifact_related_blended(artifact=studio)) == [
        "Catalog Cousin",
        "Chosen Companion",
    ]


def test_co_matches_lift_an_artifact_above_a_catalog_only_neighbour(studio, cousin, companion):
    chosen_together(studio, companion)
    related = artifact_related_blended(artifact=studio)
    assert names(related) == ["Chosen Companion", "Catalog Cousin"]
    assert [item.shared_intents for item in related] == [2, 0]
    assert related[0].score > related[1].score


def test_a_co_match_with_no_catalog_overlap_still_shows(studio):
    stranger = ArtifactFactory(name="Unrelated On Paper", kind="dataset", categories=[])
    CapabilityFactory(artifact=stranger, title="Tabular benchmark")
    chosen_together(studio, stranger)
    assert names(artifact_related_blended(artifact=studio)) == ["Unrelated On Paper"]


def test_a_new_artifact_with_no_matches_still_gets_catalog_neighbours(studio, vision, companion):
    chosen_together(studio, companion)
    newcomer = ArtifactFactory(name="Brand New Captioner", kind="tool", categories=[vision])
    CapabilityFactory(artifact=newcomer, title="Caption photos in bulk")
    related = artifact_related_blended(artifact=newcomer)
    assert names(related) == ["Caption Studio", "Chosen Companion"]
    assert all(item.shared_intents == 0 for item in related)


def test_alternatives_are_restricted_to_the_same_kind(studio, cousin, vision, shops):
    model = ArtifactFactory(name="Vision Model", kind="model", categories=[vision, shops])
    CapabilityFactory(artifact=model, title="Caption product photos too")
    chosen_together(studio, model)
    assert "Vision Model" in names(artifact_related_blended(artifact=studio))
    alternatives = artifact_related_blended(artifact=studio, same_kind_only=True)
    assert names(alternatives) == ["Catalog Cousin"]


def test_unpublished_artifacts_never_appear(studio, companion):
    chosen_together(studio, companion)
    companion.is_published = False
    companion.save()
    assert names(artifact_related_blended(artifact=studio)) == []


def test_limit_is_respected(studio, vision):
    for index in range(8):
        ArtifactFactory(name=f"Neighbour {index}", kind="tool", categories=[vision])
    assert len(artifact_related_blended(artifact=studio, limit=3)) == 3


def test_artifact_page_shows_the_blended_order(client, studio, cousin, companion):
    chosen_together(studio, companion)
    html = client.get(studio.get_absolute_url()).content.decode()
    related = html.split('id="related-title"')[1].split("</section>")[0]
    assert related.index("Chosen Companion") < related.index("Catalog Cousin")
    assert "chosen for 2 of the same searches" in related
    alternatives = html.split('id="alt-title"')[1].split("</section>")[0]
    assert "Chosen Companion" in alternatives
