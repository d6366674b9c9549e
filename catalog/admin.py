"""Curators' tools: edit every catalog table, bulk actions, and JSONL import."""

from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from catalog import services
from catalog.embeddings.indexing import embeddings_status
from catalog.forms import ArtifactAdminForm, CuratorModelForm
from catalog.importing import artifacts_import
from catalog.models import (
    Artifact,
    ArtifactLink,
    Capability,
    Category,
    DataSource,
    PricingPlan,
    Signals,
)
from catalog.querysets import name_order

MAX_ISSUES_SHOWN = 200
IMPORTING_DIR = Path(__file__).resolve().parent / "importing"
# A copy of the import format (../shared/import-format.md), shown read-only to curators.
FORMAT_DOC = IMPORTING_DIR / "import-format.md"
SAMPLE_FILE = IMPORTING_DIR / "sample.jsonl"
# A bare "example.org" typed by a curator means https, as Django 6 will assume.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class CapabilityInline(admin.StackedInline):
    model = Capability
    form = CuratorModelForm
    extra = 0
    fields = ("position", "title", "confidence", "description", "unique_angle", "vs_alternatives")


class PricingPlanInline(admin.TabularInline):
    model = PricingPlan
    form = CuratorModelForm
    extra = 0
    fields = ("position", "name", "price", "currency", "unit", "as_of")


class DataSourceInline(admin.TabularInline):
    model = DataSource
    form = CuratorModelForm
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ("position", "name", "url", "retrieved")


class LinkInline(admin.TabularInline):
    model = ArtifactLink
    form = CuratorModelForm
    fk_name = "source"
    extra = 0
    fields = ("relation", "target_slug", "target")
    readonly_fields = ("target",)


class SignalsInline(admin.StackedInline):
    model = Signals
    form = CuratorModelForm
    extra = 0
    can_delete = True


class AssignCategoryForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.order_by(name_order()))
    replace = forms.BooleanField(
        required=False, help_text="Remove the artifacts' other categories first."
    )


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A .jsonl file in the import format (one artifact a line).")
    skip_invalid = forms.BooleanField(
        required=False,
        help_text="Write the valid records even when some are bad. "
        "Unticked, one bad record means nothing is written.",
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Dry run",
        help_text="Check the file and show what would change, without writing anything.",
    )


@admin.register(Artifact)
class ArtifactAdmin(admin.ModelAdmin):
    form = ArtifactAdminForm
    change_list_template = "admin/catalog/artifact/change_list.html"
    formfield_overrides = HTTPS_URLS
    list_display = (
        "name",
        "kind",
        "organization",
        "pricing_model",
        "current_rank",
        "times_matched",
        "capability_count",
        "is_published",
        "reviewed_at",
        "updated",
    )
    list_filter = (
        "kind",
        "pricing_model",
        "free_tier",
        "is_published",
        "claim_status",
        ("reviewed_at", admin.EmptyFieldListFilter),
        "categories",
    )
    search_fields = ("name", "slug", "organization", "summary")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("categories",)
    readonly_fields = (
        "current_rank",
        "times_matched",
        "times_matched_30d",
        "import_hash",
        "created_at",
        "modified_at",
        "extra",
    )
    inlines = (CapabilityInline, PricingPlanInline, DataSourceInline, LinkInline, SignalsInline)
    actions = ("mark_reviewed", "assign_category", "hide", "publish")

    def changelist_view(self, request, extra_context=None):
        """Curators see whether meaning search is current (and how it searches) here."""
        if request.method == "GET":
            messages.info(request, str(embeddings_status()))
        return super().changelist_view(request, extra_context)

    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "organization", "summary", "about")}),
        ("Links", {"fields": ("homepage", "repository_url", "docs_url", "license")}),
        ("Classification", {"fields": ("categories", "inputs", "outputs")}),
        ("Pricing", {"fields": ("pricing_model", "free_tier")}),
        ("Lists", {"fields": ("best_for", "limitations", "requirements", "details")}),
        ("Dates", {"fields": ("released", "updated")}),
        ("Moderation", {"fields": ("is_published", "reviewed_at", "claim_status", "verified_at")}),
        (
            "Computed (read-only)",
            {
                "classes": ("collapse",),
                "fields": (
                    "current_rank",
                    "times_matched",
                    "times_matched_30d",
                    "extra",
                    "import_hash",
                    "created_at",
                    "modified_at",
                ),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_capability_count=Count("capabilities"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.artifact_after_curator_edit(artifact=form.instance)

    @admin.display(description="Capabilities", ordering="_capability_count")
    def capability_count(self, artifact: Artifact) -> int:
        return artifact._capability_count

    @admin.action(description="Mark selected artifacts as reviewed")
    def mark_reviewed(self, request: HttpRequest, queryset) -> None:
        count = services.artifacts_mark_reviewed(artifact_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"Marked {count} artifact(s) as reviewed.", messages.SUCCESS)

    @admin.action(description="Hide selected artifacts from the public site")
    def hide(self, request: HttpRequest, queryset) -> None:
        count = services.artifacts_set_published(
            artifact_ids=queryset.values_list("pk", flat=True), published=False
        )
        self.message_user(request, f"Hid {count} artifact(s).", messages.SUCCESS)

    @admin.action(description="Publish selected artifacts")
    def publish(self, request: HttpRequest, queryset) -> None:
        count = services.artifacts_set_published(
            artifact_ids=queryset.values_list("pk", flat=True), published=True
        )
        self.message_user(request, f"Published {count} artifact(s).", messages.SUCCESS)

    @admin.action(description="Add or set a category on selected artifacts")
    def assign_category(self, request: HttpRequest, queryset):
        form = AssignCategoryForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = services.artifacts_assign_category(
                artifact_ids=queryset.values_list("pk", flat=True),
                category=form.cleaned_data["category"],
                replace=form.cleaned_data["replace"],
            )
            self.message_user(
                request,
                f"Category “{form.cleaned_data['category']}” set on {count} artifact(s).",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Change category",
            "form": form,
            "artifacts": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/artifact/assign_category.html", context)

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalog_artifact_import",
            ),
            path(
                "import/sample.jsonl",
                self.admin_site.admin_view(self.import_sample_view),
                name="catalog_artifact_import_sample",
            ),
            path(
                "import/format/",
                self.admin_site.admin_view(self.import_format_view),
                name="catalog_artifact_import_format",
            ),
        ]
        return custom + urls

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            lines = _decoded_lines(form)
            if lines is not None:
                report = artifacts_import(
                    lines=lines,
                    atomic=not form.cleaned_data["skip_invalid"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            if report is not None and report.ok and not report.dry_run:
                self.message_user(request, _summary(report), messages.SUCCESS)
                return redirect(reverse("admin:catalog_artifact_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import artifacts from JSON Lines",
            "form": form,
            "report": report,
            "summary": _summary(report) if report else "",
            "errors": [str(issue) for issue in report.errors[:MAX_ISSUES_SHOWN]] if report else [],
            "warnings": [str(issue) for issue in report.warnings[:MAX_ISSUES_SHOWN]]
            if report
            else [],
            "errors_more": report.error_count - MAX_ISSUES_SHOWN if report else 0,
            "warnings_more": report.warning_count - MAX_ISSUES_SHOWN if report else 0,
            "would_change": _would_change(report) if report and report.dry_run else [],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/artifact/import.html", context)

    def import_sample_view(self, request: HttpRequest) -> FileResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return FileResponse(
            SAMPLE_FILE.open("rb"),
            as_attachment=True,
            filename="sample.jsonl",
            content_type="application/jsonl; charset=utf-8",
        )

    def import_format_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "The import format",
            "text": FORMAT_DOC.read_text(encoding="utf-8"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/artifact/import_format.html", context)


def _decoded_lines(form: ImportForm) -> list[str] | None:
    """The upload's lines, or None with a form error naming the first line that is not UTF-8."""
    raw = form.cleaned_data["file"].read()
    try:
        # Split on newlines only: U+2028 and friends may sit unescaped inside JSON strings.
        return raw.decode("utf-8").split("\n")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        form.add_error("file", f"LINE {line}: the file is not valid UTF-8; nothing was imported.")
        return None


def _summary(report) -> str:
    text = (
        f"Created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"links resolved {report.links_resolved}."
    )
    if report.dry_run:
        text = "Dry run, nothing was written. The import would have: " + text[0].lower() + text[1:]
    if report.errors:
        text += f" {report.error_count} error(s)"
        if not report.wrote:
            text += "; nothing would be written." if report.dry_run else "; nothing was written."
        else:
            text += (
                "; invalid records would be skipped."
                if report.dry_run
                else "; invalid records skipped."
            )
    return text


def _would_change(report) -> list[dict]:
    """A dry run's outcomes: label, count, the first slugs and how many are not listed."""
    rows = []
    for label, count, slugs in (
        ("Would be created", report.created, report.created_slugs),
        ("Would be updated", report.updated, report.updated_slugs),
        ("Unchanged", report.unchanged, report.unchanged_slugs),
    ):
        rows.append({"label": label, "count": count, "slugs": slugs, "more": count - len(slugs)})
    return rows


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "artifact_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_artifact_count=Count("artifacts"))

    @admin.display(description="Artifacts", ordering="_artifact_count")
    def artifact_count(self, category: Category) -> int:
        return category._artifact_count


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ("title", "artifact", "confidence", "position")
    list_filter = ("confidence", "artifact__kind")
    search_fields = ("title", "description", "artifact__name")
    list_select_related = ("artifact",)
    raw_id_fields = ("artifact",)
    readonly_fields = ("title_key",)


@admin.register(PricingPlan)
class PricingPlanAdmin(admin.ModelAdmin):
    list_display = ("artifact", "name", "price", "currency", "unit", "as_of")
    list_filter = ("currency", "unit")
    search_fields = ("artifact__name", "name")
    list_select_related = ("artifact",)
    raw_id_fields = ("artifact",)

    # Listings filter and sort by figures read from the plans: each write recomputes them,
    # for the artifact a plan moved away from too.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved_from = form.initial.get("artifact") if change else None
        ids = {obj.artifact_id} | ({moved_from} if moved_from else set())
        services.artifacts_refresh_prices(artifact_ids=ids)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.artifacts_refresh_prices(artifact_ids=[obj.artifact_id])

    def delete_queryset(self, request, queryset):
        ids = set(queryset.values_list("artifact_id", flat=True))
        super().delete_queryset(request, queryset)
        services.artifacts_refresh_prices(artifact_ids=ids)


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "artifact", "url", "retrieved")
    search_fields = ("name", "url", "artifact__name")
    list_select_related = ("artifact",)
    raw_id_fields = ("artifact",)


@admin.register(ArtifactLink)
class ArtifactLinkAdmin(admin.ModelAdmin):
    list_display = ("source", "relation", "target_slug", "target")
    list_filter = ("relation", ("target", admin.EmptyFieldListFilter))
    search_fields = ("source__name", "target_slug")
    list_select_related = ("source", "target")
    raw_id_fields = ("source", "target")


@admin.register(Signals)
class SignalsAdmin(admin.ModelAdmin):
    list_display = ("artifact", "stars", "downloads_30d", "likes", "dependents", "as_of")
    search_fields = ("artifact__name",)
    list_select_related = ("artifact",)
    raw_id_fields = ("artifact",)
