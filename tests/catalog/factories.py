"""Factories for catalog rows. Each builds a valid, realistic row with the fewest fields."""

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from catalog.models import (
    Artifact,
    ArtifactLink,
    Capability,
    Category,
    DataSource,
    Kind,
    PricingModel,
    PricingPlan,
    Signals,
)
from catalog.services import artifacts_refresh_prices


class CategoryFactory(DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ArtifactFactory(DjangoModelFactory[Artifact]):
    class Meta:
        model = Artifact
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Artifact {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-").replace(".", "-"))
    kind = Kind.MODEL
    organization = "Example Labs"
    summary = factory.LazyAttribute(lambda o: f"{o.name} does one useful thing well.")
    pricing_model = PricingModel.OPEN_SOURCE
    free_tier = True
    inputs = factory.LazyFunction(lambda: ["text"])
    outputs = factory.LazyFunction(lambda: ["text"])
    released = dt.date(2025, 6, 1)
    updated = dt.date(2026, 10, 1)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.add(*extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        """As every writer does: the listing's price figures follow the free-tier flag."""
        if create:
            artifacts_refresh_prices(artifact_ids=[instance.pk])
            instance.refresh_from_db(fields=["has_free_tier", "headline_token_price_per_million"])


class CapabilityFactory(DjangoModelFactory[Capability]):
    class Meta:
        model = Capability

    artifact = factory.SubFactory(ArtifactFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"capability number {n}")
    description = "Explains in plain words what the artifact does here."
    unique_angle = "Does it with fewer resources."
    vs_alternatives = "Cheaper than the usual choice."
    confidence = "medium"


class PricingPlanFactory(DjangoModelFactory[PricingPlan]):
    class Meta:
        model = PricingPlan

    artifact = factory.SubFactory(ArtifactFactory)
    name = "API"
    price = Decimal("0.00000042")
    currency = "USD"
    unit = "prompt token"
    as_of = dt.date(2026, 11, 1)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        """As the admin and the importer do: the listing's price figures follow the plans."""
        if create:
            artifacts_refresh_prices(artifact_ids=[instance.artifact_id])


class SignalsFactory(DjangoModelFactory[Signals]):
    class Meta:
        model = Signals

    artifact = factory.SubFactory(ArtifactFactory)
    stars = 1200
    downloads_30d = 54000
    as_of = dt.date(2026, 11, 1)


class DataSourceFactory(DjangoModelFactory[DataSource]):
    class Meta:
        model = DataSource

    artifact = factory.SubFactory(ArtifactFactory)
    name = "Provider model card"
    url = "https://example.org/card"
    retrieved = dt.date(2026, 11, 1)


class ArtifactLinkFactory(DjangoModelFactory[ArtifactLink]):
    class Meta:
        model = ArtifactLink

    source = factory.SubFactory(ArtifactFactory)
    relation = "integrates_with"
    target = factory.SubFactory(ArtifactFactory)
    target_slug = factory.LazyAttribute(lambda o: o.target.slug if o.target else "missing")


def token_api_with_cached_input(*, output_as_of: dt.date | None = None) -> Artifact:
    """An API priced like GPT-4o: input, cached input and output per token."""
    artifact = ArtifactFactory(name="GPT-4o API", kind="api", pricing_model="paid")
    PricingPlanFactory(artifact=artifact, position=0, name="Input", price=Decimal("0.0000025"))
    PricingPlanFactory(
        artifact=artifact, position=1, name="Cached input", price=Decimal("0.00000125")
    )
    dated = {"as_of": output_as_of} if output_as_of else {}
    PricingPlanFactory(
        artifact=artifact,
        position=2,
        name="Output",
        price=Decimal("0.00001"),
        unit="completion token",
        **dated,
    )
    return artifact


def token_api_with_two_plans() -> Artifact:
    """An API priced like Anthropic's in the demo: a cheap plan that lists only its input
    rate (Haiku), and a dearer plan with input and output (Sonnet)."""
    artifact = ArtifactFactory(name="Claude API", kind="api", pricing_model="paid")
    for position, (name, price, unit) in enumerate(
        [
            ("Claude Haiku 4.5 input", "0.000001", "prompt token"),
            ("Claude Sonnet 4.5 input", "0.000003", "prompt token"),
            ("Claude Sonnet 4.5 output", "0.000015", "completion token"),
        ]
    ):
        PricingPlanFactory(
            artifact=artifact, position=position, name=name, price=Decimal(price), unit=unit
        )
    return artifact
