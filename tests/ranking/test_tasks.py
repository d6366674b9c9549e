"""Tasks are thin wrappers; edits queue a re-score of the artifact after commit."""

import pytest

from catalog.models import Artifact, Signals
from ranking import services, tasks
from ranking.models import RankRun
from tests.catalog.factories import (
    ArtifactFactory,
    ArtifactLinkFactory,
    CapabilityFactory,
    SignalsFactory,
)
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db


def test_recompute_all_task_reports_the_run():
    ArtifactFactory()
    report = tasks.recompute_all_ranks()
    run = RankRun.objects.get(is_current=True)
    assert report["run_id"] == run.pk
    assert report["artifacts_ranked"] == 1
    assert report["seconds"] >= 0


def test_recompute_artifact_task_takes_an_id():
    artifact = ArtifactFactory()
    services.rank_recompute_all(now=FROZEN_NOW)
    assert tasks.recompute_artifact_rank(artifact.pk) == Artifact.objects.get().current_rank


def test_nightly_schedule_runs_the_full_recompute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ranking-recompute-all-nightly"]
    assert entry["task"] == tasks.recompute_all_ranks.name == "ranking.tasks.recompute_all_ranks"


@pytest.fixture
def queued(monkeypatch):
    """Task ids queued for re-scoring, once a ranking exists to place artifacts in."""
    services.rank_recompute_all(now=FROZEN_NOW)
    ids: list[int] = []
    monkeypatch.setattr(tasks.recompute_artifact_rank, "delay", ids.append)
    return ids


def test_nothing_is_queued_before_the_first_ranking(
    monkeypatch, django_capture_on_commit_callbacks
):
    ids: list[int] = []
    monkeypatch.setattr(tasks.recompute_artifact_rank, "delay", ids.append)
    with django_capture_on_commit_callbacks(execute=True):
        ArtifactFactory()
    assert ids == []


def test_editing_an_artifact_queues_its_rescore_after_commit(
    queued, django_capture_on_commit_callbacks
):
    artifact = ArtifactFactory()
    with django_capture_on_commit_callbacks(execute=True):
        artifact.name = "Renamed"
        artifact.save()
        assert queued == []  # not before commit
    assert queued == [artifact.pk]


def test_signal_capability_and_link_edits_queue_their_artifacts(
    queued, django_capture_on_commit_callbacks
):
    source, target = ArtifactFactory(), ArtifactFactory()
    with django_capture_on_commit_callbacks(execute=True):
        SignalsFactory(artifact=source)
        CapabilityFactory(artifact=source)
        ArtifactLinkFactory(source=source, target=target)
    assert sorted(set(queued)) == sorted([source.pk, target.pk])
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Signals.objects.get(artifact=source).delete()
    assert queued == [source.pk]


def test_an_edit_rescores_the_artifact_in_the_current_run(
    django_capture_on_commit_callbacks,
):
    weak, strong = ArtifactFactory(name="Weak"), ArtifactFactory(name="Strong")
    SignalsFactory(artifact=weak, stars=1)
    SignalsFactory(artifact=strong, stars=50_000)
    services.rank_recompute_all(now=FROZEN_NOW)
    before = Artifact.objects.get(pk=weak.pk).current_rank
    with django_capture_on_commit_callbacks(execute=True):
        signals = Signals.objects.get(artifact=weak)
        signals.stars = 900_000
        signals.save()
    assert Artifact.objects.get(pk=weak.pk).current_rank > before
    assert RankRun.objects.count() == 1


def test_recompute_all_task_skips_while_another_run_holds_the_lock():
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [services.RUN_LOCK])
        assert tasks.recompute_all_ranks() == {"skipped": "another recompute is running"}
    finally:
        other.close()
    assert not RankRun.objects.exists()
