"""UnfragileRank arithmetic: pure functions, no database, no Django.

This module is the reference for the formula. `ranking/sql.py` runs the same arithmetic
set-based in PostgreSQL for every artifact at once; a test checks that both agree.

    signal score sᵢ  0–100, or None (unknown)
    total            Σ wᵢ·sᵢ / Σ wᵢ   over the *known* signals only
    points           wᵢ·sᵢ / Σ wᵢ(known): what each signal adds; the points add up to the total
    rank             the total rounded half up; the displayed integer points add up to it

Per signal:

* adoption    — each known count (stars, 30-day downloads, likes, dependents, forks,
                contributors) on a log scale against a reference size, averaged; then the
                percentile within the artifact's kind.
* quality     — docs pages (log scale), examples, changelog, capabilities decomposed (log
                scale) and their confidence, averaged with the listing's completeness (which
                fields are present, never what they say); then the percentile within the kind.
* ecosystem   — distinct *other* organizations linking to it (count double) plus distinct other
                organizations it links to; self-links and same-organization links add nothing;
                then the percentile within the kind.
* match graph — what searchers choose (read from the match graph); percentile within the kind.
* freshness   — 100 × 0.5^(age / half-life) of the latest of updated / last commit / released.
                Not re-ranked within the kind: a percentile of a decay curve is the percentile of
                the age, which would erase the half-life.

Percentile ("cume_dist"): the share of the kind's artifacts with a known value that are at or
below this one. A raw value of zero (nothing at all) scores 0.

Standing: the percentile, drawn toward the middle (0.5) when fewer than FULL_KIND_PEERS of the
kind have a known value, in proportion to how few: 0.5 + (pct − 0.5) × min(1, peers / 10).
Being the best of one says nothing, so the only prompt in the directory stands at 55, not 100;
the best of ten or more scores 100. The score is 100 × standing, and badges need the standing.
A rank is a standing within the artifact's kind, never a comparison with other kinds.
Unknown is not zero: an unknown signal is left out and the other weights are renormalized. An
artifact with no known signal gets no rank at all.

Never inputs: pricing, free tier, plans, claim state, verification, or the wording of the
listing. Nothing a builder can pay for or type moves the rank.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ranking.signals import PERCENTILE_SIGNALS, SIGNAL_KEYS, SIGNALS_BY_KEY

# A kind needs this many artifacts with a known value before a percentile among them is
# taken at face value; with fewer, the standing is drawn toward the middle (see `standing`).
FULL_KIND_PEERS = 10

# Log-scale reference sizes: a count this large scores 1.0 on its own scale, so stars and
# downloads (which differ by orders of magnitude) average on equal terms. Counts beyond the
# reference keep rising, just more slowly.
ADOPTION_REFERENCES: dict[str, int] = {
    "stars": 100_000,
    "downloads_30d": 10_000_000,
    "likes": 10_000,
    "dependents": 10_000,
    "forks": 10_000,
    "contributors": 1_000,
}
DOCS_PAGES_REFERENCE = 100
CAPABILITIES_REFERENCE = 10
# Curated confidence of each capability: high 3, medium 2, low 1 (out of 3).
CONFIDENCE_POINTS: dict[str, int] = {"high": 3, "medium": 2, "low": 1}

# Listing completeness counts *presence* only. Excluded on purpose: pricing (model, free tier,
# plans), claim and verification, and free text (summary, about), so neither paying, claiming
# nor rewording a listing can move it.
LISTING_FIELDS: tuple[str, ...] = (
    "homepage",
    "repository_url",
    "docs_url",
    "license",
    "categories",
    "inputs",
    "outputs",
    "best_for",
    "limitations",
    "requirements",
    "details",
    "released",
    "sources",
)

# Organizations linking in count double: someone else chose to build on this artifact.
ECOSYSTEM_IN_WEIGHT = 2
ECOSYSTEM_OUT_WEIGHT = 1

DEFAULT_WEIGHTS: dict[str, float] = {
    "adoption": 35.0,
    "quality": 25.0,
    "ecosystem": 15.0,
    "match_graph": 10.0,
    "freshness": 15.0,
}
DEFAULT_HALF_LIFE_DAYS = 180
DEFAULT_BADGE_PERCENTILE = 0.8


@dataclass(frozen=True)
class RankInputs:
    """Everything the rank reads about one artifact. None means unknown."""

    artifact_id: int
    kind: str
    stars: int | None = None
    forks: int | None = None
    downloads_30d: int | None = None
    likes: int | None = None
    contributors: int | None = None
    dependents: int | None = None
    docs_pages: int | None = None
    has_examples: bool | None = None
    has_changelog: bool | None = None
    capabilities: int = 0
    capability_confidence: float | None = None
    listing_fields: int = 0
    links: int = 0
    orgs_linking_in: int = 0
    orgs_linked_out: int = 0
    match_feedback: float | None = None
    last_activity: date | None = None


@dataclass(frozen=True)
class Combination:
    total: float | None
    rank: int | None
    points: dict[str, float | None]
    parts: dict[str, int | None]


@dataclass(frozen=True)
class ArtifactScore:
    artifact_id: int
    kind: str
    raw: dict[str, float | None]
    percentiles: dict[str, float | None]
    peers: dict[str, int]
    scores: dict[str, float | None]
    badges: dict[str, bool]
    combination: Combination = field(repr=False)

    @property
    def total(self) -> float | None:
        return self.combination.total

    @property
    def rank(self) -> int | None:
        return self.combination.rank


def log_scaled(value: float, reference: float) -> float:
    """ln(1 + value) / ln(1 + reference): 0 for nothing, 1 at the reference size."""
    return math.log(1 + max(value, 0)) / math.log(1 + reference)


def adoption_raw(inputs: RankInputs) -> float | None:
    terms = [
        log_scaled(value, reference)
        for name, reference in ADOPTION_REFERENCES.items()
        if (value := getattr(inputs, name)) is not None
    ]
    return sum(terms) / len(terms) if terms else None


def quality_raw(inputs: RankInputs) -> float | None:
    """Mean of the known documentation components, with listing completeness alongside.

    Completeness alone is no evidence of documentation, so without any documentation
    component (docs pages, examples, changelog, decomposed capabilities) quality is unknown."""
    terms: list[float] = []
    if inputs.docs_pages is not None:
        terms.append(min(1.0, log_scaled(inputs.docs_pages, DOCS_PAGES_REFERENCE)))
    if inputs.has_examples is not None:
        terms.append(1.0 if inputs.has_examples else 0.0)
    if inputs.has_changelog is not None:
        terms.append(1.0 if inputs.has_changelog else 0.0)
    if inputs.capabilities > 0:
        terms.append(min(1.0, log_scaled(inputs.capabilities, CAPABILITIES_REFERENCE)))
        if inputs.capability_confidence is not None:
            terms.append(inputs.capability_confidence)
    if not terms:
        return None
    terms.append(inputs.listing_fields / len(LISTING_FIELDS))
    return sum(terms) / len(terms)


def ecosystem_raw(inputs: RankInputs) -> float | None:
    """Unknown without any link; otherwise distinct other organizations, inbound counted double."""
    if inputs.links <= 0:
        return None
    return float(
        ECOSYSTEM_IN_WEIGHT * inputs.orgs_linking_in + ECOSYSTEM_OUT_WEIGHT * inputs.orgs_linked_out
    )


def match_graph_raw(inputs: RankInputs) -> float | None:
    return inputs.match_feedback


def freshness_score(
    last_activity: date | None, *, today: date, half_life_days: float
) -> float | None:
    """100 for activity today, 50 one half-life ago, 25 two half-lives ago; None without a date.
    Dates in the future count as today."""
    if last_activity is None:
        return None
    age_days = max((today - last_activity).days, 0)
    return 100.0 * math.pow(0.5, age_days / half_life_days)


def raw_values(
    inputs: RankInputs, *, today: date, half_life_days: float
) -> dict[str, float | None]:
    """Each signal's raw value; freshness is already a 0–100 score."""
    return {
        "adoption": adoption_raw(inputs),
        "quality": quality_raw(inputs),
        "ecosystem": ecosystem_raw(inputs),
        "match_graph": match_graph_raw(inputs),
        "freshness": freshness_score(
            inputs.last_activity, today=today, half_life_days=half_life_days
        ),
    }


def percentile(value: float | None, peers: Sequence[float | None]) -> float | None:
    """Share (0–1) of the known peer values at or below `value` (`peers` includes the value
    itself), PostgreSQL's cume_dist(). A value of zero or less — nothing at all — is 0."""
    if value is None:
        return None
    if value <= 0:
        return 0.0
    known = [peer for peer in peers if peer is not None]
    if not known:
        return 1.0
    return sum(1 for peer in known if peer <= value) / len(known)


def known_count(values: Iterable[float | None]) -> int:
    """How many of a kind's values are known: the peers a percentile is taken among."""
    return sum(1 for value in values if value is not None)


def standing(pct: float | None, *, peers: int) -> float | None:
    """The percentile drawn toward the middle in proportion to how few peers (known values of
    the kind, itself included) it was taken among; nothing at all (0) stays 0."""
    if pct is None:
        return None
    if pct <= 0:
        return 0.0
    trust = min(1.0, peers / FULL_KIND_PEERS)
    return 0.5 + (pct - 0.5) * trust


def signal_score(key: str, *, raw: float | None, standing: float | None) -> float | None:
    """The 0–100 score shown for a signal: the standing in its kind, or freshness as it is."""
    if key in PERCENTILE_SIGNALS:
        return None if standing is None else 100.0 * standing
    return raw


def has_badge(share: float | None, *, threshold: float) -> bool:
    """Top tier of its kind: a standing at or above the threshold, and above nothing."""
    return share is not None and share > 0 and share >= threshold


def combine(scores: Mapping[str, float | None], weights: Mapping[str, float]) -> Combination:
    """Weighted mean over the known signals, and each signal's share of it."""
    weight_sum = 0.0
    for key in SIGNAL_KEYS:
        if scores.get(key) is not None:
            weight_sum += float(weights[key])
    if weight_sum <= 0:
        return Combination(
            total=None,
            rank=None,
            points=dict.fromkeys(SIGNAL_KEYS),
            parts=dict.fromkeys(SIGNAL_KEYS),
        )
    points: dict[str, float | None] = {}
    for key in SIGNAL_KEYS:
        score = scores.get(key)
        points[key] = None if score is None else float(weights[key]) * score / weight_sum
    summed = 0.0
    for key in SIGNAL_KEYS:
        if points[key] is not None:
            summed += points[key]
    total = min(100.0, max(0.0, summed))
    rank = round_half_up(total)
    return Combination(
        total=total, rank=rank, points=points, parts=displayed_parts(points, rank=rank)
    )


def round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def displayed_parts(points: Mapping[str, float | None], *, rank: int) -> dict[str, int | None]:
    """Whole points per signal that add up to `rank` exactly (largest remainder method):
    round every part down, then give the missing units to the largest remainders, ties to the
    signal listed first."""
    floors = {
        key: math.floor(value) for key in SIGNAL_KEYS if (value := points.get(key)) is not None
    }
    remainders = {key: points[key] - floors[key] for key in floors}
    missing = rank - sum(floors.values())
    order = sorted(floors, key=lambda key: (-remainders[key], SIGNAL_KEYS.index(key)))
    lucky = set(order[: max(missing, 0)])
    return {
        key: (floors[key] + (1 if key in lucky else 0)) if key in floors else None
        for key in SIGNAL_KEYS
    }


def score_batch(
    rows: Iterable[RankInputs],
    *,
    weights: Mapping[str, float],
    today: date,
    half_life_days: float,
    badge_percentile: float = DEFAULT_BADGE_PERCENTILE,
) -> dict[int, ArtifactScore]:
    """Score a whole directory: the reference for what `ranking.sql` computes set-based."""
    rows = list(rows)
    raws = {
        row.artifact_id: raw_values(row, today=today, half_life_days=half_life_days) for row in rows
    }
    peers: dict[tuple[str, str], list[float | None]] = {}
    for row in rows:
        for key in SIGNAL_KEYS:
            peers.setdefault((row.kind, key), []).append(raws[row.artifact_id][key])
    results: dict[int, ArtifactScore] = {}
    for row in rows:
        raw = raws[row.artifact_id]
        pcts = {key: percentile(raw[key], peers[(row.kind, key)]) for key in SIGNAL_KEYS}
        counts = {key: known_count(peers[(row.kind, key)]) for key in SIGNAL_KEYS}
        results[row.artifact_id] = score_one(
            row,
            raw=raw,
            percentiles=pcts,
            peers=counts,
            weights=weights,
            badge_percentile=badge_percentile,
        )
    return results


def score_one(
    row: RankInputs,
    *,
    raw: Mapping[str, float | None],
    percentiles: Mapping[str, float | None],
    peers: Mapping[str, int],
    weights: Mapping[str, float],
    badge_percentile: float,
) -> ArtifactScore:
    standings = {key: standing(percentiles[key], peers=peers[key]) for key in SIGNAL_KEYS}
    scores = {key: signal_score(key, raw=raw[key], standing=standings[key]) for key in SIGNAL_KEYS}
    return ArtifactScore(
        artifact_id=row.artifact_id,
        kind=row.kind,
        raw=dict(raw),
        percentiles=dict(percentiles),
        peers=dict(peers),
        scores=scores,
        badges={key: has_badge(standings[key], threshold=badge_percentile) for key in SIGNAL_KEYS},
        combination=combine(scores, weights),
    )


def place_in_distribution(
    row: RankInputs,
    *,
    peers: Mapping[str, Sequence[float | None]],
    weights: Mapping[str, float],
    today: date,
    half_life_days: float,
    badge_percentile: float = DEFAULT_BADGE_PERCENTILE,
) -> ArtifactScore:
    """Score one artifact against an existing ranking's raw values of its kind (`peers`, per
    signal, without the artifact itself): what recomputing one artifact after an edit does."""
    raw = raw_values(row, today=today, half_life_days=half_life_days)
    kind_values = {key: [*peers.get(key, ()), raw[key]] for key in SIGNAL_KEYS}
    return score_one(
        row,
        raw=raw,
        percentiles={key: percentile(raw[key], kind_values[key]) for key in SIGNAL_KEYS},
        peers={key: known_count(kind_values[key]) for key in SIGNAL_KEYS},
        weights=weights,
        badge_percentile=badge_percentile,
    )


def explain(
    key: str,
    *,
    score: float | None,
    kind_plural: str,
    half_life_days: float,
    pct: float | None = None,
    peers: int = 0,
) -> str:
    """One sentence on why a signal scores what it does (`pct` and `peers`: its percentile
    in its kind and how many of the kind it was taken among)."""
    signal = SIGNALS_BY_KEY[key]
    name = signal.name.lower()
    if score is None:
        return (
            f"Unknown: we have nothing to measure {name} by, so this signal is "
            "left out and the other weights are scaled up to fill its place."
        )
    shown = round_half_up(score)
    if not signal.within_kind:
        return (
            f"Scores {shown} of 100: its value halves every {half_life_days:g} days since its "
            "latest activity."
        )
    if shown == 0:
        return f"Scores 0 of 100: nothing counts toward {name} yet."
    if pct is None or peers <= 0:
        return f"Scores {shown} of 100 among {kind_plural} with a known {name} signal."
    if peers == 1:
        place = f"the only one of the {kind_plural} with a known {name} signal"
    else:
        ahead = round_half_up(pct * peers)
        place = (
            f"level with or ahead of {ahead} of the {peers} {kind_plural} "
            f"with a known {name} signal"
        )
    if peers < FULL_KIND_PEERS:
        return (
            f"Scores {shown} of 100: {place}. With fewer than {FULL_KIND_PEERS} to compare "
            "with, the score is drawn toward the middle (50)."
        )
    return f"Scores {shown} of 100: {place}."
