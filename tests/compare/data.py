"""A small directory to compare: two models and a repository, like the real pages' pairs, with
capabilities, a price, signals and a current rank run. Plain functions, shared by the compare
tests' fixtures and the browser tests."""

import datetime as dt
from decimal import Decimal

from catalog.search_index import artifacts_refresh_search
from ranking import services as ranking_services
from tests.catalog.factories import (
    ArtifactFactory,
    ArtifactLinkFactory,
    CapabilityFactory,
    CategoryFactory,
    PricingPlanFactory,
    SignalsFactory,
)

FLUX_CAPABILITIES = [
    "Generate images from text prompts",
    "Condition generation on reference images",
    "Free tier for evaluation",
    "Commercial image generation API",
    "Fast generation in few steps",
    "Open weights for local use",
    "Photorealistic high resolution output",
]
ERNIE_CAPABILITIES = [
    "Multimodal vision-language understanding",
    "Caption images in natural language",
    "Answer questions about images",
]


def make_flux():
    artifact = ArtifactFactory(
        name="FLUX.1 Pro",
        slug="flux-1-pro",
        kind="model",
        organization="Black Forest Labs",
        pricing_model="free",
        free_tier=True,
        license="Proprietary",
        inputs=["text", "image"],
        outputs=["image"],
        updated=dt.date(2026, 10, 1),
    )
    for position, title in enumerate(FLUX_CAPABILITIES):
        CapabilityFactory(artifact=artifact, position=position, title=title)
    return artifact


def make_ernie():
    artifact = ArtifactFactory(
        name="Baidu: ERNIE 4.5 VL",
        slug="ernie-4-5-vl",
        kind="model",
        organization="Baidu",
        pricing_model="paid",
        free_tier=False,
        license="",
        inputs=["text", "image"],
        outputs=["text"],
        updated=dt.date(2026, 6, 1),
    )
    for position, title in enumerate(ERNIE_CAPABILITIES):
        CapabilityFactory(artifact=artifact, position=position, title=title)
    PricingPlanFactory(artifact=artifact, price=Decimal("0.00000042"), unit="prompt token")
    return artifact


def make_sdnext():
    artifact = ArtifactFactory(
        name="sdnext",
        slug="sdnext",
        kind="repository",
        organization="vladmandic",
        pricing_model="open_source",
        free_tier=True,
        license="AGPL-3.0",
        inputs=["text", "image"],
        outputs=["image"],
    )
    CapabilityFactory(artifact=artifact, position=0, title="Generate images from text prompts")
    CapabilityFactory(artifact=artifact, position=1, title="Edit images with masks")
    return artifact


def make_directory():
    """The three artifacts with signals, links and a current rank run; search documents built
    as every write path builds them."""
    flux, ernie, sdnext = make_flux(), make_ernie(), make_sdnext()
    images = CategoryFactory(name="Image generation", slug="image-generation")
    vision = CategoryFactory(name="Computer vision", slug="computer-vision")
    flux.categories.add(images, vision)
    sdnext.categories.add(images)
    ernie.categories.add(vision)
    SignalsFactory(artifact=flux, stars=20_000, downloads_30d=900_000, docs_pages=40)
    SignalsFactory(artifact=ernie, stars=50, downloads_30d=1_000, docs_pages=1)
    SignalsFactory(artifact=sdnext, stars=6_000, downloads_30d=None, docs_pages=12)
    for index in range(3):
        other = ArtifactFactory(name=f"Peer model {index}", organization=f"Lab {index}")
        SignalsFactory(artifact=other, stars=100 * (index + 1), docs_pages=index)
        ArtifactLinkFactory(source=other, target=flux)
    ranking_services.rank_recompute_all()
    artifacts_refresh_search()
    for artifact in (flux, ernie, sdnext):
        artifact.refresh_from_db()
    return {"flux": flux, "ernie": ernie, "sdnext": sdnext}
