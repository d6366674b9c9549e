"""The match graph: searches are intents, the artifacts people choose for them are matches.

Raw events (`SearchEvent`, `MatchEvent`) are append-only and carry no personal data: only a
salted hash that rotates daily, for de-duplication. A Celery task aggregates them, set-based,
into edges (`IntentArtifactEdge`, `IntentCapabilityEdge`) and per-artifact `ArtifactMatchStats`.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from catalog.models import Artifact, Capability, Modality

# Which intents count, said once as (field, required value) pairs; the QuerySet filters and
# the SQL fragments that raw queries use are both built from these, so they cannot disagree.
# Not hidden: a curator has not hidden it.
NOT_HIDDEN_INTENT = (("is_hidden", False),)
# Visible: not hidden, and not merged into another intent (its evidence moved there).
VISIBLE_INTENT = (*NOT_HIDDEN_INTENT, ("merged_into", None))
# Public: visible, and its text may appear on public pages (see `Intent.is_public`).
PUBLIC_INTENT = (*VISIBLE_INTENT, ("is_public", True))


def intent_lookups(rule) -> dict:
    """The rule as QuerySet keyword filters."""
    return {
        (f"{field}__isnull" if value is None else field): (True if value is None else value)
        for field, value in rule
    }


def intent_sql(alias: str, rule=VISIBLE_INTENT) -> str:
    """The rule as an SQL condition on `matchgraph_intent` under `alias` (no parameters)."""
    tests = []
    for field, value in rule:
        column = f"{alias}.{Intent._meta.get_field(field).column}"
        if value is None:
            tests.append(f"{column} IS NULL")
        elif value is True:
            tests.append(column)
        elif value is False:
            tests.append(f"NOT {column}")
        else:
            raise ValueError(f"an intent rule holds only None, True or False, not {value!r}")
    return " AND ".join(tests)


class IntentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(**intent_lookups(VISIBLE_INTENT))

    def public(self):
        """Intents whose text may appear on public pages (see `Intent.is_public`), and not
        hidden or merged since the aggregation last looked."""
        return self.filter(**intent_lookups(PUBLIC_INTENT))


class Intent(models.Model):
    """A normalized query ("caption product photos"), shared by everyone who typed it."""

    text = models.CharField(max_length=200, unique=True)
    search_count = models.PositiveIntegerField(default=0, editable=False)
    match_count = models.PositiveIntegerField(default=0, editable=False)
    client_count = models.PositiveIntegerField(
        db_default=0,
        editable=False,
        help_text="Distinct clients that searched it or chose for it, a network counting once.",
    )
    # Set by the aggregation: visible, searched by enough distinct clients
    # (MATCHGRAPH_PUBLIC_INTENT_MIN_CLIENTS), and not spam. Only public intents' text is shown.
    is_public = models.BooleanField(db_default=False, editable=False)
    is_hidden = models.BooleanField(default=False, help_text="Hidden intents feed nothing.")
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
        help_text="A duplicate intent counts for the one it was merged into.",
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    objects = IntentQuerySet.as_manager()

    class Meta:
        ordering = ["-search_count", "text"]

    def __str__(self) -> str:
        return self.text


class MatchVia(models.TextChoices):
    CLICK = "click", "Opened from search results"
    FITS = "fits", "Marked “this fits”"
    COMPARE = "compare", "Compared"


class SearchEvent(models.Model):
    """One search: the intent and the artifacts shown, in order (the impressions)."""

    intent = models.ForeignKey(Intent, on_delete=models.CASCADE, related_name="searches")
    shown_artifact_ids = ArrayField(models.BigIntegerField(), default=list)
    source_hash = models.CharField(max_length=32)
    network_hash = models.CharField(max_length=32, blank=True, db_default="")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["intent", "created_at"], name="search_event_intent")]

    def __str__(self) -> str:
        return f"search for {self.intent_id} at {self.created_at:%Y-%m-%d %H:%M}"


class MatchEvidence(models.TextChoices):
    """Whether a choice proves a person chose (see `matchgraph.impressions`)."""

    SHOWN = "shown", "Shown to that client for that intent"
    UNPROVEN = "unproven", "No valid impression token"
    AUTOMATED = "automated", "HEAD, prefetch or crawler"


# A result's place in a search's list (1-based, across pages); past this it is noise,
# stored as unknown.
MAX_RESULT_POSITION = 9_999


def result_position(position: int | None) -> int | None:
    """`position` if it can be the place a result was shown at, else None."""
    return position if position is not None and 0 < position <= MAX_RESULT_POSITION else None


class MatchEvent(models.Model):
    """A visitor chose `artifact` for `intent` (position is 1-based, null when not from a list).
    Only choices with evidence `shown` can count; the others are kept so curators see them."""

    intent = models.ForeignKey(Intent, on_delete=models.CASCADE, related_name="match_events")
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    via = models.CharField(max_length=10, choices=MatchVia.choices, default=MatchVia.CLICK)
    evidence = models.CharField(
        max_length=10, choices=MatchEvidence.choices, db_default=MatchEvidence.SHOWN
    )
    source_hash = models.CharField(max_length=32)
    network_hash = models.CharField(max_length=32, blank=True, db_default="")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["artifact", "created_at"], name="match_event_artifact"),
            models.Index(fields=["intent", "artifact"], name="match_event_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.via}: intent {self.intent_id} -> artifact {self.artifact_id}"


class ComparisonEvent(models.Model):
    """A visitor opened a comparison of these artifacts (2–6 ids, sorted): every pair in it
    counts as a co-match at aggregation. No foreign keys: artifacts deleted later are skipped
    there. Like the other raw events it holds no personal data, only the rotating hash."""

    artifact_ids = ArrayField(models.BigIntegerField())
    source_hash = models.CharField(max_length=32)
    network_hash = models.CharField(max_length=32, blank=True, db_default="")
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        ids = ", ".join(str(pk) for pk in self.artifact_ids)
        return f"compared {ids} at {self.created_at:%Y-%m-%d %H:%M}"


# The aggregated tables below are rebuilt wholesale by the aggregation task, which joins to
# live rows. Their foreign keys carry no database constraint (Django still cascades deletes):
# checking a million constraint triggers per rebuild would cost more than the rebuild itself.
DERIVED = {"on_delete": models.CASCADE, "db_constraint": False}


class IntentArtifactEdge(models.Model):
    """Aggregated: how strongly `intent` leads to `artifact` (decayed, position-corrected)."""

    intent = models.ForeignKey(Intent, related_name="artifact_edges", **DERIVED)
    artifact = models.ForeignKey(Artifact, related_name="+", **DERIVED)
    matches = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0)
    weight = models.FloatField(default=0)
    last_matched_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intent", "artifact"], name="intent_artifact_unique")
        ]
        indexes = [
            models.Index(fields=["artifact", "-weight"], name="edge_artifact_weight"),
            # Comparisons read two artifacts' edges side by side: each artifact's edges in one
            # index range, ordered by intent, read without touching the table (merge join).
            models.Index(
                fields=["artifact", "intent"], include=["weight"], name="edge_artifact_intent"
            ),
        ]

    def __str__(self) -> str:
        return f"intent {self.intent_id} -> artifact {self.artifact_id} ({self.weight:.2f})"


class IntentCapabilityEdge(models.Model):
    """Aggregated: the capability whose text best explains why `intent` matched its artifact."""

    intent = models.ForeignKey(Intent, related_name="capability_edges", **DERIVED)
    capability = models.ForeignKey(Capability, related_name="+", **DERIVED)
    matches = models.PositiveIntegerField(default=0)
    weight = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["intent", "capability"], name="intent_capability_unique"
            )
        ]
        indexes = [
            models.Index(fields=["capability"], name="edge_capability"),
            # Comparisons: which capabilities of two artifacts explained the same searches.
            models.Index(
                fields=["capability", "intent"], include=["weight"], name="edge_capability_intent"
            ),
        ]

    def __str__(self) -> str:
        return f"intent {self.intent_id} -> capability {self.capability_id} ({self.weight:.2f})"


# Below this many distinct clients, what searchers did with an artifact says nothing ranking
# may use: one person (or one script) is not a crowd.
MIN_CLIENTS_FOR_FEEDBACK = 3


class ArtifactMatchStats(models.Model):
    """Per-artifact totals, rebuilt by the aggregation task. Ranking reads `weighted_matches`."""

    artifact = models.OneToOneField(Artifact, primary_key=True, related_name="+", **DERIVED)
    matches_total = models.PositiveIntegerField(default=0)
    matches_30d = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0)
    # The most distinct clients it was shown to for any one intent, and how many distinct
    # clients chose it (a network counting once a day): ranking trusts the feedback only
    # past MIN_CLIENTS_FOR_FEEDBACK.
    shown_clients = models.PositiveIntegerField(default=0)
    distinct_intents = models.PositiveIntegerField(default=0)
    distinct_clients = models.PositiveIntegerField(default=0)
    weighted_matches = models.FloatField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "artifact match stats"
        verbose_name_plural = "artifact match stats"

    def __str__(self) -> str:
        return f"artifact {self.artifact_id}: {self.matches_total} matches"


class ArtifactDiscard(models.Model):
    """Per artifact and screening rule, how many choices the last aggregation discarded
    (`matchgraph.aggregation.SCREENING_REASONS`); rebuilt with the graph. A builder's
    analytics show it: what farming their own listing would and would not buy."""

    artifact = models.ForeignKey(Artifact, related_name="+", **DERIVED)
    reason = models.CharField(max_length=20)
    choices = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["artifact", "reason"], name="artifact_discard_reason")
        ]

    def __str__(self) -> str:
        return f"artifact {self.artifact_id}: {self.choices} {self.reason}"


class CapabilityMatchStats(models.Model):
    """Per capability, rebuilt by the aggregation: the counted matches it explained, from how
    many intents and how many distinct clients. The artifact page's confidence reads it."""

    capability = models.OneToOneField(Capability, primary_key=True, related_name="+", **DERIVED)
    matches = models.PositiveIntegerField(default=0)
    distinct_intents = models.PositiveIntegerField(default=0)
    distinct_clients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "capability match stats"
        verbose_name_plural = "capability match stats"

    def __str__(self) -> str:
        return f"capability {self.capability_id}: {self.distinct_clients} clients"


class AggregationRun(models.Model):
    """One aggregation: how many choices it read and why those it did not count were
    discarded. Curators read it in the admin to see farming attempts."""

    finished_at = models.DateTimeField(db_index=True)
    seconds = models.FloatField(default=0)
    choices_read = models.PositiveIntegerField(default=0)
    choices_counted = models.PositiveIntegerField(default=0)
    # {reason: count}; reasons are `AggregationRun.DISCARD_REASONS` keys.
    discarded = models.JSONField(default=dict)
    public_intents = models.PositiveIntegerField(default=0)

    DISCARD_REASONS = {
        "unproven": "No impression token: the client was not shown it for that search",
        "automated": "HEAD, prefetch or crawler request",
        "hidden_intent": "For a hidden intent",
        "repeat": "Same client, same artifact, same day",
        "client_cap": "Past the per-client cap for one intent in a day",
        "network_cap": "Past the per-network cap for one artifact in a day",
    }

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"aggregation at {self.finished_at:%Y-%m-%d %H:%M}"

    @property
    def choices_discarded(self) -> int:
        return sum(self.discarded.values())


class CoMatch(models.Model):
    """Aggregated pair of artifacts chosen for the same intents, or compared together."""

    artifact = models.ForeignKey(Artifact, related_name="+", **DERIVED)
    other = models.ForeignKey(Artifact, related_name="+", **DERIVED)
    shared_intents = models.PositiveIntegerField(default=0)
    weight = models.FloatField(default=0)

    class Meta:
        verbose_name = "co-match"
        verbose_name_plural = "co-matches"
        constraints = [models.UniqueConstraint(fields=["artifact", "other"], name="comatch_unique")]
        indexes = [models.Index(fields=["artifact", "-weight"], name="comatch_artifact_weight")]

    def __str__(self) -> str:
        return f"{self.artifact_id} ~ {self.other_id} ({self.shared_intents} shared intents)"


class SynonymGroup(models.Model):
    """Terms that mean the same to a searcher ("asr", "speech recognition", "transcription").
    A query using one is also run, at a lower weight, with each of the others."""

    name = models.CharField(max_length=100, unique=True)
    terms = ArrayField(
        models.CharField(max_length=100),
        help_text="Comma-separated; words and phrases, matched after normalization.",
    )
    # A task with a direction ("text to speech": text in, audio out): search ranks artifacts
    # that do it above those that do the reverse. Blank when the terms name no direction.
    input_modality = models.CharField(max_length=20, choices=Modality.choices, blank=True)
    output_modality = models.CharField(max_length=20, choices=Modality.choices, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConstraintType(models.TextChoices):
    """What a constraint word in a query asks for (see `matchgraph.search.understanding`)."""

    RUNS_LOCALLY = "runs_locally", "Runs locally"
    OPEN_SOURCE = "open_source", "Open source"
    HOSTED = "hosted", "Hosted"
    FREE = "free", "Free"
    CHEAP = "cheap", "Cheapest first"
    KIND = "kind", "Kind"
    LANGUAGE = "language", "Language"
    SIZE = "size", "Size"


class ConstraintTerm(models.Model):
    """A word or phrase in a query that says how, not what: "on my laptop", "open source",
    "api", "dataset", "german", "small". Search takes it out of the task words and applies it
    as a strong preference (what meets it comes first) or a milder one, shown on the page as
    a removable chip."""

    phrase = models.CharField(
        max_length=100, unique=True, help_text="Matched as whole words, case-insensitively."
    )
    constraint = models.CharField(max_length=20, choices=ConstraintType.choices)
    value = models.CharField(
        max_length=100,
        blank=True,
        help_text='For a kind: the kind ("api", or several comma-separated); for a language: '
        'its name; for a size: "small". Empty otherwise.',
    )
    is_strong = models.BooleanField(
        default=True,
        help_text="Results that meet it come first, the others after a divider. Off: results "
        "that meet it only rank somewhat higher. Use off for words that often name the task "
        'itself ("train a model").',
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["constraint", "phrase"]

    def __str__(self) -> str:
        return self.phrase


class IntentRelation(models.Model):
    """Learned: two intents whose chosen artifacts overlap strongly. A curator can reject
    one; the aggregation keeps the rejection and never uses the pair."""

    intent = models.ForeignKey(Intent, related_name="relations", **DERIVED)
    related = models.ForeignKey(Intent, related_name="+", **DERIVED)
    shared_artifacts = models.PositiveIntegerField(default=0)
    strength = models.FloatField(default=0, help_text="Weighted overlap of chosen artifacts, 0-1.")
    is_rejected = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intent", "related"], name="intent_relation_unique")
        ]
        indexes = [models.Index(fields=["intent", "-strength"], name="intent_relation_strength")]

    def __str__(self) -> str:
        return f"{self.intent_id} ~ {self.related_id} ({self.strength:.2f})"


class SearchTerm(models.Model):
    """The catalog's vocabulary, rebuilt by a task: surface words for spelling correction, and
    per-lexeme document frequency for weighting rare words over common ones."""

    word = models.CharField(max_length=100, primary_key=True)
    frequency = models.PositiveIntegerField(default=0)
    # Offered as a spelling correction: from names, organizations, categories, capability
    # titles, or recurring in summaries. Every word completes an unfinished one.
    correctable = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.word


class LexemeStat(models.Model):
    lexeme = models.CharField(max_length=200, primary_key=True)
    documents = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.lexeme}: {self.documents}"
