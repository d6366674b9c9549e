"""Ranking on pages owned by lower apps (the artifact page lives in catalog).

Query cost per tag: `rank_number` 0 (reads the denormalized `current_rank`),
`rank_breakdown` 1 (the current score with its run, weights and history),
`rank_rising_stars` 1, `rank_scores_for` 1.
"""

from django import template
from django.conf import settings
from django.utils import timezone

from ranking import charts, selectors

register = template.Library()


@register.inclusion_tag("ranking/_rank_number.html")
def rank_number(artifact):
    return {"artifact": artifact}


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
        chart = charts.history_chart(history, name=artifact.name, days=days, today=today)
    return {"artifact": artifact, "breakdown": breakdown, "chart": chart}


@register.simple_tag
def rank_rising_stars(days=30, limit=5):
    return selectors.rank_rising_stars(days=days, limit=limit)


@register.simple_tag
def rank_scores_for(*artifacts):
    """{artifact_id: current RankScore} — signal scores and 0/1 badges for comparisons."""
    return selectors.rank_scores_for_artifacts(artifact_ids=[artifact.pk for artifact in artifacts])
