"""A plain Okapi BM25 baseline over the same catalog search runs on.

Each artifact is one document: name, summary, category names, capability titles and
descriptions. Tokens are lower-cased runs of letters and digits; no stemming, no stop words,
no synonyms, no typo handling — the baseline a forgiving search has to beat.

    score(d, q) = Σ_t idf(t) · tf(t, d) · (k1 + 1) / (tf(t, d) + k1 · (1 − b + b · |d| / avgdl))
    idf(t)      = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))     (Lucene's form: never negative)
"""

import math
import re
from collections import Counter
from collections.abc import Mapping

from catalog.models import Artifact

K1 = 1.2
B = 0.75
TOKEN_RE = re.compile(r"[^\W_]+")


def tokenize(text: str) -> list[str]:
    """Lower-case, then split on everything that is not a letter or digit."""
    return TOKEN_RE.findall(text.lower())


class BM25:
    def __init__(self, documents: Mapping[str, str], *, k1: float = K1, b: float = B) -> None:
        self.k1 = k1
        self.b = b
        self.lengths: dict[str, int] = {}
        # term -> {document key: term frequency}
        self.postings: dict[str, dict[str, int]] = {}
        for key, text in documents.items():
            tokens = tokenize(text)
            self.lengths[key] = len(tokens)
            for term, frequency in Counter(tokens).items():
                self.postings.setdefault(term, {})[key] = frequency
        total = len(self.lengths)
        self.average_length = sum(self.lengths.values()) / total if total else 0.0
        self.idf = {
            term: math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
            for term, docs in self.postings.items()
        }

    def score(self, query: str) -> dict[str, float]:
        """BM25 score of every document sharing at least one term with `query`."""
        scores: dict[str, float] = {}
        for term in tokenize(query):
            for key, frequency in self.postings.get(term, {}).items():
                norm = 1 - self.b + self.b * self.lengths[key] / self.average_length
                gain = frequency * (self.k1 + 1) / (frequency + self.k1 * norm)
                scores[key] = scores.get(key, 0.0) + self.idf[term] * gain
        return scores

    def rank(self, query: str, *, limit: int | None = None) -> list[str]:
        """Keys of matching documents, best first; ties by key so runs repeat exactly."""
        scores = self.score(query)
        ordered = sorted(scores, key=lambda key: (-scores[key], key))
        return ordered if limit is None else ordered[:limit]


def artifact_document(artifact: Artifact) -> str:
    """The text BM25 indexes for one artifact (categories and capabilities prefetched)."""
    parts = [artifact.name, artifact.summary]
    parts += [category.name for category in artifact.categories.all()]
    for capability in artifact.capabilities.all():
        parts += [capability.title, capability.description]
    return "\n".join(parts)


def bm25_for_catalog() -> BM25:
    """BM25 over every published artifact, keyed by slug. Three queries."""
    artifacts = Artifact.objects.published().prefetch_related("categories", "capabilities")
    return BM25({artifact.slug: artifact_document(artifact) for artifact in artifacts})
