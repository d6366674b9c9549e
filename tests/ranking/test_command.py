"""`manage.py recompute_ranks`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Artifact
from ranking.models import RankRun
from tests.catalog.factories import ArtifactFactory, SignalsFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("recompute_ranks", *args, stdout=out)
    return out.getvalue()


def test_command_reports_progress_duration_and_count():
    for index in range(3):
        SignalsFactory(artifact=ArtifactFactory(name=f"A {index}"))
    output = run()
    run_id = RankRun.objects.get(is_current=True).pk
    assert f"Run #{run_id}: scoring with weights" in output
    assert "scored 3 artifacts in" in output
    assert f"Run #{run_id} is current: 3 artifacts ranked (3 scored) in" in output
    assert output.rstrip().endswith(f"with weights v{RankRun.objects.get().weights_id}.")


def test_dry_run_saves_nothing():
    ArtifactFactory()
    output = run("--dry-run")
    assert "Dry run: nothing was saved." in output
    assert not RankRun.objects.exists()
    assert Artifact.objects.get().current_rank is None


def test_one_artifact_by_slug():
    artifact = ArtifactFactory(slug="solo")
    run()
    assert (
        run("--artifact", "solo").strip()
        == f"solo: {Artifact.objects.get(pk=artifact.pk).current_rank}/100"
    )
    with pytest.raises(CommandError, match="No artifact"):
        run("--artifact", "nope")
