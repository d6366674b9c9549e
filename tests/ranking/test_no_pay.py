"""The promise: no artifact can pay (or claim, or reword) its way to a higher rank."""

import datetime as dt
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from catalog.models import Artifact, PricingPlan
from ranking import services
from ranking.models import RankScore
from tests.catalog.factories import (
    ArtifactFactory,
    ArtifactLinkFactory,
    CapabilityFactory,
    PricingPlanFactory,
    SignalsFactory,
)
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

# Everything but bookkeeping: inputs, raw values, percentiles, scores, points, parts, badges.
BOOKKEEPING = {"id", "run", "computed_at"}


def snapshot() -> dict[int, dict]:
    scores = RankScore.objects.filter(run__is_current=True)
    ranks = dict(Artifact.objects.values_list("pk", "current_rank"))
    return {
        score.artifact_id: {
            **{k: v for k, v in model_to_dict(score).items() if k not in BOOKKEEPING},
            "current_rank": ranks[score.artifact_id],
        }
        for score in scores
    }


@pytest.fixture
def directory():
    artifacts = []
    for index, (kind, pricing, free_tier) in enumerate(
        [
            ("model", "paid", False),
            ("model", "free", True),
            ("model", "freemium", True),
            ("api", "paid", None),
            ("api", "", None),
            ("tool", "open_source", True),
        ]
    ):
        artifact = ArtifactFactory(
            name=f"Artifact {index}",
            kind=kind,
            organization=f"Org {index % 3}",
            pricing_model=pricing,
            free_tier=free_tier,
            summary="Short.",
            about="",
        )
        SignalsFactory(artifact=artifact, stars=100 * (index + 1), docs_pages=index)
        CapabilityFactory(artifact=artifact, confidence=["low", "medium", "high"][index % 3])
        PricingPlanFactory(artifact=artifact, price=Decimal("0.001") * (index + 1))
        artifacts.append(artifact)
    ArtifactLinkFactory(source=artifacts[0], target=artifacts[1])
    ArtifactLinkFactory(source=artifacts[2], target=artifacts[0])
    return artifacts


def test_price_plans_claims_verification_and_wording_never_change_a_score(directory):
    services.rank_recompute_all(now=FROZEN_NOW)
    before = snapshot()
    assert len(before) == 6

    for index, artifact in enumerate(directory):
        Artifact.objects.filter(pk=artifact.pk).update(
            pricing_model=["free", "paid", "contact", "open_source", "freemium", "paid"][index],
            free_tier=[True, False, None, True, False, None][index],
            claim_status="verified",
            verified_at=FROZEN_NOW,
            summary="The best, most trusted, award-winning artifact ever listed. " * 5,
            about="# Why we are number one\n\nBuy now! " * 50,
        )
        PricingPlan.objects.filter(artifact=artifact).update(price=Decimal("0"), name="Free")
        PricingPlanFactory(artifact=artifact, name="Enterprise", price=Decimal("99999"))
    PricingPlan.objects.filter(artifact=directory[0]).delete()

    services.rank_recompute_all(now=FROZEN_NOW)
    assert snapshot() == before


def test_recomputing_one_artifact_ignores_payment_too(directory):
    services.rank_recompute_all(now=FROZEN_NOW)
    before = snapshot()
    target = directory[3]
    Artifact.objects.filter(pk=target.pk).update(
        pricing_model="free",
        free_tier=True,
        claim_status="verified",
        verified_at=FROZEN_NOW,
        summary="Now with a much better summary.",
        about="Rewritten.",
    )
    PricingPlanFactory(artifact=target, price=Decimal("0"))
    services.rank_recompute_artifact(artifact_id=target.pk, now=FROZEN_NOW)
    assert snapshot() == before


def test_the_same_edits_that_matter_do_change_the_score(directory):
    """The snapshot is sensitive: a real signal change shows up."""
    services.rank_recompute_all(now=FROZEN_NOW)
    before = snapshot()
    SignalsFactory._meta.model.objects.filter(artifact=directory[0]).update(stars=10**7)
    Artifact.objects.filter(pk=directory[5].pk).update(updated=dt.date(2020, 1, 1))
    services.rank_recompute_all(now=FROZEN_NOW)
    assert snapshot() != before
