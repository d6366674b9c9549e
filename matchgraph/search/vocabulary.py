"""The catalog's vocabulary, for spelling correction and for weighting rare words.

A task rebuilds it, set-based, whenever the catalog's search documents change (`catalog`
bumps a version; a search that sees a newer version queues the rebuild). Requests only read
it: the surface words are held in process memory per version, so correcting a query never
scans the catalog, and works the same on a PostgreSQL without pg_trgm.
"""

import bisect
import gc
import re
import threading
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction
from rapidfuzz import fuzz, process

from catalog.search_index import catalog_search_version
from catalog.selectors import catalog_counts
from config.queueing import queue_after_commit
from matchgraph.maintenance import vacuum_analyze

BUILT_VERSION_KEY = "matchgraph:vocabulary-version"
TOTAL_DOCUMENTS_KEY = "matchgraph:vocabulary-documents"
REBUILD_LOCK_KEY = "matchgraph:vocabulary-rebuild-queued"
REBUILD_LOCK_SECONDS = 60

MIN_CORRECTABLE_LENGTH = 4
# Real listings carry typos too ("speach"), so a word the catalog knows may still be one: a
# word found this rarely is corrected when a close word is RARE_WORD_RATIO times as common.
RARE_WORD_FREQUENCY = 3
RARE_WORD_RATIO = 30
CORRECTION_CUTOFF = 75.0
MAX_WORD_LENGTH = 40

# Surface words of 3+ letters, not just digits, from everything an artifact's own search
# document holds. Spelling correction suggests only words from names, organizations,
# categories and capability titles, or summary words that recur (`correctable`); a word
# from a single summary still completes an unfinished word and is never "corrected" away.
TERMS_SQL = f"""
INSERT INTO matchgraph_searchterm (word, frequency, correctable)
SELECT word, count(*), bool_or(source = 'strong') OR count(*) >= 2 FROM (
    SELECT regexp_split_to_table(lower(name), '[^[:alnum:]]+') AS word, 'strong' AS source
    FROM catalog_artifact WHERE is_published
    UNION ALL
    SELECT regexp_split_to_table(lower(regexp_replace(name, '[^[:alnum:]]+', '', 'g')), '\\s+'),
           'strong'
    FROM catalog_artifact WHERE is_published
    UNION ALL
    SELECT regexp_split_to_table(lower(organization), '[^[:alnum:]]+'), 'strong'
    FROM catalog_artifact WHERE is_published
    UNION ALL
    SELECT regexp_split_to_table(lower(name), '[^[:alnum:]]+'), 'strong' FROM catalog_category
    UNION ALL
    SELECT regexp_split_to_table(lower(title), '[^[:alnum:]]+'), 'strong' FROM catalog_capability
    UNION ALL
    SELECT regexp_split_to_table(lower(summary), '[^[:alnum:]]+'), 'weak'
    FROM catalog_artifact WHERE is_published
) AS words
WHERE length(word) BETWEEN 3 AND {MAX_WORD_LENGTH} AND word !~ '^[0-9]+$'
GROUP BY word
"""

PUBLISHED_COUNT_SQL = "SELECT count(*) FROM catalog_artifact WHERE is_published"

LEXEMES_SQL = """
INSERT INTO matchgraph_lexemestat (lexeme, documents)
SELECT word, ndoc FROM ts_stat(
    'SELECT search_vector FROM catalog_artifact WHERE is_published AND search_vector IS NOT NULL'
)
WHERE length(word) <= 200
"""


@dataclass(frozen=True)
class VocabularyReport:
    terms: int
    lexemes: int
    documents: int


def vocabulary_rebuild() -> VocabularyReport:
    version = catalog_search_version()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM matchgraph_searchterm")
        cursor.execute(TERMS_SQL)
        terms = cursor.rowcount
        cursor.execute("DELETE FROM matchgraph_lexemestat")
        cursor.execute(LEXEMES_SQL)
        lexemes = cursor.rowcount
        cursor.execute(PUBLISHED_COUNT_SQL)
        documents = cursor.fetchone()[0]
    # Each rebuild leaves the previous vocabulary behind as dead rows.
    vacuum_analyze(("matchgraph_searchterm", "matchgraph_lexemestat"))
    cache.set(TOTAL_DOCUMENTS_KEY, documents, None)
    cache.set(BUILT_VERSION_KEY, version, None)
    cache.set(EMPTY_CHECK_KEY, terms > 0, EMPTY_CHECK_SECONDS)
    cache.delete(REBUILD_LOCK_KEY)
    return VocabularyReport(terms=terms, lexemes=lexemes, documents=documents)


EMPTY_CHECK_KEY = "matchgraph:vocabulary-present"
EMPTY_CHECK_SECONDS = 60


def vocabulary_is_stale() -> bool:
    """Stale when the catalog changed since the last build, or when there is no vocabulary
    at all. A cache that merely forgot both versions (a restart with a local-memory cache)
    does not force a rebuild while a vocabulary exists."""
    built = cache.get(BUILT_VERSION_KEY)
    if built is not None:
        return built != catalog_search_version()
    present = _cached_scalar(
        EMPTY_CHECK_KEY, "SELECT EXISTS (SELECT 1 FROM matchgraph_searchterm)", EMPTY_CHECK_SECONDS
    )
    return not present


def vocabulary_rebuild_if_stale() -> bool:
    """Queue one rebuild when the catalog changed since the last build. Returns True if
    queued. The lock keeps a burst of searches from queueing a rebuild each."""
    if not vocabulary_is_stale() or not cache.add(REBUILD_LOCK_KEY, True, REBUILD_LOCK_SECONDS):
        return False
    from matchgraph.tasks import rebuild_vocabulary

    queue_after_commit(rebuild_vocabulary)
    return True


def total_documents() -> int:
    """Published artifacts when the vocabulary was built (rare-word weights need it). A
    cache that forgot it falls back on the catalog's count per kind, which the writing job
    keeps for every catalog change: a search never counts the whole catalog itself."""
    documents = cache.get(TOTAL_DOCUMENTS_KEY)
    if documents is None:
        documents = sum(catalog_counts().values())
    return documents


def _cached_scalar(key: str, sql: str, seconds: int | None):
    """The value of a one-value query, kept in the cache under `key` for `seconds`."""
    value = cache.get(key)
    if value is None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            value = cursor.fetchone()[0]
        cache.set(key, value, seconds)
    return value


# --- Spelling correction -----------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    version: str | None
    frequency: dict[str, int]  # every known word; empty until a vocabulary is built
    # Correctable words by length and first letter, and by length and last letter.
    by_start: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    by_end: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    alphabetical: list[str] = field(default_factory=list)

    def starting_with(self, prefix: str, *, limit: int) -> list[str] | None:
        """Known words that begin with `prefix` (itself included), or None when there are
        more than `limit`."""
        start = bisect.bisect_left(self.alphabetical, prefix)
        following = self.alphabetical[start : start + limit + 1]
        found = [word for word in following if word.startswith(prefix)]
        return found if len(found) <= limit else None

    def near(self, word: str, spread: int = 2) -> list[str]:
        """The correctable words a typo of `word` may be: within `spread` letters of its
        length, and sharing its first or its last letter. A typo rarely changes the length by
        more, or both ends of a word ("imgae", "speach", "mage" for "image" all keep one);
        this keeps fuzzy matching to a small part of the vocabulary."""
        lengths = range(len(word) - spread, len(word) + spread + 1)
        near: dict[str, None] = {}
        for n in lengths:
            near.update(dict.fromkeys(self.by_start.get((n, word[0]), [])))
            near.update(dict.fromkeys(self.by_end.get((n, word[-1]), [])))
        return list(near)


_lexicon = Lexicon(version=None, frequency={})
# A vocabulary this large is kept out of the garbage collector's sight once loaded.
FROZEN_FROM_WORDS = 100_000
_lexicon_lock = threading.Lock()


def lexicon() -> Lexicon:
    """The surface vocabulary, loaded once per process per built version."""
    global _lexicon
    # A cache that forgot the version (restart) still means the table's current contents.
    version = cache.get(BUILT_VERSION_KEY) or "unversioned"
    if _lexicon.version == version:
        return _lexicon
    with _lexicon_lock:
        with connection.cursor() as cursor:
            cursor.execute("SELECT word, frequency, correctable FROM matchgraph_searchterm")
            rows = cursor.fetchall()
        frequency = {word: count for word, count, _ in rows}
        # Only correctable words are offered as corrections.
        by_start: dict[tuple[int, str], list[str]] = {}
        by_end: dict[tuple[int, str], list[str]] = {}
        for word, _, correctable in rows:
            if correctable:
                by_start.setdefault((len(word), word[0]), []).append(word)
                by_end.setdefault((len(word), word[-1]), []).append(word)
        _lexicon = Lexicon(
            version=version,
            frequency=frequency,
            by_start=by_start,
            by_end=by_end,
            alphabetical=sorted(frequency),
        )
        if len(frequency) >= FROZEN_FROM_WORDS:
            _out_of_the_collectors_sight()
    return _lexicon


def _out_of_the_collectors_sight() -> None:
    """A full vocabulary is a million words in every process, and each full garbage collection
    walked them all: about 100 ms at 841,708 packages, a pause in whichever request it fell on.
    They live until the next version (and are freed then by reference counting, holding no
    cycles), so what the process holds now is moved out of the collector's sight."""
    gc.collect()
    gc.freeze()


WORD = re.compile(r"^[^\W_]+$")
# PostgreSQL's English stop words (tsearch_data/english.stop): full-text search drops them.
INDEX_STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will just
    don should now""".split()
)
# A last word with more completions than this stays a prefix search in the index.
MAX_COMPLETIONS = 12


def completions(prefix: str) -> tuple[str, ...] | None:
    """What a visitor still typing `prefix` may mean: `prefix` itself and the known words that
    begin with it. Searching these words is much cheaper than a prefix search in the index,
    which must read every entry the prefix covers. None, and the index searches the prefix,
    when there is no vocabulary, when no known word begins with it (it may begin something
    the vocabulary leaves out: capability descriptions, numbers), when too many do, or when
    it is a word full-text search ignores (completing "over" would require "overview")."""
    known = lexicon()
    if not known.frequency or prefix.isdigit() or prefix in INDEX_STOP_WORDS:
        return None
    found = known.starting_with(prefix, limit=MAX_COMPLETIONS)
    if not found:
        return None
    return tuple(dict.fromkeys([prefix, *found]))


def is_known_word(word: str) -> bool:
    """A whole word of the catalog's vocabulary (not only the start of one)."""
    return word in lexicon().frequency


def may_correct(words: list[str]) -> bool:
    """Whether `correct_words` could change `words`, decided without fuzzy matching: a word
    the vocabulary does not know is long enough to correct, or two words join into one."""
    known = lexicon()
    if not known.frequency:
        return False
    mended = _join_split_words(words, known)
    return mended != words or any(_correctable(word, known) for word in mended)


def correct_words(words: list[str]) -> list[str]:
    """Each word the catalog does not know, replaced by its closest known word; words that
    split ("whis per") or join ("speechrecognition") into known words are mended first."""
    known = lexicon()
    if not known.frequency:
        return list(words)
    mended = _join_split_words(words, known)
    corrected = []
    for word in mended:
        corrected.extend(_correct_word(word, known))
    return corrected


def _join_split_words(words: list[str], known: Lexicon) -> list[str]:
    result: list[str] = []
    index = 0
    while index < len(words):
        pair = "".join(words[index : index + 2])
        if (
            index + 1 < len(words)
            and pair in known.frequency
            and (words[index] not in known.frequency or words[index + 1] not in known.frequency)
        ):
            result.append(pair)
            index += 2
            continue
        result.append(words[index])
        index += 1
    return result


def _correctable(word: str, known: Lexicon) -> bool:
    if len(word) < MIN_CORRECTABLE_LENGTH or WORD.match(word) is None:
        return False
    seen = known.frequency.get(word, 0)
    return not seen or (seen <= RARE_WORD_FREQUENCY and bool(_common_near(word, known)))


def _common_near(word: str, known: Lexicon) -> list[str]:
    """For a word the catalog knows: the near words RARE_WORD_RATIO times as common."""
    enough = known.frequency.get(word, 0) * RARE_WORD_RATIO
    return [other for other in known.near(word) if known.frequency[other] >= enough]


def is_rare_word(word: str) -> bool:
    """Known, but so rarely that it may be a typo of a common word."""
    return 0 < lexicon().frequency.get(word, 0) <= RARE_WORD_FREQUENCY


def _correct_word(word: str, known: Lexicon) -> list[str]:
    if not _correctable(word, known):
        return [word]
    seen = known.frequency.get(word, 0)
    if not seen:
        split = _split_joined_word(word, known)
        if split:
            return split
    near = _common_near(word, known) if seen else known.near(word)
    candidates = process.extract(
        word,
        near,
        scorer=fuzz.ratio,
        score_cutoff=CORRECTION_CUTOFF,
        limit=5,
    )
    if not candidates:
        return [word]
    # Best similarity first; between near-equals, the more frequent word.
    best = max(candidates, key=lambda found: (round(found[1]), known.frequency[found[0]]))
    return [best[0]]


def _split_joined_word(word: str, known: Lexicon) -> list[str] | None:
    for cut in range(3, len(word) - 2):
        left, right = word[:cut], word[cut:]
        if left in known.frequency and right in known.frequency:
            return [left, right]
    return None
