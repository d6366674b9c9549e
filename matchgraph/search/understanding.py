"""Query understanding: what the visitor wants done, and how.

"transcribe meetings locally" is a task ("transcribe meetings") and a constraint ("locally":
runs on my own machine). Constraint words come from a vocabulary curators edit in the admin
(`ConstraintTerm`), plus sizes written as a number of parameters ("7b", "350m"). They are
taken out of the words search looks for, and applied by `matchgraph.search.fit`: a strong
constraint puts what meets it first (the rest follows, marked), a preference reorders. The
page shows each as a chip that removes it.

A constraint word inside a task phrase the synonym table knows ("language model": "model"
is also a kind) stays a task word.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

from catalog.models import Kind
from matchgraph.models import ConstraintType
from matchgraph.normalize import STOP_WORDS, normalized_text, query_words

CONSTRAINTS_CACHE_KEY = "matchgraph:constraint-terms"
CONSTRAINTS_CACHE_SECONDS = 300
SIZE_WORD = re.compile(r"^(\d{1,4}(?:\.\d{1,2})?)([bm])$")
# A query's words as `normalize.query_words` splits them, except that a size with a decimal
# point ("1.5b") stays one word.
TOKEN = re.compile(r"\d{1,4}\.\d{1,2}[bm](?![^\W_])|[^\W_]+")

# Constraints whose artifacts are decided by a catalog condition; unless a curator marks a
# term as a mere preference, what meets them comes first. The others (cheap, a language, a
# size) are preferences, scored per artifact.
STRONG_TYPES = frozenset(
    {
        ConstraintType.RUNS_LOCALLY,
        ConstraintType.OPEN_SOURCE,
        ConstraintType.HOSTED,
        ConstraintType.FREE,
        ConstraintType.KIND,
    }
)


@dataclass(frozen=True)
class Constraint:
    type: str  # a ConstraintType
    value: str  # the kind(s), the language, "small" or a size such as "7b"; else ""
    typed: str  # the words the visitor used: "on my laptop"
    strong: bool = True  # orders results first when its type can; else a preference

    @property
    def key(self) -> str:
        """Two ways of asking the same thing ("offline", "locally") are one constraint."""
        return f"{self.type}:{self.value}" if self.value else self.type

    @property
    def is_strong(self) -> bool:
        return self.strong and self.type in STRONG_TYPES

    @property
    def label(self) -> str:
        """What the chip says."""
        if self.type == ConstraintType.KIND:
            return f"kind: {kind_label(self.value)}"
        if self.type == ConstraintType.LANGUAGE:
            return f"language: {self.value.capitalize()}"
        if self.type == ConstraintType.SIZE:
            return "small" if self.value == "small" else f"size: up to {self.value.upper()}"
        if self.type == ConstraintType.HOSTED and self.value == "api":
            return "API or hosted"
        if self.type == ConstraintType.OPEN_SOURCE and self.value == "model":
            return "open weights"
        return ConstraintType(self.type).label.lower()


@dataclass(frozen=True)
class VocabularyEntry:
    words: tuple[str, ...]  # the phrase as query words, stop words included
    type: str
    value: str
    strong: bool = True


@dataclass(frozen=True)
class Understanding:
    task: str  # the query without its constraint words, as typed otherwise
    constraints: tuple[Constraint, ...]

    def without(self, constraint: Constraint) -> str:
        """The query with one constraint's words removed: where its chip links to."""
        kept = [c.typed for c in self.constraints if c != constraint]
        return " ".join(part for part in [self.task, *kept] if part)


def understand(
    raw: str,
    *,
    vocabulary: Sequence[VocabularyEntry],
    task_phrases: Iterable[tuple[str, ...]] = (),
) -> Understanding:
    """Split `raw` into its task and its constraints. A pure function of its arguments.

    `task_phrases` are multi-word terms whose words always stay task words (the synonym
    table's terms)."""
    words = _tokens(raw)
    protected = _protected_positions(words, task_phrases)
    by_length = sorted(vocabulary, key=lambda entry: -len(entry.words))
    taken: set[int] = set()
    found: list[tuple[int, Constraint]] = []
    for start in range(len(words)):
        if start in taken:
            continue
        match = _constraint_at(words, start, by_length, protected)
        if match is None:
            continue
        width, constraint = match
        taken.update(range(start, start + width))
        found.append((start, constraint))
    constraints: list[Constraint] = []
    keys: set[str] = set()
    for _, constraint in sorted(found, key=lambda item: item[0]):
        if constraint.key not in keys:
            keys.add(constraint.key)
            constraints.append(constraint)
    task = " ".join(word for position, word in enumerate(words) if position not in taken)
    return Understanding(task=task, constraints=tuple(constraints))


def _tokens(raw: str) -> list[str]:
    return TOKEN.findall(normalized_text(raw))


def _constraint_at(
    words: list[str],
    start: int,
    vocabulary: Sequence[VocabularyEntry],
    protected: set[int],
) -> tuple[int, Constraint] | None:
    for entry in vocabulary:
        width = len(entry.words)
        span = range(start, start + width)
        if tuple(words[start : start + width]) == entry.words and not protected & set(span):
            typed = " ".join(entry.words)
            return width, Constraint(entry.type, entry.value, typed, entry.strong)
    word = words[start]
    size = SIZE_WORD.match(word)
    if size and start not in protected:
        return 1, Constraint(ConstraintType.SIZE, word, word)
    return None


def _protected_positions(words: list[str], phrases: Iterable[tuple[str, ...]]) -> set[int]:
    """Positions of `words` covered by a multi-word task phrase. Phrases are compared with
    stop words left out ("speech to text" is stored as speech, text)."""
    meaningful = [(position, word) for position, word in enumerate(words) if word not in STOP_WORDS]
    plain = [word for _, word in meaningful]
    protected: set[int] = set()
    for phrase in phrases:
        width = len(phrase)
        if width < 2:
            continue
        for start in range(len(plain) - width + 1):
            if tuple(plain[start : start + width]) == phrase:
                first, last = meaningful[start][0], meaningful[start + width - 1][0]
                protected.update(range(first, last + 1))
    return protected


def kind_label(value: str) -> str:
    labels = dict(Kind.choices)
    return " or ".join(labels.get(kind, kind) for kind in value.split(","))


# `ConstraintTerm.objects.filter(is_active=True)` in its own order, written out: a search that
# finds the terms uncached should not also pay for compiling the query.
ACTIVE_CONSTRAINT_TERMS_SQL = """
SELECT phrase, "constraint", value, is_strong FROM matchgraph_constraintterm
WHERE is_active ORDER BY "constraint", phrase
"""


def constraint_vocabulary() -> list[VocabularyEntry]:
    """The active constraint terms, cached for a few minutes (an admin edit clears it)."""

    def load() -> list[VocabularyEntry]:
        entries = []
        with connection.cursor() as cursor:
            cursor.execute(ACTIVE_CONSTRAINT_TERMS_SQL)
            rows = cursor.fetchall()
        for phrase, constraint, value, is_strong in rows:
            words = tuple(query_words(phrase))
            if words:
                entries.append(VocabularyEntry(words, constraint, value.strip().lower(), is_strong))
        return entries

    return cache.get_or_set(CONSTRAINTS_CACHE_KEY, load, CONSTRAINTS_CACHE_SECONDS)
