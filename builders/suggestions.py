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


@dataclass(frozen=True)
class Suggestion:
    signal: str
    text: str


UNKNOWN_SIGNAL = {
    "adoption": "Adoption is unknown: we could read no stars, downloads or dependents. A "
    "repository or package link lets us read them.",
    "quality": "Quality is unknown: no documentation, examples, changelog or decomposed "
    "capabilities were found. A documentation link lets us count its pages.",
    "ecosystem": "Ecosystem is unknown: no listed artifact links to it or from it. Tell us "
    "what it integrates with or depends on.",
    "match_graph": "Match graph is unknown: it has not been shown in search often enough yet.",
    "freshness": "Freshness is unknown: no release, update or commit date is known. A "
    "repository link or a release date fixes that.",
}

MISSING_FACT = {
    "homepage": "No homepage link.",
    "repository_url": "No source repository link: adoption and freshness cannot be read from it.",
    "docs_url": "No documentation link: the quality signal cannot count documentation pages.",
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
            Suggestion(row.name, UNKNOWN_SIGNAL[row.key])
            for row in breakdown.rows
            if not row.known and row.key in UNKNOWN_SIGNAL
        ]
    suggestions += [
        Suggestion("Quality (listing completeness)", MISSING_FACT.get(field, f"No {field}."))
        for field in LISTING_FIELDS
        if not _present(artifact, field)
    ]
    return suggestions


def _present(artifact: Artifact, field: str) -> bool:
    if field in ("categories", "sources"):
        return bool(getattr(artifact, f"has_{field}", False))
    return bool(getattr(artifact, field, None))
