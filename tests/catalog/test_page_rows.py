"""The artifact page reads its own rows inside the artifact's statement (`catalog.page_rows`):
they must be exactly what the ORM reads, in the page's order, with the same Python types."""

import datetime as dt
from decimal import Decimal

import pytest

from catalog.models import ArtifactLink, Capability, Category, DataSource, PricingPlan
from catalog.querysets import name_order
from catalog.selectors import artifact_get
from tests.catalog.factories import (
    ArtifactFactory,
    ArtifactLinkFactory,
    CapabilityFactory,
    CategoryFactory,
    DataSourceFactory,
    PricingPlanFactory,
)

pytestmark = pytest.mark.django_db

FIELDS = {
    "capabilities": (
        "id",
        "artifact_id",
        "position",
        "title",
        "title_key",
        "description",
        "unique_angle",
        "vs_alternatives",
        "confidence",
    ),
    "categories": ("id", "name", "slug", "description"),
    "plans": ("id", "artifact_id", "position", "name", "price", "currency", "unit", "as_of"),
    "sources": ("id", "artifact_id", "position", "name", "url", "retrieved"),
    "links_out": ("id", "source_id", "relation", "target_slug", "target_id"),
}


@pytest.fixture
def studio():
    artifact = ArtifactFactory(
        name="Caption Studio",
        categories=[CategoryFactory(name="vision", slug="v"), CategoryFactory(name="Audio")],
    )
    CapabilityFactory(artifact=artifact, title="Second", position=1)
    CapabilityFactory(artifact=artifact, title="First", position=0, description="Says “hi”")
    PricingPlanFactory(artifact=artifact, name="Output", position=1, price=Decimal("12.5"))
    PricingPlanFactory(artifact=artifact, name="Input", position=0, as_of=None)
    DataSourceFactory(artifact=artifact, retrieved=None)
    DataSourceFactory(artifact=artifact, position=1, name="Docs", retrieved=dt.date(2026, 1, 2))
    ArtifactLinkFactory(source=artifact, relation="same_family")
    ArtifactLinkFactory(source=artifact, target=None, target_slug="not-yet-listed")
    return artifact


def read_by_the_orm(artifact_id: int) -> dict[str, list]:
    return {
        "capabilities": Capability.objects.filter(artifact_id=artifact_id).order_by(
            "position", "id"
        ),
        "categories": Category.objects.filter(artifacts=artifact_id).order_by(name_order()),
        "plans": PricingPlan.objects.filter(artifact_id=artifact_id).order_by("position", "id"),
        "sources": DataSource.objects.filter(artifact_id=artifact_id).order_by("position", "id"),
        "links_out": ArtifactLink.objects.filter(source_id=artifact_id)
        .select_related("target")
        .order_by("relation", "target_slug"),
    }


def values(rows, names) -> list[tuple]:
    return [tuple((getattr(row, name), type(getattr(row, name))) for name in names) for row in rows]


def test_the_page_rows_are_the_orms_in_the_pages_order(studio, django_assert_num_queries):
    expected = {name: list(rows) for name, rows in read_by_the_orm(studio.pk).items()}
    with django_assert_num_queries(1):
        artifact = artifact_get(slug=studio.slug)
        for name, names in FIELDS.items():
            assert values(getattr(artifact, name).all(), names) == values(expected[name], names)
        targets = [link.target for link in artifact.links_out.all()]
        assert [(t.slug, t.name, t.is_published) if t else None for t in targets] == [
            (t.slug, t.name, t.is_published) if t else None
            for t in (link.target for link in expected["links_out"])
        ]
        assert all(cap.artifact is artifact for cap in artifact.capabilities.all())
    assert [plan.price for plan in artifact.plans.all()] == [Decimal("0.00000042"), Decimal("12.5")]


def test_an_artifact_without_rows_reads_empty_relations(django_assert_num_queries):
    bare = ArtifactFactory(name="Bare")
    with django_assert_num_queries(1):
        artifact = artifact_get(slug=bare.slug)
        assert [list(getattr(artifact, name).all()) for name in FIELDS] == [[]] * len(FIELDS)
