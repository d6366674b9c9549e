"""Turn what a visitor typed into an intent: the same need typed two ways is one intent."""

import unicodedata

from catalog.search_words import WORD

MAX_QUERY_CHARS = 200
MAX_TERMS = 12

# Words that carry no intent. Kept short on purpose: "without", "local", "free" do matter.
STOP_WORDS = frozenset(
    """a an and are as at be by can for from how i in into is it its me my of on or our so
    that the their them then there these this to was what when where which who will with
    you your want need looking find some any please best good""".split()
)


def normalized_text(raw: str) -> str:
    """The query's text as its words are read from: Unicode-normalized, bounded, lower-case."""
    return unicodedata.normalize("NFKC", raw or "")[: MAX_QUERY_CHARS * 2].lower()


def query_words(raw: str) -> list[str]:
    """Lower-cased words of a query, punctuation and extra whitespace removed."""
    return WORD.findall(normalized_text(raw))


def meaningful_words(raw: str) -> list[str]:
    """The query's words without stop words, at most MAX_TERMS: what search looks for."""
    return [word for word in query_words(raw) if word not in STOP_WORDS][:MAX_TERMS]


def normalize_intent(raw: str) -> str:
    """'  Caption PRODUCT photos, cheaply!! ' -> 'caption product photos cheaply'.

    Returns "" when nothing meaningful is left (only punctuation or stop words)."""
    return " ".join(meaningful_words(raw))[:MAX_QUERY_CHARS].strip()
