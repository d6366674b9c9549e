"""From what a visitor typed to what search looks for: task words, constraints, synonyms,
the direction of an X-to-Y task, and the phrases that tell one direction from the other."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection

from catalog.search_words import MIN_PREFIX_LENGTH, words_tsquery
from matchgraph.normalize import STOP_WORDS, meaningful_words, normalize_intent, query_words
from matchgraph.search.understanding import (
    Constraint,
    Understanding,
    VocabularyEntry,
    understand,
)

SYNONYMS_CACHE_KEY = "matchgraph:synonym-table"
SYNONYMS_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Alternative:
    """Another way to say part of the query: searched too, at a lower weight."""

    words: tuple[str, ...]
    label: str  # the synonym as a visitor would read it: "speech recognition"
    replaces: str  # what the visitor typed that it stands for: "asr"


@dataclass(frozen=True)
class ScoringTerm:
    """One word of one way of saying the query (rewrite 0: as typed; then each synonym)."""

    rewrite: int
    word: str
    prefix: bool = False


@dataclass(frozen=True)
class Direction:
    """An X-to-Y task: what goes in and what comes out ("text to speech": text, audio)."""

    source: str  # a catalog Modality
    target: str
    label: str  # the synonym group's name: "text to speech"


@dataclass(frozen=True)
class SearchPlan:
    raw: str
    intent_text: str
    words: list[str]  # the task words: the query without stop words or constraint words
    alternatives: list[Alternative] = field(default_factory=list)
    # Known words the last word may be the start of (see `vocabulary.completions`); None
    # leaves it a prefix search.
    completions: tuple[str, ...] | None = None
    # The last word is a whole word the catalog knows ("optimization"): searched as that
    # word, not as a prefix, whose stem ("optim:*") would also match "optima" and "optimizer".
    last_word_complete: bool = False
    understanding: Understanding = field(default_factory=lambda: Understanding("", ()))
    direction: Direction | None = None
    # The task as typed, for phrase matching (two or more task words; PostgreSQL's
    # phraseto_tsquery). For an X-to-Y task, regular expressions for it and for its reverse
    # instead: a document's stop words leave gaps, so "text and image" would match the
    # phrase "text to image".
    phrase: str | None = None
    task_pattern: str | None = None
    reverse_pattern: str | None = None

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        return self.understanding.constraints

    @property
    def has_task(self) -> bool:
        return bool(self.words)

    @property
    def is_direction_only(self) -> bool:
        """ "audio to text": the words say nothing but what goes in and what comes out."""
        return self.direction is not None and all(word in MODALITY_WORDS for word in self.words)

    @property
    def phrase_label(self) -> str | None:
        """The phrase as a result's reason names it."""
        if self.phrase:
            return self.phrase
        return self.understanding.task if self.task_pattern else None

    @property
    def name_keys(self) -> list[str]:
        """The task as an artifact's name would be keyed (`Artifact.name_key`: case and
        punctuation dropped), without its stop words and as typed: "texttospeech" and
        "textspeech" for "text to speech"."""
        keys = ["".join(self.words), "".join(query_words(self.understanding.task))]
        return list(dict.fromkeys(key for key in keys if key))

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: no task words and no constraint."""
        return not self.words and not self.constraints

    def tsquery(self, *, any_word: bool = False) -> str:
        """`caption & product & photo:*` — words are letters/digits only, so nothing can inject
        tsquery syntax. The last word is a prefix, for results while typing, unless it is a
        whole known word."""
        return words_tsquery(self.words, any_word=any_word, prefix_last=self.prefix_last)

    @property
    def prefix_last(self) -> bool:
        return not self.last_word_complete

    def index_tsquery(
        self, *, any_word: bool = False, two_words: bool = False, field: str = ""
    ) -> str:
        """The same search for finding matches through the index: `caption & product &
        (photo | photos | photography)`. Where the vocabulary knows how the last word may end,
        naming those words is much cheaper than a prefix, for which the index must read
        every entry the prefix covers. Scoring keeps `tsquery`. With a `field`, the words
        only there (`caption:A & ...`)."""
        return words_tsquery(
            self.words,
            any_word=any_word,
            two_words=two_words,
            prefix_last=self.prefix_last,
            completions=self.completions,
            field=field,
        )

    def scoring_terms(self) -> list[ScoringTerm]:
        """The words relevance scores, typed (rewrite 0; the last one maybe unfinished) and
        in each synonym rewrite (1, 2, ...)."""
        last = len(self.words) - 1
        typed = [
            ScoringTerm(0, word, self.prefix_last and n == last and len(word) >= MIN_PREFIX_LENGTH)
            for n, word in enumerate(self.words)
        ]
        rewrites = [
            ScoringTerm(number, word)
            for number, alternative in enumerate(self.alternatives, start=1)
            for word in alternative.words
        ]
        return typed + rewrites

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


def search_words(raw_query: str) -> list[str]:
    return meaningful_words(raw_query)


def search_plan(
    raw_query: str,
    *,
    synonyms: "SynonymTable | list[list[tuple[str, ...]]] | None" = None,
    complete: Callable[[str], tuple[str, ...] | None] | None = None,
    constraint_terms: Sequence[VocabularyEntry] = (),
    is_word: Callable[[str], bool] | None = None,
) -> SearchPlan:
    """A pure function of the text, the synonym table (see `synonym_table`; a bare list of
    groups is accepted), the constraint vocabulary and `complete`, which names the words an
    unfinished last word may become (`vocabulary.completions`)."""
    table = synonyms if isinstance(synonyms, SynonymTable) else SynonymTable(synonyms or [], {})
    understanding = understand(
        raw_query or "", vocabulary=constraint_terms, task_phrases=table.phrases()
    )
    words = search_words(understanding.task)
    last_word_long_enough = bool(words) and len(words[-1]) >= MIN_PREFIX_LENGTH
    task_words = query_words(understanding.task)
    x_to_y = x_to_y_words(task_words)
    # An "X to Y" in the query names the direction, by its modality words or as a directional
    # synonym ("text to speech"); "captions to train a model" names none. Without one, a
    # directional synonym anywhere in the query does ("transcribe meetings").
    x_to_y_direction = x_to_y and (
        modality_direction(x_to_y) or table.directions.get(tuple(search_words(" ".join(x_to_y))))
    )
    direction = x_to_y_direction or (None if x_to_y else table.direction_of(words))
    directional = bool(x_to_y_direction)
    return SearchPlan(
        raw=raw_query or "",
        intent_text=normalize_intent(raw_query),
        words=words,
        alternatives=synonym_alternatives(words, table.groups),
        completions=complete(words[-1]) if complete and last_word_long_enough else None,
        last_word_complete=bool(words and is_word and is_word(words[-1])),
        understanding=understanding,
        direction=direction,
        phrase=" ".join(task_words) if len(words) > 1 and not directional else None,
        task_pattern=x_to_y_pattern(*x_to_y) if directional else None,
        reverse_pattern=x_to_y_pattern(*reversed(x_to_y)) if directional else None,
    )


# "text to speech", "image into text": two words joined by "to" or "into".
DIRECTION_JOINERS = frozenset({"to", "into"})
# What goes in or out of an X-to-Y task named by its words ("sketch to image": image in).
MODALITY_WORDS = {
    "text": "text", "txt": "text", "words": "text", "prompt": "text", "prompts": "text",
    "speech": "audio", "voice": "audio", "audio": "audio", "sound": "audio", "music": "audio",
    "image": "image", "images": "image", "img": "image", "picture": "image", "photo": "image",
    "photos": "image", "sketch": "image", "screenshot": "image", "handwriting": "image",
    "scan": "image", "scans": "image", "video": "video", "videos": "video", "code": "code",
    "sql": "code", "embedding": "embedding", "embeddings": "embedding", "vector": "embedding",
    "vectors": "embedding", "table": "structured", "json": "structured", "written": "text",
    "notes": "text", "transcript": "text", "transcripts": "text", "subtitles": "text",
}  # fmt: skip


def x_to_y_words(words: list[str]) -> tuple[str, str] | None:
    """The first "X to Y" in `words` (stop words kept): ("text", "speech")."""
    for position in range(1, len(words) - 1):
        before, joiner, after = words[position - 1], words[position], words[position + 1]
        if joiner in DIRECTION_JOINERS and _phrase_word(before) and _phrase_word(after):
            return before, after
    return None


def x_to_y_pattern(source: str, target: str) -> str:
    """A PostgreSQL regular expression for "X to Y" as documents write it: "text to speech",
    "text-to-speech", "text into speech", "images to text"."""
    return rf"\m{re.escape(source)}s?[\s_-]*(to|into|2)[\s_-]*{re.escape(target)}s?\M"


def modality_direction(x_to_y: tuple[str, str] | None) -> Direction | None:
    if x_to_y is None:
        return None
    source, target = (MODALITY_WORDS.get(word) for word in x_to_y)
    if source is None or target is None:
        return None
    return Direction(source, target, f"{x_to_y[0]} to {x_to_y[1]}")


def _phrase_word(word: str) -> bool:
    return word not in STOP_WORDS and word.isalnum() and not word.isdigit()


@dataclass(frozen=True)
class SynonymTable:
    """Active synonym groups as normalized word tuples, and the direction of each term of a
    group that names an X-to-Y task."""

    groups: list[list[tuple[str, ...]]]
    directions: dict[tuple[str, ...], Direction]

    def phrases(self) -> list[tuple[str, ...]]:
        return [term for group in self.groups for term in group]

    def direction_of(self, words: list[str]) -> Direction | None:
        """The direction of the longest directional term found in `words`."""
        found = [
            (len(term), direction)
            for term, direction in self.directions.items()
            if _run_start(words, term) is not None
        ]
        return max(found, key=lambda item: item[0])[1] if found else None


# `SynonymGroup.objects.filter(is_active=True)` in its own order, written out: a search that
# finds the table uncached should not also pay for compiling the query.
ACTIVE_SYNONYM_GROUPS_SQL = """
SELECT name, terms, input_modality, output_modality FROM matchgraph_synonymgroup
WHERE is_active ORDER BY name
"""


def synonym_table() -> SynonymTable:
    """Cached for a few minutes; an admin edit clears it (`services.search_terms_changed`)."""

    def load() -> SynonymTable:
        groups: list[list[tuple[str, ...]]] = []
        directions: dict[tuple[str, ...], Direction] = {}
        with connection.cursor() as cursor:
            cursor.execute(ACTIVE_SYNONYM_GROUPS_SQL)
            rows = cursor.fetchall()
        for name, terms, source, target in rows:
            normalized = sorted({term for text in terms if (term := tuple(search_words(text)))})
            groups.append(normalized)
            if source and target:
                for term in normalized:
                    directions[term] = Direction(source, target, name.lower())
        return SynonymTable(groups, directions)

    return cache.get_or_set(SYNONYMS_CACHE_KEY, load, SYNONYMS_CACHE_SECONDS)


def synonym_groups() -> list[list[tuple[str, ...]]]:
    """Active groups as lists of normalized word tuples."""
    return synonym_table().groups


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
