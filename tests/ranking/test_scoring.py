"""The rank formula's properties, on the pure functions: no rows, no database."""

import dataclasses
import random
from datetime import date, timedelta

import pytest

from ranking import scoring
from ranking.scoring import RankInputs
from ranking.signals import SIGNALS

TODAY = date(2026, 11, 24)
WEIGHTS = scoring.DEFAULT_WEIGHTS
HALF_LIFE = 180


def full_inputs(artifact_id: int = 1, kind: str = "model", **changes) -> RankInputs:
    base = RankInputs(
        artifact_id=artifact_id,
        kind=kind,
        stars=1_000,
        forks=100,
        downloads_30d=50_000,
        likes=200,
        contributors=20,
        dependents=30,
        docs_pages=12,
        has_examples=True,
        has_changelog=False,
        capabilities=4,
        capability_confidence=2 / 3,
        listing_fields=8,
        links=3,
        orgs_linking_in=1,
        orgs_linked_out=2,
        match_feedback=None,
        last_activity=TODAY - timedelta(days=60),
    )
    return dataclasses.replace(base, **changes)


def peers_of(kind: str = "model", count: int = 12, seed: int = 7) -> list[RankInputs]:
    rng = random.Random(seed)
    return [
        full_inputs(
            artifact_id=100 + index,
            kind=kind,
            stars=rng.choice([None, rng.randint(0, 50_000)]),
            downloads_30d=rng.randint(0, 1_000_000),
            docs_pages=rng.choice([None, rng.randint(0, 200)]),
            capabilities=rng.randint(0, 12),
            listing_fields=rng.randint(0, 13),
            links=rng.randint(0, 6),
            orgs_linking_in=rng.randint(0, 3),
            orgs_linked_out=rng.randint(0, 3),
            last_activity=TODAY - timedelta(days=rng.randint(0, 900)),
        )
        for index in range(count)
    ]


def total_among_peers(row: RankInputs, peers: list[RankInputs]) -> float | None:
    scores = scoring.score_batch(
        [*peers, row], weights=WEIGHTS, today=TODAY, half_life_days=HALF_LIFE
    )
    return scores[row.artifact_id].total


# Monotonic -------------------------------------------------------------------------------

INCREASES = [
    ("stars", 1_000, 90_000),
    ("forks", 100, 5_000),
    ("downloads_30d", 50_000, 5_000_000),
    ("likes", 200, 9_000),
    ("contributors", 20, 800),
    ("dependents", 30, 4_000),
    ("docs_pages", 12, 90),
    ("has_examples", False, True),
    ("has_changelog", False, True),
    ("capabilities", 4, 9),
    ("capability_confidence", 1 / 3, 1.0),
    ("listing_fields", 8, 13),
    ("orgs_linking_in", 1, 5),
    ("orgs_linked_out", 2, 6),
    ("last_activity", TODAY - timedelta(days=400), TODAY - timedelta(days=3)),
]


@pytest.mark.parametrize(("field", "low", "high"), INCREASES, ids=[item[0] for item in INCREASES])
def test_total_never_falls_when_one_input_rises(field, low, high):
    peers = peers_of()
    lower = total_among_peers(full_inputs(**{field: low}), peers)
    higher = total_among_peers(full_inputs(**{field: high}), peers)
    assert higher >= lower


@pytest.mark.parametrize(("field", "low", "high"), INCREASES, ids=[item[0] for item in INCREASES])
def test_raw_signal_rises_strictly_with_its_input(field, low, high):
    before = scoring.raw_values(full_inputs(**{field: low}), today=TODAY, half_life_days=HALF_LIFE)
    after = scoring.raw_values(full_inputs(**{field: high}), today=TODAY, half_life_days=HALF_LIFE)
    changed = [key for key in scoring.SIGNAL_KEYS if before[key] != after[key]]
    assert len(changed) == 1
    assert after[changed[0]] > before[changed[0]]


@pytest.mark.parametrize("key", scoring.SIGNAL_KEYS)
def test_combined_total_is_monotonic_in_each_signal_score(key):
    rng = random.Random(key)
    for _ in range(200):
        scores = {k: rng.choice([None, rng.uniform(0, 100)]) for k in scoring.SIGNAL_KEYS}
        low = rng.uniform(0, 100)
        high = rng.uniform(low, 100)
        lower = scoring.combine({**scores, key: low}, WEIGHTS).total
        higher = scoring.combine({**scores, key: high}, WEIGHTS).total
        assert higher >= lower - 1e-9


def test_percentile_is_monotonic_and_ties_share_the_upper_value():
    peers = [0.0, 1.0, 2.0, 2.0, 5.0, None]
    values = [scoring.percentile(value, peers) for value in (0.0, 1.0, 2.0, 5.0)]
    assert values == sorted(values)
    assert scoring.percentile(2.0, peers) == 4 / 5
    assert scoring.percentile(5.0, peers) == 1.0


# Bounded ---------------------------------------------------------------------------------


def test_everything_stays_within_0_and_100_for_random_directories():
    rng = random.Random(42)
    for round_number in range(20):
        rows = peers_of(kind=rng.choice(["model", "course"]), count=30, seed=round_number)
        rows.append(full_inputs(artifact_id=1, stars=10**12, downloads_30d=10**13))
        rows.append(RankInputs(artifact_id=2, kind="model"))
        weights = {key: rng.choice([0.0, rng.uniform(0, 50)]) for key in scoring.SIGNAL_KEYS}
        results = scoring.score_batch(rows, weights=weights, today=TODAY, half_life_days=HALF_LIFE)
        for result in results.values():
            for value in result.scores.values():
                assert value is None or 0 <= value <= 100
            if result.total is not None:
                assert 0 <= result.total <= 100
                assert 0 <= result.rank <= 100
                assert all(
                    part is None or 0 <= part <= 100 for part in result.combination.parts.values()
                )


# Missing signals -------------------------------------------------------------------------


def test_unknown_signal_is_left_out_and_the_weights_renormalized():
    scores = {
        "adoption": 80.0,
        "quality": 40.0,
        "ecosystem": None,
        "match_graph": None,
        "freshness": None,
    }
    result = scoring.combine(scores, WEIGHTS)
    assert result.total == pytest.approx((35 * 80 + 25 * 40) / (35 + 25))
    assert result.points["ecosystem"] is None
    assert result.parts["ecosystem"] is None
    assert sum(value for value in result.points.values() if value is not None) == pytest.approx(
        result.total
    )


def test_unknown_is_not_zero():
    known = {
        "adoption": 80.0,
        "quality": 40.0,
        "ecosystem": None,
        "match_graph": None,
        "freshness": None,
    }
    zero = {**known, "ecosystem": 0.0}
    assert scoring.combine(zero, WEIGHTS).total < scoring.combine(known, WEIGHTS).total


def test_no_known_signal_means_no_rank_rather_than_zero():
    nothing = RankInputs(artifact_id=1, kind="paper")
    result = scoring.score_batch([nothing], weights=WEIGHTS, today=TODAY, half_life_days=HALF_LIFE)[
        1
    ]
    assert result.total is None
    assert result.rank is None
    assert set(result.scores.values()) == {None}


def test_only_zero_weight_signals_known_means_no_rank():
    weights = {**WEIGHTS, "freshness": 0.0}
    scores = dict.fromkeys(scoring.SIGNAL_KEYS) | {"freshness": 90.0}
    assert scoring.combine(scores, weights).rank is None


def test_match_graph_is_unknown_until_the_match_graph_feeds_it():
    assert scoring.match_graph_raw(full_inputs()) is None


def test_quality_needs_documentation_evidence_beyond_a_complete_listing():
    listing_only = RankInputs(artifact_id=1, kind="tool", listing_fields=13)
    assert scoring.quality_raw(listing_only) is None
    with_docs = dataclasses.replace(listing_only, docs_pages=3)
    assert scoring.quality_raw(with_docs) is not None


def test_ecosystem_is_unknown_without_links_and_counts_inbound_organizations_double():
    assert scoring.ecosystem_raw(RankInputs(artifact_id=1, kind="tool")) is None
    same_org_only = RankInputs(artifact_id=1, kind="tool", links=2)
    assert scoring.ecosystem_raw(same_org_only) == 0.0
    inbound = dataclasses.replace(same_org_only, orgs_linking_in=1)
    outbound = dataclasses.replace(same_org_only, orgs_linked_out=1)
    assert scoring.ecosystem_raw(inbound) == 2 * scoring.ecosystem_raw(outbound)


def test_adoption_averages_only_the_known_counts():
    only_stars = RankInputs(artifact_id=1, kind="repository", stars=100_000)
    assert scoring.adoption_raw(only_stars) == pytest.approx(1.0)
    assert scoring.adoption_raw(RankInputs(artifact_id=1, kind="repository")) is None


# Per-kind normalization ------------------------------------------------------------------


def test_a_course_is_not_judged_by_model_downloads():
    models = [
        RankInputs(artifact_id=index, kind="model", downloads_30d=10_000_000 * index)
        for index in range(1, 6)
    ]
    courses = [
        RankInputs(artifact_id=100 + index, kind="course", downloads_30d=10 * index)
        for index in range(1, 6)
    ]
    results = scoring.score_batch(
        models + courses, weights=WEIGHTS, today=TODAY, half_life_days=HALF_LIFE
    )
    best_course = results[105]
    weakest_model = results[1]
    assert best_course.percentiles["adoption"] == 1.0
    assert weakest_model.percentiles["adoption"] == 0.2
    assert best_course.rank > weakest_model.rank
    # The same course among models would be last.
    mixed = scoring.score_batch(
        [*models, dataclasses.replace(courses[-1], kind="model")],
        weights=WEIGHTS,
        today=TODAY,
        half_life_days=HALF_LIFE,
    )
    assert mixed[105].scores["adoption"] < best_course.scores["adoption"]


def test_nothing_at_all_scores_zero_even_when_most_of_the_kind_has_nothing():
    rows = [RankInputs(artifact_id=index, kind="tool", links=1) for index in range(9)]
    rows.append(RankInputs(artifact_id=99, kind="tool", links=1, orgs_linking_in=1))
    results = scoring.score_batch(rows, weights=WEIGHTS, today=TODAY, half_life_days=HALF_LIFE)
    assert results[0].scores["ecosystem"] == 0.0
    assert results[99].scores["ecosystem"] == 100.0


# Freshness -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age_days", "expected"), [(0, 100.0), (180, 50.0), (360, 25.0), (-30, 100.0)]
)
def test_freshness_halves_every_half_life(age_days, expected):
    score = scoring.freshness_score(
        TODAY - timedelta(days=age_days), today=TODAY, half_life_days=180
    )
    assert score == pytest.approx(expected)


def test_freshness_without_any_date_is_unknown():
    assert scoring.freshness_score(None, today=TODAY, half_life_days=180) is None


def test_freshness_is_not_rescaled_within_the_kind():
    rows = [
        RankInputs(artifact_id=1, kind="paper", last_activity=TODAY - timedelta(days=180)),
        RankInputs(artifact_id=2, kind="paper", last_activity=TODAY - timedelta(days=360)),
    ]
    results = scoring.score_batch(rows, weights=WEIGHTS, today=TODAY, half_life_days=180)
    assert results[1].scores["freshness"] == pytest.approx(50.0)
    assert results[1].percentiles["freshness"] == 1.0


# Displayed points ------------------------------------------------------------------------


def test_displayed_parts_always_add_up_to_the_rank():
    rng = random.Random(2026)
    for _ in range(2_000):
        scores = {
            key: rng.choice([None, rng.uniform(0, 100), 100.0, 0.0]) for key in scoring.SIGNAL_KEYS
        }
        weights = {key: rng.choice([0.0, 10.0, rng.uniform(0, 40)]) for key in scoring.SIGNAL_KEYS}
        result = scoring.combine(scores, weights)
        if result.rank is None:
            continue
        parts = [part for part in result.parts.values() if part is not None]
        assert sum(parts) == result.rank
        for key, part in result.parts.items():
            if part is not None:
                assert abs(part - result.points[key]) < 1


def test_displayed_parts_give_leftover_points_to_the_largest_remainders():
    points = {
        "adoption": 33.4,
        "quality": 33.3,
        "ecosystem": 33.3,
        "match_graph": None,
        "freshness": None,
    }
    assert scoring.displayed_parts(points, rank=100) == {
        "adoption": 34,
        "quality": 33,
        "ecosystem": 33,
        "match_graph": None,
        "freshness": None,
    }


def test_rank_rounds_half_up():
    assert scoring.round_half_up(72.5) == 73
    assert scoring.round_half_up(72.49) == 72


# Badges ----------------------------------------------------------------------------------


def test_badge_needs_the_threshold_percentile_of_its_kind():
    assert scoring.has_badge(0.8, threshold=0.8)
    assert not scoring.has_badge(0.79, threshold=0.8)
    assert not scoring.has_badge(None, threshold=0.8)
    assert not scoring.has_badge(0.0, threshold=0.0)


def test_top_fifth_of_a_kind_gets_the_adoption_badge():
    rows = [
        RankInputs(artifact_id=index, kind="model", stars=index * 100) for index in range(1, 11)
    ]
    results = scoring.score_batch(rows, weights=WEIGHTS, today=TODAY, half_life_days=HALF_LIFE)
    badged = sorted(key for key, result in results.items() if result.badges["adoption"])
    assert badged == [8, 9, 10]


# Recompute one ---------------------------------------------------------------------------


def test_placing_one_artifact_matches_scoring_the_whole_directory():
    peers = peers_of(count=20)
    row = full_inputs(artifact_id=1)
    batch = scoring.score_batch(
        [*peers, row], weights=WEIGHTS, today=TODAY, half_life_days=HALF_LIFE
    )
    peer_raws = {
        key: [
            scoring.raw_values(peer, today=TODAY, half_life_days=HALF_LIFE)[key] for peer in peers
        ]
        for key in scoring.SIGNAL_KEYS
    }
    placed = scoring.place_in_distribution(
        row, peers=peer_raws, weights=WEIGHTS, today=TODAY, half_life_days=HALF_LIFE
    )
    assert placed.scores == batch[1].scores
    assert placed.total == batch[1].total


# Explanations ----------------------------------------------------------------------------


def test_every_signal_explains_itself_in_plain_words():
    for signal in SIGNALS:
        assert signal.name and signal.description and signal.inputs and signal.maximum == 100
        assert signal.reads and signal.as_of and signal.unknown
        assert "Unknown" in scoring.explain(
            signal.key, score=None, kind_plural="models", half_life_days=180
        )
        assert "72 of 100" in scoring.explain(
            signal.key, score=72.4, kind_plural="models", half_life_days=180, pct=0.72, peers=25
        )


def test_a_within_kind_explanation_says_among_how_many_and_when_it_was_drawn_in():
    many = scoring.explain(
        "quality", score=72.0, kind_plural="models", half_life_days=180, pct=0.72, peers=25
    )
    assert many == (
        "Scores 72 of 100: level with or ahead of 18 of the 25 models with a known "
        "documentation signal."
    )
    alone = scoring.explain(
        "quality", score=55.0, kind_plural="prompts", half_life_days=180, pct=1.0, peers=1
    )
    assert "the only one of the prompts" in alone
    assert "drawn toward the middle (50)" in alone


# Small kinds -----------------------------------------------------------------------------


def test_a_standing_among_few_peers_is_drawn_toward_the_middle():
    assert scoring.standing(1.0, peers=1) == pytest.approx(0.55)
    assert scoring.standing(1.0, peers=5) == pytest.approx(0.75)
    assert scoring.standing(1.0, peers=scoring.FULL_KIND_PEERS) == 1.0
    assert scoring.standing(0.2, peers=5) == pytest.approx(0.35)
    assert scoring.standing(0.0, peers=1) == 0.0  # nothing at all stays nothing
    assert scoring.standing(None, peers=3) is None


def test_a_standing_keeps_the_order_within_a_kind_and_grows_with_the_peers():
    for peers in range(1, 15):
        values = [scoring.standing(pct, peers=peers) for pct in (0.1, 0.4, 0.5, 0.8, 1.0)]
        assert values == sorted(values)
    best = [scoring.standing(1.0, peers=peers) for peers in range(1, 15)]
    assert best == sorted(best)


def test_the_only_artifact_of_its_kind_does_not_outrank_the_best_of_a_full_kind():
    models = peers_of(kind="model", count=12)
    best_model = full_inputs(artifact_id=1, stars=10**6, downloads_30d=10**9, docs_pages=300)
    lone_prompt = full_inputs(artifact_id=2, kind="prompt", stars=10**6, downloads_30d=10**9)
    results = scoring.score_batch(
        [*models, best_model, lone_prompt], weights=WEIGHTS, today=TODAY, half_life_days=HALF_LIFE
    )
    prompt, model = results[2], results[1]
    assert prompt.percentiles["adoption"] == 1.0  # the best prompt, by itself
    assert prompt.peers["adoption"] == 1
    assert prompt.scores["adoption"] == pytest.approx(55.0)
    assert model.scores["adoption"] == 100.0
    assert prompt.rank < model.rank
    assert not any(prompt.badges.values())


def test_badges_need_enough_peers_to_be_a_top_tier():
    few = [RankInputs(artifact_id=index, kind="agent", stars=index * 100) for index in range(1, 6)]
    results = scoring.score_batch(few, weights=WEIGHTS, today=TODAY, half_life_days=HALF_LIFE)
    assert not any(result.badges["adoption"] for result in results.values())
