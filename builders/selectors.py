"""Builders' reads: claims, ownership, and a verified builder's analytics.

Analytics read the match graph's own tables: the raw events for the daily series (as they
were recorded, before screening) and the hourly aggregation's edges for per-intent figures
(screened: repeats and farming discarded). Intent text appears only for intents that are
public (`Intent.objects.public()`), as on every other page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from builders.models import (
    Account,
    Claim,
    ClaimStatus,
    Correction,
    ListingEdit,
    ReviewStatus,
    Submission,
)
from catalog.models import Artifact, DataSource
from matchgraph import selectors as matchgraph_selectors
from matchgraph.aggregation import CLIENT_ARTIFACTS_PER_INTENT, NETWORK_ALLOWANCE, SCREENING_REASONS
from matchgraph.models import Intent, IntentArtifactEdge, MatchEvent, MatchEvidence, SearchEvent

ANALYTICS_DAYS = 30
INTENTS_LISTED = 10
INTENTS_EXPORTED = 1000


@dataclass(frozen=True)
class DailyPoint:
    day: date
    impressions: int
    matches: int
    discarded: int

    @property
    def match_rate(self) -> float | None:
        return self.matches / self.impressions if self.impressions else None


# Each screening rule of the hourly aggregation, in a builder's words.
SCREENING_WORDS = {
    "repeat": "The same visitor chose it again on the same day: one choice a day counts.",
    "client_cap": (
        f"One visitor chose more than {CLIENT_ARTIFACTS_PER_INTENT} results for one search "
        "in a day: only their first choices count."
    ),
    "network_cap": (
        f"More than {NETWORK_ALLOWANCE} visitors from one network (one office, one block "
        "of addresses) chose it on the same day: only the first count."
    ),
}


@dataclass(frozen=True)
class ScreenedOut:
    reason: str
    words: str
    choices: int


@dataclass(frozen=True)
class IntentRow:
    text: str
    impressions: int
    matches: int

    @property
    def match_rate(self) -> float | None:
        return self.matches / self.impressions if self.impressions else None


@dataclass(frozen=True)
class CompetitorRow:
    intent: str
    competitor: Artifact
    competitor_matches: int
    own_matches: int


@dataclass(frozen=True)
class Analytics:
    days: int
    today: date
    daily: tuple[DailyPoint, ...]
    intents: tuple[IntentRow, ...]
    top_intents: tuple[IntentRow, ...]
    missed_intents: tuple[IntentRow, ...]
    competitors: tuple[CompetitorRow, ...]
    # From the last aggregation, over every recorded choice: discarded by its screening.
    screened_out: tuple[ScreenedOut, ...] = ()

    @property
    def impressions(self) -> int:
        return sum(point.impressions for point in self.daily)

    @property
    def matches(self) -> int:
        return sum(point.matches for point in self.daily)

    @property
    def discarded(self) -> int:
        return sum(point.discarded for point in self.daily)


def account_email_is_verified(*, user: AbstractBaseUser) -> bool:
    return Account.objects.filter(user=user, email_verified_at__isnull=False).exists()


def claim_latest_for(*, artifact: Artifact, user: AbstractBaseUser) -> Claim | None:
    """The user's newest claim of the artifact that is still open or verified."""
    return (
        Claim.objects.filter(
            artifact=artifact,
            user=user,
            status__in=[ClaimStatus.PENDING, ClaimStatus.VERIFIED],
        )
        .order_by("-created_at", "-id")
        .first()
    )


def user_builds_artifact(*, user: AbstractBaseUser, artifact_id: int) -> bool:
    """The match graph asks this before recording a signed-in visitor's choice."""
    return Claim.objects.verified().filter(user=user, artifact_id=artifact_id).exists()


def claim_get_own(*, claim_id: int, user: AbstractBaseUser) -> Claim:
    claim = Claim.objects.select_related("artifact").filter(pk=claim_id, user=user).first()
    if claim is None:
        raise Http404("No such claim.")
    return claim


def claim_verified_for(*, artifact: Artifact) -> Claim | None:
    return Claim.objects.verified().filter(artifact=artifact).first()


def claim_list_for_user(*, user: AbstractBaseUser) -> list[Claim]:
    return list(
        Claim.objects.filter(user=user)
        .select_related("artifact")
        .order_by("artifact__name", "-created_at")
    )


def correction_get(*, correction_id: int) -> Correction:
    correction = Correction.objects.select_related("artifact").filter(pk=correction_id).first()
    if correction is None:
        raise Http404("No such correction.")
    return correction


def correction_list_pending(*, artifact: Artifact) -> list[Correction]:
    return list(Correction.objects.filter(artifact=artifact, status=ReviewStatus.PENDING)[:50])


def submission_list_for_user(*, user: AbstractBaseUser) -> list[Submission]:
    return list(Submission.objects.filter(user=user)[:50])


def listing_edit_history(*, artifact: Artifact, limit: int = 20) -> list[ListingEdit]:
    return list(ListingEdit.objects.filter(artifact=artifact).select_related("user")[:limit])


def artifact_get_owned(*, slug: str, user: AbstractBaseUser) -> Artifact:
    """The published artifact `user` is the verified builder of, with what the listing
    suggestions need (whether it has categories and sources); 404 for anyone else."""
    artifact = (
        Artifact.objects.published()
        .filter(
            slug=slug,
            pk__in=Claim.objects.verified().filter(user=user).values("artifact_id"),
        )
        .annotate(
            has_categories=Exists(
                Artifact.categories.through.objects.filter(artifact_id=OuterRef("pk"))
            ),
            has_sources=Exists(DataSource.objects.filter(artifact_id=OuterRef("pk"))),
        )
        .first()
    )
    if artifact is None:
        raise Http404("You are not the verified builder of this artifact.")
    return artifact


def artifact_analytics(
    *, artifact: Artifact, days: int = ANALYTICS_DAYS, today: date | None = None
) -> Analytics:
    """Five queries: daily impressions, daily choices, intents, competitors, and what the
    aggregation's screening discarded."""
    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    edges = IntentArtifactEdge.objects.filter(
        artifact=artifact, impressions__gt=0, intent__in=Intent.objects.public()
    ).select_related("intent")
    edge_rows = list(edges.order_by("-impressions", "intent__text")[:INTENTS_EXPORTED])
    top = sorted(edge_rows, key=lambda edge: (-edge.matches, -edge.impressions))[:INTENTS_LISTED]
    missed = sorted(
        (edge for edge in edge_rows if edge.matches < edge.impressions),
        key=lambda edge: (-(edge.impressions - edge.matches), edge.intent.text),
    )[:INTENTS_LISTED]
    return Analytics(
        days=days,
        today=today,
        daily=tuple(_daily(artifact=artifact, start=start, today=today)),
        intents=tuple(_intent_row(edge) for edge in edge_rows),
        top_intents=tuple(_intent_row(edge) for edge in top),
        missed_intents=tuple(_intent_row(edge) for edge in missed),
        competitors=tuple(_competitors(artifact=artifact)),
        screened_out=tuple(_screened_out(artifact=artifact)),
    )


def _screened_out(*, artifact: Artifact) -> list[ScreenedOut]:
    discards = matchgraph_selectors.artifact_discards(artifact_id=artifact.pk)
    return [
        ScreenedOut(reason=reason, words=SCREENING_WORDS[reason], choices=discards[reason])
        for reason in SCREENING_REASONS
        if discards.get(reason)
    ]


def _intent_row(edge: IntentArtifactEdge) -> IntentRow:
    return IntentRow(text=edge.intent.text, impressions=edge.impressions, matches=edge.matches)


def _daily(*, artifact: Artifact, start: date, today: date) -> list[DailyPoint]:
    since = datetime.combine(start, time.min, tzinfo=timezone.get_current_timezone())
    shown = dict(
        SearchEvent.objects.filter(
            created_at__gte=since, shown_artifact_ids__contains=[artifact.pk]
        )
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    chosen: dict[date, int] = {}
    discarded: dict[date, int] = {}
    for day, counted, other in (
        MatchEvent.objects.filter(artifact=artifact, created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            counted=Count("id", filter=Q(evidence=MatchEvidence.SHOWN)),
            other=Count("id", filter=~Q(evidence=MatchEvidence.SHOWN)),
        )
        .values_list("day", "counted", "other")
    ):
        chosen[day], discarded[day] = counted, other
    return [
        DailyPoint(
            day=day,
            impressions=shown.get(day, 0),
            matches=chosen.get(day, 0),
            discarded=discarded.get(day, 0),
        )
        for day in (start + timedelta(days=offset) for offset in range((today - start).days + 1))
    ]


def _competitors(*, artifact: Artifact) -> list[CompetitorRow]:
    """Intents where it was shown and another artifact was chosen more often."""
    own = IntentArtifactEdge.objects.filter(artifact=artifact, intent_id=OuterRef("intent_id"))
    rows = (
        IntentArtifactEdge.objects.filter(
            intent__in=Intent.objects.public(),
            intent_id__in=IntentArtifactEdge.objects.filter(
                artifact=artifact, impressions__gt=0
            ).values("intent_id"),
            artifact__is_published=True,
            matches__gt=0,
        )
        .exclude(artifact=artifact)
        .annotate(own_matches=Subquery(own.values("matches")[:1]))
        .filter(matches__gt=F("own_matches"))
        .select_related("intent", "artifact")
        .order_by("-matches", "intent__text")[:INTENTS_LISTED]
    )
    return [
        CompetitorRow(
            intent=row.intent.text,
            competitor=row.artifact,
            competitor_matches=row.matches,
            own_matches=row.own_matches,
        )
        for row in rows
    ]
