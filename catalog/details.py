"""How an artifact's stored details read on a page: `("context_length", 131072)` becomes
"Context length" and "128K tokens", `True` becomes "Yes".

Details are free key/value pairs typed by curators and importers, so a value is put into
words by its type; the few units a key's name implies (token counts, megabytes, seconds) are
listed here, once, rather than in templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Keys whose number counts tokens: shown the way model cards write them ("128K tokens").
TOKEN_KEYS = frozenset({"context_length"})
TOKEN_SUFFIX = "_tokens"
# Keys whose number names something (a port, a year, a version): no thousands separator.
IDENTIFIER_SUFFIXES = ("port", "year", "version", "edition", "first_offered", "_id")
# A unit written at the end of a key ("max_file_size_mb"): the label drops it, the value
# carries it ("Max file size", "25 MB").
UNIT_SUFFIXES = {"_mb": "MB", "_seconds": "seconds"}
# Token counts are round in decimal (128,000, 1,000,000) or in binary (131,072 = 128 × 1,024);
# decimal first, so 128,000 reads 128K rather than 125K.
TOKEN_STEPS = ((1000 * 1000, "M"), (1024 * 1024, "M"), (1000, "K"), (1024, "K"))


def detail_label(key: str) -> str:
    """`max_file_size_mb` → "Max file size"."""
    key = str(key).strip()
    for suffix in UNIT_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key.replace("_", " ").strip().capitalize()


def token_count(count: int) -> str:
    """131072 → "128K", 1000000 → "1M", 8191 → "8,191"."""
    for size, suffix in TOKEN_STEPS:
        if count >= size and count % size == 0:
            return f"{count // size:,}{suffix}"
    return f"{count:,}"


def detail_value(key: str, value: object) -> str:
    """A detail's value in words, by its type (and the unit its key implies)."""
    key = str(key).strip().lower()
    if value is None or value == "":
        return "Unknown"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return _number(key, value)
    if isinstance(value, Mapping):
        return "; ".join(f"{detail_label(k)}: {detail_value(k, v)}" for k, v in value.items())
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(detail_value(key, item) for item in value)
    return str(value)


def _number(key: str, value: int | float) -> str:
    whole = isinstance(value, int) or value.is_integer()
    if whole and (key in TOKEN_KEYS or key.endswith(TOKEN_SUFFIX)):
        return f"{token_count(int(value))} tokens"
    if key.endswith(IDENTIFIER_SUFFIXES):
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = f"{int(value):,}" if whole else f"{value:,.2f}".rstrip("0").rstrip(".")
    for suffix, unit in UNIT_SUFFIXES.items():
        if key.endswith(suffix):
            return f"{text} {unit}"
    return text
