"""The rank-history chart's geometry: a pure function, rendered as SVG by a template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    day: date
    rank: int


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True)
class HistoryChart:
    days: int
    width: int
    height: int
    left: int
    right: int
    points: tuple[ChartPoint, ...]
    polyline: str
    gridlines: tuple[GridLine, ...]
    start_label: str
    end_label: str
    axis_y: float
    title: str
    scope: str
    description: str

    @property
    def last(self) -> ChartPoint:
        return self.points[-1]


def history_chart(
    history: Sequence[tuple[date, int]],
    *,
    name: str,
    scope: str,
    days: int,
    today: date,
    width: int = 320,
    height: int = 120,
) -> HistoryChart | None:
    """Rank (0–100, up is better) over the last `days` days; None without any history.

    `scope` is what the rank compares with ("among models"): the title says it, as every rank."""
    points = sorted((day, rank) for day, rank in history if today - timedelta(days=days) <= day)
    if not points:
        return None

    def when(day: date) -> str:
        return date_format(day, "M j, Y")

    left, right, top, bottom = 28, width - 8, 8, height - 22
    start = today - timedelta(days=days)

    def x_of(day: date) -> float:
        return round(left + (right - left) * (day - start).days / max(days, 1), 1)

    def y_of(rank: int) -> float:
        return round(top + (bottom - top) * (100 - rank) / 100, 1)

    plotted = tuple(
        ChartPoint(x=x_of(day), y=y_of(rank), day=day, rank=rank) for day, rank in points
    )
    first, last = plotted[0], plotted[-1]
    ranks = [point.rank for point in plotted]
    if len(plotted) == 1:
        description = f"Ranked {last.rank}/100 on {when(last.day)}; the history starts there."
    else:
        description = (
            f"From {first.rank} on {when(first.day)} to {last.rank} on {when(last.day)}; "
            f"lowest {min(ranks)}, highest {max(ranks)}."
        )
    return HistoryChart(
        days=days,
        width=width,
        height=height,
        left=left,
        right=right,
        points=plotted,
        polyline=" ".join(f"{point.x},{point.y}" for point in plotted),
        gridlines=tuple(GridLine(y=y_of(value), label=str(value)) for value in (100, 50, 0)),
        start_label=date_format(start, "M j"),
        end_label=date_format(today, "M j"),
        axis_y=height - 6,
        title=f"UnfragileRank of {name} {scope} over the last {days} days",
        scope=scope,
        description=description,
    )
