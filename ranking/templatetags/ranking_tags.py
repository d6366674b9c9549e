"""Ranking on pages owned by lower apps (the artifact page lives in catalog).

A rank is a standing within the artifact's kind, so every tag that shows one names that kind
("among repositories"); no tag compares ranks across kinds.

Query cost per tag: `rank_number`, `rank_short` and `rank_short_of` 0 (read the denormalized
`current_rank`), `rank_breakdown` 1 (the current score with its run, weights and history),
`rank_rising_stars` 1, `rank_scores_for` 1.
"""

from django import template
from django.conf import settings
from django.utils import timezone

from catalog.models import kind_plural
from ranking import charts, selectors

register = template.Library()


@register.inclusion_tag("ranking/_rank_number.html")
def rank_number(artifact):
    """The artifact page's rank box: the number and the kind it is ranked among."""
    return {"artifact": artifact, "scope": kind_plural(artifact.kind)}


@register.inclusion_tag("ranking/_rank_short.html")
def rank_short(artifact):
    """A rank on a card or a search result: "95/100 among repositories"."""
    return rank_short_of(artifact.current_rank, artifact.kind)


@register.inclusion_tag("ranking/_rank_short.html")
def rank_short_of(rank, kind):
    """The same words for a rank read apart from its artifact (a picker's suggestion)."""
    return {"rank": rank, "scope": kind_plural(kind)}


@register.inclusion_tag("ranking/_breakdown.html")
def rank_breakdown(artifact):
    """The five bars, the inputs behind them, the weights version and the history chart."""
    days = settings.RANK_HISTORY_CHART_DAYS
    today = timezone.localdate()
    breakdown, history = selectors.rank_breakdown_with_history(
        artifact_id=artifact.pk, days=days, today=today
    )
    chart = None
    if breakdown is not None:
        chart = charts.history_chart(
            history,
            name=artifact.name,
            scope=f"among {kind_plural(artifact.kind)}",
            days=days,
            today=today,
        )
    return {
        "artifact": artifact,
        "breakdown": breakdown,
        "chart": chart,
        "signal_names": selectors.signal_names_in_words(),
    }


@register.simple_tag
def rank_rising_stars(days=30, limit=5):
    return selectors.rank_rising_stars(days=days, limit=limit)


@register.simple_tag
def rank_scores_for(*artifacts):
    """{artifact_id: current RankScore} — signal scores and top-tier badges for comparisons."""
    return selectors.rank_scores_for_artifacts(artifact_ids=[artifact.pk for artifact in artifacts])
