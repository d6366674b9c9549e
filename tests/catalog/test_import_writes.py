"""What `artifacts_import` stores: upserts by slug, replaced lists, stable capability ids, links."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.importing import ImportReport, artifacts_import, services
from catalog.models import (
    Artifact,
    ArtifactLink,
    Capability,
    Category,
    ClaimStatus,
    DataSource,
    PricingPlan,
    Signals,
)
from tests.catalog.factories import ArtifactFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def _record(slug: str = "ernie", **fields) -> dict:
    return {
        "slug": slug,
        "name": f"Model {slug}",
        "kind": "model",
        "summary": "Multimodal Mixture-of-Experts model.",
        **fields,
    }


def _full_record() -> dict:
    return _record(
        organization="Baidu",
        about="# About\n\nLong text.",
        homepage="https://ernie.example.org",
        license="Apache-2.0",
        categories=["Multimodal", "Image generation"],
        inputs=["text", "image"],
        outputs=["text"],
        pricing={
            "model": "paid",
            "free_tier": False,
            "plans": [
                {
                    "name": "API",
                    "price": "0.00000042",
                    "currency": "USD",
                    "unit": "prompt token",
                    "as_of": "2026-11-01",
                }
            ],
        },
        capabilities=[
            {"title": "Visual QA", "description": "Answers questions.", "confidence": "high"},
            {"title": "Captions", "description": "Writes captions.", "unique": "Fast."},
        ],
        best_for=["charts"],
        limitations=["slow"],
        requirements=["GPU"],
        details={"parameters_total": "424B", "context_length": 131072},
        signals={"likes": 120, "downloads_30d": 5400, "has_examples": True, "as_of": "2026-11-01"},
        sources=[
            {"name": "Model card", "url": "https://example.org/ernie", "retrieved": "2026-11-01"}
        ],
        links=[{"rel": "same_family", "target": "ernie-small"}],
        released="2025-06-30",
    )


def _run(*records: dict | str, atomic: bool = True) -> ImportReport:
    text = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records)
    return artifacts_import(lines=io.StringIO(text + "\n"), atomic=atomic)


def _tables() -> dict[str, list[tuple]]:
    """Every catalog row, for "nothing changed" checks."""
    models = [Artifact, Capability, PricingPlan, DataSource, ArtifactLink, Signals, Category]
    dump = {model.__name__: list(model.objects.order_by("pk").values_list()) for model in models}
    through = Artifact.categories.through.objects.order_by("pk").values_list()
    return {**dump, "ArtifactCategory": list(through)}


def _capability_ids(slug: str) -> dict[str, int]:
    return dict(Capability.objects.filter(artifact__slug=slug).values_list("title", "pk"))


def test_import_stores_every_field_of_a_record():
    report = _run(_full_record())

    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    artifact = Artifact.objects.get(slug="ernie")
    assert (artifact.organization, artifact.license, artifact.kind) == (
        "Baidu",
        "Apache-2.0",
        "model",
    )
    assert (artifact.inputs, artifact.outputs) == (["text", "image"], ["text"])
    assert (artifact.pricing_model, artifact.free_tier) == ("paid", False)
    assert (artifact.best_for, artifact.limitations, artifact.requirements) == (
        ["charts"],
        ["slow"],
        ["GPU"],
    )
    assert artifact.released == dt.date(2025, 6, 30)
    assert artifact.about == "# About\n\nLong text."
    assert sorted(c.name for c in artifact.categories.all()) == ["Image generation", "Multimodal"]
    assert [(c.title, c.position) for c in artifact.capabilities.all()] == [
        ("Visual QA", 0),
        ("Captions", 1),
    ]
    assert artifact.signals.likes == 120
    assert artifact.signals.has_examples is True
    assert artifact.signals.stars is None  # unknown, not zero
    assert artifact.sources.get().retrieved == dt.date(2026, 11, 1)
    assert len(artifact.import_hash) == 64


def test_import_refreshes_the_search_document_of_written_artifacts():
    _run(_full_record())

    assert Artifact.objects.get().search_vector


def test_price_is_stored_as_an_exact_decimal():
    _run(_full_record())

    plan = PricingPlan.objects.get()
    assert plan.price == Decimal("0.00000042")
    assert (plan.currency, plan.unit, plan.as_of) == ("USD", "prompt token", dt.date(2026, 11, 1))


def test_details_keep_the_order_of_the_source():
    _run(_record(details={"zeta": 1, "alpha": "two", "mid": None, "flag": True}))

    assert Artifact.objects.get().details == [
        ["zeta", 1],
        ["alpha", "two"],
        ["mid", None],
        ["flag", True],
    ]


def test_capabilities_get_their_lower_cased_title_key():
    _run(_record(capabilities=[{"title": "  Image Captioning ", "description": "Writes."}]))

    capability = Capability.objects.get()
    assert (capability.title, capability.title_key) == ("Image Captioning", "image captioning")


def test_atomic_import_writes_nothing_when_any_line_is_bad():
    before = _tables()

    report = _run(_record("good-one"), _record("bad", kind="robot"), _record("good-two"))

    assert not report.wrote
    assert (report.created, report.skipped_invalid) == (0, 1)
    assert _tables() == before


def test_skip_invalid_writes_the_valid_records_and_reports_the_bad():
    report = _run(
        _record("good-one"), _record("bad", kind="robot"), _record("good-two"), atomic=False
    )

    assert report.wrote
    assert (report.created, report.skipped_invalid) == (2, 1)
    assert [str(issue).split(":")[0] for issue in report.errors] == ["LINE 2"]
    assert set(Artifact.objects.values_list("slug", flat=True)) == {"good-one", "good-two"}


@pytest.mark.parametrize("atomic", [True, False])
def test_an_invalid_update_leaves_the_stored_artifact_as_it_was(atomic):
    _run(_full_record())
    before = _tables()

    report = _run(
        {**_full_record(), "summary": "New summary.", "released": "2025-02-30"}, atomic=atomic
    )

    assert report.errors
    assert _tables() == before


def test_importing_the_same_file_twice_changes_nothing():
    records = [
        _full_record(),
        _record("ernie-small", capabilities=[{"title": "t", "description": "d"}]),
    ]
    _run(*records)
    before = _tables()

    report = _run(*records)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert _tables() == before  # same ids, same modified_at, no new rows anywhere


def test_reimport_runs_a_fixed_number_of_queries_for_unchanged_records():
    records = [_record(f"model-{i}") for i in range(30)]
    _run(*records)

    with CaptureQueriesContext(connection) as queries:
        _run(*records)

    # One SELECT of slugs and hashes, one link-resolving UPDATE, the transaction savepoint,
    # and the seen-slugs table: made, filled once per batch, dropped.
    assert len(queries) <= 7


def test_query_count_does_not_grow_with_the_number_of_records():
    def queries_for(count: int, prefix: str) -> int:
        records = [
            _record(
                f"{prefix}-{i}",
                categories=[f"{prefix} {i % 3}"],
                capabilities=[{"title": f"skill {n}", "description": "d"} for n in range(3)],
                pricing={"plans": [{"name": "API", "price": "1", "unit": "call"}]},
                links=[{"rel": "depends_on", "target": f"{prefix}-{(i + 1) % count}"}],
                signals={"stars": i},
                sources=[{"name": "card", "url": "https://example.org"}],
            )
            for i in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            _run(*records)
        return len(queries)

    assert queries_for(5, "small") == queries_for(50, "large")


def test_a_changed_record_replaces_its_lists_and_keeps_unchanged_capability_ids():
    _run(_full_record())
    kept_id = _capability_ids("ernie")["Captions"]
    changed = {
        **_full_record(),
        "categories": ["Vision"],
        "capabilities": [
            {"title": "OCR", "description": "Reads text."},
            {"title": "CAPTIONS", "description": "Writes better captions."},
        ],
        "pricing": {"model": "free"},
        "sources": [],
        "links": [{"rel": "depends_on", "target": "paddle"}],
        "signals": {"stars": 9},
        "details": {"layers": 48},
        "best_for": [],
    }

    report = _run(changed)

    assert report.updated == 1
    artifact = Artifact.objects.get()
    assert list(artifact.categories.values_list("name", flat=True)) == ["Vision"]
    assert [(c.title, c.position) for c in artifact.capabilities.all()] == [
        ("OCR", 0),
        ("CAPTIONS", 1),
    ]
    assert _capability_ids("ernie")["CAPTIONS"] == kept_id
    assert artifact.capabilities.get(pk=kept_id).description == "Writes better captions."
    assert not artifact.plans.exists()
    assert not artifact.sources.exists()
    assert list(artifact.links_out.values_list("relation", "target_slug")) == [
        ("depends_on", "paddle")
    ]
    assert (artifact.signals.stars, artifact.signals.likes) == (9, None)
    assert (artifact.details, artifact.best_for, artifact.pricing_model) == (
        [["layers", 48]],
        [],
        "free",
    )


def test_missing_optional_fields_are_cleared_on_reimport():
    _run(_full_record())

    _run(_record())

    artifact = Artifact.objects.get()
    assert (artifact.organization, artifact.homepage, artifact.pricing_model) == ("", "", "")
    assert (artifact.free_tier, artifact.released, artifact.details, artifact.inputs) == (
        None,
        None,
        [],
        [],
    )
    assert not Signals.objects.exists()
    assert not Capability.objects.exists()
    assert not artifact.categories.exists()


def test_import_never_touches_curation_claims_or_ranks():
    _run(_record())
    reviewed = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    Artifact.objects.update(
        is_published=False,
        claim_status=ClaimStatus.VERIFIED,
        verified_at=reviewed,
        reviewed_at=reviewed,
        current_rank=3,
        times_matched=7,
        times_matched_30d=2,
    )

    _run(_record(summary="Changed."))

    artifact = Artifact.objects.get()
    assert artifact.summary == "Changed."
    assert (artifact.is_published, artifact.claim_status, artifact.current_rank) == (
        False,
        ClaimStatus.VERIFIED,
        3,
    )
    assert (artifact.verified_at, artifact.reviewed_at) == (reviewed, reviewed)
    assert (artifact.times_matched, artifact.times_matched_30d) == (7, 2)


def test_an_artifact_made_outside_the_import_is_updated_by_slug():
    existing = ArtifactFactory(slug="ernie", organization="Old Org")

    report = _run(_record(organization="Baidu"))

    assert (report.created, report.updated) == (0, 1)
    artifact = Artifact.objects.get()
    assert (artifact.pk, artifact.organization) == (existing.pk, "Baidu")


def test_an_unchanged_record_keeps_its_modified_at():
    _run(_record())
    modified_at = Artifact.objects.get().modified_at

    _run(_record())

    assert Artifact.objects.get().modified_at == modified_at


def test_a_link_to_a_later_line_resolves():
    report = _run(
        _record("parent", links=[{"rel": "derived_from", "target": "child"}]),
        _record("child"),
    )

    assert ArtifactLink.objects.get().target == Artifact.objects.get(slug="child")
    assert report.ok


def test_a_link_to_a_later_batch_is_resolved_at_the_end_of_the_run(monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 1)

    report = _run(
        _record("parent", links=[{"rel": "derived_from", "target": "child"}]), _record("child")
    )

    assert ArtifactLink.objects.get().target.slug == "child"
    assert report.links_resolved == 1


def test_a_link_to_an_existing_artifact_is_resolved_when_written():
    _run(_record("child"))

    report = _run(_record("parent", links=[{"rel": "derived_from", "target": "child"}]))

    assert ArtifactLink.objects.get().target.slug == "child"
    assert report.links_resolved == 0  # nothing was waiting


def test_a_link_to_a_missing_slug_waits_and_resolves_in_a_later_run():
    _run(_record("parent", links=[{"rel": "same_family", "target": "sibling"}]))
    assert ArtifactLink.objects.get().target is None

    report = _run(_record("sibling"))

    assert report.links_resolved == 1
    assert ArtifactLink.objects.get().target.slug == "sibling"


def test_categories_are_created_once_and_reused():
    _run(_record("one", categories=["Multimodal"]), _record("two", categories=["multimodal"]))
    _run(_record("three", categories=["Multimodal", "Vision"]))

    assert list(Category.objects.values_list("name", "slug")) == [
        ("Multimodal", "multimodal"),
        ("Vision", "vision"),
    ]
    assert Category.objects.get(slug="multimodal").artifacts.count() == 3


def test_an_existing_category_is_found_by_its_name_or_its_slug():
    by_name = CategoryFactory(name="Speech", slug="speech-and-audio")
    by_slug = CategoryFactory(name="Computer vision", slug="vision")

    _run(_record(categories=["Speech", "Vision"]))

    assert set(Artifact.objects.get().categories.all()) == {by_name, by_slug}
    assert Category.objects.count() == 2


def test_progress_is_reported_after_each_batch(monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    seen: list[int] = []
    text = "\n".join(json.dumps(_record(f"m-{i}")) for i in range(5))

    report = artifacts_import(lines=io.StringIO(text), on_progress=seen.append)

    assert seen == [2, 4, 5]
    assert report.created == 5


def test_a_repeated_slug_in_skip_invalid_mode_keeps_the_first_record():
    report = _run(_record(summary="First."), _record(summary="Second."), atomic=False)

    assert (report.created, report.skipped_invalid) == (1, 1)
    assert Artifact.objects.get().summary == "First."


# Dry run: the whole run, rolled back, with the first slugs of each outcome.


def _dry_run(*records: dict | str, atomic: bool = True) -> ImportReport:
    text = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records)
    return artifacts_import(lines=io.StringIO(text + "\n"), atomic=atomic, dry_run=True)


def _simple(slug: str, **fields) -> dict:
    return {
        "slug": slug,
        "name": slug.title(),
        "kind": "tool",
        "summary": "Does a thing.",
        **fields,
    }


def test_dry_run_reports_what_would_change_and_writes_nothing():
    _run(_simple("kept"), _simple("changed"))
    before = _tables()

    report = _dry_run(
        _simple("kept"),
        _simple("changed", summary="Does a new thing."),
        _full_record(),
        _simple("fresh", links=[{"rel": "depends_on", "target": "kept"}]),
    )

    assert report.dry_run and report.ok and report.wrote
    assert (report.created, report.updated, report.unchanged) == (2, 1, 1)
    assert (report.created_slugs, report.updated_slugs) == (["ernie", "fresh"], ["changed"])
    assert report.unchanged_slugs == ["kept"]
    assert _tables() == before


def test_a_real_run_lists_no_slugs():
    report = _run(_simple("one"))
    assert report.created == 1 and report.created_slugs == [] and not report.dry_run


def test_dry_run_lists_a_bounded_number_of_slugs(monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    monkeypatch.setattr("catalog.importing.report.MAX_LISTED_SLUGS", 4)

    report = _dry_run(*(_simple(f"item-{n}") for n in range(10)))

    assert report.created == 10
    assert report.created_slugs == ["item-0", "item-1", "item-2", "item-3"]
    assert not Artifact.objects.exists()


def test_dry_run_of_a_file_with_errors_says_nothing_would_be_written():
    report = _dry_run(_simple("good"), _simple("bad", kind="spaceship"))
    assert not report.ok and not report.wrote
    assert (report.created, report.created_slugs) == (0, [])
    assert not Artifact.objects.exists()


def test_dry_run_skipping_invalid_records_shows_the_valid_ones():
    report = _dry_run(_simple("good"), _simple("bad", kind="spaceship"), atomic=False)
    assert report.wrote and report.skipped_invalid == 1
    assert report.created_slugs == ["good"]
    assert not Artifact.objects.exists()
