"""The picker: what to set beside the artifacts already chosen. With nothing typed, the
artifacts most related to the first; else name matches. Each suggestion links to the
comparison it makes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compare import naming
from compare.limits import MAX_GRID
from compare.problems import UnknownArtifacts
from compare.stamps import Stamp, stamps_for_slugs
from compare.suggestions import (
    SUGGESTIONS,
    Suggestion,
    artifact_name_matches,
    related_suggestions,
    suggestion_for,
    suggestions_for_unknown,
)


@dataclass(frozen=True)
class Picker:
    kept: tuple[Stamp, ...]
    query: str
    mode: str  # "pair" (from an artifact page), "swap" (a side of a pair), "grid" (a column)
    swap: str = ""
    heading: str = ""
    suggestions: tuple[Suggestion, ...] = ()
    exact_url: str | None = None
    full: bool = False  # the grid already has the maximum number of columns

    @property
    def kept_slugs(self) -> list[str]:
        return [stamp.slug for stamp in self.kept]


PICKER_MODES = ("pair", "swap", "grid")


def compare_picker(
    *, kept_slugs: Sequence[str], query: str = "", mode: str = "pair", swap: str = ""
) -> Picker:
    """Suggestions for what to compare with the kept artifacts: with nothing typed, the
    artifacts most related to the first (co-matches, then catalog overlap); else name matches.
    Each suggestion links to the comparison it makes."""
    mode = mode if mode in PICKER_MODES else "pair"
    kept_values = naming.unique([slug.strip() for slug in kept_slugs if slug.strip()])[:MAX_GRID]
    if mode != "grid":
        kept_values = kept_values[:1]
    query = query.strip()[:200]
    found, _ = stamps_for_slugs([*kept_values, swap] if swap else kept_values)
    kept = tuple(found[slug] for slug in kept_values if slug in found)
    if not kept and (mode != "grid" or kept_values):
        raise UnknownArtifacts(
            "Start from an artifact the directory lists.",
            title="Nothing to compare with",
            suggestions=suggestions_for_unknown(kept_values) if kept_values else {},
        )
    if mode == "grid" and len(kept) >= MAX_GRID:
        return Picker(kept, query, mode, swap if swap in found else "", full=True)
    exclude = {stamp.id for stamp in kept} | ({found[swap].id} if swap in found else set())

    def target(slug: str) -> str:
        if mode == "grid":
            return naming.grid_url([stamp.slug for stamp in kept] + [slug])
        return naming.pair_url(kept[0].slug, slug)

    suggestions: list[Suggestion] = []
    if not kept and not query:
        heading = "Type a name to start"
    elif query:
        heading = f"Names matching “{query}”"
        suggestions = [
            suggestion_for(artifact, url=target(artifact.slug))
            for artifact in artifact_name_matches(query=query, exclude_ids=exclude)
        ]
    else:
        heading = f"Related to {kept[0].name}"
        suggestions = [
            suggestion_for(artifact, url=target(artifact.slug), reason=reason)
            for artifact, reason in related_suggestions(
                artifact_id=kept[0].id, exclude_ids=exclude, limit=SUGGESTIONS
            )
        ]
    exact = [s for s in suggestions if query and query.lower() in (s.slug.lower(), s.name.lower())]
    return Picker(
        kept=kept,
        query=query,
        mode=mode,
        swap=swap if swap in found else "",
        heading=heading,
        suggestions=tuple(suggestions),
        exact_url=exact[0].url if len(exact) == 1 else None,
    )
