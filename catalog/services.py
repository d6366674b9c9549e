"""Writes to the catalog. Imports live in `catalog.importing`; curator actions live here."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from catalog.derived import listing_changed
from catalog.models import Artifact, Category
from catalog.search_index import artifacts_refresh_search


def artifact_after_curator_edit(*, artifact: Artifact) -> None:
    """Refresh the search document after an admin edit. The import hash is kept on purpose:
    re-importing an unchanged feed record leaves the curator's edit alone, while a changed
    record (new facts from the source) replaces it."""
    artifacts_refresh_search(artifact_ids=[artifact.pk])


def artifacts_mark_reviewed(*, artifact_ids: Iterable[int], now: datetime | None = None) -> int:
    """Stamp artifacts as reviewed by a curator; returns how many rows changed."""
    return Artifact.objects.filter(pk__in=list(artifact_ids)).update(
        reviewed_at=now or timezone.now()
    )


def artifacts_set_published(*, artifact_ids: Iterable[int], published: bool) -> int:
    changed = Artifact.objects.filter(pk__in=list(artifact_ids)).update(is_published=published)
    listing_changed()
    return changed


@transaction.atomic
def artifacts_assign_category(
    *, artifact_ids: Iterable[int], category: Category, replace: bool
) -> int:
    """Add `category` to each artifact, or make it their only category when `replace`."""
    ids = list(artifact_ids)
    through = Artifact.categories.through
    if replace:
        through.objects.filter(artifact_id__in=ids).exclude(category=category).delete()
    through.objects.bulk_create(
        [through(artifact_id=pk, category_id=category.pk) for pk in ids],
        ignore_conflicts=True,
    )
    artifacts_refresh_search(artifact_ids=ids)
    return len(ids)
