"""The verdict: sentences generated from the numbers a comparison shows, nothing canned.

Pure functions of `Side` values (no database), so every rule is tested with crafted cases.
Each sentence quotes the number it rests on (a rank, a signal score, a price, a count), and
each of those numbers is in the page's feature table or its evidence lists. When the
evidence is too thin to call, the verdict says so and why.
"""

from __future__ import annotations

from collections.abc import Sequence

from catalog.pricing import cheapest_prices, price_order
from compare.types import SIGNAL_KEYS, SIGNAL_NAMES, Overlap, SharedSearches, Side, Verdict

# Rank gaps up to this many points are too close to call.
CLOSE_RANK_GAP = 3
# A signal counts as a lead only at this many points (0–100) or more.
SIGNAL_MARGIN = 5
# Fewer signals known on both sides than this makes the comparison thin.
MIN_SHARED_SIGNALS = 2
INTENT_EXAMPLES = 2

PRICING_WORDS = {
    "free": "free",
    "open_source": "open source",
    "freemium": "freemium",
    "paid": "paid",
    "contact": "priced on request",
}


def join_words(items: Sequence[str]) -> str:
    """["a"] -> "a"; ["a", "b"] -> "a and b"; ["a", "b", "c"] -> "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (plural_word or word + 's')}"


def _signal_word(key: str) -> str:
    return SIGNAL_NAMES[key].lower()


def _kind_phrase(side: Side) -> str:
    if side.kind == "other":
        return "an artifact of another kind"
    label = side.kind_label if side.kind_label.isupper() else side.kind_label.lower()
    article = "an" if label[:1].lower() in "aeiou" else "a"
    return f"{article} {label}"


def _quoted(texts: Sequence[str]) -> str:
    return join_words([f"“{text}”" for text in texts])


def same_kind(sides: Sequence[Side]) -> bool:
    """Ranks and signals are percentiles within a kind: they compare only inside one."""
    return len({side.kind for side in sides}) <= 1


def _kind_plural(side: Side) -> str:
    return side.kind_plural if side.kind != "other" else "artifacts of other kinds"


def purpose(side: Side) -> str:
    """What an artifact is for, in the catalog's words (quoted, as written): its first "best
    for", else its first capability, else the first sentence of its summary."""
    for_what = next(iter(side.best_for), "") or (
        side.capabilities[0].title if side.capabilities else ""
    )
    if for_what:
        return f"{side.name} is for “{for_what.rstrip('.')}”"
    if side.summary:
        return f"{side.name} is {_kind_phrase(side)}: “{side.summary.split('. ')[0].rstrip('.')}”"
    return f"{side.name} is {_kind_phrase(side)}"


def different_jobs(a: Side, b: Side, overlap: Overlap | None, shared: SharedSearches) -> bool:
    """Nothing to win: both list capabilities and none covers the same ground (no overlapping
    pair, no search in which visitors chose both), and they make different things (no output
    in common). Capability titles alone are worded too freely to be sure: two transcribers
    whose titles share no word still both turn audio into text."""
    return (
        overlap is not None
        and bool(a.capabilities and b.capabilities)
        and not overlap.pairs
        and not shared.count
        and bool(a.outputs and b.outputs)
        and not set(a.outputs) & set(b.outputs)
    )


# --- A vs B -----------------------------------------------------------------------------------


def _rank_headline(a: Side, b: Side, reasons: list[str]) -> tuple[str, str | None]:
    if a.rank is not None and b.rank is not None and a.kind != b.kind:
        return (
            f"{a.name} ranks {a.rank}/100 among {_kind_plural(a)} and {b.name} {b.rank}/100 "
            f"among {_kind_plural(b)}: they are ranked within different kinds, so their ranks "
            "do not compare.",
            None,
        )
    if a.rank is not None and b.rank is not None:
        among = f"among {_kind_plural(a)}"  # one kind: every rank still says which
        if a.rank == b.rank:
            return f"{a.name} and {b.name} are level at {a.rank}/100 {among}.", None
        high, low = (a, b) if a.rank > b.rank else (b, a)
        gap = high.rank - low.rank
        if gap <= CLOSE_RANK_GAP:
            return (
                f"{high.name} is just ahead at {high.rank}/100 {among}, against {low.rank}/100 "
                f"for {low.name}: a gap of {plural(gap, 'point')} is too close to call on rank "
                "alone.",
                None,
            )
        size = "a wide" if gap >= 25 else "a clear" if gap >= 10 else "a modest"
        return (
            f"{high.name} ranks higher at {high.rank}/100 {among}, against {low.rank}/100 for "
            f"{low.name}: {size} lead of {gap} points.",
            high.slug,
        )
    if a.rank is None and b.rank is None:
        reasons.append("neither is ranked yet")
        return (
            f"Neither {a.name} nor {b.name} is ranked yet, so there is no overall score to "
            "compare.",
            None,
        )
    known, unknown = (a, b) if a.rank is not None else (b, a)
    reasons.append(f"{unknown.name} is not ranked yet")
    return (
        f"{known.name} ranks {known.rank}/100 among {_kind_plural(known)}; {unknown.name} is not "
        "ranked yet, so their "
        "overall scores cannot be compared.",
        None,
    )


def _signal_leads(side: Side, other: Side) -> list[str]:
    leads = []
    for key in SIGNAL_KEYS:
        mine, theirs = side.signal(key).score, other.signal(key).score
        if mine is not None and theirs is not None and mine - theirs >= SIGNAL_MARGIN:
            leads.append(f"{_signal_word(key)} ({mine} vs {theirs})")
    return leads


def _signal_points(a: Side, b: Side, leader: str | None, reasons: list[str]) -> list[str]:
    points = []
    shared = [k for k in SIGNAL_KEYS if a.signal(k).known and b.signal(k).known]
    # The overall leader (or the first side) is named second: "B is ahead on …, while A …".
    first, second = (b, a) if leader in (None, a.slug) else (a, b)
    first_leads, second_leads = _signal_leads(first, second), _signal_leads(second, first)
    if a.kind != b.kind:
        first_leads = second_leads = []
        shared = []  # within different kinds, no signal is compared
    if first_leads and second_leads:
        points.append(
            f"{first.name} is ahead on {join_words(first_leads)}, while {second.name} is "
            f"stronger on {join_words(second_leads)}."
        )
    elif first_leads or second_leads:
        ahead, behind = (first, second) if first_leads else (second, first)
        points.append(
            f"{ahead.name} is ahead on {join_words(first_leads or second_leads)}; "
            f"{behind.name} leads on no signal by {SIGNAL_MARGIN} points or more."
        )
    elif shared:
        names = join_words([_signal_word(k) for k in shared])
        points.append(
            f"On every signal both have ({names}) they are within {SIGNAL_MARGIN} points of "
            "each other."
        )
    for side, other in ((a, b), (b, a)):
        missing = [
            _signal_word(k)
            for k in SIGNAL_KEYS
            if not side.signal(k).known and other.signal(k).known
        ]
        if missing:
            points.append(
                f"{side.name} has no known {join_words(missing)} score, so "
                f"{'that signal is' if len(missing) == 1 else 'those signals are'} left out of "
                "its rank rather than counted as zero."
            )
    for side in (a, b):
        badges = [_signal_word(k) for k in SIGNAL_KEYS if side.signal(k).badge]
        if badges:
            points.append(
                f"{side.name} is in the top tier of {side.kind_plural} for {join_words(badges)}."
            )
    known_both = [k for k in SIGNAL_KEYS if a.signal(k).known and b.signal(k).known]
    if len(known_both) < MIN_SHARED_SIGNALS and (a.rank is not None or b.rank is not None):
        reasons.append(f"only {plural(len(known_both), 'signal is', 'signals are')} known for both")
    points += _kinds_points(a, b)
    return points


def _kinds_points(a: Side, b: Side) -> list[str]:
    if a.kind == b.kind:
        return []
    return [
        f"{a.name} is {_kind_phrase(a)} and {b.name} is {_kind_phrase(b)}: each signal is a "
        "percentile within its own kind, so each score says how it stands among its peers, "
        "and the two are not compared."
    ]


def _pricing_points(a: Side, b: Side) -> list[str]:
    points = []
    tiers = (a.free_tier, b.free_tier)
    if tiers == (True, True):
        points.append("Both have a free tier.")
    elif tiers == (False, False):
        points.append("Neither has a free tier.")
    elif True in tiers:
        has, other = (a, b) if a.free_tier else (b, a)
        if other.free_tier is False:
            points.append(
                f"{has.name} has a free tier and {other.name} does not, so {has.name} costs "
                "nothing to try."
            )
        else:
            points.append(f"{has.name} has a free tier; whether {other.name} has one is unknown.")
    models = (PRICING_WORDS.get(a.pricing_model), PRICING_WORDS.get(b.pricing_model))
    if all(models) and models[0] != models[1]:
        points.append(f"{a.name} is {models[0]}, while {b.name} is {models[1]}.")
    if a.price and b.price:
        order = price_order(a.price, b.price)
        if order == "same":
            points.append(f"Both start at {a.price.text}.")
        elif order in ("a", "b"):
            low, high = (a, b) if order == "a" else (b, a)
            ratios = [
                h / lo for lo, h in zip(low.price.rates(), high.price.rates(), strict=False) if lo
            ]
            ratio = min(ratios) if ratios else None
            times = f", {ratio:.0f}× less" if ratio is not None and ratio >= 2 else ""
            parts = f" ({low.price.parts})" if low.price.is_pair and high.price.is_pair else ""
            points.append(
                f"{low.name} starts cheaper: {low.price.display_amount} against "
                f"{high.price.display_amount} {low.price.per}{parts}{times}."
            )
        elif order == "mixed":
            cheap_in, cheap_out = (a, b) if a.price.amount < b.price.amount else (b, a)
            points.append(
                f"{cheap_in.name} is cheaper on input and {cheap_out.name} on output "
                f"({a.name} {a.price.display_amount}, {b.name} {b.price.display_amount} "
                f"{a.price.per}, input / output), so which costs less depends on how much "
                "text goes each way."
            )
        else:
            points.append(
                f"Their starting prices are in different units ({a.price.per} for {a.name}, "
                f"{b.price.per} for {b.name}), so neither is simply cheaper."
            )
    elif a.price or b.price:
        priced, other = (a, b) if a.price else (b, a)
        points.append(
            f"Only {priced.name} lists a price, from {priced.price.text}; {other.name} lists none."
        )
    return points


def _match_points(a: Side, b: Side, shared: SharedSearches) -> list[str]:
    """What searchers chose. No match history is said plainly, but does not make the verdict
    thin: the rank and its signals can still decide."""
    if not a.times_matched and not b.times_matched:
        return [
            "Neither has been chosen in a search yet, so the match graph cannot say which "
            "fits real needs better."
        ]
    points = []
    for side in (a, b):
        if not side.times_matched:
            points.append(f"{side.name} has not been chosen in a search yet.")
            continue
        times = plural(side.times_matched, "time")
        examples = [intent.text for intent in side.top_intents[:INTENT_EXAMPLES]]
        like = f", for intents like {_quoted(examples)}" if examples else ""
        points.append(f"Searchers chose {side.name} {times}{like}.")
    if shared.count:
        example = f", such as {_quoted(shared.examples[:1])}" if shared.examples else ""
        points.append(
            f"Both were chosen for {shared.count:,} of the same searches{example}: for those "
            "needs they are real alternatives."
        )
    return points


def _free_tier_points(a: Side, b: Side) -> list[str]:
    return [
        f"{side.name} has a free tier." if side.free_tier else f"{side.name} has no free tier."
        for side in (a, b)
        if side.free_tier is not None
    ]


def _different_jobs_verdict(a: Side, b: Side, shared: SharedSearches) -> Verdict:
    """No capability in common: say what each is for; rank gaps, signal leads and prices
    would rank a tool against a job it does not do, so no side leads."""
    return Verdict(
        headline=f"These do different jobs: {purpose(a)}, and {purpose(b)}.",
        points=(
            "None of their capabilities covers the same ground, so neither is better: pick by "
            "the job.",
            *_kinds_points(a, b),
            *_free_tier_points(a, b),
            *_match_points(a, b, shared),
        ),
    )


def pair_verdict(
    a: Side, b: Side, *, shared: SharedSearches | None = None, overlap: Overlap | None = None
) -> Verdict:
    shared = shared or SharedSearches()
    if different_jobs(a, b, overlap, shared):
        return _different_jobs_verdict(a, b, shared)
    reasons: list[str] = []
    headline, leader = _rank_headline(a, b, reasons)
    points = [
        *_signal_points(a, b, leader, reasons),
        *_pricing_points(a, b),
        *_match_points(a, b, shared),
    ]
    return Verdict(
        headline=headline,
        points=tuple(points),
        leader_slug=leader,
        thin=bool(reasons),
        thin_reasons=tuple(reasons),
    )


# --- N-way grid -------------------------------------------------------------------------------


def _best(sides: Sequence[Side], value) -> tuple[list[Side], float | None]:
    known = [(side, value(side)) for side in sides if value(side) is not None]
    if len(known) < 2:
        return [], None
    top = max(v for _, v in known)
    if all(v == top for _, v in known):
        return [], top
    return [side for side, v in known if v == top], top


def _rank_order(ranked: Sequence[Side]) -> tuple[str, str | None]:
    """Who of these (two or more, ranked, of one kind) ranks highest and lowest."""
    top = max(side.rank for side in ranked)
    bottom = min(side.rank for side in ranked)
    leaders = [side for side in ranked if side.rank == top]
    lowest = [side for side in ranked if side.rank == bottom]
    if top == bottom:
        return f"{join_words([s.name for s in ranked])} are level at {top}/100", None
    verb = "ranks" if len(leaders) == 1 else "share the"
    sentence = (
        f"{join_words([s.name for s in leaders])} {verb} highest at {top}/100; "
        f"{join_words([s.name for s in lowest])} {'is' if len(lowest) == 1 else 'are'} "
        f"lowest at {bottom}/100"
    )
    runner_up = max((s.rank for s in ranked if s is not leaders[0]), default=top)
    leader = leaders[0].slug if len(leaders) == 1 and top - runner_up > CLOSE_RANK_GAP else None
    return sentence, leader


def by_kind(sides: Sequence[Side]) -> dict[str, list[Side]]:
    """The sides grouped by kind, kinds in the order they first appear."""
    groups: dict[str, list[Side]] = {}
    for side in sides:
        groups.setdefault(side.kind, []).append(side)
    return groups


def _mixed_kind_ranks(ranked: Sequence[Side]) -> tuple[str, list[str]]:
    """Ranks of several kinds: compared only inside each kind."""
    groups = by_kind(ranked)
    kinds = join_words([_kind_plural(group[0]) for group in groups.values()])
    headline = (
        f"These are ranked within different kinds ({kinds}), so a rank compares only with "
        "others of its kind."
    )
    points = []
    for group in groups.values():
        among = _kind_plural(group[0])
        if len(group) >= 2:
            sentence, _ = _rank_order(group)
            points.append(f"Among {among}: {sentence}.")
        else:
            points.append(f"{group[0].name} ranks {group[0].rank}/100 among {among}.")
    return headline, points


def _signal_leaders(sides: Sequence[Side]) -> list[str]:
    leads = []
    for key in SIGNAL_KEYS:
        best, score = _best(sides, lambda side, key=key: side.signal(key).score)
        if best:
            leads.append(f"{_signal_word(key)}: {join_words([s.name for s in best])} ({score:.0f})")
    return leads


def grid_verdict(sides: Sequence[Side]) -> Verdict:
    """A summary for 2–6 artifacts: who ranks highest and lowest, who leads each signal, who
    is free to try, who searchers chose most. Ranks and signals are compared only between
    artifacts of the same kind."""
    reasons: list[str] = []
    points: list[str] = []
    ranked = [side for side in sides if side.rank is not None]
    leader = None
    if len(ranked) >= 2 and not same_kind(ranked):
        headline, rank_points = _mixed_kind_ranks(ranked)
        points += rank_points
    elif len(ranked) >= 2:
        sentence, leader = _rank_order(ranked)
        headline = f"Among {_kind_plural(ranked[0])}: {sentence}."
    elif ranked:
        only = ranked[0]
        headline = f"Only {only.name} is ranked ({only.rank}/100 among {_kind_plural(only)})."
    else:
        headline = "None of these is ranked yet, so there is no overall score to compare."
    unranked = [side.name for side in sides if side.rank is None]
    if unranked:
        points.append(f"Not ranked yet: {join_words(unranked)}.")
    if len(ranked) < 2:
        reasons.append("fewer than two of them are ranked")
    groups = by_kind(sides)
    for group in groups.values():
        leads = _signal_leaders(group)
        if leads and len(groups) == 1:
            points.append(f"Leaders by signal — {'; '.join(leads)}.")
        elif leads:
            points.append(f"Leaders by signal among {_kind_plural(group[0])} — {'; '.join(leads)}.")
    free = [side.name for side in sides if side.free_tier]
    unknown_tier = [side.name for side in sides if side.free_tier is None]
    if free:
        points.append(f"With a free tier: {join_words(free)}.")
    if unknown_tier:
        points.append(f"Free tier unknown: {join_words(unknown_tier)}.")
    priced = [side for side in sides if side.price]
    cheapest = cheapest_prices([side.price for side in priced])
    if cheapest:
        names = join_words([priced[i].name for i in cheapest])
        points.append(f"Lowest starting price: {names}, {priced[cheapest[0]].price.text}.")
    most, count = _best(sides, lambda side: side.times_matched)
    if most and count:
        points.append(
            f"Chosen most often by searchers: {join_words([s.name for s in most])} "
            f"({plural(int(count), 'time')})."
        )
    elif not any(side.times_matched for side in sides):
        points.append("None of them has been chosen in a search yet.")
    return Verdict(
        headline=headline,
        points=tuple(points),
        leader_slug=leader,
        thin=bool(reasons),
        thin_reasons=tuple(reasons),
    )


def comparison_verdict(
    sides: Sequence[Side],
    *,
    shared: SharedSearches | None = None,
    overlap: Overlap | None = None,
) -> Verdict:
    if len(sides) == 2:
        return pair_verdict(sides[0], sides[1], shared=shared, overlap=overlap)
    return grid_verdict(sides)
