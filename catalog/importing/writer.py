"""Writing validated records in batches: a fixed number of set-based queries per batch.

A batch upserts its changed artifacts by slug, replaces their lists (plans, sources, links,
signals, categories), upserts capabilities on (artifact, title_key) so an unchanged capability
keeps its id, deletes capabilities whose title is gone, and refreshes the written artifacts'
listing prices and search documents. Records whose hash equals the stored `import_hash` are
not written at all. The caller owns the transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery

from catalog.importing.records import ARTIFACT_FIELDS, ArtifactRecord, CategoryRef
from catalog.models import (
    Artifact,
    ArtifactLink,
    Capability,
    Category,
    DataSource,
    PricingPlan,
    Signals,
)
from catalog.search_index import artifacts_refresh_search
from catalog.services import artifacts_refresh_prices

CAPABILITY_FIELDS = (
    "position",
    "title",
    "description",
    "unique_angle",
    "vs_alternatives",
    "confidence",
)
ArtifactCategory = Artifact.categories.through


@dataclass(frozen=True)
class BatchCounts:
    created: int
    updated: int
    unchanged: int


def artifacts_write_batch(*, records: Sequence[ArtifactRecord]) -> BatchCounts:
    stored = _stored_hashes(slugs=[record.slug for record in records])
    changed = [record for record in records if stored.get(record.slug) != record.import_hash]
    created = sum(1 for record in changed if record.slug not in stored)
    if changed:
        ids = _artifacts_upsert(records=changed)
        replaced_ids = [ids[record.slug] for record in changed if record.slug in stored]
        _lists_delete(artifact_ids=replaced_ids)
        _lists_create(records=changed, ids=ids)
        _capabilities_sync(records=changed, ids=ids, replaced_ids=replaced_ids)
        artifacts_refresh_prices(artifact_ids=ids.values())
        artifacts_refresh_search(artifact_ids=ids.values())
    return BatchCounts(
        created=created, updated=len(changed) - created, unchanged=len(records) - len(changed)
    )


def links_resolve() -> int:
    """Point every unresolved link at its target where the target now exists; one UPDATE."""
    target = Artifact.objects.filter(slug=OuterRef("target_slug"))
    return (
        ArtifactLink.objects.filter(target__isnull=True)
        .filter(Exists(target))
        .update(target=Subquery(target.values("pk")[:1]))
    )


def _stored_hashes(*, slugs: list[str]) -> dict[str, str]:
    return dict(Artifact.objects.filter(slug__in=slugs).values_list("slug", "import_hash"))


def _artifacts_upsert(*, records: list[ArtifactRecord]) -> dict[str, int]:
    artifacts = [
        Artifact(slug=record.slug, import_hash=record.import_hash, **record.fields)
        for record in records
    ]
    Artifact.objects.bulk_create(
        artifacts,
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=[*ARTIFACT_FIELDS, "import_hash", "modified_at"],
    )
    return {artifact.slug: artifact.pk for artifact in artifacts}


def _lists_delete(*, artifact_ids: list[int]) -> None:
    if not artifact_ids:
        return
    PricingPlan.objects.filter(artifact_id__in=artifact_ids).delete()
    DataSource.objects.filter(artifact_id__in=artifact_ids).delete()
    ArtifactLink.objects.filter(source_id__in=artifact_ids).delete()
    Signals.objects.filter(artifact_id__in=artifact_ids).delete()
    ArtifactCategory.objects.filter(artifact_id__in=artifact_ids).delete()


def _lists_create(*, records: list[ArtifactRecord], ids: dict[str, int]) -> None:
    PricingPlan.objects.bulk_create(
        PricingPlan(artifact_id=ids[record.slug], position=position, **vars(plan))
        for record in records
        for position, plan in enumerate(record.plans)
    )
    DataSource.objects.bulk_create(
        DataSource(artifact_id=ids[record.slug], position=position, **vars(source))
        for record in records
        for position, source in enumerate(record.sources)
    )
    Signals.objects.bulk_create(
        Signals(artifact_id=ids[record.slug], **record.signals)
        for record in records
        if record.signals
    )
    _categories_attach(records=records, ids=ids)
    _links_create(records=records, ids=ids)


def _categories_attach(*, records: list[ArtifactRecord], ids: dict[str, int]) -> None:
    refs: dict[str, CategoryRef] = {}
    for record in records:
        for ref in record.categories:
            refs.setdefault(ref.slug, ref)  # the first spelling in the file names a new category
    if not refs:
        return
    category_ids = _categories_ensure(refs=list(refs.values()))
    rows = {
        (ids[record.slug], category_ids[ref.slug])
        for record in records
        for ref in record.categories
    }
    ArtifactCategory.objects.bulk_create(
        ArtifactCategory(artifact_id=artifact_id, category_id=category_id)
        for artifact_id, category_id in rows
    )


def _categories_ensure(*, refs: list[CategoryRef]) -> dict[str, int]:
    """Category id per ref slug: an existing row with that name or slug, else a new row."""
    found = _categories_find(refs=refs)
    missing = [ref for ref in refs if ref.slug not in found]
    if missing:
        Category.objects.bulk_create(
            [Category(name=ref.name, slug=ref.slug) for ref in missing], ignore_conflicts=True
        )
        found |= _categories_find(refs=missing)
    return found


def _categories_find(*, refs: list[CategoryRef]) -> dict[str, int]:
    rows = Category.objects.filter(
        Q(name__in=[ref.name for ref in refs]) | Q(slug__in=[ref.slug for ref in refs])
    ).values_list("pk", "name", "slug")
    by_name = {name: pk for pk, name, _ in rows}
    by_slug = {slug: pk for pk, _, slug in rows}
    found = {ref.slug: by_name.get(ref.name) or by_slug.get(ref.slug) for ref in refs}
    return {slug: pk for slug, pk in found.items() if pk}


def _links_create(*, records: list[ArtifactRecord], ids: dict[str, int]) -> None:
    target_slugs = {link.target_slug for record in records for link in record.links}
    if not target_slugs:
        return
    targets = dict(Artifact.objects.filter(slug__in=target_slugs).values_list("slug", "pk"))
    ArtifactLink.objects.bulk_create(
        ArtifactLink(
            source_id=ids[record.slug],
            relation=link.relation,
            target_slug=link.target_slug,
            target_id=targets.get(link.target_slug),
        )
        for record in records
        for link in record.links
    )


def _capabilities_sync(
    *, records: list[ArtifactRecord], ids: dict[str, int], replaced_ids: list[int]
) -> None:
    """Upsert on (artifact, title_key), keeping ids; then delete the titles no longer there."""
    capabilities = [
        Capability(
            artifact_id=ids[record.slug],
            position=position,
            title=capability.title,
            title_key=capability.title_key,  # bulk_create skips Capability.save()
            description=capability.description,
            unique_angle=capability.unique_angle,
            vs_alternatives=capability.vs_alternatives,
            confidence=capability.confidence,
        )
        for record in records
        for position, capability in enumerate(record.capabilities)
    ]
    Capability.objects.bulk_create(
        capabilities,
        update_conflicts=True,
        unique_fields=["artifact", "title_key"],
        update_fields=list(CAPABILITY_FIELDS),
    )
    if replaced_ids:
        kept = [capability.pk for capability in capabilities]
        Capability.objects.filter(artifact_id__in=replaced_ids).exclude(pk__in=kept).delete()
