"""The five rank signals: the one place that says what each is called, what it measures,
what it reads and as of when. The formula (`ranking.scoring`), the SQL, the pages, the
admin and the comparisons all read these; none spells a signal's name again.

Pure data, no Django: the stored field names (`quality`, `quality_part`, …) are the keys and
never change; only what people read does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignalInput:
    """One stored input a signal reads, as the breakdown lists it: `field` is a `RankScore`
    column and `reading` names how `ranking.selectors` puts its value into words."""

    label: str
    field: str
    reading: str = "count"


@dataclass(frozen=True)
class Signal:
    key: str
    # What people read: named for what the signal measures.
    name: str
    description: str
    inputs: str
    reads: tuple[SignalInput, ...]
    # When its inputs were read; `{signals_read}` is the day the external counts were read,
    # `{computed}` the day of the ranking.
    as_of: str
    # What to say when the signal is unknown for an artifact.
    unknown: str
    # Ranked among artifacts of the same kind (a percentile), or on its own.
    within_kind: bool
    maximum: int = 100


SIGNALS: tuple[Signal, ...] = (
    Signal(
        key="adoption",
        name="Adoption",
        description="How widely it is used, compared with artifacts of the same kind.",
        inputs="GitHub stars, downloads in the last 30 days, likes, dependents, forks and "
        "contributors, each on a log scale; only the numbers we could read count.",
        reads=(
            SignalInput("GitHub stars", "stars"),
            SignalInput("Downloads (30 days)", "downloads_30d"),
            SignalInput("Likes", "likes"),
            SignalInput("Dependents", "dependents"),
            SignalInput("Forks", "forks"),
            SignalInput("Contributors", "contributors"),
        ),
        as_of="Read on {signals_read}.",
        unknown="No usage figures",
        within_kind=True,
    ),
    Signal(
        key="quality",
        name="Documentation",
        description="How well it is documented and described, compared with its kind. It "
        "says nothing about how well the artifact does its job.",
        inputs="Documentation pages, whether it has examples and a changelog, how many "
        "capabilities it was decomposed into and their confidence, and how complete the "
        "listing is (which facts are present — never what the text says).",
        reads=(
            SignalInput("Documentation pages", "docs_pages"),
            SignalInput("Examples", "has_examples", "yes_no"),
            SignalInput("Changelog", "has_changelog", "yes_no"),
            SignalInput("Capabilities decomposed", "capabilities", "count_or_none_yet"),
            SignalInput("Capability confidence", "capability_confidence", "confidence"),
            SignalInput("Listing completeness", "listing_fields", "listing"),
        ),
        as_of="Docs, examples and changelog read on {signals_read}; capabilities and listing "
        "as of {computed}.",
        unknown="No documentation read",
        within_kind=True,
    ),
    Signal(
        key="ecosystem",
        name="Connections",
        description="How connected it is to the rest of the directory, compared with its kind.",
        inputs="Distinct other organizations whose artifacts link to it (counted double) and "
        "distinct other organizations it links to. Links to itself or within its own "
        "organization add nothing.",
        reads=(
            SignalInput("Links (not to itself)", "links"),
            SignalInput("Other organizations linking to it", "orgs_linking_in"),
            SignalInput("Other organizations it links to", "orgs_linked_out"),
        ),
        as_of="Links as of {computed}.",
        unknown="No links yet",
        within_kind=True,
    ),
    Signal(
        key="match_graph",
        name="Search choices",
        description="How often searchers choose it, corrected for how high it was shown, "
        "compared with its kind.",
        inputs="Searchers’ choices recorded by the match graph, a choice further down the "
        "results counting more, recent ones more than old ones. Never shown in search means "
        "unknown: its weight then goes to the other signals.",
        reads=(SignalInput("Searchers’ choices (weighted)", "match_feedback", "choices"),),
        as_of="Searchers’ choices up to the ranking of {computed}.",
        unknown="Not shown in search yet",
        within_kind=True,
    ),
    Signal(
        key="freshness",
        name="Recent activity",
        description="How recently it changed: the value of its latest activity halves with "
        "every half-life that passes.",
        inputs="The latest of its last update, last commit and release date.",
        reads=(
            SignalInput("Latest activity", "last_activity", "activity"),
            SignalInput("Half-life", "freshness_half_life_days", "days"),
        ),
        as_of="As of {computed}.",
        unknown="No dates known",
        within_kind=False,
    ),
)

SIGNALS_BY_KEY: dict[str, Signal] = {signal.key: signal for signal in SIGNALS}
SIGNAL_KEYS: tuple[str, ...] = tuple(signal.key for signal in SIGNALS)
SIGNAL_NAMES: dict[str, str] = {signal.key: signal.name for signal in SIGNALS}
# Signals compared as a percentile within the kind (freshness is absolute).
PERCENTILE_SIGNALS: tuple[str, ...] = tuple(signal.key for signal in SIGNALS if signal.within_kind)
