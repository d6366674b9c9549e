"""The rank-history chart's geometry, without rows."""

import datetime as dt

from ranking.charts import history_chart

TODAY = dt.date(2026, 11, 24)


def test_no_history_means_no_chart():
    assert history_chart([], name="X", scope="among tools", days=90, today=TODAY) is None


def test_points_run_left_to_right_in_time_and_higher_rank_is_higher_up():
    chart = history_chart(
        [(TODAY, 80), (TODAY - dt.timedelta(days=60), 40)],
        name="X",
        scope="among tools",
        days=90,
        today=TODAY,
    )
    older, newer = chart.points
    assert older.day < newer.day
    assert older.x < newer.x == chart.right
    assert newer.y < older.y
    assert chart.polyline == f"{older.x},{older.y} {newer.x},{newer.y}"


def test_description_tells_the_story_in_words():
    chart = history_chart(
        [(TODAY - dt.timedelta(days=30), 40), (TODAY - dt.timedelta(days=10), 20), (TODAY, 80)],
        name="Ollama",
        scope="among tools",
        days=90,
        today=TODAY,
    )
    assert chart.title == "UnfragileRank of Ollama among tools over the last 90 days"
    assert "From 40 on Oct 25, 2026 to 80 on Nov 24, 2026" in chart.description
    assert "lowest 20, highest 80" in chart.description


def test_history_older_than_the_window_is_left_out():
    chart = history_chart(
        [(TODAY - dt.timedelta(days=200), 10), (TODAY, 50)],
        name="X",
        scope="among tools",
        days=90,
        today=TODAY,
    )
    assert [point.rank for point in chart.points] == [50]
    assert "history starts" in chart.description
