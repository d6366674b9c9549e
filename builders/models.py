"""Builders: accounts that claim artifacts, how each claim was proven, and its history.

A `Claim` is one person's request to be recognised as an artifact's builder. It moves
pending → verified / rejected, and verified → revoked; every move is a `ClaimEvent` (the
audit log). At most one claim per artifact is verified at a time (a database constraint);
`Artifact.claim_status` and `verified_at` are the catalog's denormalized copy, written only
by `builders.services`.
"""

from django.conf import settings
from django.db import models

from catalog.models import Artifact


class Account(models.Model):
    """What Django's user lacks: whether the address was proven by a link we sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="builder_account"
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"account of {self.user}"


class ClaimMethod(models.TextChoices):
    """Keys of the verifiers in `builders.verifiers`."""

    EMAIL = "email", "Email at the homepage's domain"
    WELL_KNOWN = "well_known", "Token on the homepage"
    CURATOR = "curator", "Reviewed by a curator"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    REVOKED = "revoked", "Revoked"


class ClaimQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=ClaimStatus.VERIFIED)

    def pending(self):
        return self.filter(status=ClaimStatus.PENDING)


class Claim(models.Model):
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="builder_claims"
    )
    method = models.CharField(max_length=20, choices=ClaimMethod.choices)
    status = models.CharField(
        max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    # Email verifier: the address the link went to, and a nonce the link signs; the nonce is
    # cleared when the link is used, which is what makes the link single-use.
    email = models.EmailField(blank=True)
    email_nonce = models.CharField(max_length=32, blank=True, editable=False)
    # Well-known verifier: what the builder places on the homepage.
    token = models.CharField(max_length=64, blank=True, editable=False)
    last_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_check_message = models.CharField(max_length=300, blank=True, editable=False)
    # Curator review: what the claimant offers as proof.
    evidence = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The curator who decided; empty when a verifier did.",
    )
    decision_note = models.CharField(max_length=300, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["artifact"],
                condition=models.Q(status=ClaimStatus.VERIFIED),
                name="one_verified_claim_per_artifact",
            )
        ]
        indexes = [models.Index(fields=["user", "status"], name="claim_user_status")]

    def __str__(self) -> str:
        return f"{self.user} claims {self.artifact} ({self.get_status_display()})"


class ClaimEvent(models.Model):
    """The audit log: one row per state change of a claim, never edited."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"claim {self.claim_id}: {self.from_status or 'new'} → {self.to_status}"


class EditStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    PENDING = "pending", "Waiting for a curator"
    DECLINED = "declined", "Declined"


class EditsReviewed(models.Model):
    """Curators read this artifact's builder edits before they show."""

    artifact = models.OneToOneField(
        Artifact, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "artifact whose edits curators review"
        verbose_name_plural = "artifacts whose edits curators review"

    def __str__(self) -> str:
        return f"edits of {self.artifact} reviewed"


class ListingEdit(models.Model):
    """One save of a listing by its verified builder: who, when, and each changed field as
    {"field": {"old": …, "new": …}}. A curator can revert it (a new edit records that)."""

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changes = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    reverts = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reverted_by"
    )
    # Applied at once, unless curators review this artifact's edits (`EditsReviewed`).
    status = models.CharField(max_length=20, choices=EditStatus.choices, default=EditStatus.APPLIED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["artifact", "-created_at"], name="listing_edit_artifact")]

    def __str__(self) -> str:
        fields = ", ".join(self.changes)
        return f"{self.artifact} edited ({fields}) by {self.user}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Correction(models.Model):
    """A visitor's "this is wrong": which fact, what it should say, and where that is shown.
    Curators decide in the admin; the verified builder may decide on their own listing."""

    FIELDS = [
        ("name", "Name"),
        ("organization", "Organization"),
        ("summary", "Summary"),
        ("homepage", "Homepage"),
        ("repository_url", "Source repository"),
        ("docs_url", "Documentation"),
        ("license", "License"),
        ("pricing", "Pricing"),
        ("capabilities", "Capabilities"),
        ("best_for", "Best for"),
        ("limitations", "Limitations"),
        ("requirements", "Requirements"),
        ("other", "Something else"),
    ]

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    field = models.CharField(max_length=30, choices=FIELDS)
    value = models.TextField(max_length=2000, help_text="What it should say.")
    source_url = models.URLField(max_length=500, help_text="Where that is shown.")
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["artifact", "status"], name="correction_artifact")]

    def __str__(self) -> str:
        return f"{self.get_field_display()} of {self.artifact}"


class Submission(models.Model):
    """A new artifact proposed by someone with an account: one record in the import format,
    already validated by the importer's own code, waiting for a curator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    slug = models.SlugField(max_length=120)
    name = models.CharField(max_length=200)
    record = models.JSONField()
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    artifact = models.ForeignKey(
        Artifact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"submission of {self.name}"
