"""A capability's confidence as every page shows it: the curated level, raised one level when
enough distinct searchers' choices confirm it."""

from matchgraph.selectors import CONFIRMATION_CLIENTS, CapabilityEvidence, confirmed_confidence


def evidence(clients: int) -> CapabilityEvidence:
    return CapabilityEvidence(distinct_intents=1, distinct_clients=clients, matches=clients)


def test_enough_distinct_searchers_raise_the_level_by_one():
    enough = evidence(CONFIRMATION_CLIENTS)
    assert confirmed_confidence(confidence="low", evidence=enough) == "medium"
    assert confirmed_confidence(confidence="medium", evidence=enough) == "high"
    assert confirmed_confidence(confidence="high", evidence=enough) == "high"


def test_too_few_searchers_or_none_leave_it_as_curated():
    few = evidence(CONFIRMATION_CLIENTS - 1)
    assert confirmed_confidence(confidence="medium", evidence=few) == "medium"
    assert confirmed_confidence(confidence="low", evidence=None) == "low"
