"""How typed words become a match against an artifact's search document
(`Artifact.search_vector`, built by `catalog.search_index`): said once here for every reader
of it (browse's keyword box, the comparison picker's name matches, full-text search).

Pure: words in, a raw tsquery out, read by `document_query` with the document's own text
configuration."""

import re
from itertools import combinations

from django.contrib.postgres.search import SearchQuery

# A word: letters and digits in any script; punctuation and underscores split words.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A last word this long or longer may be unfinished ("transcr" -> "transcribe").
MIN_PREFIX_LENGTH = 2
# The text search configuration the search documents are built with.
SEARCH_CONFIG = "english"


def text_words(text: str) -> list[str]:
    """Lower-cased words of a text, punctuation and extra whitespace removed."""
    return WORD.findall(text.lower())


def words_tsquery(
    words: list[str],
    *,
    any_word: bool = False,
    two_words: bool = False,
    prefix_last: bool = False,
    prefix_every: bool = False,
    completions: tuple[str, ...] | None = None,
    field: str = "",
) -> str:
    """The words as a tsquery, all of them (or `any_word`); with `prefix_last`, the last word
    may be unfinished: any of its `completions`, or without them a prefix; with
    `prefix_every`, each word is a prefix ("speech recog" finds "speech recognition"). With
    a `field` ("A": the name), each word only in that field of the document. `two_words`:
    any two of the words (every pair, or'ed)."""
    label = f":{field}" if field else ""
    if prefix_every:
        terms = [f"{word}:*{field}" for word in words]
    else:
        terms = [f"{word}{label}" for word in words]
    if prefix_last and not prefix_every and len(words[-1]) >= MIN_PREFIX_LENGTH:
        last = words[-1]
        terms[-1] = (
            f"({' | '.join(f'{word}{label}' for word in completions)})"
            if completions
            else f"{last}:*{field}"
        )
    if two_words and len(terms) > 2:
        return " | ".join(f"({first} & {second})" for first, second in combinations(terms, 2))
    return (" | " if any_word else " & ").join(terms)


def document_query(tsquery: str) -> SearchQuery:
    """A raw tsquery (from `words_tsquery`) as a query on search documents."""
    return SearchQuery(tsquery, search_type="raw", config=SEARCH_CONFIG)
