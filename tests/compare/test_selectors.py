"""Comparison reads: resolving addresses, validating grids, a fixed query budget, and a cache
that follows edits and recomputes without any explicit delete."""

import os
import uuid

import pytest
from django.core.cache import cache

from compare import stamps, suggestions
from compare.selectors import (
    InvalidSelection,
    NeedsMore,
    UnknownArtifacts,
    compare_picker,
    comparison_for_grid,
    comparison_for_pair,
)
from matchgraph.aggregation import match_graph_aggregate
from ranking import services as ranking_services
from ranking.models import RankRun
from tests.catalog.factories import ArtifactFactory, CapabilityFactory, SignalsFactory
from tests.conftest import FROZEN_NOW
from tests.matchgraph.factories import IntentFactory, MatchEventFactory

pytestmark = pytest.mark.django_db


def chosen_together(*artifacts, intents=("caption product photos", "image descriptions")):
    """Visitors chose each artifact for the same searches; then the graph is aggregated."""
    for text in intents:
        intent = IntentFactory(text=text)
        for index, artifact in enumerate(artifacts):
            for repeat in range(2):
                MatchEventFactory(
                    intent=intent, artifact=artifact, source_hash=f"{text}-{index}-{repeat}"
                )
    match_graph_aggregate(now=FROZEN_NOW)


# --- Resolving A vs B -------------------------------------------------------------------------


def test_canonical_order_is_alphabetical(directory):
    result = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro")
    assert result.is_canonical
    assert result.canonical_url == "/compare/ernie-4-5-vl-vs-flux-1-pro/"
    assert [side.slug for side in result.comparison.sides] == ["ernie-4-5-vl", "flux-1-pro"]


def test_reverse_order_points_to_the_canonical_page_without_building(
    directory, django_assert_num_queries
):
    with django_assert_num_queries(1):
        result = comparison_for_pair(pair="flux-1-pro-vs-ernie-4-5-vl")
    assert not result.is_canonical
    assert result.comparison is None
    assert result.canonical_url == "/compare/ernie-4-5-vl-vs-flux-1-pro/"


def test_slugs_containing_vs_are_resolved_by_trying_each_split(db):
    ArtifactFactory(name="BERT vs RoBERTa probe", slug="bert-vs-roberta-probe")
    ArtifactFactory(name="Zephyr", slug="zephyr")
    result = comparison_for_pair(pair="bert-vs-roberta-probe-vs-zephyr")
    assert result.is_canonical
    assert [side.name for side in result.comparison.sides] == ["BERT vs RoBERTa probe", "Zephyr"]
    # Reversed, the slug with "-vs-" is on the right; still one canonical page.
    reversed_result = comparison_for_pair(pair="zephyr-vs-bert-vs-roberta-probe")
    assert reversed_result.canonical_url == "/compare/bert-vs-roberta-probe-vs-zephyr/"


def test_an_ambiguous_address_takes_the_first_reading_and_offers_the_other(db):
    for slug in ("a", "b-vs-c", "a-vs-b", "c"):
        ArtifactFactory(name=slug.upper(), slug=slug)
    result = comparison_for_pair(pair="a-vs-b-vs-c")
    assert [side.slug for side in result.comparison.sides] == ["a", "b-vs-c"]
    assert [(link.label, link.url) for link in result.other_readings] == [
        ("A-VS-B vs C", "/compare/?a=a-vs-b&a=c")
    ]


def test_cross_kind_pairs_work(directory):
    result = comparison_for_pair(pair="ernie-4-5-vl-vs-sdnext")
    kinds = [side.kind_label for side in result.comparison.sides]
    assert kinds == ["Model", "Repository"]
    assert "is a model and sdnext is a repository" in " ".join(result.comparison.verdict.points)


def test_unknown_slugs_are_a_helpful_404(directory):
    with pytest.raises(UnknownArtifacts) as raised:
        comparison_for_pair(pair="flux-1-pro-vs-ernie-four")
    problem = raised.value
    assert problem.status == 404
    assert "“ernie-four”" in problem.message
    assert problem.picker_slugs == ["flux-1-pro"]
    # "ernie four" finds ERNIE by name, linking to the comparison it meant.
    assert [(s.name, s.url) for s in problem.suggestions["ernie-four"]] == [
        ("Baidu: ERNIE 4.5 VL", "/compare/ernie-4-5-vl-vs-flux-1-pro/")
    ]


def test_unpublished_artifacts_are_unknown(directory):
    directory["ernie"].is_published = False
    directory["ernie"].save()
    with pytest.raises(UnknownArtifacts):
        comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro")


def test_an_artifact_against_itself_asks_for_another(directory):
    with pytest.raises(InvalidSelection) as raised:
        comparison_for_pair(pair="flux-1-pro-vs-flux-1-pro")
    assert raised.value.picker_slugs == ["flux-1-pro"]


# --- N-way grid validation --------------------------------------------------------------------


def test_grid_keeps_the_given_order(directory):
    comparison = comparison_for_grid(slugs=["sdnext", "flux-1-pro", "ernie-4-5-vl"])
    assert comparison.slugs == ["sdnext", "flux-1-pro", "ernie-4-5-vl"]
    assert [len(row.cells) for row in comparison.rows] == [3] * len(comparison.rows)
    assert comparison.overlap is None


@pytest.mark.parametrize(
    ("slugs", "problem", "status"),
    [
        (["flux-1-pro"], NeedsMore, 200),
        (["flux-1-pro", "flux-1-pro"], InvalidSelection, 400),
        (["flux-1-pro", "nope"], UnknownArtifacts, 404),
        ([f"s{n}" for n in range(7)], InvalidSelection, 400),
        ([f"s{n}" for n in range(50)], InvalidSelection, 400),
    ],
)
def test_grid_problems_explain_themselves(directory, slugs, problem, status):
    with pytest.raises(problem) as raised:
        comparison_for_grid(slugs=slugs)
    assert raised.value.status == status
    assert raised.value.message


def test_grid_problems_offer_the_fix(directory):
    with pytest.raises(InvalidSelection) as duplicates:
        comparison_for_grid(slugs=["flux-1-pro", "sdnext", "flux-1-pro"])
    assert [link.url for link in duplicates.value.links] == ["/compare/?a=flux-1-pro&a=sdnext"]
    with pytest.raises(UnknownArtifacts) as unknown:
        comparison_for_grid(slugs=["flux-1-pro", "sdnext", "missing"])
    assert [link.url for link in unknown.value.links] == ["/compare/?a=flux-1-pro&a=sdnext"]
    with pytest.raises(InvalidSelection) as too_many:
        comparison_for_grid(slugs=[f"s{n}" for n in range(8)])
    assert too_many.value.links[0].url == "/compare/?" + "&".join(f"a=s{n}" for n in range(6))


# --- Query budget -----------------------------------------------------------------------------


@pytest.fixture
def crowded(directory):
    """Thirty more artifacts, all related to the pair, with match-graph evidence."""
    flux, ernie = directory["flux"], directory["ernie"]
    crowd = []
    for index in range(30):
        other = ArtifactFactory(name=f"Crowd {index}", organization=f"Crowd {index}")
        CapabilityFactory(artifact=other, title=f"Generate images from text {index}")
        SignalsFactory(artifact=other, stars=10 * index)
        crowd.append(other)
    chosen_together(flux, ernie, *crowd[:10])
    ranking_services.rank_recompute_all()
    return directory


def test_pair_is_built_in_a_fixed_number_of_queries(crowded, django_assert_max_num_queries):
    """Guards against an N+1 over capabilities, plans, categories, scores or intents: the
    bound holds with 30 extra related artifacts and a populated match graph."""
    with django_assert_max_num_queries(10):
        result = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro")
    flux = result.comparison.side("flux-1-pro")
    assert flux.top_intents  # the evidence was really read
    assert result.comparison.shared_searches.count == 2
    assert any(capability.searches for capability in flux.capabilities)


def test_grid_of_six_is_built_in_a_fixed_number_of_queries(crowded, django_assert_max_num_queries):
    slugs = ["flux-1-pro", "ernie-4-5-vl", "sdnext", "crowd-0", "crowd-1", "crowd-2"]
    with django_assert_max_num_queries(8):
        comparison = comparison_for_grid(slugs=slugs)
    assert len(comparison.sides) == 6


def test_a_cached_comparison_costs_one_query(crowded, django_assert_num_queries):
    comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro")
    with django_assert_num_queries(1):
        comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro")


# --- Cache invalidation -----------------------------------------------------------------------


def test_an_edit_invalidates_the_cached_comparison(directory):
    first = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro").comparison
    assert comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro").comparison == first

    ernie = directory["ernie"]
    ernie.name = "ERNIE 4.5 VL (renamed)"
    ernie.license = "Apache-2.0"
    ernie.save()  # as the admin and the importer do: modified_at moves

    fresh = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro").comparison
    assert fresh.sides[0].name == "ERNIE 4.5 VL (renamed)"
    assert fresh.sides[0].license == "Apache-2.0"


def test_a_recompute_invalidates_the_cached_comparison(directory):
    first = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro").comparison
    first_run = RankRun.objects.get(is_current=True)
    assert first.rank_run_id == first_run.pk

    # New evidence that only a recompute turns into scores: the page must follow it.
    SignalsFactory._meta.model.objects.filter(artifact=directory["ernie"]).update(
        stars=900_000, downloads_30d=90_000_000
    )
    ranking_services.rank_recompute_all()
    new_run = RankRun.objects.get(is_current=True)
    assert new_run.pk != first_run.pk

    fresh = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro").comparison
    assert fresh.rank_run_id == new_run.pk
    assert fresh.sides[0].signal("adoption").score > first.sides[0].signal("adoption").score


def test_a_match_graph_aggregation_invalidates_the_cached_comparison(directory):
    first = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro").comparison
    assert first.shared_searches.count == 0
    chosen_together(directory["flux"], directory["ernie"])
    fresh = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro").comparison
    assert fresh.shared_searches.count == 2


def test_a_cache_that_fails_costs_speed_not_the_page(directory, monkeypatch):
    class DownCache:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(stamps, "cache", DownCache())
    result = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro")
    assert result.comparison.sides[1].name == "FLUX.1 Pro"


REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def real_redis(settings):
    """The production cache backend against a real Redis, under a key prefix of its own:
    the shared instance is never flushed, only this test's keys are deleted afterwards."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"compare-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield cache
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_the_comparison_round_trips_through_real_redis(
    real_redis, directory, django_assert_num_queries
):
    built = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro").comparison
    found, run_id = stamps.stamps_for_slugs(["ernie-4-5-vl", "flux-1-pro"])
    key = stamps.comparison_cache_key([found["ernie-4-5-vl"], found["flux-1-pro"]], run_id)
    assert real_redis.get(key) == built  # pickled, stored and read back equal
    with django_assert_num_queries(1):
        assert comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro").comparison == built

    directory["flux"].save()  # an edit: a new key, so a rebuild
    with django_assert_num_queries(10):
        rebuilt = comparison_for_pair(pair="ernie-4-5-vl-vs-flux-1-pro").comparison
    assert rebuilt.built_at > built.built_at or rebuilt.built_at == built.built_at
    found, run_id = stamps.stamps_for_slugs(["ernie-4-5-vl", "flux-1-pro"])
    new_key = stamps.comparison_cache_key([found["ernie-4-5-vl"], found["flux-1-pro"]], run_id)
    assert new_key != key
    assert real_redis.get(new_key) == rebuilt


# --- Picker -------------------------------------------------------------------------------------


def test_picker_suggests_related_artifacts_first_then_name_matches(directory):
    related = compare_picker(kept_slugs=["flux-1-pro"])
    assert related.heading == "Related to FLUX.1 Pro"
    slugs = [s.slug for s in related.suggestions]
    assert "flux-1-pro" not in slugs
    assert "sdnext" in slugs
    assert all(s.url.startswith("/compare/") and "-vs-" in s.url for s in related.suggestions)

    named = compare_picker(kept_slugs=["flux-1-pro"], query="ern")
    assert [s.name for s in named.suggestions] == ["Baidu: ERNIE 4.5 VL"]
    assert named.suggestions[0].url == "/compare/ernie-4-5-vl-vs-flux-1-pro/"
    assert named.exact_url is None


def test_picker_exact_name_or_slug_goes_straight_to_the_comparison(directory):
    assert compare_picker(kept_slugs=["flux-1-pro"], query="sdnext").exact_url == (
        "/compare/flux-1-pro-vs-sdnext/"
    )


def test_picker_for_a_swap_excludes_the_side_being_replaced(directory):
    picker = compare_picker(kept_slugs=["flux-1-pro"], mode="swap", swap="ernie-4-5-vl")
    assert "ernie-4-5-vl" not in [s.slug for s in picker.suggestions]
    assert picker.swap == "ernie-4-5-vl"


def test_picker_for_a_grid_adds_a_column(directory):
    picker = compare_picker(kept_slugs=["flux-1-pro", "sdnext"], mode="grid", query="ernie")
    assert picker.suggestions[0].url == "/compare/?a=flux-1-pro&a=sdnext&a=ernie-4-5-vl"


def test_picker_for_a_full_grid_says_so(directory):
    six = ["flux-1-pro", "ernie-4-5-vl", "sdnext", "peer-model-0", "peer-model-1", "peer-model-2"]
    picker = compare_picker(kept_slugs=six, mode="grid")
    assert picker.full
    assert picker.suggestions == ()


def test_picker_from_nothing_starts_a_grid(directory):
    picker = compare_picker(kept_slugs=[], mode="grid", query="flux")
    assert [(s.name, s.url) for s in picker.suggestions] == [
        ("FLUX.1 Pro", "/compare/?a=flux-1-pro")
    ]


def test_picker_without_a_known_artifact_is_a_404(db):
    with pytest.raises(UnknownArtifacts):
        compare_picker(kept_slugs=["missing"])


def test_related_suggestions_are_the_artifact_pages_alternatives_then_related_then_kind(
    directory, django_assert_max_num_queries
):
    """One "related" algorithm (`matchgraph.artifact_neighbours`), bounded at any size: what
    does the same job first, then what else relates (a co-matched dataset, with its reason),
    then others of its kind."""
    flux, sdnext = directory["flux"], directory["sdnext"]
    stranger = ArtifactFactory(name="Stranger dataset", kind="dataset")
    chosen_together(flux, stranger)
    with django_assert_max_num_queries(5):
        related = suggestions.related_suggestions(artifact_id=flux.pk, limit=8)
    reasons = {artifact.name: reason for artifact, reason in related}
    assert reasons["Stranger dataset"] == "chosen for 2 of the same searches"
    assert reasons["sdnext"] in ("does the same job", "related")  # same category
    in_order = [reason for _, reason in related]
    assert in_order.index("does the same job") < in_order.index("related")
    assert flux.pk not in [artifact.pk for artifact, _ in related]
    assert sdnext.pk not in [
        a.pk
        for a, _ in suggestions.related_suggestions(artifact_id=flux.pk, exclude_ids=[sdnext.pk])
    ]


def test_related_suggestions_are_the_artifact_pages_own_neighbours(directory):
    from matchgraph.selectors import artifact_neighbours

    flux = directory["flux"]
    page = artifact_neighbours(artifact=flux)
    on_the_page = list(dict.fromkeys(i.artifact.pk for i in (*page.alternatives, *page.related)))
    picked = [artifact.pk for artifact, _ in suggestions.related_suggestions(artifact_id=flux.pk)]
    assert picked[: len(on_the_page)] == on_the_page[: len(picked)]


def test_rows_by_kind_come_from_stored_details_and_the_catalog_rules(db):
    ArtifactFactory(
        slug="big-model",
        kind="model",
        license="Apache-2.0",
        details=[["context_length", 131072], ["parameters_total", "70B"]],
    )
    ArtifactFactory(slug="local-tool", kind="tool", license="MIT", details=[["language", "Go"]])
    rows = {row.key: row for row in comparison_for_grid(slugs=["big-model", "local-tool"]).rows}
    assert [cell.text for cell in rows["context_length"].cells] == ["128K tokens", "—"]
    assert [cell.text for cell in rows["open_weights"].cells] == ["Yes", "—"]
    assert [cell.text for cell in rows["runs_locally"].cells] == ["—", "Yes"]
    assert [cell.text for cell in rows["written_in"].cells] == ["—", "Go"]
