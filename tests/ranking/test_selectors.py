"""Ranking reads: breakdown, history and rising stars."""

import datetime as dt

import pytest

from ranking import selectors, services
from ranking.models import RankHistory, WeightsVersion
from tests.catalog.factories import ArtifactFactory, SignalsFactory
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

TODAY = FROZEN_NOW.date()


@pytest.fixture
def ranked():
    artifacts = []
    for index, stars in enumerate([10, 1_000, 100_000]):
        artifact = ArtifactFactory(name=f"Model {index}")
        SignalsFactory(artifact=artifact, stars=stars, docs_pages=None)
        artifacts.append(artifact)
    services.rank_recompute_all(now=FROZEN_NOW)
    return artifacts


def test_breakdown_rows_carry_parts_that_add_up_to_the_rank(ranked):
    breakdown, _ = selectors.rank_breakdown_with_history(artifact_id=ranked[2].pk, days=90)
    assert [row.key for row in breakdown.rows] == [
        "adoption",
        "quality",
        "ecosystem",
        "match_graph",
        "freshness",
    ]
    assert sum(row.part for row in breakdown.rows if row.known) == breakdown.rank
    match_graph = breakdown.rows[3]
    assert not match_graph.known and match_graph.weight_share is None
    assert sum(row.weight_share for row in breakdown.rows if row.known) == pytest.approx(100)
    assert breakdown.weights_label == f"v{WeightsVersion.objects.get().pk}"
    assert breakdown.kind_plural == "models"
    adoption = breakdown.rows[0]
    assert ("GitHub stars", "100,000") in [(item.label, item.value) for item in adoption.inputs]
    assert adoption.as_of == "Read on Nov 1, 2026."


def test_breakdown_of_an_unranked_artifact_is_none():
    artifact = ArtifactFactory()
    assert selectors.rank_breakdown_with_history(artifact_id=artifact.pk, days=90) == (None, [])


def test_history_is_oldest_first_within_the_window(ranked):
    RankHistory.objects.create(
        artifact=ranked[0], day=TODAY - dt.timedelta(days=400), rank=1, total=1
    )
    RankHistory.objects.create(
        artifact=ranked[0], day=TODAY - dt.timedelta(days=5), rank=3, total=3
    )
    _, history = selectors.rank_breakdown_with_history(
        artifact_id=ranked[0].pk, days=90, today=TODAY
    )
    assert [day for day, _ in history] == [TODAY - dt.timedelta(days=5), TODAY]
    assert history[0][1] == 3


def test_rising_stars_are_the_biggest_climbs_since_the_window_start(ranked):
    low, mid, high = ranked
    month_ago = TODAY - dt.timedelta(days=30)
    RankHistory.objects.create(artifact=low, day=month_ago - dt.timedelta(days=3), rank=1, total=1)
    RankHistory.objects.create(artifact=mid, day=month_ago, rank=2, total=2)
    RankHistory.objects.create(artifact=high, day=month_ago, rank=99, total=99)  # fell
    RankHistory.objects.create(artifact=low, day=TODAY - dt.timedelta(days=2), rank=90, total=90)
    stars = selectors.rank_rising_stars(days=30, limit=5, today=TODAY)
    changes = [star.change for star in stars]
    assert changes == sorted(changes, reverse=True)
    assert all(change > 0 for change in changes)
    assert high not in [star.artifact for star in stars]
    by_name = {star.artifact.name: star for star in stars}
    assert by_name[low.name].previous_rank == 1
    assert by_name[low.name].change == by_name[low.name].rank - 1


def test_rising_stars_leave_out_unpublished_and_respect_the_limit(ranked):
    for artifact in ranked:
        RankHistory.objects.create(
            artifact=artifact, day=TODAY - dt.timedelta(days=40), rank=0, total=0
        )
    type(ranked[0]).objects.filter(pk=ranked[2].pk).update(is_published=False)
    stars = selectors.rank_rising_stars(days=30, limit=1, today=TODAY)
    assert len(stars) == 1
    assert stars[0].artifact != ranked[2]


def test_overview_shows_defaults_before_any_run():
    overview = selectors.ranking_overview()
    assert overview.current_run is None
    assert overview.weights.pk is None
    assert overview.weight_lines[0].key == "adoption"
    assert sum(line.share for line in overview.weight_lines) == pytest.approx(100)
    assert overview.badge_top_percent == 20
