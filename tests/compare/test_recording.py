"""Opening a comparison is a co-match in the match graph: recorded as a ComparisonEvent (no
personal data), then folded into CoMatch weight by the aggregation, once per source per 30
minutes, like match events."""

import datetime as dt

import pytest

from matchgraph.aggregation import NETWORK_ALLOWANCE, match_graph_aggregate
from matchgraph.models import CoMatch, ComparisonEvent
from matchgraph.selectors import artifact_neighbours
from matchgraph.services import comparison_record
from matchgraph.tasks import record_comparison
from tests.catalog.factories import ArtifactFactory
from tests.conftest import FROZEN_NOW
from tests.matchgraph.factories import IntentFactory, MatchEventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def trio():
    return [
        ArtifactFactory(name="Alpha", kind="tool"),
        ArtifactFactory(name="Beta", kind="dataset"),
        ArtifactFactory(name="Gamma", kind="model"),
    ]


def compared(*artifacts, source="visitor-1", minutes_ago=0):
    ComparisonEvent.objects.create(
        artifact_ids=sorted(artifact.pk for artifact in artifacts),
        source_hash=source,
        created_at=FROZEN_NOW - dt.timedelta(minutes=minutes_ago),
    )


def weights() -> dict[tuple[int, int], tuple[int, float]]:
    return {
        (row.artifact_id, row.other_id): (row.shared_intents, round(row.weight, 4))
        for row in CoMatch.objects.all()
    }


def test_record_keeps_sorted_unique_ids_and_no_personal_data(trio):
    alpha, beta, _ = trio
    event = comparison_record(artifact_ids=[beta.pk, alpha.pk, beta.pk], source_hash="abc")
    assert event.artifact_ids == sorted([alpha.pk, beta.pk])
    assert event.created_at == FROZEN_NOW
    assert {field.name for field in ComparisonEvent._meta.fields} == {
        "id",
        "artifact_ids",
        "source_hash",
        "network_hash",
        "created_at",
    }


@pytest.mark.parametrize("ids", [[], [1], list(range(1, 8))])
def test_record_refuses_fewer_than_two_or_more_than_six(trio, ids):
    assert comparison_record(artifact_ids=ids, source_hash="abc") is None
    assert not ComparisonEvent.objects.exists()


def test_record_refuses_unknown_artifacts(trio):
    assert comparison_record(artifact_ids=[trio[0].pk, 987654], source_hash="abc") is None


def test_the_task_calls_the_service(trio):
    record_comparison.delay(artifact_ids=[trio[0].pk, trio[1].pk], source_hash="abc")
    assert ComparisonEvent.objects.count() == 1


def test_a_compared_pair_becomes_a_co_match_both_ways(trio):
    alpha, beta, _ = trio
    compared(alpha, beta)
    match_graph_aggregate(now=FROZEN_NOW)
    assert weights() == {(alpha.pk, beta.pk): (0, 1.0), (beta.pk, alpha.pk): (0, 1.0)}
    assert [item.artifact for item in artifact_neighbours(artifact=alpha).related] == [beta]


def test_repeats_from_one_source_the_same_day_count_once(trio):
    alpha, beta, _ = trio
    # Three openings by one visitor the same day, in either order.
    compared(alpha, beta, minutes_ago=0)
    compared(alpha, beta, minutes_ago=0)
    compared(beta, alpha, minutes_ago=240)
    match_graph_aggregate(now=FROZEN_NOW)
    assert weights()[(alpha.pk, beta.pk)] == (0, pytest.approx(1.0, abs=0.01))


def test_other_sources_and_later_days_add_weight(trio):
    alpha, beta, _ = trio
    compared(alpha, beta, source="one")
    compared(alpha, beta, source="two")
    compared(alpha, beta, source="one", minutes_ago=24 * 60)
    match_graph_aggregate(now=FROZEN_NOW)
    shared, weight = weights()[(alpha.pk, beta.pk)]
    assert shared == 0
    assert weight == pytest.approx(3.0, abs=0.03)  # decay over a day is small


def test_one_network_counts_as_a_few_comparers(trio):
    alpha, beta, _ = trio
    for address in range(10):
        ComparisonEvent.objects.create(
            artifact_ids=sorted([alpha.pk, beta.pk]),
            source_hash=f"address-{address}",
            network_hash="one-block",
            created_at=FROZEN_NOW,
        )
    match_graph_aggregate(now=FROZEN_NOW)
    assert weights()[(alpha.pk, beta.pk)][1] == pytest.approx(NETWORK_ALLOWANCE)


def test_a_grid_counts_for_every_pair_in_it(trio):
    alpha, beta, gamma = trio
    compared(alpha, beta, gamma)
    match_graph_aggregate(now=FROZEN_NOW)
    assert set(weights()) == {(a.pk, b.pk) for a in trio for b in trio if a.pk != b.pk}


def test_a_pair_opened_alone_and_in_a_grid_counts_once_per_day(trio):
    alpha, beta, gamma = trio
    compared(alpha, beta)
    compared(alpha, beta, gamma)
    match_graph_aggregate(now=FROZEN_NOW)
    assert weights()[(alpha.pk, beta.pk)] == (0, 1.0)


def test_old_comparisons_decay(trio):
    alpha, beta, _ = trio
    compared(alpha, beta, minutes_ago=90 * 24 * 60)  # one half-life ago
    match_graph_aggregate(now=FROZEN_NOW)
    assert weights()[(alpha.pk, beta.pk)][1] == pytest.approx(0.5, abs=0.001)


def test_deleted_artifacts_leave_no_pair(trio):
    alpha, beta, _ = trio
    compared(alpha, beta)
    beta.delete()
    match_graph_aggregate(now=FROZEN_NOW)
    assert weights() == {}


def test_comparisons_add_to_intent_co_matches(trio):
    alpha, beta, _ = trio
    intent = IntentFactory(text="label images")
    for index, artifact in enumerate((alpha, beta)):
        MatchEventFactory(intent=intent, artifact=artifact, position=None, source_hash=f"s{index}")
    match_graph_aggregate(now=FROZEN_NOW)
    shared, only_intents = weights()[(alpha.pk, beta.pk)]
    assert shared == 1

    compared(alpha, beta)
    match_graph_aggregate(now=FROZEN_NOW)
    shared, with_comparison = weights()[(alpha.pk, beta.pk)]
    assert shared == 1  # still the count of shared intents
    assert with_comparison == pytest.approx(only_intents + 1.0, abs=0.001)
