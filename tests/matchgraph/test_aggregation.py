"""`match_graph_aggregate`: raw events -> edges, checked against hand-computed weights.

Per de-duplicated match: weight = via × min(log2(position + 1), 4) × 0.5^(age / 90 days)
× burst damping (past 20 matches per artifact per hour, the rest add only their square root).
"""

import datetime as dt
import math

import pytest

from catalog.models import Artifact
from matchgraph.aggregation import match_graph_aggregate
from matchgraph.models import (
    ArtifactMatchStats,
    CoMatch,
    IntentArtifactEdge,
    IntentCapabilityEdge,
    MatchEvent,
)
from matchgraph.services import intents_merge, intents_set_hidden
from tests.catalog.factories import ArtifactFactory, CapabilityFactory
from tests.conftest import FROZEN_NOW
from tests.matchgraph.factories import IntentFactory, MatchEventFactory, SearchEventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

NOW = FROZEN_NOW
DAY = dt.timedelta(days=1)


@pytest.fixture
def intent():
    return IntentFactory(text="caption photos")


@pytest.fixture
def artifact():
    return ArtifactFactory(name="Caption Studio")


def edge(intent, artifact) -> IntentArtifactEdge:
    return IntentArtifactEdge.objects.get(intent=intent, artifact=artifact)


def match(intent, artifact, *, at=NOW, source="visitor-a", position=None, via="click"):
    return MatchEventFactory(
        intent=intent, artifact=artifact, created_at=at, source_hash=source,
        position=position, via=via,
    )  # fmt: skip


def test_hand_computed_edge_weight(intent, artifact):
    match(intent, artifact, at=NOW, source="a", position=1)  # 1 × 1 × 1
    match(intent, artifact, at=NOW - 90 * DAY, source="b", position=3)  # 1 × 2 × 0.5
    match(intent, artifact, at=NOW - 45 * DAY, source="c", position=7, via="fits")  # 2 × 3 × √½
    for _ in range(2):
        SearchEventFactory(intent=intent, shown_artifact_ids=[artifact.pk, 999_999])

    report = match_graph_aggregate(now=NOW)

    found = edge(intent, artifact)
    assert found.weight == pytest.approx(1.0 + 1.0 + 6 * math.sqrt(0.5), abs=1e-6)
    assert found.weight == pytest.approx(6.242641, abs=1e-6)
    assert (found.matches, found.impressions, found.last_matched_at) == (3, 2, NOW)
    stats = ArtifactMatchStats.objects.get(artifact=artifact)
    assert (stats.matches_total, stats.matches_30d, stats.impressions) == (3, 1, 2)
    assert stats.weighted_matches == pytest.approx(found.weight, abs=1e-6)
    assert stats.computed_at == NOW
    assert (report.artifact_edges, report.artifacts_with_matches) == (1, 1)


def test_rebuilding_gives_the_same_graph(intent, artifact):
    match(intent, artifact, position=2)
    match_graph_aggregate(now=NOW)
    first = edge(intent, artifact).weight
    match_graph_aggregate(now=NOW)
    assert IntentArtifactEdge.objects.count() == 1
    assert edge(intent, artifact).weight == first == pytest.approx(math.log2(3))


class TestDeduplication:
    def test_repeats_from_one_source_within_the_window_count_once(self, intent, artifact):
        start = NOW - DAY
        for minutes in [0, 5, 20, 29]:
            match(intent, artifact, at=start + dt.timedelta(minutes=minutes))
        match_graph_aggregate(now=start)
        assert edge(intent, artifact).matches == 1
        assert edge(intent, artifact).weight == pytest.approx(1.0, abs=1e-6)

    def test_repeats_the_same_day_count_once_and_the_next_day_again(self, intent, artifact):
        start = NOW - 2 * DAY
        for minutes in [0, 40, 150]:
            match(intent, artifact, at=start + dt.timedelta(minutes=minutes))
        match(intent, artifact, at=start + DAY)
        match_graph_aggregate(now=NOW)
        assert edge(intent, artifact).matches == 2

    def test_different_sources_in_the_same_minute_count_separately(self, intent, artifact):
        for source in ["a", "b", "c"]:
            match(intent, artifact, source=source)
        match_graph_aggregate(now=NOW)
        assert edge(intent, artifact).matches == 3

    def test_a_fits_beats_a_click_in_the_same_window(self, intent, artifact):
        match(intent, artifact, at=NOW - dt.timedelta(minutes=20), via="click")
        match(intent, artifact, at=NOW - dt.timedelta(minutes=10), via="fits")
        match_graph_aggregate(now=NOW - dt.timedelta(minutes=10))
        found = edge(intent, artifact)
        assert found.matches == 1
        assert found.weight == pytest.approx(2.0, abs=1e-6)


class TestBurstDamping:
    def test_thirty_matches_in_one_hour_count_less_than_thirty_more_than_twenty(
        self, intent, artifact
    ):
        hour = NOW - dt.timedelta(hours=1)  # 11:00–11:59, one clock hour
        for minute in range(30):
            match(intent, artifact, at=hour + dt.timedelta(minutes=minute), source=f"s{minute}")
        match_graph_aggregate(now=NOW)
        found = edge(intent, artifact)
        assert found.matches == 30
        # Each match's decay (ages 60 down to 31 minutes), times the burst factor (20 + √10) / 30.
        decay = [0.5 ** ((60 - minute) / (90 * 24 * 60)) for minute in range(30)]
        expected = sum(decay) * (20 + math.sqrt(10)) / 30
        assert found.weight == pytest.approx(expected, abs=1e-6)
        assert found.weight == pytest.approx(20 + math.sqrt(10), abs=1e-2)
        assert 20 < found.weight < 30

    def test_up_to_twenty_in_an_hour_are_not_damped(self, intent, artifact):
        for source in range(20):
            match(intent, artifact, source=f"s{source}")
        match_graph_aggregate(now=NOW)
        assert edge(intent, artifact).weight == pytest.approx(20.0, abs=1e-6)

    def test_burst_is_per_artifact_across_intents(self, artifact):
        for source in range(25):
            match(IntentFactory(text=f"need {source}"), artifact, source=f"s{source}")
        match_graph_aggregate(now=NOW)
        weights = IntentArtifactEdge.objects.values_list("weight", flat=True)
        assert sum(weights) == pytest.approx(20 + math.sqrt(5), abs=1e-6)

    def test_matches_spread_over_hours_are_not_damped(self, intent, artifact):
        for source in range(30):
            match(intent, artifact, at=NOW - source * dt.timedelta(hours=1), source=f"s{source}")
        match_graph_aggregate(now=NOW)
        expected = sum(0.5 ** (hours / (90 * 24)) for hours in range(30))
        assert edge(intent, artifact).weight == pytest.approx(expected, abs=1e-6)


class TestPositionAndDecay:
    def test_a_click_at_position_eight_weighs_more_than_at_one(self, intent):
        top, deep = ArtifactFactory(name="Top"), ArtifactFactory(name="Deep")
        match(intent, top, position=1, source="a")
        match(intent, deep, position=8, source="b")
        match_graph_aggregate(now=NOW)
        assert edge(intent, top).weight == pytest.approx(1.0, abs=1e-6)
        assert edge(intent, deep).weight == pytest.approx(math.log2(9), abs=1e-6)

    @pytest.mark.parametrize(("position", "weight"), [(None, 1.0), (1, 1.0), (15, 4.0), (400, 4.0)])
    def test_position_weight_is_capped(self, intent, artifact, position, weight):
        match(intent, artifact, position=position)
        match_graph_aggregate(now=NOW)
        assert edge(intent, artifact).weight == pytest.approx(weight, abs=1e-6)

    @pytest.mark.parametrize(
        ("days", "weight"), [(0, 1.0), (90, 0.5), (180, 0.25), (30, 0.5 ** (1 / 3))]
    )
    def test_weight_halves_every_ninety_days(self, intent, artifact, days, weight):
        match(intent, artifact, at=NOW - days * DAY)
        match_graph_aggregate(now=NOW)
        assert edge(intent, artifact).weight == pytest.approx(weight, abs=1e-6)

    @pytest.mark.parametrize(("via", "weight"), [("click", 1.0), ("fits", 2.0), ("compare", 1.0)])
    def test_via_weights(self, intent, artifact, via, weight):
        match(intent, artifact, via=via)
        match_graph_aggregate(now=NOW)
        assert edge(intent, artifact).weight == pytest.approx(weight, abs=1e-6)


class TestCurators:
    def test_merged_intents_count_for_the_survivor(self, intent, artifact):
        duplicate = IntentFactory(text="captioning photos")
        match(intent, artifact, source="a", at=NOW)
        match(duplicate, artifact, source="b", at=NOW - 90 * DAY)
        # The same visitor through both spellings in one window counts once.
        match(duplicate, artifact, source="a", at=NOW + dt.timedelta(minutes=10))
        intents_merge(duplicates=[duplicate], into=intent)
        match_graph_aggregate(now=NOW)
        assert list(IntentArtifactEdge.objects.values_list("intent__text", flat=True)) == [
            "caption photos"
        ]
        found = edge(intent, artifact)
        assert found.matches == 2
        assert found.weight == pytest.approx(1.5, abs=1e-6)

    def test_hidden_intents_count_for_nothing(self, intent, artifact):
        duplicate = IntentFactory(text="captioning photos")
        match(intent, artifact, source="a")
        match(duplicate, artifact, source="b")
        SearchEventFactory(intent=intent, shown_artifact_ids=[artifact.pk])
        intents_merge(duplicates=[duplicate], into=intent)
        intents_set_hidden(intent_ids=[intent.pk], hidden=True)
        match_graph_aggregate(now=NOW)
        assert not IntentArtifactEdge.objects.exists()
        assert not ArtifactMatchStats.objects.exists()
        artifact.refresh_from_db()
        assert artifact.times_matched == 0
        intent.refresh_from_db()
        assert (intent.search_count, intent.match_count) == (0, 0)

    def test_showing_a_hidden_intent_again_restores_it(self, intent, artifact):
        match(intent, artifact)
        intents_set_hidden(intent_ids=[intent.pk], hidden=True)
        match_graph_aggregate(now=NOW)
        intents_set_hidden(intent_ids=[intent.pk], hidden=False)
        match_graph_aggregate(now=NOW)
        assert edge(intent, artifact).matches == 1


class TestTimesMatched:
    def test_denormalized_onto_the_artifact_and_reset_when_events_go(self, intent, artifact):
        untouched = ArtifactFactory(name="Never Matched")
        match(intent, artifact, at=NOW - 10 * DAY, source="a")
        match(intent, artifact, at=NOW - 40 * DAY, source="b")
        match(IntentFactory(text="alt text"), artifact, at=NOW - 29 * DAY, source="c")
        match_graph_aggregate(now=NOW)
        artifact.refresh_from_db()
        assert (artifact.times_matched, artifact.times_matched_30d) == (3, 2)
        assert ArtifactMatchStats.objects.get(artifact=artifact).distinct_intents == 2
        untouched.refresh_from_db()
        assert (untouched.times_matched, untouched.times_matched_30d) == (0, 0)

        MatchEvent.objects.all().delete()
        match_graph_aggregate(now=NOW)
        artifact.refresh_from_db()
        assert (artifact.times_matched, artifact.times_matched_30d) == (0, 0)
        assert not ArtifactMatchStats.objects.exists()

    def test_thirty_day_count_moves_with_now(self, intent, artifact):
        match(intent, artifact, at=NOW - 10 * DAY)
        match_graph_aggregate(now=NOW + 25 * DAY)
        artifact.refresh_from_db()
        assert (artifact.times_matched, artifact.times_matched_30d) == (1, 0)

    def test_times_matched_shows_on_the_artifact_page(self, client, intent, artifact):
        for source in range(3):
            match(intent, artifact, source=f"s{source}", at=NOW - source * 20 * DAY)
        match_graph_aggregate(now=NOW)
        html = client.get(Artifact.objects.get(pk=artifact.pk).get_absolute_url()).content
        assert "Chosen in search</span> <strong>3 times</strong>" in html.decode()
        assert "(2 in the last 30 days)" in html.decode()


def test_capability_edge_picks_the_capability_whose_text_matches(intent, artifact):
    CapabilityFactory(artifact=artifact, title="Transcribe speech", position=0)
    captions = CapabilityFactory(artifact=artifact, title="Caption product photos", position=1)
    CapabilityFactory(artifact=artifact, title="Photo albums", position=2)
    match(intent, artifact, position=3, source="a")
    match(intent, artifact, position=1, source="b")
    match_graph_aggregate(now=NOW)
    found = IntentCapabilityEdge.objects.get()
    assert (found.intent, found.capability) == (intent, captions)
    assert found.matches == 2
    assert found.weight == pytest.approx(edge(intent, artifact).weight, abs=1e-6)


def test_no_capability_edge_when_no_capability_explains_the_intent(intent, artifact):
    CapabilityFactory(artifact=artifact, title="Transcribe speech")
    match(intent, artifact)
    match_graph_aggregate(now=NOW)
    assert IntentArtifactEdge.objects.count() == 1
    assert not IntentCapabilityEdge.objects.exists()


def test_co_matches_pair_artifacts_chosen_for_the_same_intents(intent):
    studio, namer, loner = (
        ArtifactFactory(name="Studio"),
        ArtifactFactory(name="Namer"),
        ArtifactFactory(name="Loner"),
    )
    alt_text = IntentFactory(text="alt text")
    match(intent, studio, source="a", position=1)
    match(intent, namer, source="b", position=8)
    match(alt_text, studio, source="c", via="fits")
    match(alt_text, namer, source="d")
    match(IntentFactory(text="transcribe"), loner, source="e")
    match_graph_aggregate(now=NOW)
    pairs = {
        (pair.artifact.name, pair.other.name): (pair.shared_intents, pair.weight)
        for pair in CoMatch.objects.select_related("artifact", "other")
    }
    # Per shared intent the smaller side's weight: min(1, log2 9) + min(2, 1).
    assert pairs == {
        ("Studio", "Namer"): (2, pytest.approx(2.0, abs=1e-6)),
        ("Namer", "Studio"): (2, pytest.approx(2.0, abs=1e-6)),
    }


def test_intent_counts_are_de_duplicated(intent, artifact):
    start = NOW - DAY
    for minutes in [0, 3, 10]:
        SearchEventFactory(
            intent=intent, source_hash="a", created_at=start + dt.timedelta(minutes=minutes)
        )
    SearchEventFactory(intent=intent, source_hash="b", created_at=start)
    SearchEventFactory(intent=intent, source_hash="a", created_at=start + dt.timedelta(hours=2))
    match(intent, artifact, source="a", at=start)
    match(intent, artifact, source="a", at=start + dt.timedelta(minutes=1))
    match_graph_aggregate(now=NOW)
    intent.refresh_from_db()
    assert (intent.search_count, intent.match_count) == (3, 1)


def test_merged_intent_searches_count_for_the_survivor(intent):
    duplicate = IntentFactory(text="captioning photos")
    SearchEventFactory(intent=intent, source_hash="a")
    SearchEventFactory(intent=duplicate, source_hash="b")
    intents_merge(duplicates=[duplicate], into=intent)
    match_graph_aggregate(now=NOW)
    intent.refresh_from_db()
    duplicate.refresh_from_db()
    assert (intent.search_count, duplicate.search_count) == (2, 0)


def test_one_rebuild_at_a_time(intent, artifact):
    """A second worker holding the rebuild makes this run refuse, leaving the graph as it was."""
    from django.db import connections

    from matchgraph.aggregation import AGGREGATION_LOCK, AggregationInProgress
    from matchgraph.tasks import aggregate_match_graph

    MatchEventFactory(intent=intent, artifact=artifact)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [AGGREGATION_LOCK])
        with pytest.raises(AggregationInProgress):
            match_graph_aggregate(now=FROZEN_NOW)
        assert aggregate_match_graph() == {"skipped": "another rebuild was running"}
    finally:
        other.close()
    assert not IntentArtifactEdge.objects.exists()
    assert match_graph_aggregate(now=FROZEN_NOW).artifact_edges == 1  # free again
