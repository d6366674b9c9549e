"""What a builder could add so the rank's signals can read more: one suggestion per unknown
signal and per listing fact missing. Pure: reads the breakdown and the artifact row.

Suggestions name facts, never text: the rank counts only which facts are present
(`ranking.scoring.LISTING_FIELDS`), so rewording a listing would change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import Artifact
from ranking.scoring import LISTING_FIELDS
from ranking.selectors import RankBreakdown
from ranking.signals import SIGNAL_NAMES

# The signal that counts which listing facts are present.
LISTING_SIGNAL = SIGNAL_NAMES["quality"]


@dataclass(frozen=True)
class Suggestion:
    signal: str
    text: str


# Why each signal may be unknown, and what would let it be read (its name: the registry's).
UNKNOWN_SIGNAL = {
    "adoption": "we could read no stars, downloads or dependents. A repository or package "
    "link lets us read them.",
    "quality": "no documentation, examples, changelog or decomposed capabilities were found. "
    "A documentation link lets us count its pages.",
    "ecosystem": "no listed artifact links to it or from it. Tell us what it integrates with "
    "or depends on.",
    "match_graph": "it has not been shown in search often enough yet.",
    "freshness": "no release, update or commit date is known. A repository link or a release "
    "date fixes that.",
}

MISSING_FACT = {
    "homepage": "No homepage link.",
    "repository_url": "No source repository link: adoption and freshness cannot be read from it.",
    "docs_url": "No documentation link: the documentation signal cannot count its pages.",
    "license": "No license recorded.",
    "categories": "No category.",
    "inputs": "No inputs listed (text, image, audio…).",
    "outputs": "No outputs listed.",
    "best_for": "Nothing listed under “best for”.",
    "limitations": "No known limitations listed.",
    "requirements": "No requirements listed.",
    "details": "No details (such as size or context length).",
    "released": "No release date.",
    "sources": "No data source recorded.",
}


def listing_suggestions(*, artifact: Artifact, breakdown: RankBreakdown | None) -> list[Suggestion]:
    suggestions = []
    if breakdown is not None:
        suggestions += [
            Suggestion(row.name, f"{row.name} is unknown: {UNKNOWN_SIGNAL[row.key]}")
            for row in breakdown.rows
            if not row.known and row.key in UNKNOWN_SIGNAL
        ]
    suggestions += [
        Suggestion(
            f"{LISTING_SIGNAL} (listing completeness)", MISSING_FACT.get(field, f"No {field}.")
        )
        for field in LISTING_FIELDS
        if not _present(artifact, field)
    ]
    return suggestions


def _present(artifact: Artifact, field: str) -> bool:
    if field in ("categories", "sources"):
        return bool(getattr(artifact, f"has_{field}", False))
    return bool(getattr(artifact, field, None))
