"""What a comparison is made of: plain, frozen, picklable values (the comparison is cached
whole, in Redis in production). No models, no queries: pages and the pure functions of
`compare.table` and `compare.verdict` read only these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# A side's price is the catalog's headline price (`catalog.pricing.headline_price`): the
# cheapest standard input and its output for token APIs, per unit family otherwise; two
# prices compare only within one family (`comparable_with`, `price_order`).
from catalog.models import KIND_PLURAL_UNKNOWN
from catalog.pricing import HeadlinePrice as Price
from compare import naming

# The ranking signals a comparison shows, in table order, and their names: the registry's.
from ranking.signals import SIGNAL_KEYS as SIGNAL_KEYS
from ranking.signals import SIGNAL_NAMES

# The first few capabilities of each side are shown; the rest expand in place.
PREVIEW_CAPABILITIES = 5


@dataclass(frozen=True)
class SignalValue:
    """One ranking signal of one artifact in the current run: score 0–100 (None: unknown)
    and the 0/1 badge (top tier of its kind)."""

    key: str
    score: int | None = None
    badge: bool = False

    @property
    def name(self) -> str:
        return SIGNAL_NAMES[self.key]

    @property
    def known(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class CapabilityItem:
    id: int
    title: str
    description: str = ""
    unique_angle: str = ""
    vs_alternatives: str = ""
    confidence: str = "medium"  # as curated
    # As every page shows it: raised by search evidence (matchgraph `confirmed_confidence`).
    level: str = "medium"
    searches: int = 0  # distinct searches (intents) this capability explained
    searchers: int = 0  # distinct clients whose choices it explained


@dataclass(frozen=True)
class IntentEvidence:
    """A search the artifact was chosen for, and how many times (deduplicated matches)."""

    text: str
    matches: int


@dataclass(frozen=True)
class Side:
    """One artifact as a comparison shows it. Defaults describe an artifact we know nothing
    about, so tests of the pure functions can build one from a name."""

    name: str
    id: int = 0
    slug: str = ""
    url: str = ""
    kind: str = "other"
    kind_label: str = "Other"
    kind_plural: str = KIND_PLURAL_UNKNOWN
    organization: str = ""
    summary: str = ""
    rank: int | None = None
    signals: tuple[SignalValue, ...] = ()
    pricing_model: str = ""  # "" = unknown
    pricing_label: str = ""
    free_tier: bool | None = None
    price: Price | None = None
    license: str = ""
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    best_for: tuple[str, ...] = ()
    # The catalog's `details` as (key, value) pairs, values as stored (numbers, words, yes/no).
    details: tuple[tuple[str, object], ...] = ()
    open_licence: bool | None = None  # the catalog's "open source" rule; None: no licence
    runs_locally: bool | None = None  # the catalog's "runs locally" rule
    capabilities: tuple[CapabilityItem, ...] = ()
    times_matched: int = 0
    times_matched_30d: int = 0
    top_intents: tuple[IntentEvidence, ...] = ()
    updated: date | None = None

    def signal(self, key: str) -> SignalValue:
        for value in self.signals:
            if value.key == key:
                return value
        return SignalValue(key)

    @property
    def capability_count(self) -> int:
        return len(self.capabilities)

    @property
    def preview_capabilities(self) -> tuple[CapabilityItem, ...]:
        return self.capabilities[:PREVIEW_CAPABILITIES]

    @property
    def more_capabilities(self) -> tuple[CapabilityItem, ...]:
        return self.capabilities[PREVIEW_CAPABILITIES:]


@dataclass(frozen=True)
class Cell:
    """One value in the feature table. `better` marks the best value of its row; `badge`
    is set on signal rows only (0/1 shown beside the score)."""

    text: str
    better: bool = False
    unknown: bool = False
    detail: str = ""
    badge: bool | None = None


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]
    hint: str = ""  # which way is better, or why the row has no mark
    note: str = ""  # e.g. "not comparable: different units"

    @property
    def has_better(self) -> bool:
        return any(cell.better for cell in self.cells)


@dataclass(frozen=True)
class OverlapPair:
    left: CapabilityItem
    right: CapabilityItem
    shared_searches: int = 0  # intents both capabilities explained
    example_search: str = ""
    similar_wording: bool = False


@dataclass(frozen=True)
class Overlap:
    """Capabilities of a pair that cover the same ground, and those only one side has."""

    pairs: tuple[OverlapPair, ...] = ()
    only_left: tuple[CapabilityItem, ...] = ()
    only_right: tuple[CapabilityItem, ...] = ()

    @property
    def shared_ids(self) -> frozenset[int]:
        return frozenset(
            capability_id for pair in self.pairs for capability_id in (pair.left.id, pair.right.id)
        )


@dataclass(frozen=True)
class SharedSearches:
    """Searches (intents) in which visitors chose both artifacts of a pair."""

    count: int = 0
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    headline: str
    points: tuple[str, ...] = ()
    leader_slug: str | None = None
    thin: bool = False
    thin_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    sides: tuple[Side, ...]
    rows: tuple[Row, ...]
    verdict: Verdict
    search_url: str
    rank_run_id: int | None = None
    built_at: datetime | None = None
    overlap: Overlap | None = None  # pairs only
    shared_searches: SharedSearches = field(default_factory=SharedSearches)

    @property
    def is_pair(self) -> bool:
        return len(self.sides) == 2

    @property
    def slugs(self) -> list[str]:
        return [side.slug for side in self.sides]

    def side(self, slug: str) -> Side | None:
        return next((side for side in self.sides if side.slug == slug), None)

    # Addresses built from the slugs (never cached: they depend on the URL configuration).
    @property
    def pair_url(self) -> str | None:
        return naming.pair_url(*self.slugs) if self.is_pair else None

    @property
    def grid_url(self) -> str:
        return naming.grid_url(self.slugs)

    @property
    def without_urls(self) -> dict[str, str]:
        """Per column, the grid without it (offered while more than two remain)."""
        return {
            slug: naming.grid_url([other for other in self.slugs if other != slug])
            for slug in self.slugs
        }
