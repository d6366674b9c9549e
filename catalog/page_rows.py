"""An artifact page's own rows (capabilities, categories, plans, sources and links) read as
JSON inside the artifact's statement: one round trip instead of six, and no query built per
relation. Its related managers then answer from these rows, as after a prefetch."""

import json
from decimal import Decimal

from django.db import models
from django.db.models.expressions import RawSQL

from catalog.models import Artifact, ArtifactLink, Capability, Category, DataSource, PricingPlan


class Rows:
    """One relation of the artifact: which model, the fields read, and the SQL that lists
    them (as JSON arrays, in the page's order) for the artifact of the outer statement."""

    def __init__(self, model, fields, *, source: str, order: str, owner: str | None, extra=()):
        self.model = model
        self.fields = fields
        self.owner = owner  # the foreign key back to the artifact, cached on each row
        self.extra = extra  # (attribute, model, fields) read beside each row, as `target`
        columns = [f"r.{model._meta.get_field(name).column}" for name in fields]
        for _, other, other_fields in extra:
            columns += [f"t.{other._meta.get_field(name).column}" for name in other_fields]
        self.sql = (
            f"(SELECT coalesce(json_agg(json_build_array({', '.join(columns)}) ORDER BY {order}),"
            f" '[]')::text FROM {source})"
        )

    def build(self, text: str, artifact: Artifact) -> list[models.Model]:
        found = []
        for values in json.loads(text, parse_float=Decimal):  # exact prices, as stored
            row = self._instance(artifact, self.model, self.fields, values[: len(self.fields)])
            offset = len(self.fields)
            for attribute, other, other_fields in self.extra:
                other_values = values[offset : offset + len(other_fields)]
                offset += len(other_fields)
                if other_values[0] is not None:
                    target = self._instance(artifact, other, other_fields, other_values)
                    setattr(row, attribute, target)
            if self.owner:
                self.model._meta.get_field(self.owner).set_cached_value(row, artifact)
            found.append(row)
        return found

    @staticmethod
    def _instance(artifact, model, fields, values):
        meta = model._meta
        converted = [
            meta.get_field(name).to_python(value)
            for name, value in zip(fields, values, strict=True)
        ]
        attnames = [meta.get_field(name).attname for name in fields]
        return model.from_db(artifact._state.db, attnames, converted)


PAGE_ROWS = {
    "capabilities": Rows(
        Capability,
        (
            "id",
            "artifact",
            "position",
            "title",
            "title_key",
            "description",
            "unique_angle",
            "vs_alternatives",
            "confidence",
        ),
        source="catalog_capability r WHERE r.artifact_id = catalog_artifact.id",
        order="r.position, r.id",
        owner="artifact",
    ),
    "categories": Rows(
        Category,
        ("id", "name", "slug", "description"),
        source="catalog_category r JOIN catalog_artifact_categories m ON m.category_id = r.id"
        " WHERE m.artifact_id = catalog_artifact.id",
        order="lower(r.name)",
        owner=None,
    ),
    "plans": Rows(
        PricingPlan,
        ("id", "artifact", "position", "name", "price", "currency", "unit", "as_of"),
        source="catalog_pricingplan r WHERE r.artifact_id = catalog_artifact.id",
        order="r.position, r.id",
        owner="artifact",
    ),
    "sources": Rows(
        DataSource,
        ("id", "artifact", "position", "name", "url", "retrieved"),
        source="catalog_datasource r WHERE r.artifact_id = catalog_artifact.id",
        order="r.position, r.id",
        owner="artifact",
    ),
    # What the "Ecosystem" list shows of a link and of the artifact it points to.
    "links_out": Rows(
        ArtifactLink,
        ("id", "source", "relation", "target_slug", "target"),
        source="catalog_artifactlink r LEFT JOIN catalog_artifact t ON t.id = r.target_id"
        " WHERE r.source_id = catalog_artifact.id",
        order="r.relation, r.target_slug",
        owner="source",
        extra=(("target", Artifact, ("id", "slug", "name", "is_published")),),
    ),
}


def with_page_rows(queryset):
    """The artifacts of `queryset` (the artifact table unaliased) carrying their page rows."""
    return queryset.annotate(
        **{
            f"page_rows_{name}": RawSQL(rows.sql, (), output_field=models.TextField())
            for name, rows in PAGE_ROWS.items()
        }
    )


def attach_page_rows(artifact: Artifact) -> Artifact:
    """Let `artifact.capabilities.all()` and the other relations answer from the rows read
    by `with_page_rows`, as Django's prefetch leaves them."""
    cache = artifact.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in PAGE_ROWS.items():
        queryset = getattr(artifact, name).all()
        text = artifact.__dict__.pop(f"page_rows_{name}")
        queryset._result_cache = rows.build(text, artifact)
        queryset._prefetch_done = True
        cache[name] = queryset
    return artifact
