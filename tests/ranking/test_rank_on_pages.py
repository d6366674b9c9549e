"""Ranks as pages show them: always with what they are compared with, never a lone kind at
the top of a mixed list, signals named (from the registry) for what they measure."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from catalog.search_index import artifacts_refresh_search
from ranking import services
from ranking.signals import SIGNALS
from tests.catalog.factories import ArtifactFactory, SignalsFactory
from tests.conftest import FROZEN_NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

SHORT = Template("{% load ranking_tags %}{% rank_short artifact %}")


@pytest.fixture
def directory():
    """Twelve models with graded adoption and one prompt, alone in its kind, ahead of every
    model on every count: the home page's case of a lone kind at 98/100."""
    models = []
    for index in range(12):
        model = ArtifactFactory(name=f"Model {index:02}", slug=f"model-{index:02}", kind="model")
        SignalsFactory(
            artifact=model,
            stars=1_000 * (index + 1),
            downloads_30d=10_000 * (index + 1),
            docs_pages=10 + index,
            has_examples=index % 2 == 0,
            has_changelog=True,
        )
        models.append(model)
    prompt = ArtifactFactory(name="Only Prompt", slug="only-prompt", kind="prompt")
    SignalsFactory(
        artifact=prompt,
        stars=10**7,
        downloads_30d=10**9,
        docs_pages=500,
        has_examples=True,
        has_changelog=True,
    )
    services.rank_recompute_all(now=FROZEN_NOW)
    for artifact in [*models, prompt]:
        artifact.refresh_from_db()
    return {"models": models, "prompt": prompt}


def top_ranked_names(html: str) -> list[str]:
    section = html.split('id="top-title"')[1].split("</section>")[0]
    return re.findall(r'class="card-title" id="card-[^"]+"><a href="[^"]+">([^<]+)</a>', section)


def test_the_only_artifact_of_its_kind_does_not_top_the_home_page(client, directory):
    html = client.get(reverse("catalog:home")).content.decode()
    names = top_ranked_names(html)
    assert names, "the home page lists top-ranked artifacts"
    assert names[0] != "Only Prompt"
    best_model = max(directory["models"], key=lambda model: model.current_rank)
    assert directory["prompt"].current_rank < best_model.current_rank
    assert names[0] == best_model.name


def test_every_rank_on_a_card_names_the_kind_it_is_compared_with(client, directory):
    html = client.get(reverse("catalog:home")).content.decode()
    section = html.split('id="top-title"')[1].split("</section>")[0]
    ranks = re.findall(r'<span class="rank"[^>]*>(.*?)</span>\s*</p>', section, flags=re.S)
    assert ranks
    for rank in ranks:
        assert re.search(r"<strong>\d+</strong>/100 <span class=\"rank-scope\">among \w+", rank)


def test_rank_short_says_among_which_kind_and_costs_no_query(directory, django_assert_num_queries):
    prompt = directory["prompt"]
    with django_assert_num_queries(0):
        html = SHORT.render(Context({"artifact": prompt}))
    assert html == (
        f'<strong>{prompt.current_rank}</strong>/100 <span class="rank-scope">among prompts</span>'
    )
    unranked = ArtifactFactory.build(kind="api", current_rank=None)
    assert SHORT.render(Context({"artifact": unranked})) == "Rank pending"


def test_search_results_show_the_rank_with_its_kind(client, directory):
    artifacts_refresh_search()
    html = client.get(reverse("matchgraph:search"), {"q": "prompt"}).content.decode()
    prompt = directory["prompt"]
    assert (
        f'<strong>{prompt.current_rank}</strong>/100 <span class="rank-scope">among prompts</span>'
        in html
    )


def test_the_artifact_page_says_what_the_rank_is_compared_with(client, directory):
    model = directory["models"][5]
    html = client.get(model.get_absolute_url()).content.decode()
    assert "Among models: a rank compares an artifact with its own kind only." in html
    assert f"— {model.current_rank}/100 among 12 models</span>" in html
    alone = client.get(directory["prompt"].get_absolute_url()).content.decode()
    assert "among prompts (the only one ranked)" in alone
    assert "drawn toward the middle (50)" in alone  # the explanation of its scores


def test_the_breakdown_names_every_signal_from_the_registry(client, directory):
    html = client.get(directory["models"][3].get_absolute_url()).content.decode()
    for signal in SIGNALS:
        assert f'<th scope="row">{signal.name}</th>' in html
        assert f'<h4 id="rank-input-{signal.key}">{signal.name}' in html
    assert "Quality" not in html
    assert "Match graph" not in html.split('id="ranking-title"')[1]


def test_no_false_sentence_about_the_match_graph_and_as_of_from_the_registry(client, directory):
    html = client.get(directory["models"][3].get_absolute_url()).content.decode()
    assert "does not feed the rank" not in html
    search_choices = next(signal for signal in SIGNALS if signal.key == "match_graph")
    expected = search_choices.as_of.format(signals_read="", computed="Nov 24, 2026")
    assert expected in html
    # Never shown in search: said in words, not as "Match graph: Unknown".
    assert search_choices.unknown in html


def test_badges_are_named_chips_never_zero_or_one(client, directory):
    html = client.get(directory["models"][11].get_absolute_url()).content.decode()
    body = html.split('class="rank-breakdown"')[1].split("<tbody>")[1].split("</tbody>")[0]
    top_tier = re.findall(r'<td data-label="Top tier">(.*?)</td>', body)
    assert top_tier
    for cell in top_tier:
        assert cell == '<span class="subtle">No</span>' or "Top 20% of models" in cell
    assert any("Top 20% of models" in cell for cell in top_tier)
    assert "1 · yes" not in html
    assert "a badge (1)" not in html


def test_times_matched_is_said_in_words(client, directory):
    html = client.get(directory["models"][0].get_absolute_url()).content.decode()
    assert "Times matched" not in html
    assert '<span class="label">Chosen in search</span> <strong>Not yet</strong>' in html


def test_details_read_by_value_type_on_the_artifact_page(client):
    artifact = ArtifactFactory(
        name="Long Context",
        kind="model",
        details=[
            ["context_length", 131072],
            ["thinking_mode", True],
            ["weights_available", False],
            ["parameters_total", "424B"],
            ["train_images", 1281167],
        ],
    )
    html = client.get(artifact.get_absolute_url()).content.decode()
    details = html.split('id="details-title"')[1].split("</section>")[0]
    assert "<dt>Context length</dt><dd>128K tokens</dd>" in details
    assert "<dt>Thinking mode</dt><dd>Yes</dd>" in details
    assert "<dt>Weights available</dt><dd>No</dd>" in details
    assert "<dt>Parameters total</dt><dd>424B</dd>" in details
    assert "<dt>Train images</dt><dd>1,281,167</dd>" in details
    assert "131072" not in details and "True" not in details


def test_how_it_works_explains_ranks_within_a_kind(client, directory):
    html = client.get(reverse("ranking:how-it-works")).content.decode()
    assert "A rank compares an artifact with its own kind" in html
    assert "drawn toward the middle (50)" in html
    assert "scores at most 55" in html
