"""Celery tasks: thin wrappers that load by id and call a service.

Callers queue them after commit: `transaction.on_commit(lambda: recompute_all_ranks_task.delay())`.
The nightly full recompute is scheduled in settings (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(time_limit=30 * 60, soft_time_limit=28 * 60)
def recompute_all_ranks() -> dict:
    from ranking.services import RankRunInProgress, rank_recompute_all

    try:
        result = rank_recompute_all()
    except RankRunInProgress:
        # A second "recompute now" while one runs: the running one is as fresh.
        return {"skipped": "another recompute is running"}
    return {
        "run_id": result.run_id,
        "weights_version": result.weights_version,
        "artifacts_scored": result.artifacts_scored,
        "artifacts_ranked": result.artifacts_ranked,
        "seconds": round(result.seconds, 3),
    }


@shared_task(time_limit=60, soft_time_limit=50)
def recompute_artifact_rank(artifact_id: int) -> int | None:
    from ranking.services import rank_recompute_artifact

    return rank_recompute_artifact(artifact_id=artifact_id)
