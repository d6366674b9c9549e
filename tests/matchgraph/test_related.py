"""Related artifacts and alternatives: catalog overlap blended with the match graph (and
meaning, in test_meaning_neighbours.py)."""

import pytest

from matchgraph.aggregation import match_graph_aggregate
from matchgraph.selectors import artifact_neighbours
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


def related_to(artifact, limit=6):
    return artifact_neighbours(artifact=artifact, related_limit=limit).related


def alternatives_to(artifact):
    return artifact_neighbours(artifact=artifact).alternatives


def names(related) -> list[str]:
    return [item.artifact.name for item in related]


def test_catalog_overlap_orders_related_without_match_history(studio, cousin, companion):
    assert names(related_to(studio)) == [
        "Catalog Cousin",
        "Chosen Companion",
    ]


def test_co_matches_lift_an_artifact_above_a_catalog_only_neighbour(studio, cousin, companion):
    chosen_together(studio, companion)
    related = related_to(studio)
    assert names(related) == ["Chosen Companion", "Catalog Cousin"]
    assert [item.shared_intents for item in related] == [2, 0]
    assert related[0].score > related[1].score


def test_a_co_match_with_no_catalog_overlap_still_shows(studio):
    stranger = ArtifactFactory(name="Unrelated On Paper", kind="dataset", categories=[])
    CapabilityFactory(artifact=stranger, title="Tabular benchmark")
    chosen_together(studio, stranger)
    assert names(related_to(studio)) == ["Unrelated On Paper"]


def test_a_new_artifact_with_no_matches_still_gets_catalog_neighbours(studio, vision, companion):
    chosen_together(studio, companion)
    newcomer = ArtifactFactory(name="Brand New Captioner", kind="tool", categories=[vision])
    CapabilityFactory(artifact=newcomer, title="Caption photos in bulk")
    related = related_to(newcomer)
    assert names(related) == ["Caption Studio", "Chosen Companion"]
    assert all(item.shared_intents == 0 for item in related)


def test_alternatives_do_the_same_job_whatever_their_kind_but_not_data(
    studio, cousin, vision, shops
):
    model = ArtifactFactory(name="Vision Model", kind="model", categories=[vision, shops])
    CapabilityFactory(artifact=model, title="Caption product photos too")
    dataset = ArtifactFactory(name="Caption Corpus", kind="dataset", categories=[vision, shops])
    CapabilityFactory(artifact=dataset, title="Caption product photos, labelled")
    chosen_together(studio, model, dataset)
    assert {"Vision Model", "Caption Corpus"} <= set(names(related_to(studio)))
    # The model captions photos and is chosen with the studio: a closer alternative than a
    # tool of the same kind that only resizes them. The dataset does no job.
    assert names(alternatives_to(studio)) == ["Vision Model", "Catalog Cousin"]


def test_of_two_equal_fits_the_same_kind_comes_first(studio, vision):
    for kind in ("api", "tool"):
        twin = ArtifactFactory(name=f"Twin {kind}", kind=kind, categories=[vision])
        CapabilityFactory(artifact=twin, title="Caption product photos")
    assert names(alternatives_to(studio)) == ["Twin tool", "Twin api"]


def test_a_datasets_alternatives_are_datasets(studio, vision, shops):
    corpus = ArtifactFactory(name="Caption Corpus", kind="dataset", categories=[vision, shops])
    other = ArtifactFactory(name="Photo Set", kind="dataset", categories=[vision])
    chosen_together(corpus, studio, other)
    assert names(alternatives_to(corpus)) == ["Photo Set"]


def test_unpublished_artifacts_never_appear(studio, companion):
    chosen_together(studio, companion)
    companion.is_published = False
    companion.save()
    assert names(related_to(studio)) == []


def test_limit_is_respected(studio, vision):
    for index in range(8):
        ArtifactFactory(name=f"Neighbour {index}", kind="tool", categories=[vision])
    assert len(related_to(studio, limit=3)) == 3


def test_a_category_larger_than_the_pool_is_read_from_its_first_artifacts(
    monkeypatch, studio, vision, shops
):
    """The pool reads the first few artifacts (by id) of each shared category, so its cost
    does not grow with the category; within it, sharing both categories still ranks first."""
    monkeypatch.setattr("catalog.selectors.RELATED_POOL", 3)
    early = [
        ArtifactFactory(name=f"Early {index}", kind="tool", categories=[vision])
        for index in range(2)
    ]
    both = ArtifactFactory(name="Shares Both", kind="tool", categories=[vision, shops])
    ArtifactFactory(name="Later Vision", kind="tool", categories=[vision])  # past the pool
    related = related_to(studio)
    assert names(related)[0] == "Shares Both"
    assert {item.artifact for item in related} == {both, *early}


def test_artifact_page_shows_the_blended_order(client, studio, cousin, companion):
    chosen_together(studio, companion)
    html = client.get(studio.get_absolute_url()).content.decode()
    related = html.split('id="related-title"')[1].split("</section>")[0]
    assert related.index("Chosen Companion") < related.index("Catalog Cousin")
    assert "chosen for 2 of the same searches" in related
    alternatives = html.split('id="alt-title"')[1].split("</section>")[0]
    assert "Chosen Companion" in alternatives


def test_an_unpublished_artifact_leaves_its_neighbours_at_once(studio, cousin):
    from catalog.services import artifacts_set_published

    assert [found.artifact for found in related_to(studio)] == [cousin]  # now cached
    artifacts_set_published(artifact_ids=[cousin.pk], published=False)  # a bulk update()
    assert related_to(studio) == ()
