"""Full recomputes, run atomicity, history, pruning, recompute-one and weights versions."""

import datetime as dt

import pytest
from django.db import connections

from catalog.models import Artifact
from ranking import scoring, services
from ranking.models import RankHistory, RankRun, RankRunStatus, RankScore, WeightsVersion
from tests.catalog.factories import (
    ArtifactFactory,
    ArtifactLinkFactory,
    CapabilityFactory,
    SignalsFactory,
)
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

NEXT_DAY = FROZEN_NOW + dt.timedelta(days=1)


def score_of(artifact, run_id=None) -> RankScore:
    scores = RankScore.objects.filter(artifact=artifact)
    if run_id is None:
        return scores.get(run__is_current=True)
    return scores.get(run_id=run_id)


def rank_of(artifact) -> int | None:
    return Artifact.objects.values_list("current_rank", flat=True).get(pk=artifact.pk)


@pytest.fixture
def models():
    """Three models with rising adoption, and a course."""
    small = ArtifactFactory(name="Small", organization="Alpha")
    SignalsFactory(artifact=small, stars=10, downloads_30d=100)
    medium = ArtifactFactory(name="Medium", organization="Beta")
    SignalsFactory(artifact=medium, stars=1_000, downloads_30d=10_000)
    large = ArtifactFactory(name="Large", organization="Gamma")
    SignalsFactory(artifact=large, stars=100_000, downloads_30d=1_000_000)
    course = ArtifactFactory(name="Course", kind="course", organization="Delta")
    SignalsFactory(artifact=course, stars=5, downloads_30d=50)
    return {"small": small, "medium": medium, "large": large, "course": course}


# Full recompute --------------------------------------------------------------------------


def test_recompute_all_writes_a_current_run_and_denormalizes_the_rank(models):
    result = services.rank_recompute_all(now=FROZEN_NOW)
    run = RankRun.objects.get()
    assert run.pk == result.run_id
    assert run.is_current
    assert run.status == RankRunStatus.SUCCEEDED
    assert run.artifacts_scored == run.artifacts_ranked == result.artifacts_ranked == 4
    assert run.duration_seconds > 0
    assert run.weights.is_active
    for artifact in models.values():
        assert rank_of(artifact) == score_of(artifact).rank
    assert rank_of(models["large"]) > rank_of(models["medium"]) > rank_of(models["small"])


def test_every_score_records_its_weights_version_through_its_run(models):
    services.rank_recompute_all(now=FROZEN_NOW)
    version = WeightsVersion.objects.get(is_active=True)
    assert set(RankScore.objects.values_list("run__weights", flat=True)) == {version.pk}


def test_course_is_ranked_among_courses(models):
    services.rank_recompute_all(now=FROZEN_NOW)
    course, small = score_of(models["course"]), score_of(models["small"])
    assert course.adoption_pct == 1.0  # the best course: it is compared with courses only
    assert small.adoption_pct < 1.0
    # Being the only course says little: its standing is drawn toward the middle.
    assert (course.adoption_peers, course.adoption) == (1, pytest.approx(55.0))
    assert course.adoption < score_of(models["large"]).adoption


def test_artifact_without_any_known_signal_gets_no_rank_not_zero():
    bare = ArtifactFactory(name="Bare", released=None, updated=None)
    ArtifactFactory(name="Other")  # has dates: freshness is known
    services.rank_recompute_all(now=FROZEN_NOW)
    assert score_of(bare).rank is None
    assert rank_of(bare) is None
    assert RankRun.objects.get().artifacts_ranked == 1


def test_unpublished_artifacts_are_not_ranked(models):
    hidden = ArtifactFactory(name="Hidden", is_published=False)
    Artifact.objects.filter(pk=hidden.pk).update(current_rank=50)
    services.rank_recompute_all(now=FROZEN_NOW)
    assert not RankScore.objects.filter(artifact=hidden).exists()
    assert rank_of(hidden) is None


def test_ecosystem_counts_distinct_other_organizations_only():
    hub = ArtifactFactory(name="Hub", organization="Hub Inc")
    for index, organization in enumerate(["Acme", "Acme", "Globex", "Hub Inc", "hub inc "]):
        fan = ArtifactFactory(name=f"Fan {index}", organization=organization)
        ArtifactLinkFactory(source=fan, target=hub)
    ArtifactLinkFactory(source=hub, target=hub, relation="same_family")  # self-link
    ArtifactLinkFactory(source=hub, target=None, target_slug="future-thing")
    services.rank_recompute_all(now=FROZEN_NOW)
    hub_score = score_of(hub)
    assert hub_score.orgs_linking_in == 2  # Acme and Globex, not its own organization
    assert hub_score.orgs_linked_out == 0
    assert hub_score.links == 6  # five inbound and the unresolved outbound, not the self-link
    assert hub_score.ecosystem_raw == 4.0


def test_freshness_uses_the_latest_of_update_commit_and_release():
    artifact = ArtifactFactory(released=dt.date(2024, 1, 1), updated=dt.date(2025, 1, 1))
    SignalsFactory(artifact=artifact, last_commit=dt.date(2026, 11, 24))
    services.rank_recompute_all(now=FROZEN_NOW)
    score = score_of(artifact)
    assert score.last_activity == dt.date(2026, 11, 24)
    assert score.last_activity_source == "last_commit"
    assert score.freshness == pytest.approx(100.0)


def test_listing_completeness_counts_present_facts():
    artifact = ArtifactFactory(
        homepage="https://x.example",
        license="MIT",
        inputs=["text"],
        outputs=[],
        released=None,
    )
    CapabilityFactory(artifact=artifact)
    services.rank_recompute_all(now=FROZEN_NOW)
    assert score_of(artifact).listing_fields == 3


def test_capability_confidence_is_the_mean_of_the_curated_levels():
    artifact = ArtifactFactory()
    CapabilityFactory(artifact=artifact, confidence="high")
    CapabilityFactory(artifact=artifact, confidence="low")
    services.rank_recompute_all(now=FROZEN_NOW)
    score = score_of(artifact)
    assert score.capabilities == 2
    assert score.capability_confidence == pytest.approx(4 / 6)


# Atomicity -------------------------------------------------------------------------------


def test_a_run_failing_before_the_switch_leaves_the_previous_ranking_current(models, monkeypatch):
    first = services.rank_recompute_all(now=FROZEN_NOW)
    ranks_before = {key: rank_of(artifact) for key, artifact in models.items()}
    history_before = list(RankHistory.objects.values_list("artifact_id", "day", "rank"))
    SignalsFactory._meta.model.objects.filter(artifact=models["small"]).update(stars=10**9)

    def crash(**kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(services, "_denormalize_current_rank", crash)
    with pytest.raises(RuntimeError, match="worker died"):
        services.rank_recompute_all(now=NEXT_DAY)

    current = RankRun.objects.get(is_current=True)
    assert current.pk == first.run_id
    failed = RankRun.objects.exclude(pk=first.run_id).get()
    assert failed.status == RankRunStatus.FAILED
    assert "worker died" in failed.error
    assert not RankScore.objects.filter(run=failed).exists()
    assert {key: rank_of(artifact) for key, artifact in models.items()} == ranks_before
    assert list(RankHistory.objects.values_list("artifact_id", "day", "rank")) == history_before


def test_a_run_failing_after_the_insert_changes_nothing_visible(models, monkeypatch):
    first = services.rank_recompute_all(now=FROZEN_NOW)
    ranks_before = {key: rank_of(artifact) for key, artifact in models.items()}
    original_insert = services._scores_insert

    def insert_then_die(**kwargs):
        original_insert(**kwargs)
        raise KeyboardInterrupt  # a killed worker

    monkeypatch.setattr(services, "_scores_insert", insert_then_die)
    with pytest.raises(KeyboardInterrupt):
        services.rank_recompute_all(now=NEXT_DAY)
    assert RankRun.objects.get(is_current=True).pk == first.run_id
    assert {key: rank_of(artifact) for key, artifact in models.items()} == ranks_before
    assert RankScore.objects.filter(run__is_current=True).count() == 4


def test_a_run_abandoned_by_a_killed_worker_is_marked_failed_later(models):
    services.rank_recompute_all(now=FROZEN_NOW)
    stuck = RankRun.objects.create(
        weights=WeightsVersion.objects.get(), as_of=FROZEN_NOW, badge_percentile=0.8
    )
    RankRun.objects.filter(pk=stuck.pk).update(started_at=FROZEN_NOW - dt.timedelta(hours=5))
    services.rank_recompute_all(now=FROZEN_NOW)
    stuck.refresh_from_db()
    assert stuck.status == RankRunStatus.FAILED


def test_only_one_full_run_at_a_time(models):
    """Another session (a second worker) holding the run lock makes this run refuse."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [services.RUN_LOCK])
        with pytest.raises(services.RankRunInProgress):
            services.rank_recompute_all(now=FROZEN_NOW)
    finally:
        other.close()
    assert not RankRun.objects.exists()


# History ---------------------------------------------------------------------------------


def test_history_keeps_one_row_per_artifact_per_day(models):
    services.rank_recompute_all(now=FROZEN_NOW)
    services.rank_recompute_all(now=FROZEN_NOW + dt.timedelta(hours=2))
    assert RankHistory.objects.count() == 4
    services.rank_recompute_all(now=NEXT_DAY)
    assert RankHistory.objects.count() == 8
    days = RankHistory.objects.filter(artifact=models["large"]).values_list("day", flat=True)
    assert list(days) == [FROZEN_NOW.date(), NEXT_DAY.date()]
    assert RankScore.objects.filter(artifact=models["large"]).count() == 3  # one per run


def test_old_runs_are_pruned_but_history_stays(models, settings):
    settings.RANK_RUNS_KEPT = 2
    for day in range(4):
        services.rank_recompute_all(now=FROZEN_NOW + dt.timedelta(days=day))
    assert RankRun.objects.count() == 2
    assert RankRun.objects.filter(is_current=True).count() == 1
    assert RankScore.objects.count() == 2 * 4
    assert RankHistory.objects.count() == 4 * 4


# Recompute one ---------------------------------------------------------------------------


def test_recompute_one_places_the_artifact_in_the_current_distribution(models):
    services.rank_recompute_all(now=FROZEN_NOW)
    run_id = RankRun.objects.get(is_current=True).pk
    before = score_of(models["small"])
    SignalsFactory._meta.model.objects.filter(artifact=models["small"]).update(
        stars=10**7, downloads_30d=10**8
    )
    rank = services.rank_recompute_artifact(artifact_id=models["small"].pk, now=NEXT_DAY)
    after = score_of(models["small"])
    assert after.run_id == run_id  # still the current run, no new run
    assert after.adoption_pct == 1.0
    assert after.adoption_peers == 3
    assert after.adoption > before.adoption
    assert rank == after.rank == rank_of(models["small"])
    assert after.rank > before.rank
    # Others keep their scores until the next full run.
    assert score_of(models["large"]).adoption_pct == 1.0
    today = RankHistory.objects.get(artifact=models["small"], day=NEXT_DAY.date())
    assert today.rank == rank


def test_recompute_one_agrees_with_a_full_run_when_nothing_changed(models):
    services.rank_recompute_all(now=FROZEN_NOW)
    before = score_of(models["medium"])
    services.rank_recompute_artifact(artifact_id=models["medium"].pk, now=FROZEN_NOW)
    after = score_of(models["medium"])
    for field in ("adoption", "quality", "ecosystem", "freshness", "total", "rank"):
        assert getattr(after, field) == pytest.approx(getattr(before, field))


def test_recompute_one_scores_a_new_artifact_into_the_current_run(models):
    services.rank_recompute_all(now=FROZEN_NOW)
    newcomer = ArtifactFactory(name="Newcomer")
    SignalsFactory(artifact=newcomer, stars=500, downloads_30d=5_000)
    rank = services.rank_recompute_artifact(artifact_id=newcomer.pk, now=FROZEN_NOW)
    assert rank is not None
    assert score_of(newcomer).rank == rank == rank_of(newcomer)


def test_recompute_one_removes_an_unpublished_artifact(models):
    services.rank_recompute_all(now=FROZEN_NOW)
    Artifact.objects.filter(pk=models["medium"].pk).update(is_published=False)
    assert services.rank_recompute_artifact(artifact_id=models["medium"].pk, now=FROZEN_NOW) is None
    assert not RankScore.objects.filter(artifact=models["medium"], run__is_current=True).exists()
    assert rank_of(models["medium"]) is None
    assert not RankHistory.objects.filter(artifact=models["medium"], day=FROZEN_NOW.date()).exists()


def test_recompute_one_without_any_run_does_nothing(models):
    assert services.rank_recompute_artifact(artifact_id=models["small"].pk) is None
    assert not RankScore.objects.exists()


# Weights versions ------------------------------------------------------------------------


def test_first_run_creates_the_default_weights_as_the_active_version(models):
    assert not WeightsVersion.objects.exists()
    services.rank_recompute_all(now=FROZEN_NOW)
    version = WeightsVersion.objects.get()
    assert version.is_active
    assert version.weights() == {
        "adoption": 35.0,
        "quality": 25.0,
        "ecosystem": 15.0,
        "match_graph": 10.0,
        "freshness": 15.0,
    }


def test_new_weights_version_becomes_the_only_active_one_and_changes_the_next_run(models):
    services.rank_recompute_all(now=FROZEN_NOW)
    first_version = WeightsVersion.objects.get()
    rank_before = rank_of(models["small"])
    freshness_only = services.weights_version_create(
        weights={"adoption": 0, "quality": 0, "ecosystem": 0, "match_graph": 0, "freshness": 1},
        freshness_half_life_days=180,
        based_on=first_version,
        activate=True,
    )
    assert list(WeightsVersion.objects.filter(is_active=True)) == [freshness_only]
    services.rank_recompute_all(now=FROZEN_NOW)
    current = RankRun.objects.get(is_current=True)
    assert current.weights == freshness_only
    assert rank_of(models["small"]) != rank_before
    assert rank_of(models["small"]) == scoring.round_half_up(score_of(models["small"]).freshness)


def test_an_artifact_that_loses_its_rank_loses_that_days_history_row():
    artifact = ArtifactFactory(released=None)
    services.rank_recompute_all(now=FROZEN_NOW)
    assert RankHistory.objects.filter(artifact=artifact).exists()
    Artifact.objects.filter(pk=artifact.pk).update(updated=None)  # no known signal left
    services.rank_recompute_all(now=FROZEN_NOW + dt.timedelta(hours=1))
    assert not RankHistory.objects.filter(artifact=artifact).exists()
    assert rank_of(artifact) is None


def test_ranked_per_kind_is_counted_once_per_run_and_follows_a_re_score(
    models, django_assert_num_queries
):
    from ranking.kind_counts import ranked_per_kind

    services.rank_recompute_all(now=FROZEN_NOW)
    run_id = RankRun.objects.get(is_current=True).pk
    with django_assert_num_queries(0):  # counted by the run itself
        assert ranked_per_kind(run_id=run_id) == {"model": 3, "course": 1}

    newcomer = ArtifactFactory(name="Newcomer", organization="Epsilon")
    SignalsFactory(artifact=newcomer, stars=50, downloads_30d=500)
    services.rank_recompute_artifact(artifact_id=newcomer.pk, now=NEXT_DAY)
    assert ranked_per_kind(run_id=run_id)["model"] == 4
