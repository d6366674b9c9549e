"""From what a visitor typed to what search looks for: words, synonyms, and corrections."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache

from matchgraph.models import SynonymGroup
from matchgraph.normalize import meaningful_words, normalize_intent

MIN_PREFIX_LENGTH = 2
SYNONYMS_CACHE_KEY = "matchgraph:synonym-groups"
SYNONYMS_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Alternative:
    """Another way to say part of the query: searched too, at a lower weight."""

    words: tuple[str, ...]
    label: str  # the synonym as a visitor would read it: "speech recognition"
    replaces: str  # what the visitor typed that it stands for: "asr"


@dataclass(frozen=True)
class SearchPlan:
    raw: str
    intent_text: str
    words: list[str]
    alternatives: list[Alternative] = field(default_factory=list)
    # Known words the last word may be the start of (see `vocabulary.completions`); None
    # leaves it a prefix search.
    completions: tuple[str, ...] | None = None

    @property
    def is_empty(self) -> bool:
        return not self.words

    def tsquery(self, *, any_word: bool = False) -> str:
        """`caption & product & photo:*` — words are letters/digits only, so nothing can inject
        tsquery syntax. The last word is a prefix, for results while typing."""
        return words_tsquery(self.words, any_word=any_word, prefix_last=True)

    def index_tsquery(self, *, any_word: bool = False) -> str:
        """The same search for finding matches through the index: `caption & product &
        (photo | photos | photography)`. Where the vocabulary knows how the last word may end,
        naming those words is much cheaper than a prefix, for which the index must read
        every entry the prefix covers. Scoring keeps `tsquery`."""
        return words_tsquery(
            self.words, any_word=any_word, prefix_last=True, completions=self.completions
        )

    def term_queries(self) -> list[str]:
        """One query per word, for weighting each word by how rare it is."""
        return [words_tsquery([word], prefix_last=word == self.words[-1]) for word in self.words]

    def alternatives_tsquery(self) -> str | None:
        if not self.alternatives:
            return None
        return " | ".join(f"({words_tsquery(list(alt.words))})" for alt in self.alternatives)

    def alternatives_index_tsquery(self) -> str | None:
        """The same matches as `alternatives_tsquery`, with the words that every rewrite of a
        phrase keeps written once: `(asr | speech & recognition) & meeting & audio`. The
        index can then start from the kept words instead of reading every rewrite's."""
        if not self.alternatives:
            return None
        by_phrase: dict[str, list[Alternative]] = {}
        for alternative in self.alternatives:
            by_phrase.setdefault(alternative.replaces, []).append(alternative)
        parts = []
        for phrase, alternatives in by_phrase.items():
            options = " | ".join(f"({words_tsquery(alt.label.split())})" for alt in alternatives)
            kept = _without_run(self.words, tuple(phrase.split()))
            parts.append(f"({options})" + "".join(f" & {word}" for word in kept))
        return " | ".join(f"({part})" for part in parts)


def words_tsquery(
    words: list[str],
    *,
    any_word: bool = False,
    prefix_last: bool = False,
    completions: tuple[str, ...] | None = None,
) -> str:
    """The words as a tsquery, all of them (or `any_word`); with `prefix_last`, the last word
    may be unfinished: any of its `completions`, or without them a prefix."""
    terms = list(words)
    if prefix_last and len(terms[-1]) >= MIN_PREFIX_LENGTH:
        terms[-1] = f"({' | '.join(completions)})" if completions else f"{terms[-1]}:*"
    return (" | " if any_word else " & ").join(terms)


def search_words(raw_query: str) -> list[str]:
    return meaningful_words(raw_query)


def search_plan(
    raw_query: str,
    *,
    synonyms: list[list[tuple[str, ...]]] | None = None,
    complete: Callable[[str], tuple[str, ...] | None] | None = None,
) -> SearchPlan:
    """A pure function of the text, the synonym groups (see `synonym_groups`) and `complete`,
    which names the words an unfinished last word may become (`vocabulary.completions`)."""
    words = search_words(raw_query)
    last_word_long_enough = bool(words) and len(words[-1]) >= MIN_PREFIX_LENGTH
    return SearchPlan(
        raw=raw_query or "",
        intent_text=normalize_intent(raw_query),
        words=words,
        alternatives=synonym_alternatives(words, synonyms or []),
        completions=complete(words[-1]) if complete and last_word_long_enough else None,
    )


def synonym_groups() -> list[list[tuple[str, ...]]]:
    """Active groups as lists of normalized word tuples, cached for a few minutes."""

    def load() -> list[list[tuple[str, ...]]]:
        groups = []
        for terms in SynonymGroup.objects.filter(is_active=True).values_list("terms", flat=True):
            normalized = {tuple(search_words(term)) for term in terms}
            groups.append(sorted(term for term in normalized if term))
        return groups

    return cache.get_or_set(SYNONYMS_CACHE_KEY, load, SYNONYMS_CACHE_SECONDS)


def synonym_alternatives(
    words: list[str], groups: list[list[tuple[str, ...]]]
) -> list[Alternative]:
    """For every synonym term found in the query (as a run of words), the query with that run
    replaced by each other term of its group; the rest of the query stays, so "caption
    product photos" also searches "alt text product photos", not every "alt text". Works both
    ways: "asr" brings "speech recognition", and the reverse.

    A query that already says it two ways ("fine tuning lora") gets no rewrite from that
    group: replacing one term by the other would only drop a word and broaden the query."""
    alternatives: list[Alternative] = []
    seen: set[tuple[str, ...]] = {tuple(words)}
    for group in groups:
        found = _outermost_runs(words, group)
        if len(found) != 1:
            continue
        for term, start in found:
            for other in group:
                rewritten = (*words[:start], *other, *words[start + len(term) :])
                if other != term and rewritten not in seen:
                    seen.add(rewritten)
                    alternatives.append(Alternative(rewritten, " ".join(other), " ".join(term)))
    return alternatives


def _without_run(words: list[str], run: tuple[str, ...]) -> list[str]:
    start = _run_start(words, run)
    return words[:start] + words[start + len(run) :]


def _outermost_runs(
    words: list[str], group: list[tuple[str, ...]]
) -> list[tuple[tuple[str, ...], int]]:
    """The group's terms found in `words` with where they start, leaving out a term found
    inside a longer one ("retrieval augmented" in "retrieval augmented generation")."""
    found = [(term, start) for term in group if (start := _run_start(words, term)) is not None]
    return [
        (term, start)
        for term, start in found
        if not any(
            len(other) > len(term)
            and other_start <= start
            and start + len(term) <= other_start + len(other)
            for other, other_start in found
        )
    ]


def _run_start(words: list[str], run: tuple[str, ...]) -> int | None:
    width = len(run)
    for start in range(len(words) - width + 1):
        if tuple(words[start : start + width]) == run:
            return start
    return None
