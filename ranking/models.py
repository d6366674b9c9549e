"""UnfragileRank tables: weights versions, runs, one score row per artifact per run, and a
compact per-day history.

A full recompute writes a new `RankRun` with every artifact's `RankScore`, then switches the
current run and `catalog.Artifact.current_rank` in one transaction. Old runs are pruned to the
last `RANK_RUNS_KEPT`; `RankHistory` keeps one row per artifact per day for charts and rising
stars.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from catalog.models import Artifact
from ranking import scoring
from ranking.signals import SIGNAL_KEYS, SIGNAL_NAMES

WEIGHT_FIELDS = {key: f"{key}_weight" for key in SIGNAL_KEYS}

# What each stored column of a signal holds, as curators read it in the admin.
SIGNAL_COLUMN_LABELS = {
    "": "score",
    "_raw": "raw value",
    "_pct": "percentile in kind",
    "_peers": "peers in kind",
    "_points": "points",
    "_part": "whole points",
    "_badge": "top tier",
    "_weight": "weight",
}


def signal_label(key: str, column: str = "") -> str:
    """`quality_points` → "Documentation points": the registry's name, never the key."""
    return f"{SIGNAL_NAMES[key]} {SIGNAL_COLUMN_LABELS[column]}"


def _weight_field(key: str) -> models.DecimalField:
    return models.DecimalField(
        signal_label(key, "_weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(str(scoring.DEFAULT_WEIGHTS[key])),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Relative weight; weights of unknown signals go to the others.",
    )


class WeightsVersion(models.Model):
    """The weights a run used. A version used by a run is never changed: saving changes in the
    admin creates a new version instead."""

    label = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True, help_text="Why these weights (shown to curators only).")
    adoption_weight = _weight_field("adoption")
    quality_weight = _weight_field("quality")
    ecosystem_weight = _weight_field("ecosystem")
    match_graph_weight = _weight_field("match_graph")
    freshness_weight = _weight_field("freshness")
    freshness_half_life_days = models.PositiveIntegerField(
        default=scoring.DEFAULT_HALF_LIFE_DAYS,
        validators=[MinValueValidator(1)],
        help_text=f"{SIGNAL_NAMES['freshness']} halves every this many days since the latest "
        "activity.",
    )
    is_active = models.BooleanField(default=False, help_text="The next run uses this version.")
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_weights"
            ),
            models.CheckConstraint(
                condition=Q(adoption_weight__gte=0)
                & Q(quality_weight__gte=0)
                & Q(ecosystem_weight__gte=0)
                & Q(match_graph_weight__gte=0)
                & Q(freshness_weight__gte=0),
                name="weights_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(freshness_half_life_days__gte=1), name="half_life_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Weights v{self.pk}" + (f" ({self.label})" if self.label else "")

    @property
    def version_label(self) -> str:
        return f"v{self.pk}" if self.pk else "defaults"

    def weights(self) -> dict[str, float]:
        return {key: float(getattr(self, name)) for key, name in WEIGHT_FIELDS.items()}

    def weight_shares(self) -> dict[str, float]:
        """Each weight as a percentage of all five (before unknown signals are left out)."""
        weights = self.weights()
        total = sum(weights.values()) or 1.0
        return {key: 100.0 * value / total for key, value in weights.items()}


class RankRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class RankRun(models.Model):
    """One full recompute. Exactly one succeeded run is current: the one pages show."""

    weights = models.ForeignKey(WeightsVersion, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(
        max_length=10, choices=RankRunStatus.choices, default=RankRunStatus.RUNNING
    )
    is_current = models.BooleanField(default=False)
    as_of = models.DateTimeField(
        help_text="The moment the scores describe (freshness counts from it)."
    )
    badge_percentile = models.FloatField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    artifacts_scored = models.PositiveIntegerField(default=0)
    artifacts_ranked = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_rank_run"
            )
        ]
        permissions = [("recompute_ranks", "Can queue a recompute of every rank")]

    def __str__(self) -> str:
        return f"Rank run #{self.pk} ({self.get_status_display()})"


class RankScore(models.Model):
    """One artifact in one run: the inputs read, each signal's raw value, score (0–100),
    points toward the total and badge, and the total. Null means unknown."""

    run = models.ForeignKey(
        RankRun, on_delete=models.CASCADE, related_name="scores", db_index=False
    )
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    computed_at = models.DateTimeField()

    # Inputs, as read when the score was computed.
    stars = models.BigIntegerField(null=True, blank=True)
    forks = models.BigIntegerField(null=True, blank=True)
    downloads_30d = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    contributors = models.BigIntegerField(null=True, blank=True)
    dependents = models.BigIntegerField(null=True, blank=True)
    signals_as_of = models.DateField(null=True, blank=True)
    docs_pages = models.BigIntegerField(null=True, blank=True)
    has_examples = models.BooleanField(null=True, blank=True)
    has_changelog = models.BooleanField(null=True, blank=True)
    capabilities = models.PositiveIntegerField(default=0)
    capability_confidence = models.FloatField(null=True, blank=True)
    listing_fields = models.PositiveSmallIntegerField(default=0)
    links = models.PositiveIntegerField(default=0)
    orgs_linking_in = models.PositiveIntegerField(default=0)
    orgs_linked_out = models.PositiveIntegerField(default=0)
    match_feedback = models.FloatField(null=True, blank=True)
    last_activity = models.DateField(null=True, blank=True)
    last_activity_source = models.CharField(max_length=20, blank=True)

    # Raw signal values: what the within-kind percentiles rank (freshness is already 0–100).
    adoption_raw = models.FloatField(signal_label("adoption", "_raw"), null=True, blank=True)
    quality_raw = models.FloatField(signal_label("quality", "_raw"), null=True, blank=True)
    ecosystem_raw = models.FloatField(signal_label("ecosystem", "_raw"), null=True, blank=True)
    match_graph_raw = models.FloatField(signal_label("match_graph", "_raw"), null=True, blank=True)
    freshness_raw = models.FloatField(signal_label("freshness", "_raw"), null=True, blank=True)

    # Within-kind percentile (0–1) and how many of the kind have a known value: together
    # they give the standing (`scoring.standing`) that the score and the badge use.
    adoption_pct = models.FloatField(signal_label("adoption", "_pct"), null=True, blank=True)
    quality_pct = models.FloatField(signal_label("quality", "_pct"), null=True, blank=True)
    ecosystem_pct = models.FloatField(signal_label("ecosystem", "_pct"), null=True, blank=True)
    match_graph_pct = models.FloatField(signal_label("match_graph", "_pct"), null=True, blank=True)
    freshness_pct = models.FloatField(signal_label("freshness", "_pct"), null=True, blank=True)
    adoption_peers = models.PositiveIntegerField(signal_label("adoption", "_peers"), default=0)
    quality_peers = models.PositiveIntegerField(signal_label("quality", "_peers"), default=0)
    ecosystem_peers = models.PositiveIntegerField(signal_label("ecosystem", "_peers"), default=0)
    match_graph_peers = models.PositiveIntegerField(
        signal_label("match_graph", "_peers"), default=0
    )
    freshness_peers = models.PositiveIntegerField(signal_label("freshness", "_peers"), default=0)

    # Signal scores, 0–100.
    adoption = models.FloatField(signal_label("adoption", ""), null=True, blank=True)
    quality = models.FloatField(signal_label("quality", ""), null=True, blank=True)
    ecosystem = models.FloatField(signal_label("ecosystem", ""), null=True, blank=True)
    match_graph = models.FloatField(signal_label("match_graph", ""), null=True, blank=True)
    freshness = models.FloatField(signal_label("freshness", ""), null=True, blank=True)

    # Points toward the total (they add up to `total`) and their displayed whole numbers
    # (they add up to `rank`).
    adoption_points = models.FloatField(signal_label("adoption", "_points"), null=True, blank=True)
    quality_points = models.FloatField(signal_label("quality", "_points"), null=True, blank=True)
    ecosystem_points = models.FloatField(
        signal_label("ecosystem", "_points"), null=True, blank=True
    )
    match_graph_points = models.FloatField(
        signal_label("match_graph", "_points"), null=True, blank=True
    )
    freshness_points = models.FloatField(
        signal_label("freshness", "_points"), null=True, blank=True
    )
    adoption_part = models.PositiveSmallIntegerField(
        signal_label("adoption", "_part"), null=True, blank=True
    )
    quality_part = models.PositiveSmallIntegerField(
        signal_label("quality", "_part"), null=True, blank=True
    )
    ecosystem_part = models.PositiveSmallIntegerField(
        signal_label("ecosystem", "_part"), null=True, blank=True
    )
    match_graph_part = models.PositiveSmallIntegerField(
        signal_label("match_graph", "_part"), null=True, blank=True
    )
    freshness_part = models.PositiveSmallIntegerField(
        signal_label("freshness", "_part"), null=True, blank=True
    )

    # Top tier of its kind for the signal (RANK_BADGE_PERCENTILE).
    adoption_badge = models.BooleanField(signal_label("adoption", "_badge"), default=False)
    quality_badge = models.BooleanField(signal_label("quality", "_badge"), default=False)
    ecosystem_badge = models.BooleanField(signal_label("ecosystem", "_badge"), default=False)
    match_graph_badge = models.BooleanField(signal_label("match_graph", "_badge"), default=False)
    freshness_badge = models.BooleanField(signal_label("freshness", "_badge"), default=False)

    total = models.FloatField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["run", "-rank", "artifact"]
        constraints = [
            models.UniqueConstraint(fields=["run", "artifact"], name="rank_score_per_run"),
        ]
        # Re-scoring one artifact counts its kind's rows in the current run.
        indexes = [models.Index(fields=["run", "kind"], name="rank_score_run_kind")]

    def __str__(self) -> str:
        return f"artifact {self.artifact_id} in run {self.run_id}: {self.rank}"


class RankHistory(models.Model):
    """The rank an artifact had on a day (the last run of that day wins)."""

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    rank = models.PositiveSmallIntegerField()
    total = models.FloatField()

    class Meta:
        ordering = ["artifact", "day"]
        verbose_name_plural = "rank history"
        constraints = [
            models.UniqueConstraint(fields=["artifact", "day"], name="rank_history_per_day"),
        ]
        indexes = [models.Index(fields=["day"], name="rank_history_day")]

    def __str__(self) -> str:
        return f"artifact {self.artifact_id} on {self.day}: {self.rank}"
