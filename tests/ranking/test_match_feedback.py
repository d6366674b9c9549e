"""The match graph feeds UnfragileRank: choices count, never-shown stays unknown."""

import pytest

from matchgraph.aggregation import match_graph_aggregate
from matchgraph.models import MIN_CLIENTS_FOR_FEEDBACK
from matchgraph.services import match_record, search_record
from ranking import services
from ranking.models import RankScore
from tests.catalog.factories import ArtifactFactory, SignalsFactory
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db


def current_score(artifact) -> RankScore:
    return RankScore.objects.get(artifact=artifact, run__is_current=True)


@pytest.fixture
def three_models():
    chosen, ignored, unseen = (
        ArtifactFactory(name=name, organization=name) for name in ("Chosen", "Ignored", "Unseen")
    )
    for artifact in (chosen, ignored, unseen):
        SignalsFactory(artifact=artifact, stars=500, downloads_30d=1000)
    for visitor in range(MIN_CLIENTS_FOR_FEEDBACK):
        search_record(
            query="caption photos",
            shown_artifact_ids=[chosen.pk, ignored.pk],
            source_hash=f"visitor-{visitor}",
            at=FROZEN_NOW,
        )
    for visitor in range(MIN_CLIENTS_FOR_FEEDBACK):
        match_record(
            query="caption photos",
            artifact_id=chosen.pk,
            via="click",
            source_hash=f"visitor-{visitor}",
            position=2,
            at=FROZEN_NOW,
        )
    match_graph_aggregate(now=FROZEN_NOW)
    services.rank_recompute_all(now=FROZEN_NOW)
    return chosen, ignored, unseen


def test_an_artifact_people_choose_scores_higher_on_match_graph(three_models):
    chosen, ignored, _ = three_models
    assert current_score(chosen).match_graph > current_score(ignored).match_graph


def test_shown_but_never_chosen_is_zero_not_unknown(three_models):
    _, ignored, _ = three_models
    assert current_score(ignored).match_graph_raw == 0


def test_never_shown_is_unknown(three_models):
    _, _, unseen = three_models
    assert current_score(unseen).match_graph is None


def test_match_feedback_lifts_the_total_between_otherwise_equal_artifacts(three_models):
    chosen, ignored, _ = three_models
    assert current_score(chosen).rank > current_score(ignored).rank


def test_fewer_distinct_clients_than_the_minimum_is_no_feedback():
    """Shown to two clients is unknown; chosen by two (of three shown) is a real 0."""
    few, some = (ArtifactFactory(name=name, organization=name) for name in ("Few", "Some"))
    for artifact in (few, some):
        SignalsFactory(artifact=artifact, stars=500, downloads_30d=1000)
    for visitor in range(MIN_CLIENTS_FOR_FEEDBACK - 1):
        search_record(
            query="caption", shown_artifact_ids=[few.pk], source_hash=f"v{visitor}", at=FROZEN_NOW
        )
    for visitor in range(MIN_CLIENTS_FOR_FEEDBACK):
        search_record(
            query="caption", shown_artifact_ids=[some.pk], source_hash=f"w{visitor}", at=FROZEN_NOW
        )
    for visitor in range(MIN_CLIENTS_FOR_FEEDBACK - 1):
        match_record(
            query="caption",
            artifact_id=some.pk,
            via="fits",
            source_hash=f"w{visitor}",
            at=FROZEN_NOW,
        )
    match_graph_aggregate(now=FROZEN_NOW)
    services.rank_recompute_all(now=FROZEN_NOW)
    assert current_score(few).match_graph is None
    assert current_score(some).match_graph_raw == 0
