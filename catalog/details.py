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
# Keys whose number counts something large and round: "7B" parameters, like model cards.
SHORT_COUNT_KEYS = frozenset({"parameters", "parameters_total", "parameters_active"})
# Keys whose number counts things named by the key: 1 → "1 language", 12 → "12 languages".
COUNTED_KEYS = {"languages": ("language", "languages")}
# (a decimal size, its binary counterpart, the suffix, whether one decimal reads well), largest
# first. Counts are round in decimal (128,000) or binary (131,072 = 128 × 1,024): decimal first,
# so 128,000 reads 128K rather than 125K. Thousands stay exact: 7,500 tokens, not 7.5K.
COUNT_STEPS = (
    (10**9, 1024**3, "B", True),
    (10**6, 1024**2, "M", True),
    (10**3, 1024, "K", False),
)


def detail_label(key: str) -> str:
    """`max_file_size_mb` → "Max file size"."""
    key = str(key).strip()
    for suffix in UNIT_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key.replace("_", " ").strip().capitalize()


def short_count(count: int) -> str:
    """131072 → "128K", 128000 → "128K", 1500000 → "1.5M", 7000000000 → "7B", 8191 → "8,191"."""
    for size, binary, suffix, one_decimal in COUNT_STEPS:
        if count >= size and count % size == 0:
            return f"{count // size:,}{suffix}"
        if count >= binary and count % binary == 0:
            return f"{count // binary:,}{suffix}"
        if one_decimal and count >= size and count % (size // 10) == 0:
            return f"{count / size:,.1f}{suffix}"
    return f"{count:,}"


def tokens(count: int) -> str:
    """131072 → "128K tokens"."""
    return f"{short_count(count)} tokens"


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def as_count(value: object) -> int | None:
    """A whole number stored as a number or as digits typed with commas ("131,072"); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.replace(",", "").strip().isdigit():
        return int(value.replace(",", ""))
    return None


def detail_value(key: str, value: object) -> str:
    """A detail's value in words, by its type (and the unit its key implies)."""
    key = str(key).strip().lower()
    if value is None or value == "":
        return "Unknown"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float):
        return _number(key, value)
    if as_count(value) is not None:
        return _number(key, as_count(value))
    if isinstance(value, Mapping):
        return "; ".join(f"{detail_label(k)}: {detail_value(k, v)}" for k, v in value.items())
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(detail_value(key, item) for item in value)
    return str(value)


def _number(key: str, value: int | float) -> str:
    whole = isinstance(value, int) or value.is_integer()
    if whole and (key in TOKEN_KEYS or key.endswith(TOKEN_SUFFIX)):
        return tokens(int(value))
    if whole and key in SHORT_COUNT_KEYS:
        return short_count(int(value))
    if whole and key in COUNTED_KEYS:
        one, many = COUNTED_KEYS[key]
        return f"{int(value):,} {one if value == 1 else many}"
    if key.endswith(IDENTIFIER_SUFFIXES):
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = f"{int(value):,}" if whole else f"{value:,.2f}".rstrip("0").rstrip(".")
    for suffix, unit in UNIT_SUFFIXES.items():
        if key.endswith(suffix):
            return f"{text} {unit}"
    return text
