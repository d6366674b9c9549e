"""What to compare with: artifacts related to one already chosen (as its own page lists
them), and name matches for what a visitor typed (the picker's type-ahead, and the guesses
for a mistyped address). Each suggestion is built by `suggestion_for`, in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchRank
from django.db.models import Case, F, IntegerField, Q, Value, When

from catalog.models import Artifact
from catalog.querysets import name_order
from catalog.search_words import document_query, words_tsquery
from compare.limits import MAX_GRID, MAX_SLUG_LENGTH
from matchgraph.search.plan import search_words
from matchgraph.selectors import artifact_neighbours

SUGGESTIONS = 8
# What a suggestion shows.
CARD_FIELDS = ("id", "slug", "name", "kind", "current_rank")


@dataclass(frozen=True)
class Suggestion:
    slug: str
    name: str
    kind: str
    kind_label: str
    rank: int | None  # within its kind, as every rank
    url: str  # where choosing it goes: a comparison
    reason: str = ""


def suggestion_for(artifact: Artifact, *, url: str, reason: str = "") -> Suggestion:
    """An artifact loaded with `CARD_FIELDS`, offered with where choosing it goes."""
    return Suggestion(
        artifact.slug,
        artifact.name,
        artifact.kind,
        artifact.get_kind_display(),
        artifact.current_rank,
        url,
        reason,
    )


def artifact_name_matches(
    *,
    query: str,
    exclude_ids: Iterable[int] = (),
    limit: int = SUGGESTIONS,
    any_word: bool = False,
) -> list[Artifact]:
    """Published artifacts whose name (or listing) matches what was typed, the last word as a
    prefix: exact and leading name matches first, then relevance weighted to the name, then
    rank. Found through the search document's GIN index, plus an exact slug. One query; its
    cost grows with how many artifacts hold the words (see the benchmark).

    Typing narrows (every word must match); `any_word` suits guessing what a mistyped address
    meant."""
    words = search_words(query)
    text = query.strip()
    condition = Q(slug=text.lower())
    if words:
        tsquery = document_query(words_tsquery(words, prefix_last=True, any_word=any_word))
        condition |= Q(search_vector=tsquery)
        relevance = SearchRank(F("search_vector"), tsquery, weights=[0.02, 0.05, 0.2, 1.0])
    else:
        relevance = Value(0.0)
    return list(
        Artifact.objects.published()
        .filter(condition)
        .exclude(pk__in=list(exclude_ids))
        .annotate(
            closeness=Case(
                When(Q(slug=text.lower()) | Q(name__iexact=text), then=2),
                When(name__istartswith=text, then=1),
                default=0,
                output_field=IntegerField(),
            ),
            relevance=relevance,
        )
        .order_by("-closeness", "-relevance", F("current_rank").desc(nulls_last=True), name_order())
        .only(*CARD_FIELDS)[:limit]
    )


def suggestions_for_unknown(
    values: Sequence[str], *, target: Callable[[str, str], str | None] | None = None
) -> dict[str, list[Suggestion]]:
    """For each value we could not find, a few listed artifacts it may have meant, each
    linking to the comparison with it put right (`target(value, slug)`), else to its page.
    An error path only: one query per value, at most six."""
    found = {}
    for value in values[:MAX_GRID]:
        text = value.replace("-", " ")[:MAX_SLUG_LENGTH]
        matches = artifact_name_matches(query=text, limit=3, any_word=True)
        found[value] = [
            suggestion_for(
                a, url=(target(value, a.slug) if target else None) or a.get_absolute_url()
            )
            for a in matches
        ]
    return found


def related_suggestions(
    *, artifact_id: int, exclude_ids: Iterable[int] = (), limit: int = SUGGESTIONS
) -> list[tuple[Artifact, str]]:
    """What to compare an artifact with before anything is typed: its alternatives, then its
    related artifacts, exactly as its own page lists them (`matchgraph.artifact_neighbours`:
    co-matches, catalog overlap and meaning blended, and cached, so the picker on that page
    costs no extra work), then others of its kind by rank. A few indexed queries at any
    catalog size."""
    artifact = Artifact.objects.published().filter(pk=artifact_id).first()
    if artifact is None:
        return []
    excluded = set(exclude_ids) | {artifact_id}
    neighbours = artifact_neighbours(artifact=artifact)
    found: list[tuple[Artifact, str]] = []
    for items, otherwise in (
        (neighbours.alternatives, "does the same job"),
        (neighbours.related, "related"),
    ):
        for item in items:
            if item.artifact.pk in excluded or len(found) >= limit:
                continue
            reason = (
                f"chosen for {item.shared_intents} of the same searches"
                if item.shared_intents
                else otherwise
            )
            found.append((item.artifact, reason))
            excluded.add(item.artifact.pk)
    if len(found) < limit:
        found += _same_kind(artifact, excluded, limit - len(found))
    return found


def _same_kind(artifact: Artifact, excluded: set[int], limit: int) -> list[tuple[Artifact, str]]:
    """The best-ranked others of its kind, read in the published rank index's own order (NULLS
    LAST included: any other order sorts the whole kind), so the scan stops after a few rows."""
    same_kind = (
        Artifact.objects.published()
        .filter(current_rank__isnull=False, kind=artifact.kind)
        .exclude(pk__in=excluded)
        .by_rank()
        .only(*CARD_FIELDS)[:limit]
    )
    return [(other, f"another {other.get_kind_display().lower()}") for other in same_kind]
