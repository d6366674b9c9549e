"""The records `make bench` loads: real PyPI packages, in stages that grow one catalog.

Every valid package of the list (`pypi_catalog.select_packages(everything=True)`: name and
the author's summary, unedited) is put in one fixed order: the AI/ML packages shuffled, then
the others shuffled (seeded, so every run loads the same records). Stage k imports the
packages from the end of stage k-1 up to its size, so the first 3,000 are AI/ML packages
spread over the whole alphabet, 100,000 holds every AI/ML package, and the full size is the
whole list.

The list says nothing of capabilities, categories or modalities. Where a package matched
AI/ML topics, its record gets what a curator would derive from those topic words (never a
changed name or summary): a category and a capability per topic (at most three, the
capability's description being the author's summary) and the topic's typical inputs and
outputs. Match events are generated later, in SQL (`scale.py`), since the list has none.
"""

import pickle
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pypi_catalog import DEFAULT_TSV, select_packages

SEED = 7
CACHE_DIR = Path(__file__).resolve().parents[1] / ".data"
TOPICS_PER_RECORD = 3

# topic -> (category and capability title, inputs, outputs)
TOPIC_PROFILES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "machine_learning": ("Machine learning", ("structured",), ("structured",)),
    "deep_learning": ("Deep learning", ("structured",), ("structured",)),
    "llm": ("Language models", ("text",), ("text",)),
    "transformer": ("Transformers", ("text",), ("text",)),
    "nlp": ("Natural language processing", ("text",), ("text", "structured")),
    "embedding": ("Embeddings", ("text",), ("embedding",)),
    "vector_search": ("Vector search", ("embedding",), ("structured",)),
    "speech": ("Speech and audio", ("audio", "text"), ("text", "audio")),
    "ocr": ("Document reading (OCR)", ("image",), ("text",)),
    "vision": ("Computer vision", ("image",), ("structured",)),
    "generative": ("Generative models", ("text",), ("image", "text")),
    "frameworks": ("ML frameworks", ("structured",), ("structured",)),
    "llm_tools": ("LLM tooling", ("text",), ("text",)),
    "rag": ("Retrieval-augmented generation", ("text",), ("text",)),
    "chatbot": ("Chatbots", ("text",), ("text",)),
    "agent": ("Agents", ("text",), ("text",)),
    "prompt": ("Prompting", ("text",), ("text",)),
    "ml_tasks": ("ML tasks and serving", ("structured",), ("structured",)),
}


@dataclass(frozen=True)
class Stage:
    size: int  # catalog size once this stage is imported
    records: list[dict]


def ordered_records(tsv: str = DEFAULT_TSV) -> list[dict]:
    """Every valid package as an import record: AI/ML ones first, each group shuffled. Kept
    in .data/ beside the list's size and date, so the next run reads it in seconds."""
    source = Path(tsv).stat()
    kept = CACHE_DIR / f"scale-records-{source.st_size}-{int(source.st_mtime)}.pickle"
    if kept.exists():
        with kept.open("rb") as handle:
            return pickle.load(handle)
    records = _ordered_records(tsv)
    kept.parent.mkdir(parents=True, exist_ok=True)
    with kept.open("wb") as handle:
        pickle.dump(records, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return records


def _ordered_records(tsv: str) -> list[dict]:
    selection = select_packages(tsv, everything=True)
    ai_ml, others = [], []
    for record, topics in zip(selection.records, selection.record_topics, strict=True):
        (ai_ml if topics else others).append(with_derived_fields(record, topics))
    shuffler = random.Random(SEED)
    shuffler.shuffle(ai_ml)
    shuffler.shuffle(others)
    return ai_ml + others


def with_derived_fields(record: dict, topics: tuple[str, ...]) -> dict:
    """The record plus what its topic words imply (nothing when it matched none)."""
    profiles = [TOPIC_PROFILES[topic] for topic in topics[:TOPICS_PER_RECORD]]
    if not profiles:
        return record
    return {
        **record,
        "categories": [title for title, _, _ in profiles],
        "inputs": _union(inputs for _, inputs, _ in profiles),
        "outputs": _union(outputs for _, _, outputs in profiles),
        "capabilities": [
            {"title": title, "description": record["summary"]} for title, _, _ in profiles
        ],
    }


def _union(groups: Iterator[tuple[str, ...]]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        seen.update(dict.fromkeys(group))
    return list(seen)


def stages(records: list[dict], sizes: list[int | None]) -> list[Stage]:
    """Consecutive slices of `records` ending at each size (None: all of them)."""
    result, start = [], 0
    for size in sizes:
        end = len(records) if size is None else min(size, len(records))
        if end > start:
            result.append(Stage(size=end, records=records[start:end]))
            start = end
    return result
