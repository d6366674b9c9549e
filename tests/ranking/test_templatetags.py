"""Ranking on the artifact page: rank number, breakdown bars, inputs, chart, query budget."""

import datetime as dt
import re

import pytest
from django.template import Context, Template

from catalog import selectors as catalog_selectors
from ranking import services
from ranking.models import RankHistory
from tests.catalog.factories import ArtifactFactory, SignalsFactory
from tests.conftest import FROZEN_NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

BREAKDOWN = Template("{% load ranking_tags %}{% rank_breakdown artifact %}")
NUMBER = Template("{% load ranking_tags %}{% rank_number artifact %}")


@pytest.fixture
def ranked():
    artifacts = {}
    for name, stars in [("Small", 10), ("Medium", 2_000), ("Large", 90_000)]:
        artifact = ArtifactFactory(name=name, slug=name.lower())
        SignalsFactory(artifact=artifact, stars=stars, docs_pages=5, has_examples=True)
        artifacts[name] = artifact
    services.rank_recompute_all(now=FROZEN_NOW - dt.timedelta(days=20))
    services.rank_recompute_all(now=FROZEN_NOW)
    return artifacts


def render(template: Template, slug: str) -> str:
    artifact = catalog_selectors.artifact_get(slug=slug)
    return template.render(Context({"artifact": artifact}))


def parts_and_total(html: str) -> tuple[list[int], int]:
    parts = [int(value) for value in re.findall(r'data-part="(\d+)"', html)]
    (total,) = re.findall(r'data-total="(\d+)"', html)
    return parts, int(total)


def test_breakdown_bars_add_up_to_the_rank_shown(ranked):
    html = render(BREAKDOWN, "medium")
    parts, total = parts_and_total(html)
    assert len(parts) == 5
    assert sum(parts) == total
    ranked["Medium"].refresh_from_db()
    assert total == ranked["Medium"].current_rank
    assert f"{total}/100" in html


def test_breakdown_bars_are_readable_without_colour(ranked):
    html = render(BREAKDOWN, "large")
    assert '<th scope="row">Adoption</th>' in html
    assert 'aria-hidden="true"' in html  # the bar itself; its number is text
    assert "Unknown" in html  # match graph, in words
    assert "Top tier" in html


def test_breakdown_shows_inputs_their_dates_and_the_weights_version(ranked):
    html = render(BREAKDOWN, "large")
    assert "GitHub stars</dt><dd>90,000</dd>" in html
    assert "Likes</dt><dd>Unknown</dd>" in html
    assert "Read on Nov 1, 2026." in html
    assert "Documentation pages</dt><dd>5</dd>" in html
    assert re.search(r"Weights v\d+", html)
    assert "How ranking works" in html


def test_history_chart_is_server_side_svg_with_a_text_alternative(ranked):
    html = render(BREAKDOWN, "medium")
    assert '<svg class="rank-chart" role="img"' in html
    assert (
        '<title id="rank-history-title">'
        "UnfragileRank of Medium among models over the last 90 days</title>" in html
    )
    assert '<desc id="rank-history-desc">From ' in html
    assert "<polyline" in html
    assert "<script" not in html


def test_breakdown_and_chart_cost_at_most_two_queries(ranked, django_assert_max_num_queries):
    """Guards against a query per signal or per history point: score with run and weights
    in one, history in another."""
    artifact = catalog_selectors.artifact_get(slug="medium")
    with django_assert_max_num_queries(2):
        BREAKDOWN.render(Context({"artifact": artifact}))


def test_rank_number_costs_no_query(ranked, django_assert_num_queries):
    artifact = catalog_selectors.artifact_get(slug="large")
    with django_assert_num_queries(0):
        html = NUMBER.render(Context({"artifact": artifact}))
    assert f"<strong>{artifact.current_rank}</strong>/100" in html


def test_unranked_artifact_shows_the_signals_it_has(client):
    artifact = ArtifactFactory(slug="fresh")
    SignalsFactory(artifact=artifact, stars=None, downloads_30d=5400)
    html = render(BREAKDOWN, "fresh")
    assert "Not ranked yet" in html
    assert "GitHub stars</dt><dd>Unknown" in html
    assert "5,400" in html
    assert "Not ranked yet" in render(NUMBER, "fresh")


def test_artifact_without_any_known_signal_says_why_it_has_no_rank():
    ArtifactFactory(slug="bare", released=None, updated=None)
    services.rank_recompute_all(now=FROZEN_NOW)
    html = render(BREAKDOWN, "bare")
    assert "none of the five signals is known" in html
    assert "data-total" not in html


def test_artifact_page_shows_the_rank_and_its_breakdown(client, ranked):
    html = client.get("/a/large/").content.decode()
    box = html.split('class="rank-box"')[1].split("</aside>")[0]
    ranked["Large"].refresh_from_db()
    assert f"<strong>{ranked['Large'].current_rank}</strong>/100" in box
    section = html.split('aria-labelledby="ranking-title"')[1].split("</section>\n</section>")[0]
    parts, total = parts_and_total(section)
    assert sum(parts) == total == ranked["Large"].current_rank
    assert "ranking.css" in html


def test_history_rows_feed_the_chart(ranked):
    days = list(RankHistory.objects.filter(artifact=ranked["Small"]).values_list("day", flat=True))
    assert days == [FROZEN_NOW.date() - dt.timedelta(days=20), FROZEN_NOW.date()]


def test_comparison_tag_gives_scores_and_badges_in_one_query(ranked, django_assert_num_queries):
    # Badges need a kind of ten or more: peers between Small (10 stars) and Large (90,000).
    for index in range(8):
        peer = ArtifactFactory(name=f"Peer {index}", slug=f"peer-{index}")
        SignalsFactory(artifact=peer, stars=100 + index, docs_pages=5, has_examples=True)
    services.rank_recompute_all(now=FROZEN_NOW)
    template = Template(
        "{% load ranking_tags %}{% rank_scores_for a b as scores %}"
        "{% for id, score in scores.items %}{{ id }}:{{ score.rank }}:"
        "{{ score.adoption_badge|yesno:'1,0' }};{% endfor %}"
    )
    small, large = ranked["Small"], ranked["Large"]
    with django_assert_num_queries(1):
        html = template.render(Context({"a": small, "b": large}))
    small.refresh_from_db()
    large.refresh_from_db()
    assert f"{small.pk}:{small.current_rank}:0;" in html
    assert f"{large.pk}:{large.current_rank}:1;" in html


def test_rising_stars_tag(ranked):
    RankHistory.objects.filter(artifact=ranked["Small"]).update(rank=0)
    template = Template(
        "{% load ranking_tags %}{% rank_rising_stars days=10 limit=3 as stars %}"
        "{% for star in stars %}{{ star.artifact.name }} +{{ star.change }};{% endfor %}"
    )
    html = template.render(Context({}))
    assert html.startswith("Small +")
