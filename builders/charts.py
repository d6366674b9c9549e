"""The analytics chart's geometry: impressions and matches per day, a pure function rendered
as SVG by a template (like `ranking.charts` for the rank history)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format

from builders.selectors import DailyPoint


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    polyline: str
    total: int


@dataclass(frozen=True)
class AnalyticsChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: tuple[Series, ...]
    peak: int
    start_label: str
    end_label: str
    title: str
    description: str


def analytics_chart(
    points: Sequence[DailyPoint], *, name: str, width: int = 640, height: int = 180
) -> AnalyticsChart | None:
    """Two lines on one scale (0 to the busiest day's impressions); None without days."""
    if not points:
        return None
    left, right, top, bottom = 36, width - 8, 10, height - 24
    peak = max(max(point.impressions for point in points), max(p.matches for p in points), 1)
    span = max(len(points) - 1, 1)

    def line(values: Sequence[int]) -> str:
        return " ".join(
            f"{round(left + (right - left) * index / span, 1)},"
            f"{round(bottom - (bottom - top) * value / peak, 1)}"
            for index, value in enumerate(values)
        )

    impressions = [point.impressions for point in points]
    matches = [point.matches for point in points]
    first, last = points[0].day, points[-1].day
    return AnalyticsChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        series=(
            Series("Shown in results", "chart-impressions", line(impressions), sum(impressions)),
            Series("Chosen", "chart-matches", line(matches), sum(matches)),
        ),
        peak=peak,
        start_label=date_format(first, "M j"),
        end_label=date_format(last, "M j"),
        title=f"How often {name} was shown and chosen, per day",
        description=(
            f"From {date_format(first, 'M j, Y')} to {date_format(last, 'M j, Y')}: shown "
            f"{sum(impressions):,} times, chosen {sum(matches):,} times; busiest day "
            f"{max(impressions):,} impressions."
        ),
    )
