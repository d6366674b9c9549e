"""Curators see and steer the rank: weights versions (a used version is never changed: saving
new weights creates a new version), runs with their durations and counts, read-only scores and
history, and "Recompute now", which queues the Celery task."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from ranking import selectors, services
from ranking.models import WEIGHT_FIELDS, RankHistory, RankRun, RankScore, WeightsVersion
from ranking.tasks import recompute_all_ranks as recompute_all_ranks_task

SCORING_FIELDS = (*WEIGHT_FIELDS.values(), "freshness_half_life_days")
RECOMPUTE_PERMISSION = "ranking.recompute_ranks"


def queue_recompute(request: HttpRequest) -> None:
    """Queue a full recompute once the admin's transaction commits."""
    if not request.user.has_perm(RECOMPUTE_PERMISSION):
        raise PermissionDenied
    transaction.on_commit(lambda: recompute_all_ranks_task.delay())
    messages.success(
        request,
        "Recompute queued: a new run appears below and becomes current when it finishes.",
    )


class WeightsVersionForm(forms.ModelForm):
    # Not the model's `is_active`: activation goes through the service, which keeps exactly
    # one version active (the form would otherwise reject a second active version).
    activate = forms.BooleanField(
        required=False, label="Make active", help_text="The next run uses this version."
    )

    class Meta:
        model = WeightsVersion
        fields = ("label", "notes", *SCORING_FIELDS)


@admin.register(WeightsVersion)
class WeightsVersionAdmin(admin.ModelAdmin):
    form = WeightsVersionForm
    list_display = (
        "__str__",
        *WEIGHT_FIELDS.values(),
        "freshness_half_life_days",
        "is_active",
        "run_count",
        "created_at",
    )
    actions = ("activate_version", "recompute_now")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(run_count=Count("runs"))

    @admin.display(description="Runs", ordering="run_count")
    def run_count(self, version: WeightsVersion) -> int:
        return version.run_count

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("label", "notes", *SCORING_FIELDS, "activate")
        # Once saved, activation goes through the action.
        return ("label", "notes", *SCORING_FIELDS, "is_active", "based_on", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("is_active", "based_on", "created_at")

    def has_delete_permission(self, request, obj=None):
        if obj is not None and selectors.weights_version_is_used(version=obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj: WeightsVersion, form, change):
        weights = {key: form.cleaned_data[name] for key, name in WEIGHT_FIELDS.items()}
        if not change:
            created = services.weights_version_create(
                weights=weights,
                freshness_half_life_days=obj.freshness_half_life_days,
                label=obj.label,
                notes=obj.notes,
                activate=form.cleaned_data.get("activate", False),
            )
            obj.pk, obj.is_active, obj.created_at = (
                created.pk,
                created.is_active,
                created.created_at,
            )
            return
        original = WeightsVersion.objects.get(pk=obj.pk)
        scoring_changed = any(name in form.changed_data for name in SCORING_FIELDS)
        if scoring_changed and selectors.weights_version_is_used(version=original):
            created = services.weights_version_create(
                weights=weights,
                freshness_half_life_days=obj.freshness_half_life_days,
                label=obj.label,
                notes=obj.notes,
                based_on=original,
                activate=original.is_active,
            )
            # The admin carries on (log, redirect) with the new version.
            obj.pk, obj.is_active, obj.created_at = (
                created.pk,
                created.is_active,
                created.created_at,
            )
            obj.based_on = original
            messages.info(
                request,
                f"{original} was used by runs, so it stays as it was: your changes were "
                f"saved as {created}" + (", now the active version." if created.is_active else "."),
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Make the selected version active (used by the next run)")
    def activate_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version.", messages.ERROR)
            return
        version = services.weights_version_activate(version=queryset.get())
        self.message_user(request, f"{version} is active; the next run uses it.")

    @admin.action(description="Recompute every rank now", permissions=["recompute"])
    def recompute_now(self, request, queryset):
        queue_recompute(request)

    def has_recompute_permission(self, request) -> bool:
        return request.user.has_perm(RECOMPUTE_PERMISSION)


@admin.register(RankRun)
class RankRunAdmin(admin.ModelAdmin):
    change_list_template = "admin/ranking/rankrun/change_list.html"
    list_display = (
        "__str__",
        "status",
        "is_current",
        "weights",
        "as_of",
        "duration",
        "artifacts_scored",
        "artifacts_ranked",
        "started_at",
    )
    list_filter = ("status", "is_current")
    list_select_related = ("weights",)
    readonly_fields = (
        "weights",
        "status",
        "is_current",
        "as_of",
        "badge_percentile",
        "started_at",
        "finished_at",
        "duration_seconds",
        "artifacts_scored",
        "artifacts_ranked",
        "error",
    )
    actions = ("recompute_now",)

    @admin.display(description="Duration", ordering="duration_seconds")
    def duration(self, run: RankRun) -> str:
        return "—" if run.duration_seconds is None else f"{run.duration_seconds:.2f} s"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # old runs are pruned by the recompute itself

    def get_urls(self):
        return [
            path(
                "recompute/",
                self.admin_site.admin_view(require_POST(self.recompute_view)),
                name="ranking_rankrun_recompute",
            ),
            *super().get_urls(),
        ]

    def recompute_view(self, request):
        queue_recompute(request)
        return HttpResponseRedirect(reverse("admin:ranking_rankrun_changelist"))

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_recompute": request.user.has_perm(RECOMPUTE_PERMISSION),
        }
        return super().changelist_view(request, extra_context=extra_context)

    @admin.action(description="Recompute every rank now", permissions=["recompute"])
    def recompute_now(self, request, queryset):
        queue_recompute(request)

    def has_recompute_permission(self, request) -> bool:
        return request.user.has_perm(RECOMPUTE_PERMISSION)


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RankScore)
class RankScoreAdmin(ReadOnlyAdmin):
    list_display = (
        "artifact",
        "run",
        "rank",
        "adoption_part",
        "quality_part",
        "ecosystem_part",
        "match_graph_part",
        "freshness_part",
        "adoption_badge",
        "quality_badge",
        "ecosystem_badge",
        "match_graph_badge",
    )
    list_filter = ("run__is_current", "kind")
    list_select_related = ("artifact", "run")
    search_fields = ("artifact__name", "artifact__slug")
    ordering = ("-run", "-rank")


@admin.register(RankHistory)
class RankHistoryAdmin(ReadOnlyAdmin):
    list_display = ("artifact", "day", "rank", "total")
    list_select_related = ("artifact",)
    search_fields = ("artifact__name", "artifact__slug")
    date_hierarchy = "day"
    ordering = ("-day",)
