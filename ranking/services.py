"""Ranking writes: weights versions, full recomputes, one artifact after an edit, pruning.

A full recompute (`rank_recompute_all`):

1. creates a `RankRun` (status running) with the active weights version;
2. scores every published artifact in one `INSERT … SELECT` (`ranking.sql`), in its own
   transaction — pages keep showing the current run meanwhile;
3. in ONE transaction: unmarks the old current run, denormalizes
   `catalog_artifact.current_rank` (`UPDATE … FROM`), upserts today's history rows and marks
   the new run current and succeeded.

Any failure (or a killed worker) before step 3 commits leaves the previous run current and
every page as it was; the failed run is marked failed and its rows deleted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from catalog.page_cache import pages_changed
from ranking import scoring, sql
from ranking.kind_counts import ranked_per_kind, ranked_per_kind_forget
from ranking.models import (
    WEIGHT_FIELDS,
    RankRun,
    RankRunStatus,
    RankScore,
    WeightsVersion,
)

logger = logging.getLogger(__name__)

# pg advisory lock keys: one full run at a time; switching the current run and recomputing one
# artifact never interleave.
RUN_LOCK = 0x52414E4B  # "RANK"
SWITCH_LOCK = RUN_LOCK + 1
# A run still "running" after this long was killed: it is marked failed by the next run.
STALE_RUN_AFTER = timedelta(hours=2)


class RankRunInProgress(RuntimeError):
    """Another full recompute holds the lock."""


@dataclass(frozen=True)
class RankRunResult:
    run_id: int
    weights_version: int
    artifacts_scored: int
    artifacts_ranked: int
    seconds: float
    steps: dict[str, float]


Progress = Callable[[str], None]


# Weights versions ------------------------------------------------------------------------


def weights_version_create(
    *,
    weights: dict[str, float | Decimal],
    freshness_half_life_days: int,
    label: str = "",
    notes: str = "",
    based_on: WeightsVersion | None = None,
    activate: bool = False,
) -> WeightsVersion:
    """A new version (never an edit of an old one); optionally the active one from now on."""
    with transaction.atomic():
        version = WeightsVersion.objects.create(
            label=label,
            notes=notes,
            freshness_half_life_days=freshness_half_life_days,
            based_on=based_on,
            **{name: Decimal(str(weights[key])) for key, name in WEIGHT_FIELDS.items()},
        )
        if activate:
            version = weights_version_activate(version=version)
    return version


def weights_version_activate(*, version: WeightsVersion) -> WeightsVersion:
    """Make `version` the one the next run uses (exactly one is active)."""
    with transaction.atomic():
        WeightsVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
        WeightsVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True
    return version


def weights_version_ensure_active() -> WeightsVersion:
    """The active version; the defaults of `ranking.scoring` become v1 when there is none."""
    active = WeightsVersion.objects.filter(is_active=True).first()
    if active is not None:
        return active
    return weights_version_create(
        weights=scoring.DEFAULT_WEIGHTS,
        freshness_half_life_days=scoring.DEFAULT_HALF_LIFE_DAYS,
        label="defaults",
        activate=True,
    )


# Full recompute ----------------------------------------------------------------------------


def rank_recompute_all(
    *, now: datetime | None = None, progress: Progress | None = None
) -> RankRunResult:
    """Score every published artifact into a new run and make it current, or change nothing."""
    now = now or timezone.now()
    report = progress or (lambda message: None)
    started = time.perf_counter()
    steps: dict[str, float] = {}
    with _exclusive_run():
        _runs_mark_abandoned(now=now)
        weights = weights_version_ensure_active()
        run = RankRun.objects.create(
            weights=weights, as_of=now, badge_percentile=settings.RANK_BADGE_PERCENTILE
        )
        report(
            f"Run #{run.pk}: scoring with weights {weights.version_label} "
            f"as of {now:%Y-%m-%d %H:%M} UTC"
        )
        try:
            step = time.perf_counter()
            scored = _scores_insert(run=run, weights=weights)
            steps["score"] = time.perf_counter() - step
            report(f"  scored {scored:,} artifacts in {steps['score']:.2f}s")

            step = time.perf_counter()
            ranked = _run_switch(run=run, started=started, scored=scored)
            steps["switch"] = time.perf_counter() - step
            report(
                f"  made run #{run.pk} current: {ranked:,} ranked, "
                f"{scored - ranked:,} without a known signal ({steps['switch']:.2f}s)"
            )
        except BaseException as error:
            _run_fail(run=run, error=error)
            raise
    step = time.perf_counter()
    pruned = rank_runs_prune(keep=settings.RANK_RUNS_KEPT)
    steps["prune"] = time.perf_counter() - step
    if pruned:
        report(f"  pruned {pruned} old run(s) ({steps['prune']:.2f}s)")
    seconds = time.perf_counter() - started
    return RankRunResult(
        run_id=run.pk,
        weights_version=weights.pk,
        artifacts_scored=scored,
        artifacts_ranked=ranked,
        seconds=seconds,
        steps=steps,
    )


def _scores_insert(*, run: RankRun, weights: WeightsVersion) -> int:
    params = {
        **sql.formula_params(
            weights=weights.weights(), half_life_days=weights.freshness_half_life_days
        ),
        "run_id": run.pk,
        "now": run.as_of,
        "today": timezone.localdate(run.as_of),
        "badge": run.badge_percentile,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # Window sorts over the whole directory: keep them in memory.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql.INSERT_ALL_SCORES, params)
        scored = cursor.rowcount
        # Fresh statistics for the switch's joins and for re-scoring single artifacts.
        cursor.execute(f"ANALYZE {sql.SCORE}")
        return scored


def _run_switch(*, run: RankRun, started: float, scored: int) -> int:
    """The one transaction visitors see: old run out, new run in, ranks and history."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWITCH_LOCK])
        RankRun.objects.filter(is_current=True).update(is_current=False)
        _denormalize_current_rank(cursor=cursor, run=run)
        day = {"run_id": run.pk, "day": timezone.localdate(run.as_of)}
        cursor.execute(sql.DELETE_STALE_HISTORY, day)
        cursor.execute(sql.UPSERT_HISTORY_ALL, day)
        # Counted per kind once here, and kept for the pages that say "among N models".
        ranked = sum(ranked_per_kind(run_id=run.pk).values())
        RankRun.objects.filter(pk=run.pk).update(
            is_current=True,
            status=RankRunStatus.SUCCEEDED,
            finished_at=timezone.now(),
            duration_seconds=time.perf_counter() - started,
            artifacts_scored=scored,
            artifacts_ranked=ranked,
        )
        pages_changed()  # every rank shown is new once this commits
    return ranked


def _denormalize_current_rank(*, cursor, run: RankRun) -> None:
    cursor.execute(sql.DENORMALIZE_RUN, {"run_id": run.pk})


def _run_fail(*, run: RankRun, error: BaseException) -> None:
    """Record the failure; the run's rows are never shown, so they go."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {sql.SCORE} WHERE run_id = %s", [run.pk])
            RankRun.objects.filter(pk=run.pk).update(
                status=RankRunStatus.FAILED,
                is_current=False,
                finished_at=timezone.now(),
                error=f"{type(error).__name__}: {error}"[:2000],
            )
    except Exception:  # the connection may be gone with the worker
        logger.exception("could not mark rank run %s as failed", run.pk)


def _runs_mark_abandoned(*, now: datetime) -> None:
    RankRun.objects.filter(
        status=RankRunStatus.RUNNING, started_at__lt=now - STALE_RUN_AFTER
    ).update(status=RankRunStatus.FAILED, error="Abandoned: the worker stopped mid-run.")


@contextmanager
def _exclusive_run() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK])
        (locked,) = cursor.fetchone()
    if not locked:
        raise RankRunInProgress("another rank recompute is running")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK])


def rank_runs_prune(*, keep: int) -> int:
    """Delete all but the `keep` newest runs (never the current one). History stays."""
    doomed = list(
        RankRun.objects.filter(is_current=False)
        .exclude(status=RankRunStatus.RUNNING)
        .exclude(pk__in=RankRun.objects.order_by("-pk").values("pk")[: max(keep, 1)])
        .values_list("pk", flat=True)
    )
    if not doomed:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {sql.SCORE} WHERE run_id = ANY(%s)", [doomed])
        RankRun.objects.filter(pk__in=doomed).delete()
    return len(doomed)


# One artifact ------------------------------------------------------------------------------


def rank_recompute_artifact(*, artifact_id: int, now: datetime | None = None) -> int | None:
    """Re-score one artifact after an edit, placed into the current run's distribution of its
    kind (the other artifacts keep their scores until the next full run). Updates its score
    row, `current_rank` and today's history. Returns the new rank (None: unranked, or no run
    yet)."""
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWITCH_LOCK])
        run = RankRun.objects.select_related("weights").filter(is_current=True).first()
        if run is None:
            return None
        params = {
            **sql.formula_params(
                weights=run.weights.weights(),
                half_life_days=run.weights.freshness_half_life_days,
            ),
            "run_id": run.pk,
            "artifact_id": artifact_id,
            "now": now,
            # Freshness counts from the run's moment, like every other score of the run.
            "today": timezone.localdate(run.as_of),
            "badge": run.badge_percentile,
            "day": timezone.localdate(now),
        }
        cursor.execute(sql.UPSERT_ONE_SCORE, params)
        ranked_per_kind_forget(run_id=run.pk)
        row = cursor.fetchone()
        if row is None:  # unpublished or deleted: it leaves the ranking
            RankScore.objects.filter(run=run, artifact_id=artifact_id).delete()
        rank = row[0] if row else None
        cursor.execute(sql.DENORMALIZE_ONE, params)
        if rank is None:
            cursor.execute(sql.DELETE_HISTORY_ONE, params)
        else:
            cursor.execute(sql.UPSERT_HISTORY_ONE, params)
        pages_changed()
    return rank
