"""Curators' admin: weights versions, runs, read-only scores, "recompute now"."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ranking import admin as ranking_admin
from ranking import services
from ranking.models import RankRun, RankRunStatus, WeightsVersion
from ranking.signals import SIGNALS
from tests.catalog.factories import ArtifactFactory, SignalsFactory
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:ranking_rankrun_changelist")
RECOMPUTE = reverse("admin:ranking_rankrun_recompute")
VERSIONS = reverse("admin:ranking_weightsversion_changelist")


@pytest.fixture
def ranked():
    artifact = ArtifactFactory()
    SignalsFactory(artifact=artifact)
    services.rank_recompute_all(now=FROZEN_NOW)
    return artifact


def weights_form(version: WeightsVersion, **changes) -> dict:
    data = {
        "label": version.label,
        "notes": version.notes,
        "adoption_weight": version.adoption_weight,
        "quality_weight": version.quality_weight,
        "ecosystem_weight": version.ecosystem_weight,
        "match_graph_weight": version.match_graph_weight,
        "freshness_weight": version.freshness_weight,
        "freshness_half_life_days": version.freshness_half_life_days,
    }
    return {**data, **changes}


@pytest.mark.parametrize("model", ["weightsversion", "rankrun", "rankscore", "rankhistory"])
def test_every_ranking_changelist_opens(curator_client, ranked, model):
    assert curator_client.get(reverse(f"admin:ranking_{model}_changelist")).status_code == 200


def test_runs_list_shows_status_duration_and_counts(curator_client, ranked):
    html = curator_client.get(RUNS).content.decode()
    run = RankRun.objects.get()
    assert "Succeeded" in html
    assert f"{run.duration_seconds:.2f} s" in html
    assert "Recompute now" in html


def test_recompute_button_queues_the_task_after_commit(
    curator_client, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(ranking_admin.recompute_all_ranks_task, "delay", lambda: queued.append(1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = curator_client.post(RECOMPUTE)
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert queued == [1]


def test_recompute_button_runs_the_task(curator_client, django_capture_on_commit_callbacks):
    ArtifactFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(RECOMPUTE, follow=True)
    assert "Recompute queued" in response.content.decode()
    assert RankRun.objects.get().status == RankRunStatus.SUCCEEDED


def test_recompute_action_on_runs_queues_the_task(
    curator_client, ranked, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(ranking_admin.recompute_all_ranks_task, "delay", lambda: queued.append(1))
    run = RankRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(RUNS, {"action": "recompute_now", "_selected_action": [run.pk]})
    assert queued == [1]


def test_recompute_needs_the_permission(client):
    staff = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.post(RECOMPUTE).status_code == 403
    assert client.get(RECOMPUTE).status_code in (403, 405)


def test_editing_weights_used_by_a_run_creates_a_new_version(curator_client, ranked):
    used = WeightsVersion.objects.get()
    url = reverse("admin:ranking_weightsversion_change", args=[used.pk])
    response = curator_client.post(url, weights_form(used, adoption_weight="50"), follow=True)
    assert response.status_code == 200
    used.refresh_from_db()
    assert used.adoption_weight == Decimal("35.00")  # untouched
    assert not used.is_active
    new = WeightsVersion.objects.exclude(pk=used.pk).get()
    assert new.adoption_weight == Decimal("50.00")
    assert new.is_active
    assert new.based_on == used
    assert "saved as" in response.content.decode()


def test_editing_an_unused_version_changes_it_in_place(curator_client):
    draft = WeightsVersion.objects.create(label="draft")
    url = reverse("admin:ranking_weightsversion_change", args=[draft.pk])
    curator_client.post(url, weights_form(draft, quality_weight="40"))
    draft.refresh_from_db()
    assert draft.quality_weight == Decimal("40.00")
    assert WeightsVersion.objects.count() == 1


def test_adding_an_active_version_deactivates_the_old_one(curator_client, ranked):
    old = WeightsVersion.objects.get()
    data = {**weights_form(old, label="more freshness", freshness_weight="30"), "activate": "on"}
    curator_client.post(reverse("admin:ranking_weightsversion_add"), data)
    assert WeightsVersion.objects.get(is_active=True).label == "more freshness"


def test_activate_action_switches_the_active_version(curator_client, ranked):
    other = WeightsVersion.objects.create(label="alternative")
    curator_client.post(VERSIONS, {"action": "activate_version", "_selected_action": [other.pk]})
    assert WeightsVersion.objects.get(is_active=True) == other


def test_used_versions_cannot_be_deleted(curator_client, ranked):
    used = WeightsVersion.objects.get()
    url = reverse("admin:ranking_weightsversion_delete", args=[used.pk])
    assert curator_client.get(url).status_code == 403


def test_scores_are_read_only(curator_client, ranked):
    score = RankRun.objects.get().scores.get()
    rank = score.rank
    assert curator_client.get(reverse("admin:ranking_rankscore_add")).status_code == 403
    url = reverse("admin:ranking_rankscore_change", args=[score.pk])
    assert curator_client.get(url).status_code == 200  # viewable
    assert curator_client.post(url, {"rank": 100}).status_code == 403
    score.refresh_from_db()
    assert score.rank == rank


def test_admin_names_signals_from_the_registry_not_by_their_stored_keys(curator_client, ranked):
    versions = curator_client.get(VERSIONS).content.decode()
    scores = curator_client.get(reverse("admin:ranking_rankscore_changelist")).content.decode()
    for signal in SIGNALS:
        assert f"{signal.name} weight" in versions
    for signal in SIGNALS[:4]:  # the changelist shows four signals' badges
        assert f"{signal.name} top tier" in scores
    assert "Quality" not in versions + scores
