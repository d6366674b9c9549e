"""Re-score an artifact after a curator edits it (decoupling: catalog never imports ranking).

Only model saves and deletes reach here; bulk imports skip signals and wait for the nightly
full recompute. The task is queued after commit and a failure to queue never fails the edit.
"""

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from catalog.models import Artifact, ArtifactLink, Capability, DataSource, Signals
from config.queueing import BROKER_ERRORS

logger = logging.getLogger(__name__)


def _queue(artifact_id: int) -> None:
    from ranking.selectors import rank_run_exists
    from ranking.tasks import recompute_artifact_rank as recompute_artifact_rank_task

    # Before the first full run there is no ranking to place the artifact in.
    if rank_run_exists():
        try:
            recompute_artifact_rank_task.delay(artifact_id)
        except BROKER_ERRORS as error:  # the nightly run re-scores it anyway
            logger.warning("re-score of artifact %s not queued: %s", artifact_id, error)


def _schedule(*artifact_ids: int | None) -> None:
    for artifact_id in sorted({pk for pk in artifact_ids if pk}):
        transaction.on_commit(partial(_queue, artifact_id))


def artifact_saved(sender, instance: Artifact, raw=False, **kwargs) -> None:
    if not raw:
        _schedule(instance.pk)


def part_changed(sender, instance, raw=False, **kwargs) -> None:
    """Signals, capabilities and sources belong to one artifact."""
    if not raw:
        _schedule(instance.artifact_id)


def link_changed(sender, instance: ArtifactLink, raw=False, **kwargs) -> None:
    """A link changes the ecosystem of both ends."""
    if not raw:
        _schedule(instance.source_id, instance.target_id)


def connect() -> None:
    post_save.connect(artifact_saved, sender=Artifact, dispatch_uid="ranking.artifact_saved")
    for name, signal in (("save", post_save), ("delete", post_delete)):
        for model in (Signals, Capability, DataSource):
            signal.connect(
                part_changed, sender=model, dispatch_uid=f"ranking.{name}.{model.__name__}"
            )
        signal.connect(link_changed, sender=ArtifactLink, dispatch_uid=f"ranking.{name}.link")
