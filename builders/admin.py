"""Curators review claims here: approve, reject or revoke, each through the services, so the
audit log and the listing's claim state follow every decision."""

from django.contrib import admin, messages

from builders import services
from builders.models import (
    Account,
    Claim,
    ClaimEvent,
    Correction,
    EditsReviewed,
    ListingEdit,
    Submission,
)


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = (
        "artifact",
        "user",
        "method",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
    )
    list_filter = ("status", "method")
    search_fields = ("artifact__name", "artifact__slug", "user__username", "user__email", "email")
    list_select_related = ("artifact", "user", "decided_by")
    raw_id_fields = ("artifact", "user")
    readonly_fields = (
        "artifact",
        "user",
        "method",
        "status",
        "email",
        "evidence",
        "last_check_at",
        "last_check_message",
        "created_at",
        "decided_at",
        "decided_by",
        "decision_note",
    )
    fields = readonly_fields
    inlines = [ClaimEventInline]
    actions = ["approve", "reject", "revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the audit log must outlive decisions

    @admin.action(description="Approve: verify the selected claims")
    def approve(self, request, queryset):
        self._decide(request, queryset, services.claim_approve, "approved")

    @admin.action(description="Reject the selected claims")
    def reject(self, request, queryset):
        self._decide(request, queryset, services.claim_reject, "rejected")

    @admin.action(description="Revoke the selected verified claims")
    def revoke(self, request, queryset):
        self._decide(request, queryset, services.claim_revoke, "revoked")

    def _decide(self, request, queryset, decide, verb: str) -> None:
        done = 0
        for claim in queryset.select_related("artifact"):
            try:
                decide(claim=claim, curator=request.user)
            except services.ClaimRefused as error:
                self.message_user(request, f"{claim}: {error}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} claim{'s' if done != 1 else ''} {verb}.")


@admin.register(ClaimEvent)
class ClaimEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "claim", "from_status", "to_status", "actor", "note")
    list_filter = ("to_status",)
    list_select_related = ("claim__artifact", "claim__user", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("user", "email_verified_at")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)


@admin.register(ListingEdit)
class ListingEditAdmin(admin.ModelAdmin):
    list_display = ("created_at", "artifact", "user", "changed_fields", "status", "reverts")
    list_filter = ("status",)
    list_select_related = ("artifact", "user")
    search_fields = ("artifact__name", "artifact__slug", "user__username")
    readonly_fields = (
        "artifact",
        "user",
        "created_at",
        "status",
        "decided_by",
        "changes",
        "reverts",
    )
    fields = readonly_fields
    actions = ["apply", "decline", "revert"]

    @admin.display(description="Changed")
    def changed_fields(self, edit: ListingEdit) -> str:
        return ", ".join(edit.changes)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Apply the selected edits waiting for review")
    def apply(self, request, queryset):
        self._decide(request, queryset, services.listing_edit_apply, "applied")

    @admin.action(description="Decline the selected edits waiting for review")
    def decline(self, request, queryset):
        self._decide(request, queryset, services.listing_edit_decline, "declined")

    @admin.action(description="Revert the selected edits")
    def revert(self, request, queryset):
        self._decide(request, queryset, services.listing_edit_revert, "reverted")

    def _decide(self, request, queryset, decide, verb: str) -> None:
        done = 0
        for edit in queryset.order_by("-created_at", "-id"):
            try:
                if decide(edit=edit, curator=request.user):
                    done += 1
            except services.EditRefused as error:
                self.message_user(request, f"{edit}: {error}", messages.WARNING)
        self.message_user(request, f"{done} edit{'s' if done != 1 else ''} {verb}.")


@admin.register(EditsReviewed)
class EditsReviewedAdmin(admin.ModelAdmin):
    list_display = ("artifact", "required_by", "created_at")
    list_select_related = ("artifact", "required_by")
    raw_id_fields = ("artifact",)
    fields = ("artifact",)

    def save_model(self, request, obj, form, change):
        obj.required_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "artifact", "field", "status", "user", "decided_by")
    list_filter = ("status", "field")
    list_select_related = ("artifact", "user", "decided_by")
    search_fields = ("artifact__name", "artifact__slug", "value")
    readonly_fields = (
        "artifact",
        "user",
        "field",
        "value",
        "source_url",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
    )
    fields = readonly_fields
    actions = ["accept", "decline"]

    def has_add_permission(self, request):
        return False

    @admin.action(
        description="Accept the selected corrections (names, links, text and lists are applied)"
    )
    def accept(self, request, queryset):
        self._decide(request, queryset, accept=True)

    @admin.action(description="Decline the selected corrections")
    def decline(self, request, queryset):
        self._decide(request, queryset, accept=False)

    def _decide(self, request, queryset, *, accept: bool) -> None:
        done = 0
        for correction in queryset:
            try:
                services.correction_decide(correction=correction, user=request.user, accept=accept)
            except (services.ClaimRefused, services.EditRefused) as error:
                self.message_user(request, f"{correction}: {error}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, f"{done} correction{'s' if done != 1 else ''} decided.")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "name", "slug", "status", "user", "decided_by", "artifact")
    list_filter = ("status",)
    list_select_related = ("user", "decided_by", "artifact")
    search_fields = ("name", "slug")
    readonly_fields = (
        "user",
        "name",
        "slug",
        "record",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
        "artifact",
    )
    fields = readonly_fields
    actions = ["approve", "decline"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Approve: import, publish and rank the selected submissions")
    def approve(self, request, queryset):
        self._decide(request, queryset, services.submission_approve)

    @admin.action(description="Decline the selected submissions")
    def decline(self, request, queryset):
        self._decide(request, queryset, services.submission_decline)

    def _decide(self, request, queryset, decide) -> None:
        done = 0
        for submission in queryset:
            try:
                decide(submission=submission, curator=request.user)
            except services.SubmissionRefused as error:
                self.message_user(request, f"{submission}: {error}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, f"{done} submission{'s' if done != 1 else ''} decided.")
