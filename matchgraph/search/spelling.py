"""Spelling correction for a query: tried only when the words as typed find little, and
kept only when the corrected words find more. A query with good results is never rewritten."""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from matchgraph.normalize import query_words
from matchgraph.search.candidates import FEW_RESULTS, Candidates, candidates_for, document_matches
from matchgraph.search.plan import SearchPlan
from matchgraph.search.vocabulary import correct_words, is_rare_word


@dataclass(frozen=True)
class Correction:
    typed: str
    searched: str


def spelling_corrector(
    plan: SearchPlan, replan: Callable[[str], SearchPlan], *, known: frozenset[str]
) -> Callable[[], SearchPlan | None]:
    """The query with its unknown task words corrected, worked out on first use and only
    once: fuzzy matching against the vocabulary costs milliseconds, and most queries never
    need it. None when correcting changes nothing. `replan` plans a query text; `known`
    words (the synonym table's, the constraint vocabulary's) are never corrected, and a
    correction may not turn a task word into a constraint ("aloud" into "cloud")."""

    @functools.cache
    def corrected() -> SearchPlan | None:
        words = correct_words(plan.words)
        if len(words) == len(plan.words):
            words = [
                typed if typed in known else fixed
                for typed, fixed in zip(plan.words, words, strict=True)
            ]
        if words == plan.words:
            return None
        kept = [constraint.typed for constraint in plan.constraints]
        if len(words) == len(plan.words):
            # Word for word: corrected where typed, the stop words kept, so the query means
            # what it did ("text to speach": the text-to-speech task, not "text speech").
            fixes = dict(zip(plan.words, words, strict=True))
            task = [fixes.get(word, word) for word in query_words(plan.understanding.task)]
        else:
            task = words
        found = replan(" ".join([*task, *kept]))
        if {c.key for c in found.constraints} != {c.key for c in plan.constraints}:
            return None
        return found

    return corrected


# A word some listings misspell too ("speach") finds a few of them; corrected, the query
# must find this many times as many (counted up to RARE_PROBE) to be rewritten.
RARE_PROBE = 60
RARE_GAIN = 3


def clearly_misspelled(
    plan: SearchPlan, corrected: Callable[[], SearchPlan | None]
) -> tuple[SearchPlan, Correction | None]:
    """The common case, decided cheaply before any wider net runs: the words as typed name
    almost no listing (or, with a rare word, few), and corrected they name more."""
    rare = any(is_rare_word(word) for word in plan.words)
    probe = RARE_PROBE if rare else FEW_RESULTS
    typed = document_matches(plan.index_tsquery(), limit=probe, ordered=False)
    if (len(typed) >= FEW_RESULTS and not rare) or (corrected_plan := corrected()) is None:
        return plan, None
    found = document_matches(corrected_plan.index_tsquery(), limit=probe, ordered=False)
    enough = len(typed) * RARE_GAIN if len(typed) >= FEW_RESULTS else len(typed) + 1
    if len(found) < enough:
        return plan, None
    return corrected_plan, Correction(plan.raw, corrected_plan.raw)


def with_spelling_corrected(
    plan: SearchPlan,
    candidates: Candidates,
    corrected: Callable[[], SearchPlan | None],
    find: Callable[[SearchPlan], Candidates] = candidates_for,
) -> tuple[SearchPlan, Candidates, Correction | None]:
    """When the query as typed finds little, try it with unknown words corrected; keep the
    correction only if it finds more."""
    if len(candidates.ids) >= FEW_RESULTS and not candidates.broadened:
        return plan, candidates, None
    if (corrected_plan := corrected()) is None:
        return plan, candidates, None
    found = find(corrected_plan)
    better = len(found.ids) > len(candidates.ids) or (
        candidates.broadened and not found.broadened and found.ids
    )
    if not better:
        return plan, candidates, None
    return corrected_plan, found, Correction(plan.raw, corrected_plan.raw)
