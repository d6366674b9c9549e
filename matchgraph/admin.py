"""Curators see the match graph: intents with counts and top matches, merge and hide intents,
and the edges of each artifact."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html_join

from catalog.models import Kind
from matchgraph import services
from matchgraph.models import (
    AggregationRun,
    ArtifactMatchStats,
    CoMatch,
    ConstraintTerm,
    ConstraintType,
    Intent,
    IntentArtifactEdge,
    IntentCapabilityEdge,
    IntentRelation,
    MatchEvent,
    SynonymGroup,
)
from matchgraph.normalize import STOP_WORDS, query_words
from matchgraph.search.plan import DIRECTION_JOINERS
from matchgraph.tasks import aggregate_match_graph as aggregate_match_graph_task

TOP_MATCHES_SHOWN = 5


class MergeIntentsForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Intent.objects.none(), label="Keep this intent")

    def __init__(self, *args, intents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = intents if intents is not None else Intent.objects.none()


class ArtifactEdgeInline(admin.TabularInline):
    model = IntentArtifactEdge
    fields = ("artifact", "matches", "impressions", "weight", "last_matched_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-weight",)
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Intent)
class IntentAdmin(admin.ModelAdmin):
    list_display = (
        "text",
        "search_count",
        "match_count",
        "client_count",
        "is_public",
        "top_matches",
        "is_hidden",
        "merged_into",
    )
    list_filter = ("is_public", "is_hidden", ("merged_into", admin.EmptyFieldListFilter))
    search_fields = ("text",)
    readonly_fields = (
        "search_count",
        "match_count",
        "client_count",
        "is_public",
        "first_seen_at",
        "last_seen_at",
    )
    raw_id_fields = ("merged_into",)
    inlines = (ArtifactEdgeInline,)
    actions = ("merge_intents", "hide_intents", "show_intents", "aggregate_now")

    def get_queryset(self, request):
        edges = IntentArtifactEdge.objects.select_related("artifact").order_by("-weight")
        return (
            super()
            .get_queryset(request)
            .select_related("merged_into")
            .prefetch_related(Prefetch("artifact_edges", queryset=edges, to_attr="ranked_edges"))
        )

    @admin.display(description="Top matches")
    def top_matches(self, intent: Intent) -> str:
        edges = getattr(intent, "ranked_edges", [])[:TOP_MATCHES_SHOWN]
        return format_html_join(
            ", ", "{} ({})", ((edge.artifact.name, edge.matches) for edge in edges)
        )

    @admin.action(description="Merge selected intents into one")
    def merge_intents(self, request: HttpRequest, queryset):
        form = MergeIntentsForm(request.POST if "apply" in request.POST else None, intents=queryset)
        if form.is_bound and form.is_valid():
            into = form.cleaned_data["into"]
            merged = services.intents_merge(duplicates=list(queryset), into=into)
            self.message_user(
                request,
                f"Merged {merged} intent(s) into “{into}”. Counts update at the next aggregation.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge intents",
            "form": form,
            "intents": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/matchgraph/intent/merge.html", context)

    @admin.action(description="Hide selected intents (they stop feeding the graph)")
    def hide_intents(self, request: HttpRequest, queryset):
        count = services.intents_set_hidden(
            intent_ids=list(queryset.values_list("pk", flat=True)), hidden=True
        )
        self.message_user(request, f"Hid {count} intent(s).", messages.SUCCESS)

    @admin.action(description="Show selected intents again")
    def show_intents(self, request: HttpRequest, queryset):
        count = services.intents_set_hidden(
            intent_ids=list(queryset.values_list("pk", flat=True)), hidden=False
        )
        self.message_user(request, f"Showed {count} intent(s).", messages.SUCCESS)

    @admin.action(description="Re-aggregate the match graph now")
    def aggregate_now(self, request: HttpRequest, queryset):
        aggregate_match_graph_task.delay()
        self.message_user(request, "Aggregation queued.", messages.SUCCESS)


@admin.register(IntentArtifactEdge)
class IntentArtifactEdgeAdmin(admin.ModelAdmin):
    """Edges per artifact: filter or search by artifact to see which intents find it."""

    list_display = ("artifact", "intent", "matches", "impressions", "weight", "last_matched_at")
    search_fields = ("artifact__name", "artifact__slug", "intent__text")
    list_select_related = ("artifact", "intent")
    ordering = ("-weight",)
    readonly_fields = ("artifact", "intent", "matches", "impressions", "weight", "last_matched_at")

    def has_add_permission(self, request):
        return False


@admin.register(IntentCapabilityEdge)
class IntentCapabilityEdgeAdmin(admin.ModelAdmin):
    list_display = ("capability", "intent", "matches", "weight")
    search_fields = ("capability__title", "capability__artifact__name", "intent__text")
    list_select_related = ("capability", "intent")
    ordering = ("-weight",)
    readonly_fields = ("capability", "intent", "matches", "weight")

    def has_add_permission(self, request):
        return False


@admin.register(ArtifactMatchStats)
class ArtifactMatchStatsAdmin(admin.ModelAdmin):
    list_display = (
        "artifact",
        "matches_total",
        "matches_30d",
        "impressions",
        "shown_clients",
        "distinct_intents",
        "distinct_clients",
        "weighted_matches",
        "computed_at",
    )
    search_fields = ("artifact__name",)
    list_select_related = ("artifact",)
    ordering = ("-weighted_matches",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CoMatch)
class CoMatchAdmin(admin.ModelAdmin):
    list_display = ("artifact", "other", "shared_intents", "weight")
    search_fields = ("artifact__name", "other__name")
    list_select_related = ("artifact", "other")
    ordering = ("-weight",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SearchTermsAdmin(admin.ModelAdmin):
    """Synonyms and constraint words are read from a cache: every edit drops it."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.search_terms_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.search_terms_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.search_terms_changed()


class SynonymGroupForm(forms.ModelForm):
    class Meta:
        model = SynonymGroup
        fields = ("name", "terms", "input_modality", "output_modality", "is_active")

    def clean(self):
        data = super().clean()
        if bool(data.get("input_modality")) != bool(data.get("output_modality")):
            raise forms.ValidationError(
                "A direction needs both what goes in and what comes out (or neither)."
            )
        return data


class ConstraintTermForm(forms.ModelForm):
    """Refuses terms search could not use, or that would break it: a phrase of stop words
    only (it would be cut out of every query), a second spelling of an existing phrase, a
    kind that does not exist."""

    class Meta:
        model = ConstraintTerm
        fields = ("phrase", "constraint", "value", "is_strong", "is_active")

    def clean_phrase(self) -> str:
        words = query_words(self.cleaned_data["phrase"])
        if not [word for word in words if word not in STOP_WORDS | DIRECTION_JOINERS]:
            raise forms.ValidationError("Give at least one word that is not a stop word.")
        phrase = " ".join(words)
        others = ConstraintTerm.objects.exclude(pk=self.instance.pk)
        if phrase in {
            " ".join(query_words(text)) for text in others.values_list("phrase", flat=True)
        }:
            raise forms.ValidationError(f"“{phrase}” is already a constraint term.")
        return phrase

    def clean(self):
        data = super().clean()
        constraint, value = data.get("constraint"), (data.get("value") or "").strip().lower()
        if constraint in (ConstraintType.KIND, ConstraintType.OPEN_SOURCE) and value:
            kinds = [kind.strip() for kind in value.split(",") if kind.strip()]
            unknown = [kind for kind in kinds if kind not in Kind.values]
            if unknown:
                self.add_error("value", f"Not a kind: {', '.join(unknown)}.")
            value = ",".join(kinds)
        if constraint == ConstraintType.KIND and not value:
            self.add_error("value", "Name the kind (or kinds, comma-separated).")
        data["value"] = value
        return data


@admin.register(SynonymGroup)
class SynonymGroupAdmin(SearchTermsAdmin):
    form = SynonymGroupForm
    list_display = ("name", "term_list", "direction", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "terms")

    @admin.display(description="Terms")
    def term_list(self, group: SynonymGroup) -> str:
        return ", ".join(group.terms)

    @admin.display(description="Direction")
    def direction(self, group: SynonymGroup) -> str:
        if group.input_modality and group.output_modality:
            return f"{group.input_modality} → {group.output_modality}"
        return ""


@admin.register(ConstraintTerm)
class ConstraintTermAdmin(SearchTermsAdmin):
    form = ConstraintTermForm
    list_display = ("phrase", "constraint", "value", "is_active")
    list_filter = ("constraint", "is_active")
    list_editable = ("is_active",)
    search_fields = ("phrase", "value")


@admin.register(IntentRelation)
class IntentRelationAdmin(admin.ModelAdmin):
    """Relations learned from the match graph. Reject one and search never uses it."""

    list_display = ("intent", "related", "strength", "shared_artifacts", "is_rejected")
    list_filter = ("is_rejected",)
    search_fields = ("intent__text", "related__text")
    list_select_related = ("intent", "related")
    ordering = ("-strength",)
    readonly_fields = ("intent", "related", "strength", "shared_artifacts")
    actions = ("reject", "restore")

    def has_add_permission(self, request):
        return False

    @admin.action(description="Reject selected relations (search stops using them)")
    def reject(self, request: HttpRequest, queryset):
        count = services.intent_relations_set_rejected(
            relation_ids=list(queryset.values_list("pk", flat=True)), rejected=True
        )
        self.message_user(request, f"Rejected {count} relation(s).", messages.SUCCESS)

    @admin.action(description="Restore selected relations")
    def restore(self, request: HttpRequest, queryset):
        count = services.intent_relations_set_rejected(
            relation_ids=list(queryset.values_list("pk", flat=True)), rejected=False
        )
        self.message_user(request, f"Restored {count} relation(s).", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Raw events and run reports: evidence for curators, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MatchEvent)
class MatchEventAdmin(ReadOnlyAdmin):
    """Every recorded choice, counted or not: filter by evidence to see which artifacts are
    being opened without having been shown (farming attempts)."""

    list_display = ("created_at", "artifact", "intent", "via", "evidence", "position")
    list_filter = ("evidence", "via")
    search_fields = ("artifact__name", "artifact__slug", "intent__text")
    list_select_related = ("artifact", "intent")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    show_full_result_count = False


@admin.register(AggregationRun)
class AggregationRunAdmin(ReadOnlyAdmin):
    """What each aggregation counted and what it discarded, by reason."""

    list_display = (
        "finished_at",
        "choices_read",
        "choices_counted",
        "choices_discarded",
        "discard_reasons",
        "public_intents",
        "seconds",
    )
    readonly_fields = list_display

    @admin.display(description="Discarded, by reason")
    def discard_reasons(self, run: AggregationRun) -> str:
        return format_html_join(
            "; ",
            "{}: {}",
            (
                (AggregationRun.DISCARD_REASONS.get(reason, reason), count)
                for reason, count in sorted(run.discarded.items())
            ),
        )
