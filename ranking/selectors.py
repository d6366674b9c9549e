"""Ranking reads. Pages in lower apps reach these only through `ranking_tags`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.formats import date_format

from catalog.models import Artifact, kind_plural
from catalog.querysets import name_order
from ranking import scoring
from ranking.kind_counts import ranked_per_kind
from ranking.models import RankHistory, RankRun, RankScore, WeightsVersion
from ranking.signals import SIGNAL_KEYS, SIGNAL_NAMES, SIGNALS, SignalInput


@dataclass(frozen=True)
class BreakdownInput:
    label: str
    value: str


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    name: str
    description: str
    known: bool
    score: int | None
    points: float | None
    part: int | None
    weight: float
    weight_share: float | None
    badge: bool
    within_kind: bool
    unknown_text: str
    explanation: str
    inputs: tuple[BreakdownInput, ...]
    as_of: str


@dataclass(frozen=True)
class RankBreakdown:
    artifact_id: int
    rank: int | None
    total: float | None
    rows: tuple[BreakdownRow, ...]
    run_id: int
    computed_at_label: str
    weights_label: str
    half_life_days: int
    badge_percentile: float
    kind_plural: str
    kind_ranked: int  # artifacts of its kind with a rank in the same run, itself included

    @property
    def badge_top_percent(self) -> int:
        return round(100 * (1 - self.badge_percentile))

    @property
    def scope(self) -> str:
        """What the rank is compared with: its kind, never other kinds."""
        if self.kind_ranked <= 1:
            return f"among {self.kind_plural} (the only one ranked)"
        return f"among {self.kind_ranked:,} {self.kind_plural}"


@dataclass(frozen=True)
class RisingStar:
    artifact: Artifact
    rank: int
    previous_rank: int
    change: int


@dataclass(frozen=True)
class WeightLine:
    key: str
    name: str
    description: str
    inputs: str
    within_kind: bool
    weight: float
    share: float


@dataclass(frozen=True)
class RankingOverview:
    weights: WeightsVersion
    weight_lines: tuple[WeightLine, ...]
    current_run: RankRun | None
    badge_percentile: float
    rising_stars: tuple[RisingStar, ...]
    rising_days: int
    full_kind_peers: int = scoring.FULL_KIND_PEERS

    @property
    def badge_top_percent(self) -> int:
        return round(100 * (1 - self.badge_percentile))

    @property
    def within_kind_names(self) -> str:
        """The signals compared within a kind, in words ("adoption, … and search choices")."""
        return signal_names_in_words(line.key for line in self.weight_lines if line.within_kind)

    @property
    def lone_best_score(self) -> int:
        """What the best of a kind of one scores on a compared signal."""
        return scoring.round_half_up(100 * scoring.standing(1.0, peers=1))


def signal_names_in_words(keys: Iterable[str] = SIGNAL_KEYS) -> str:
    names = [SIGNAL_NAMES[key].lower() for key in keys]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def rank_run_exists() -> bool:
    return RankRun.objects.filter(is_current=True).exists()


def rank_run_current() -> RankRun | None:
    return RankRun.objects.select_related("weights").filter(is_current=True).first()


def weights_version_current() -> WeightsVersion:
    """The active version, or the defaults (unsaved) before the first run creates it."""
    active = WeightsVersion.objects.filter(is_active=True).first()
    return active or WeightsVersion(label="defaults")


def weights_version_is_used(*, version: WeightsVersion) -> bool:
    return version.pk is not None and RankRun.objects.filter(weights=version).exists()


def rank_breakdown_with_history(
    *, artifact_id: int, days: int, today: date | None = None
) -> tuple[RankBreakdown | None, list[tuple[date, int]]]:
    """The breakdown and the last `days` days of (day, rank), oldest first, in one query
    (the artifact page shows both); no history without a current score."""
    today = today or timezone.localdate()
    history = (
        RankHistory.objects.filter(
            artifact_id=OuterRef("artifact_id"), day__gte=today - timedelta(days=days)
        )
        .order_by("day")
        .values(point=JSONObject(day="day", rank="rank"))
    )
    # At most one row (one current run, one score per run and artifact), so it is read
    # unordered: `.first()` would sort by the default ordering, joining the artifact's name.
    found = (
        RankScore.objects.select_related("run__weights")
        .filter(run__is_current=True, artifact_id=artifact_id)
        .annotate(history=ArraySubquery(history))
        .order_by()[:1]
    )
    score = next(iter(found), None)
    if score is None:
        return None, []
    score.kind_ranked = ranked_per_kind(run_id=score.run_id).get(score.kind, 0)
    points = [(date.fromisoformat(point["day"]), point["rank"]) for point in score.history]
    return rank_breakdown_from_score(score=score), points


def rank_breakdown_from_score(*, score: RankScore) -> RankBreakdown:
    run = score.run
    weights = run.weights.weights()
    known_weight = sum(weights[key] for key in SIGNAL_KEYS if getattr(score, key) is not None)
    plural = kind_plural(score.kind)
    computed_on = _day(score.computed_at.date())
    signals_on = _day(score.signals_as_of) if score.signals_as_of else "an unknown date"
    rows = []
    for signal in SIGNALS:
        value = getattr(score, signal.key)
        rows.append(
            BreakdownRow(
                key=signal.key,
                name=signal.name,
                description=signal.description,
                known=value is not None,
                score=None if value is None else scoring.round_half_up(value),
                points=getattr(score, f"{signal.key}_points"),
                part=getattr(score, f"{signal.key}_part"),
                weight=weights[signal.key],
                weight_share=(
                    100.0 * weights[signal.key] / known_weight
                    if value is not None and known_weight > 0
                    else None
                ),
                badge=getattr(score, f"{signal.key}_badge"),
                within_kind=signal.within_kind,
                unknown_text=signal.unknown,
                explanation=scoring.explain(
                    signal.key,
                    score=value,
                    kind_plural=plural,
                    half_life_days=run.weights.freshness_half_life_days,
                    pct=getattr(score, f"{signal.key}_pct"),
                    peers=getattr(score, f"{signal.key}_peers"),
                ),
                inputs=tuple(
                    BreakdownInput(item.label, _reading(item, score=score, run=run))
                    for item in signal.reads
                ),
                as_of=signal.as_of.format(signals_read=signals_on, computed=computed_on),
            )
        )
    return RankBreakdown(
        artifact_id=score.artifact_id,
        rank=score.rank,
        total=score.total,
        rows=tuple(rows),
        run_id=run.pk,
        computed_at_label=computed_on,
        weights_label=run.weights.version_label,
        half_life_days=run.weights.freshness_half_life_days,
        badge_percentile=run.badge_percentile,
        kind_plural=plural,
        # Annotated by `rank_breakdown_with_history`; a score read without it counts itself.
        kind_ranked=getattr(score, "kind_ranked", None) or (1 if score.rank is not None else 0),
    )


def rank_scores_for_artifacts(*, artifact_ids: Iterable[int]) -> dict[int, RankScore]:
    """Current scores of several artifacts (comparison pages), one query."""
    scores = RankScore.objects.select_related("run__weights").filter(
        run__is_current=True, artifact_id__in=list(artifact_ids)
    )
    return {score.artifact_id: score for score in scores}


def rank_rising_stars(*, days: int, limit: int, today: date | None = None) -> list[RisingStar]:
    """Published artifacts whose rank rose most since `days` ago (their last ranking on or
    before that day), biggest rise first."""
    today = today or timezone.localdate()
    before = (
        RankHistory.objects.filter(
            artifact_id=OuterRef("pk"), day__lte=today - timedelta(days=days)
        )
        .order_by("-day")
        .values("rank")[:1]
    )
    artifacts = (
        Artifact.objects.published()
        .filter(current_rank__isnull=False)
        .annotate(previous_rank=Subquery(before))
        .filter(previous_rank__isnull=False)
        .annotate(change=F("current_rank") - F("previous_rank"))
        .filter(change__gt=0)
        .only("id", "slug", "name", "kind", "current_rank")
        .order_by("-change", "-current_rank", name_order())[:limit]
    )
    return [
        RisingStar(
            artifact=artifact,
            rank=artifact.current_rank,
            previous_rank=artifact.previous_rank,
            change=artifact.change,
        )
        for artifact in artifacts
    ]


def ranking_overview(*, rising_days: int = 30, rising_limit: int = 10) -> RankingOverview:
    """What the "how ranking works" page shows."""
    current_run = rank_run_current()
    weights = current_run.weights if current_run else weights_version_current()
    values = weights.weights()
    shares = weights.weight_shares()
    return RankingOverview(
        weights=weights,
        weight_lines=tuple(
            WeightLine(
                key=spec.key,
                name=spec.name,
                description=spec.description,
                inputs=spec.inputs,
                within_kind=spec.within_kind,
                weight=values[spec.key],
                share=shares[spec.key],
            )
            for spec in SIGNALS
        ),
        current_run=current_run,
        badge_percentile=current_run.badge_percentile
        if current_run
        else settings.RANK_BADGE_PERCENTILE,
        rising_stars=tuple(rank_rising_stars(days=rising_days, limit=rising_limit)),
        rising_days=rising_days,
    )


def _day(value: date) -> str:
    return date_format(value, "M j, Y")


def _number(value: int | None) -> str:
    return "Unknown" if value is None else f"{value:,}"


def _yes_no(value: bool | None) -> str:
    return "Unknown" if value is None else ("Yes" if value else "No")


LAST_ACTIVITY_SOURCES = {
    "updated": "last update",
    "last_commit": "last commit",
    "released": "release",
}


def _confidence(value: float | None) -> str:
    return "Unknown" if value is None else f"{round(100 * value)}% (high = 100%, low = 33%)"


def _activity(score: RankScore) -> str:
    if not score.last_activity:
        return "Unknown"
    source = LAST_ACTIVITY_SOURCES.get(score.last_activity_source, "activity")
    return f"{_day(score.last_activity)} ({source})"


def _count_or_none_yet(value: int) -> str:
    return f"{value:,}" if value else "None yet"


def _listing(value: int) -> str:
    return f"{value} of {len(scoring.LISTING_FIELDS)} facts present"


def _choices(value: float | None) -> str:
    return "Unknown" if value is None else f"{value:.2f}"


# How a stored input is put into words, by its `SignalInput.reading`.
VALUE_READINGS = {
    "count": _number,
    "yes_no": _yes_no,
    "count_or_none_yet": _count_or_none_yet,
    "confidence": _confidence,
    "listing": _listing,
    "choices": _choices,
}


def _reading(item: SignalInput, *, score: RankScore, run: RankRun) -> str:
    if item.reading == "activity":  # the date and which date it was
        return _activity(score)
    if item.reading == "days":  # the half-life belongs to the run's weights
        return f"{getattr(run.weights, item.field)} days"
    return VALUE_READINGS[item.reading](getattr(score, item.field))
