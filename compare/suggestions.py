"""What to compare with: artifacts related to one already chosen, and name matches for what
a visitor typed (the picker's type-ahead, and the guesses for a mistyped address). Each
suggestion is built by `suggestion_for`, in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchRank
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When

from catalog.models import Artifact
from catalog.search_words import document_query, words_tsquery
from catalog.selectors import artifact_meaning_neighbours
from compare.limits import MAX_GRID, MAX_SLUG_LENGTH
from matchgraph.models import CoMatch
from matchgraph.search.plan import search_words

SUGGESTIONS = 8
# What a suggestion shows.
CARD_FIELDS = ("id", "slug", "name", "kind", "current_rank")


@dataclass(frozen=True)
class Suggestion:
    slug: str
    name: str
    kind_label: str
    rank: int | None
    url: str  # where choosing it goes: a comparison
    reason: str = ""


def suggestion_for(artifact: Artifact, *, url: str, reason: str = "") -> Suggestion:
    """An artifact loaded with `CARD_FIELDS`, offered with where choosing it goes."""
    return Suggestion(
        artifact.slug,
        artifact.name,
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
        .order_by("-closeness", "-relevance", F("current_rank").desc(nulls_last=True), "name")
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
    """What to compare an artifact with before anything is typed: the match graph's
    co-matches first (chosen for the same searches, or compared together), then the closest
    in meaning, then artifacts sharing a category, then of the same kind, each by rank. At
    most five or six indexed queries at
    any catalog size (the artifact page's capability-overlap "related" list costs seconds on a
    large catalog, too slow for a type-ahead)."""
    excluded = set(exclude_ids) | {artifact_id}
    found: list[tuple[Artifact, str]] = []

    def room() -> int:
        return limit - len(found)

    comatches = (
        CoMatch.objects.filter(artifact_id=artifact_id, other__is_published=True)
        .exclude(other_id__in=excluded)
        .select_related("other")
        .only("shared_intents", "other", *(f"other__{name}" for name in CARD_FIELDS))
        .order_by("-weight")[:limit]
    )
    for row in comatches:
        reason = (
            f"chosen for {row.shared_intents} of the same searches"
            if row.shared_intents
            else "compared with it before"
        )
        found.append((row.other, reason))
        excluded.add(row.other_id)
    if room() > 0:
        found += _close_in_meaning(artifact_id, excluded, room())
        excluded.update(other.pk for other, _ in found)
    # Ranked artifacts in rank order, exactly as the published rank index runs (NULLS LAST
    # included: any other order is a sort of the whole kind), so the scan stops after a few
    # rows instead of sorting a whole category or kind.
    ranked = (
        Artifact.objects.published()
        .filter(current_rank__isnull=False)
        .order_by(F("current_rank").desc(nulls_last=True), "name")
        .only(*CARD_FIELDS)
    )
    if room() > 0:
        through = Artifact.categories.through
        categories = through.objects.filter(artifact_id=artifact_id).values("category_id")
        same_category = ranked.filter(
            Exists(through.objects.filter(artifact_id=OuterRef("pk"), category_id__in=categories))
        ).exclude(pk__in=excluded)[: room()]
        for other in same_category:
            found.append((other, "in the same category"))
            excluded.add(other.pk)
    if room() > 0:
        kind = Artifact.objects.filter(pk=artifact_id).values("kind")
        same_kind = ranked.filter(kind=Subquery(kind)).exclude(pk__in=excluded)[: room()]
        found.extend((other, f"another {other.get_kind_display().lower()}") for other in same_kind)
    return found


def _close_in_meaning(
    artifact_id: int, excluded: set[int], limit: int
) -> list[tuple[Artifact, str]]:
    """Published artifacts nearest in meaning (embeddings), for the picker: two queries."""
    artifact = Artifact(pk=artifact_id)
    nearest = artifact_meaning_neighbours(artifact=artifact, limit=limit + len(excluded))
    ids = [pk for pk in nearest if pk not in excluded]
    loaded = Artifact.objects.published().filter(pk__in=ids).only(*CARD_FIELDS).in_bulk()
    return [(loaded[pk], "close in meaning") for pk in ids if pk in loaded][:limit]
