"""The set-based SQL computes exactly what the pure reference in `ranking.scoring` computes."""

import datetime as dt
import random

import pytest

from ranking import scoring, services
from ranking.models import RankScore
from ranking.signals import PERCENTILE_SIGNALS, SIGNAL_KEYS
from tests.catalog.factories import (
    ArtifactFactory,
    ArtifactLinkFactory,
    CapabilityFactory,
    CategoryFactory,
    DataSourceFactory,
    SignalsFactory,
)
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

KINDS = ["model", "repository", "course", "dataset"]
# Kinds too small to take a percentile at face value: one prompt alone, three agents.
SMALL_KINDS = ["prompt", "agent", "agent", "agent"]
ORGS = ["Acme", "Globex", "Initech", "", "Umbrella"]


@pytest.fixture
def random_directory():
    rng = random.Random(4)
    category = CategoryFactory(name="Vision", slug="vision")
    artifacts = []
    kinds = [rng.choice(KINDS) for _ in range(45)] + SMALL_KINDS
    for index, kind in enumerate(kinds):
        artifact = ArtifactFactory(
            name=f"Thing {index}",
            kind=kind,
            organization=rng.choice(ORGS),
            homepage=rng.choice(["", "https://example.org"]),
            license=rng.choice(["", "MIT"]),
            best_for=rng.choice([[], ["teams"]]),
            details=rng.choice([[], [["size", "7B"]]]),
            released=rng.choice(
                [None, dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 900))]
            ),
            updated=rng.choice(
                [None, dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 320))]
            ),
            categories=[category] if rng.random() < 0.5 else [],
        )
        artifacts.append(artifact)
        if rng.random() < 0.8:
            SignalsFactory(
                artifact=artifact,
                stars=rng.choice([None, 0, rng.randint(1, 200_000)]),
                downloads_30d=rng.choice([None, rng.randint(0, 20_000_000)]),
                likes=rng.choice([None, rng.randint(0, 5_000)]),
                forks=rng.choice([None, rng.randint(0, 9_000)]),
                contributors=rng.choice([None, rng.randint(0, 900)]),
                dependents=rng.choice([None, rng.randint(0, 900)]),
                docs_pages=rng.choice([None, rng.randint(0, 300)]),
                has_examples=rng.choice([None, True, False]),
                has_changelog=rng.choice([None, True, False]),
                last_commit=rng.choice(
                    [None, dt.date(2026, 11, 1) - dt.timedelta(days=rng.randint(0, 700))]
                ),
            )
        for position in range(rng.randint(0, 5)):
            CapabilityFactory(
                artifact=artifact,
                position=position,
                confidence=rng.choice(["low", "medium", "high"]),
            )
        if rng.random() < 0.3:
            DataSourceFactory(artifact=artifact)
    links = {
        (
            rng.choice(artifacts),
            rng.choice(["integrates_with", "depends_on"]),
            rng.choice(artifacts),
        )
        for _ in range(70)
    }
    for source, relation, target in links:  # including a few self-links
        ArtifactLinkFactory(source=source, relation=relation, target=target)
    ArtifactLinkFactory(source=artifacts[0], target=None, target_slug="not-listed-yet")
    ArtifactFactory(name="Hidden one", is_published=False)
    return artifacts


def inputs_from(score: RankScore) -> scoring.RankInputs:
    return scoring.RankInputs(
        artifact_id=score.artifact_id,
        kind=score.kind,
        stars=score.stars,
        forks=score.forks,
        downloads_30d=score.downloads_30d,
        likes=score.likes,
        contributors=score.contributors,
        dependents=score.dependents,
        docs_pages=score.docs_pages,
        has_examples=score.has_examples,
        has_changelog=score.has_changelog,
        capabilities=score.capabilities,
        capability_confidence=score.capability_confidence,
        listing_fields=score.listing_fields,
        links=score.links,
        orgs_linking_in=score.orgs_linking_in,
        orgs_linked_out=score.orgs_linked_out,
        match_feedback=score.match_feedback,
        last_activity=score.last_activity,
    )


def test_sql_scores_equal_the_reference_implementation(random_directory):
    result = services.rank_recompute_all(now=FROZEN_NOW)
    stored = list(RankScore.objects.filter(run_id=result.run_id).select_related("run__weights"))
    assert len(stored) == 49  # the hidden artifact is not ranked
    weights = stored[0].run.weights
    expected = scoring.score_batch(
        [inputs_from(score) for score in stored],
        weights=weights.weights(),
        today=FROZEN_NOW.date(),
        half_life_days=weights.freshness_half_life_days,
        badge_percentile=stored[0].run.badge_percentile,
    )
    for score in stored:
        reference = expected[score.artifact_id]
        for key in SIGNAL_KEYS:
            assert getattr(score, f"{key}_raw") == pytest.approx(reference.raw[key], abs=1e-12)
            assert getattr(score, f"{key}_pct") == pytest.approx(reference.percentiles[key])
            assert getattr(score, f"{key}_peers") == reference.peers[key]
            assert getattr(score, key) == pytest.approx(reference.scores[key])
            assert getattr(score, f"{key}_points") == pytest.approx(
                reference.combination.points[key]
            )
            assert getattr(score, f"{key}_part") == reference.combination.parts[key]
            assert getattr(score, f"{key}_badge") == reference.badges[key]
        assert score.total == pytest.approx(reference.total)
        assert score.rank == reference.rank


def test_stored_parts_add_up_to_every_rank(random_directory):
    result = services.rank_recompute_all(now=FROZEN_NOW)
    ranked = RankScore.objects.filter(run_id=result.run_id, rank__isnull=False)
    assert ranked.exists()
    for score in ranked:
        parts = [getattr(score, f"{key}_part") for key in SIGNAL_KEYS]
        assert sum(part for part in parts if part is not None) == score.rank


def test_a_kind_of_one_stands_in_the_middle_in_sql_too(random_directory):
    result = services.rank_recompute_all(now=FROZEN_NOW)
    prompt = RankScore.objects.get(run_id=result.run_id, kind="prompt")
    checked = [
        key
        for key in PERCENTILE_SIGNALS
        if getattr(prompt, key) is not None and getattr(prompt, f"{key}_raw") > 0
    ]
    assert checked  # the lone prompt has something to stand on
    for key in checked:
        assert getattr(prompt, f"{key}_peers") == 1
        assert getattr(prompt, key) == pytest.approx(55.0)
        assert not getattr(prompt, f"{key}_badge")


def test_placing_one_artifact_of_a_small_kind_agrees_with_the_full_run(random_directory):
    result = services.rank_recompute_all(now=FROZEN_NOW)
    agents = RankScore.objects.filter(run_id=result.run_id, kind="agent").order_by("artifact_id")
    before = {score.artifact_id: score for score in agents}
    for artifact_id, full in before.items():
        services.rank_recompute_artifact(artifact_id=artifact_id, now=FROZEN_NOW)
        placed = RankScore.objects.get(run_id=result.run_id, artifact_id=artifact_id)
        for key in SIGNAL_KEYS:
            assert getattr(placed, f"{key}_peers") == getattr(full, f"{key}_peers")
            assert getattr(placed, key) == pytest.approx(getattr(full, key))
        assert placed.rank == full.rank
