"""Problems a visitor can cause: shown as a page that explains, never a 500.

Each problem carries what the visitor can do instead: links, suggestions of what a mistyped
slug may have meant, and the artifacts to keep in a picker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compare import naming
from compare.limits import MAX_GRID, MAX_SLUG_LENGTH, MAX_VALUES_READ, MIN_GRID
from compare.stamps import Stamp
from compare.suggestions import Suggestion, suggestions_for_unknown


@dataclass(frozen=True)
class Link:
    label: str
    url: str


class ComparisonProblem(Exception):
    """A comparison that cannot be shown, with what the visitor can do instead."""

    status = 400

    def __init__(
        self,
        message: str,
        *,
        title: str = "That comparison cannot be shown",
        links: Sequence[Link] = (),
        suggestions: dict[str, list[Suggestion]] | None = None,
        picker_slugs: Sequence[str] = (),
        picker_mode: str = "pair",
    ):
        super().__init__(message)
        self.message = message
        self.title = title
        self.links = list(links)
        self.suggestions = suggestions or {}
        self.picker_slugs = list(picker_slugs)
        self.picker_mode = picker_mode


class UnknownArtifacts(ComparisonProblem):
    status = 404


class InvalidSelection(ComparisonProblem):
    status = 400


class NeedsMore(ComparisonProblem):
    """Fewer than two artifacts: not an error but a step ("pick one more"), shown as such."""

    status = 200


# --- A vs B: no reading of the address names two listed artifacts ---------------------------


def _split_for_message(key: str) -> tuple[str, str] | None:
    splits = naming.pair_splits(key)
    return splits[0] if len(splits) == 1 else None


def raise_pair_problem(pair: str, splits: list[tuple[str, str]], found: dict[str, Stamp]) -> None:
    """Raises what went wrong: the same artifact twice, or a slug we do not list."""
    if any(a == b and a in found for a, b in splits):
        slug = next(a for a, b in splits if a == b and a in found)
        raise InvalidSelection(
            f"Both sides are {found[slug].name}. Pick something to compare it with.",
            title="Compare it with something else",
            picker_slugs=[slug],
        )
    split = _split_for_message(pair)
    if split is None:
        # Several (or no) ways to read the address and none works: name what we know.
        known = sorted({slug for a, b in splits for slug in (a, b) if slug in found})
        raise UnknownArtifacts(
            f"“{pair}” does not name two artifacts in the directory.",
            title="We could not find that comparison",
            suggestions=suggestions_for_unknown(
                [pair.replace(naming.SEPARATOR, " ")],
                target=lambda _, slug: naming.pair_url(known[0], slug) if known else None,
            ),
            picker_slugs=known[:1],
        )
    unknown = [slug for slug in split if slug not in found]
    known = [slug for slug in split if slug in found]
    names = " and ".join(f"“{slug}”" for slug in unknown)
    raise UnknownArtifacts(
        f"We do not list an artifact at {names}."
        + (f" {found[known[0]].name} is listed: compare it with something else." if known else ""),
        title="We could not find that comparison",
        suggestions=suggestions_for_unknown(
            unknown, target=lambda _, slug: naming.pair_url(known[0], slug) if known else None
        ),
        picker_slugs=known,
    )


# --- N-way grid: checked before any query, then against what the catalog lists -------------


def grid_values_checked(slugs: Sequence[str]) -> list[str]:
    """The grid's non-blank values, or a problem if there are too many or one repeats. No
    query."""
    values = [value.strip() for value in slugs if value.strip()]
    if len(values) > MAX_VALUES_READ:
        raise InvalidSelection(
            f"A grid compares at most {MAX_GRID} artifacts; this address lists {len(values)}.",
            title="Too many artifacts to compare",
        )
    if len(values) > MAX_GRID:
        raise InvalidSelection(
            f"A grid compares at most {MAX_GRID} artifacts; this address lists {len(values)}. "
            "Remove some, or compare the first six.",
            title="Too many artifacts to compare",
            links=[
                Link("Compare the first six", naming.grid_url(naming.unique(values)[:MAX_GRID]))
            ],
        )
    unique = naming.unique(values)
    if len(unique) < len(values):
        repeated = sorted({value for value in values if values.count(value) > 1})
        raise InvalidSelection(
            f"{', '.join(f'“{v}”' for v in repeated)} "
            f"{'is' if len(repeated) == 1 else 'are'} listed more than once.",
            title="The same artifact twice",
            links=[Link("Compare each once", naming.grid_url(unique))]
            if len(unique) >= MIN_GRID
            else [],
            picker_slugs=unique if len(unique) < MIN_GRID else (),
            picker_mode="grid",
        )
    return values


def raise_grid_problem(values: Sequence[str], found: dict[str, Stamp]) -> None:
    """Raises if a value is not listed or fewer than two remain."""
    unknown = [value for value in values if value not in found]
    known = [value for value in values if value in found]
    if unknown:
        raise UnknownArtifacts(
            f"We do not list {', '.join(f'“{v[:MAX_SLUG_LENGTH]}”' for v in unknown)}.",
            title="Some of these are not in the directory",
            links=[Link("Compare the ones we list", naming.grid_url(known))]
            if len(known) >= MIN_GRID
            else [],
            suggestions=suggestions_for_unknown(
                unknown,
                target=lambda value, slug: naming.grid_url(
                    naming.unique([slug if v == value else v for v in values])
                ),
            ),
            picker_slugs=known if len(known) < MIN_GRID else (),
            picker_mode="grid",
        )
    if len(values) < MIN_GRID:
        raise NeedsMore(
            "A comparison needs at least two artifacts. Add another one below.",
            title="Pick one more to compare",
            picker_slugs=known,
            picker_mode="grid",
        )
