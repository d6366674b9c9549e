"""Builders' writes: accounts, claims and their state changes, and the emails they send.

Every change of a claim's status goes through `_transition`, which checks the move is
allowed, writes the audit row and refreshes the catalog's denormalized claim state.
Nothing here touches a rank input: claiming and verifying never move the rank.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from builders import ratelimit
from builders.models import (
    Account,
    Claim,
    ClaimEvent,
    ClaimMethod,
    ClaimStatus,
    Correction,
    EditsReviewed,
    EditStatus,
    ListingEdit,
    ReviewStatus,
    Submission,
)
from builders.verifiers import VERIFIERS, EmailDomainVerifier, Verdict
from catalog.importing.services import artifacts_import
from catalog.importing.validation import line_read
from catalog.models import Artifact, Capability, Confidence, PricingPlan
from catalog.models import ClaimStatus as ListingClaimStatus
from catalog.page_cache import pages_changed
from catalog.search_index import artifacts_refresh_search
from catalog.services import artifacts_refresh_prices
from ranking.scoring import LISTING_FIELDS

# request.build_absolute_uri: emails need whole links, views know the host.
AbsoluteUrl = Callable[[str], str]

EMAIL_VERIFY_SALT = "builders.account-email"

# pending → verified / rejected; verified → revoked. Nothing leaves rejected or revoked.
ALLOWED_TRANSITIONS = {
    ClaimStatus.PENDING: {ClaimStatus.VERIFIED, ClaimStatus.REJECTED},
    ClaimStatus.VERIFIED: {ClaimStatus.REVOKED},
}


# What a verified builder may edit. The rank never reads text; of these it reads only
# whether the lists are present (LISTING_FIELDS), so an edit may not empty or fill them.
EDITABLE_FIELDS = ("summary", "about", "best_for", "limitations", "requirements")
PRESENCE_READ_BY_RANK = tuple(field for field in EDITABLE_FIELDS if field in LISTING_FIELDS)
# Rows of their own, kept in an edit as the whole list before and after ("snapshots"). The
# rank reads how many capabilities there are and their confidence, never their words: a
# builder edits the words, confidence stays the curators', and an edit that adds or removes
# a capability waits for a curator. Plans are never a rank input.
RELATED_FIELDS = ("capabilities", "plans")
# What only curators change: names and links decide who can claim and what the rank reads.
CURATOR_FIELDS = ("name", "organization", "homepage", "repository_url", "docs_url", "license")
LIST_FIELDS = ("best_for", "limitations", "requirements")
CAPABILITY_TEXT = ("title", "description", "unique_angle", "vs_alternatives")
PLAN_FIELDS = ("name", "price", "currency", "unit", "as_of")
# A capability a builder adds has not been checked by anyone yet.
NEW_CAPABILITY_CONFIDENCE = Confidence.LOW


class EditRefused(Exception):
    """A listing edit that would change what the rank reads."""


class SubmissionRefused(Exception):
    """A submission the importer would not accept; `problems` lists why, by field."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class ClaimRefused(Exception):
    """A claim cannot be made or moved; the message says why, for the claimant."""


# --- Accounts ---------------------------------------------------------------------------------


def account_sign_up(
    *, username: str, email: str, password: str, absolute_url: AbsoluteUrl
) -> AbstractBaseUser:
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    Account.objects.create(user=user)
    account_send_verification(user=user, absolute_url=absolute_url)
    return user


def account_send_verification(*, user: AbstractBaseUser, absolute_url: AbsoluteUrl) -> None:
    ratelimit.hit(ratelimit.EMAILS_PER_USER, user.pk)
    token = signing.TimestampSigner(salt=EMAIL_VERIFY_SALT).sign(f"{user.pk}:{user.email}")
    link = absolute_url(reverse("builders:verify-email", args=[token]))
    _send(
        "builders/email/verify_account",
        to=user.email,
        context={"user": user, "link": link, "hours": settings.BUILDERS_EMAIL_LINK_MAX_AGE // 3600},
    )


def account_verify_email(*, token: str) -> AbstractBaseUser | None:
    """The user whose address the link proves, now marked verified; None for a forged,
    expired or outdated link (the address changed since it was sent)."""
    try:
        value = signing.TimestampSigner(salt=EMAIL_VERIFY_SALT).unsign(
            token, max_age=settings.BUILDERS_EMAIL_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return None
    user_id, _, email = value.partition(":")
    user = get_user_model().objects.filter(pk=user_id, email=email).first()
    if user is None:
        return None
    account, _ = Account.objects.get_or_create(user=user)
    if account.email_verified_at is None:
        account.email_verified_at = timezone.now()
        account.save(update_fields=["email_verified_at"])
    return user


# --- Claims -----------------------------------------------------------------------------------


def claim_start(
    *,
    artifact: Artifact,
    user: AbstractBaseUser,
    method: str,
    email: str = "",
    evidence: str = "",
    absolute_url: AbsoluteUrl,
) -> Claim:
    """A new pending claim by `user`. When the artifact already has a verified owner, the
    claim goes to curator review whatever the method, and the owner is told by email."""
    _count_attempt(artifact=artifact, user=user)
    owner_claim = Claim.objects.verified().filter(artifact=artifact).first()
    if owner_claim and owner_claim.user_id == user.pk:
        raise ClaimRefused("You are already the verified builder of this artifact.")
    if owner_claim:
        method = ClaimMethod.CURATOR
    verifier = VERIFIERS.get(method)
    if verifier is None or not verifier.applies_to(artifact):
        raise ClaimRefused("That way of verifying is not available for this artifact.")
    if method == ClaimMethod.EMAIL and not verifier.address_matches(artifact, email):
        raise ClaimRefused("The address must be at the homepage's domain.")
    if method == ClaimMethod.CURATOR and not evidence.strip():
        raise ClaimRefused("Tell the curators how to confirm you build it.")

    if method == ClaimMethod.EMAIL:
        _count_email(artifact=artifact, user=user)
    claim = Claim(
        artifact=artifact,
        user=user,
        method=method,
        email=email if method == ClaimMethod.EMAIL else "",
        evidence=evidence.strip(),
    )
    verifier.prepare(claim)
    with transaction.atomic():
        claim.save()
        _log(claim, from_status="", actor=user, note=f"Claimed by {verifier.label.lower()}.")
        _sync_listing(artifact)
    if method == ClaimMethod.EMAIL:
        _send_claim_link(claim, absolute_url=absolute_url)
    if owner_claim:
        _send(
            "builders/email/second_claimant",
            to=owner_claim.user.email,
            context={"artifact": artifact, "claim": claim},
        )
    return claim


def claim_confirm_email(*, token: str) -> Claim:
    """The claim an email link proves, now verified. The link works once."""
    try:
        claim_id, nonce = EmailDomainVerifier.claim_id_from(token)
    except signing.SignatureExpired as error:
        raise ClaimRefused("This link has expired; start the claim again.") from error
    except (signing.BadSignature, ValueError) as error:
        raise ClaimRefused("This link is not valid.") from error
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update().select_related("artifact").filter(pk=claim_id).first()
        )
        if claim is None or claim.status != ClaimStatus.PENDING:
            raise ClaimRefused("This link was already used or the claim is closed.")
        verdict = VERIFIERS[ClaimMethod.EMAIL].check(claim, nonce=nonce)
        if not verdict.proven:
            raise ClaimRefused(verdict.message)
        claim.email_nonce = ""
        claim.save(update_fields=["email_nonce"])
        _transition(claim, to=ClaimStatus.VERIFIED, actor=None, note=verdict.message)
    return claim


def claim_request_check(*, claim: Claim) -> None:
    """Queue the well-known check (a Celery task) for a pending token claim."""
    from builders.tasks import check_well_known_token as check_well_known_token_task
    from config.queueing import queue_after_commit

    if claim.method != ClaimMethod.WELL_KNOWN or claim.status != ClaimStatus.PENDING:
        raise ClaimRefused("Only a pending token claim can be checked.")
    ratelimit.hit(ratelimit.CHECKS_PER_CLAIM, claim.pk)
    queue_after_commit(check_well_known_token_task, claim_id=claim.pk)


def claim_check_well_known(*, claim: Claim) -> Verdict:
    """Fetch the token and verify the claim when it is there; the outcome is kept on the
    claim for the claimant to read."""
    if claim.status != ClaimStatus.PENDING or claim.method != ClaimMethod.WELL_KNOWN:
        return Verdict(False, "The claim is not waiting for a token.")
    verdict = VERIFIERS[ClaimMethod.WELL_KNOWN].check(claim)
    with transaction.atomic():
        locked = Claim.objects.select_for_update().select_related("artifact").get(pk=claim.pk)
        locked.last_check_at = timezone.now()
        locked.last_check_message = verdict.message[:300]
        locked.save(update_fields=["last_check_at", "last_check_message"])
        if verdict.proven and locked.status == ClaimStatus.PENDING:
            _transition(locked, to=ClaimStatus.VERIFIED, actor=None, note=verdict.message)
    return verdict


def claim_approve(*, claim: Claim, curator: AbstractBaseUser, note: str = "") -> Claim:
    """A curator verifies the claim; a current owner's claim is revoked in its favour."""
    with transaction.atomic():
        claim = _locked(claim)
        previous = (
            Claim.objects.select_for_update()
            .verified()
            .filter(artifact_id=claim.artifact_id)
            .exclude(pk=claim.pk)
            .first()
        )
        if previous is not None:
            _transition(
                previous,
                to=ClaimStatus.REVOKED,
                actor=curator,
                note=f"Ownership passed to claim {claim.pk}.",
            )
        _transition(claim, to=ClaimStatus.VERIFIED, actor=curator, note=note or "Approved.")
    if previous is not None:
        _send(
            "builders/email/ownership_passed",
            to=previous.user.email,
            context={"artifact": claim.artifact},
        )
    return claim


def claim_reject(*, claim: Claim, curator: AbstractBaseUser, note: str = "") -> Claim:
    with transaction.atomic():
        claim = _locked(claim)
        _transition(claim, to=ClaimStatus.REJECTED, actor=curator, note=note or "Rejected.")
    return claim


def claim_revoke(*, claim: Claim, curator: AbstractBaseUser, note: str = "") -> Claim:
    with transaction.atomic():
        claim = _locked(claim)
        _transition(claim, to=ClaimStatus.REVOKED, actor=curator, note=note or "Revoked.")
    return claim


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("artifact").get(pk=claim.pk)


def _transition(claim: Claim, *, to: str, actor: AbstractBaseUser | None, note: str) -> None:
    """Move a locked claim to `to`, log it and refresh the listing's claim state."""
    if to not in ALLOWED_TRANSITIONS.get(claim.status, set()):
        raise ClaimRefused(
            f"A {claim.get_status_display().lower()} claim cannot become "
            f"{ClaimStatus(to).label.lower()}."
        )
    if to == ClaimStatus.VERIFIED and (
        Claim.objects.verified().filter(artifact_id=claim.artifact_id).exclude(pk=claim.pk).exists()
    ):
        raise ClaimRefused("Another builder is verified for this artifact; a curator decides.")
    from_status = claim.status
    claim.status = to
    claim.decided_at = timezone.now()
    claim.decided_by = actor
    claim.decision_note = note[:300]
    claim.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    _log(claim, from_status=from_status, actor=actor, note=note)
    _sync_listing(claim.artifact)


def _log(claim: Claim, *, from_status: str, actor: AbstractBaseUser | None, note: str) -> None:
    ClaimEvent.objects.create(
        claim=claim, from_status=from_status, to_status=claim.status, actor=actor, note=note[:300]
    )


def _sync_listing(artifact: Artifact) -> None:
    """Write the catalog's copy of the claim state (badge, admin list) from the claims."""
    verified = Claim.objects.verified().filter(artifact=artifact).first()
    if verified is not None:
        status, verified_at = ListingClaimStatus.VERIFIED, verified.decided_at
    elif Claim.objects.pending().filter(artifact=artifact).exists():
        status, verified_at = ListingClaimStatus.PENDING, None
    else:
        status, verified_at = ListingClaimStatus.UNCLAIMED, None
    Artifact.objects.filter(pk=artifact.pk).update(claim_status=status, verified_at=verified_at)
    artifact.claim_status, artifact.verified_at = status, verified_at
    pages_changed()


def _count_attempt(*, artifact: Artifact, user: AbstractBaseUser) -> None:
    try:
        ratelimit.hit(ratelimit.CLAIM_ATTEMPTS_PER_USER, user.pk)
        ratelimit.hit(ratelimit.CLAIM_ATTEMPTS_PER_ARTIFACT, artifact.pk)
    except ratelimit.RateLimited as error:
        raise ClaimRefused(str(error)) from error


def _count_email(*, artifact: Artifact, user: AbstractBaseUser) -> None:
    try:
        ratelimit.hit(ratelimit.EMAILS_PER_USER, user.pk)
        ratelimit.hit(ratelimit.EMAILS_PER_ARTIFACT, artifact.pk)
    except ratelimit.RateLimited as error:
        raise ClaimRefused(str(error)) from error


def _send_claim_link(claim: Claim, *, absolute_url: AbsoluteUrl) -> None:
    link = absolute_url(
        reverse("builders:claim-confirm", args=[EmailDomainVerifier.link_token(claim)])
    )
    _send(
        "builders/email/claim_link",
        to=claim.email,
        context={
            "claim": claim,
            "link": link,
            "hours": settings.BUILDERS_CLAIM_LINK_MAX_AGE // 3600,
        },
    )


def _send(template: str, *, to: str, context: dict) -> None:
    """Write the email now (links and names as they are in this request) and leave sending
    it to the Celery task."""
    if not to:
        return
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}.txt", context)
    email_queue(to=to, subject=subject, body=body)


def email_queue(*, to: str, subject: str, body: str) -> None:
    """Send through the Celery task once the transaction commits, never inside the request:
    a slow mail server cannot hold a page, and a broker outage is logged, not shown."""
    from builders.tasks import send_email as send_email_task
    from config.queueing import queue_after_commit

    # A header line cannot hold a newline (Django would refuse the message).
    subject = " ".join(subject.split())
    queue_after_commit(send_email_task, to=to, subject=subject, body=body)


def email_send(*, to: str, subject: str, body: str) -> None:
    """What the task does: hand one email to Django's mail backend."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


# --- Listing edits ----------------------------------------------------------------------------


def listing_edit(
    *, artifact: Artifact, user: AbstractBaseUser | None, values: dict, by_curator: bool = False
) -> ListingEdit | None:
    """Keep a builder's values with their diff and apply them, or hold them for a curator
    when this artifact's edits are reviewed; None when nothing changed. Refuses to empty
    or fill a field whose presence the rank reads: the edit must leave the rank as it was.
    A curator's edit (`by_curator`, an accepted correction) may also change CURATOR_FIELDS,
    applies at once and may change what the rank reads."""
    changes = _changes(artifact, values, by_curator=by_curator)
    if by_curator:
        if not changes:
            return None
        with transaction.atomic():
            _apply(artifact, changes)
            return ListingEdit.objects.create(
                artifact=artifact, user=user, changes=changes, decided_by=user
            )
    flipped = [
        field
        for field in PRESENCE_READ_BY_RANK
        if field in changes and bool(changes[field]["old"]) != bool(changes[field]["new"])
    ]
    if flipped:
        names = ", ".join(Artifact._meta.get_field(field).verbose_name for field in flipped)
        raise EditRefused(
            f"Emptying or filling {names} would change what the rank reads; suggest it as a "
            "correction and a curator decides."
        )
    if not changes:
        return None
    if EditsReviewed.objects.filter(artifact=artifact).exists() or _changes_capability_count(
        changes
    ):
        return ListingEdit.objects.create(
            artifact=artifact, user=user, changes=changes, status=EditStatus.PENDING
        )
    with transaction.atomic():
        _apply(artifact, changes)
        return ListingEdit.objects.create(artifact=artifact, user=user, changes=changes)


def listing_edit_apply(*, edit: ListingEdit, curator: AbstractBaseUser) -> ListingEdit:
    """A curator lets a held edit show, if the listing still reads what the edit started
    from (otherwise the builder edits again, from what is there now)."""
    with transaction.atomic():
        edit = ListingEdit.objects.select_for_update().get(pk=edit.pk)
        artifact = Artifact.objects.select_for_update().get(pk=edit.artifact_id)
        if edit.status != EditStatus.PENDING:
            raise EditRefused("Only an edit waiting for a curator can be applied.")
        changes = edit.changes.items()
        if any(_current(artifact, field) != change["old"] for field, change in changes):
            raise EditRefused("The listing changed since this edit was made; it cannot apply.")
        _apply(artifact, edit.changes)
        edit.status, edit.decided_by = EditStatus.APPLIED, curator
        edit.save(update_fields=["status", "decided_by"])
    return edit


def listing_edit_decline(*, edit: ListingEdit, curator: AbstractBaseUser) -> ListingEdit:
    if edit.status != EditStatus.PENDING:
        raise EditRefused("Only an edit waiting for a curator can be declined.")
    edit.status, edit.decided_by = EditStatus.DECLINED, curator
    edit.save(update_fields=["status", "decided_by"])
    return edit


def listing_edit_revert(*, edit: ListingEdit, curator: AbstractBaseUser) -> ListingEdit | None:
    """Put back what an applied `edit` changed, as a new edit by `curator` that names the
    one it reverts. Presence checks do not apply: a curator may change what the rank reads."""
    if edit.status != EditStatus.APPLIED:
        raise EditRefused("Only an applied edit can be reverted.")
    artifact = Artifact.objects.get(pk=edit.artifact_id)
    changes = _changes(
        artifact,
        {field: change["old"] for field, change in edit.changes.items()},
        by_curator=True,
    )
    if not changes:
        return None
    with transaction.atomic():
        _apply(artifact, changes)
        return ListingEdit.objects.create(
            artifact=artifact, user=curator, changes=changes, reverts=edit, decided_by=curator
        )


def _changes(artifact: Artifact, values: dict, *, by_curator: bool = False) -> dict:
    changes = {}
    fields = (*EDITABLE_FIELDS, *RELATED_FIELDS, *(CURATOR_FIELDS if by_curator else ()))
    for field in fields:
        if field not in values:
            continue
        old = _current(artifact, field)
        new = _normalized(artifact, field, values[field], by_curator=by_curator)
        if new != old:
            changes[field] = {"old": old, "new": new}
    return changes


def _changes_capability_count(changes: dict) -> bool:
    change = changes.get("capabilities")
    return change is not None and len(change["old"]) != len(change["new"])


def capabilities_snapshot(*, artifact: Artifact) -> list[dict]:
    """The artifact's capabilities as an edit keeps them (JSON)."""
    return [
        {"id": capability.pk, **{name: getattr(capability, name) for name in CAPABILITY_TEXT}}
        | {"confidence": capability.confidence}
        for capability in Capability.objects.filter(artifact=artifact).order_by("position", "id")
    ]


def plans_snapshot(*, artifact: Artifact) -> list[dict]:
    """The artifact's pricing plans as an edit keeps them (JSON: prices and dates as text)."""
    return [
        _plan_item({"id": plan.pk, **{name: getattr(plan, name) for name in PLAN_FIELDS}})
        for plan in PricingPlan.objects.filter(artifact=artifact).order_by("position", "id")
    ]


def _current(artifact: Artifact, field: str):
    if field == "capabilities":
        return capabilities_snapshot(artifact=artifact)
    if field == "plans":
        return plans_snapshot(artifact=artifact)
    return getattr(artifact, field)


def _normalized(artifact: Artifact, field: str, value, *, by_curator: bool):
    """A submitted value in the form the edit keeps; only ids of this artifact's rows are
    kept. A builder's capability keeps its curated confidence whatever was submitted; a
    curator's (a revert) keeps the confidence it names."""
    if field == "capabilities":
        confidence = {
            item["id"]: item["confidence"] for item in capabilities_snapshot(artifact=artifact)
        }
        return [
            {
                "id": item.get("id") if item.get("id") in confidence else None,
                **{name: item.get(name, "") for name in CAPABILITY_TEXT},
                "confidence": (item.get("confidence") if by_curator else None)
                or confidence.get(item.get("id"), NEW_CAPABILITY_CONFIDENCE),
            }
            for item in value
        ]
    if field == "plans":
        own = {item["id"] for item in plans_snapshot(artifact=artifact)}
        return [
            _plan_item({**item, "id": item.get("id") if item.get("id") in own else None})
            for item in value
        ]
    return value


def _plan_item(item: dict) -> dict:
    """Exact prices as text without trailing zeros (10, not 10.000000000000), dates ISO."""
    price = Decimal(str(item["price"]))
    as_of = item.get("as_of")
    return {
        "id": item.get("id"),
        "name": item["name"],
        "price": format(price.normalize(), "f") if price else "0",
        "currency": item.get("currency") or "USD",
        "unit": item["unit"],
        "as_of": as_of.isoformat() if isinstance(as_of, date) else as_of,
    }


def _apply(artifact: Artifact, changes: dict) -> None:
    own = [field for field in changes if field not in RELATED_FIELDS]
    for field in own:
        setattr(artifact, field, changes[field]["new"])
    if own:
        artifact.save(update_fields=[*own, "modified_at"])
    if "capabilities" in changes:
        _write_rows(Capability, artifact, changes["capabilities"]["new"])
    if "plans" in changes:
        _write_rows(PricingPlan, artifact, changes["plans"]["new"])
        artifacts_refresh_prices(artifact_ids=[artifact.pk])
    artifacts_refresh_search(artifact_ids=[artifact.pk])


def _write_rows(model, artifact: Artifact, items: list[dict]) -> None:
    """Make the artifact's rows of `model` read `items`, in order: rows not listed are
    deleted, listed ones updated, the rest (no id, or one deleted since) created. Two rows
    swapping titles at once would break the one-title-per-artifact rule: refused."""
    rows = model.objects.filter(artifact=artifact)
    rows.exclude(pk__in=[item["id"] for item in items if item["id"]]).delete()
    existing = {row.pk: row for row in rows}
    try:
        with transaction.atomic():
            for position, item in enumerate(items):
                row = existing.get(item["id"]) or model(artifact=artifact)
                for name, value in item.items():
                    if name != "id":
                        setattr(row, name, value)
                row.position = position
                row.save()
    except IntegrityError as error:
        raise EditRefused("Two capabilities cannot share a title.") from error


# --- Corrections ------------------------------------------------------------------------------


def correction_suggest(
    *,
    artifact: Artifact,
    user: AbstractBaseUser | None,
    client: str,
    field: str,
    value: str,
    source_url: str,
) -> Correction:
    """Keep a visitor's correction for review; `client` (the address, never stored) limits
    how many one visitor may send."""
    ratelimit.hit(ratelimit.CORRECTIONS_PER_CLIENT, user.pk if user else client)
    ratelimit.hit(ratelimit.CORRECTIONS_PER_ARTIFACT, artifact.pk)
    return Correction.objects.create(
        artifact=artifact, user=user, field=field, value=value.strip(), source_url=source_url
    )


def correction_decide(
    *, correction: Correction, user: AbstractBaseUser, accept: bool
) -> ListingEdit | None:
    """A curator, or the artifact's verified builder, accepts or declines. Accepting a
    correction of a field we can write applies it as a listing edit (kept, revertable,
    held when curators review the builder's edits): the builder's fields for either, the
    curators' own fields (names, links, license) for a curator only. Other corrections
    (prices, capabilities, "something else") are marked accepted and made by hand.
    Returns the edit, if one was made."""
    is_curator = user.is_staff
    is_owner = Claim.objects.verified().filter(artifact_id=correction.artifact_id, user=user)
    if not (is_curator or is_owner.exists()):
        raise PermissionDenied("Only curators and the verified builder decide corrections.")
    if correction.status != ReviewStatus.PENDING:
        raise ClaimRefused("This correction was already decided.")
    if accept and correction.field in CURATOR_FIELDS and not is_curator:
        raise EditRefused(
            f"Only a curator can change the {correction.get_field_display().lower()}; "
            "leave this correction to them."
        )
    edit = None
    with transaction.atomic():
        if accept and correction.field in (*EDITABLE_FIELDS, *CURATOR_FIELDS):
            artifact = Artifact.objects.select_for_update().get(pk=correction.artifact_id)
            edit = listing_edit(
                artifact=artifact,
                user=user,
                values={correction.field: _correction_value(correction)},
                by_curator=is_curator,
            )
        correction.status = ReviewStatus.ACCEPTED if accept else ReviewStatus.DECLINED
        correction.decided_at = timezone.now()
        correction.decided_by = user
        correction.save(update_fields=["status", "decided_at", "decided_by"])
    return edit


def _correction_value(correction: Correction):
    """The suggested value as the field stores it: lists one item a line; checked by the
    model field's own rules (a link must be a link, a name not too long)."""
    model_field = Artifact._meta.get_field(correction.field)
    if correction.field in LIST_FIELDS:
        return [line.strip() for line in correction.value.splitlines() if line.strip()]
    try:
        return model_field.clean(correction.value.strip(), None)
    except ValidationError as error:
        raise EditRefused(" ".join(error.messages)) from error


# --- Submissions ------------------------------------------------------------------------------


def submission_read(*, data: dict) -> tuple[dict, list[str]]:
    """The record as the importer reads it, and its problems ("path: message"), checked by
    the importer's own validation (`catalog.importing.validation.line_read`)."""
    record = {key: value for key, value in data.items() if value not in ("", None, [])}
    result = line_read(text=json.dumps(record), line=1)
    problems = [f"{issue.path}: {issue.message}" for issue in result.errors]
    if result.record is not None and Artifact.objects.filter(slug=result.slug).exists():
        problems.append(f"slug: “{result.slug}” is listed already; suggest a correction there.")
    return {**record, "slug": result.slug} if result.slug else record, problems


def submission_create(*, user: AbstractBaseUser, data: dict) -> Submission:
    record, problems = submission_read(data=data)
    if problems:
        raise SubmissionRefused(problems)
    ratelimit.hit(ratelimit.SUBMISSIONS_PER_USER, user.pk)
    return Submission.objects.create(
        user=user, slug=record["slug"], name=record["name"], record=record
    )


def submission_approve(*, submission: Submission, curator: AbstractBaseUser) -> Artifact:
    """Import the record (checked again: the slug may have been taken since), publish it,
    and have it ranked."""
    from config.queueing import queue_after_commit
    from ranking.tasks import recompute_artifact_rank as recompute_artifact_rank_task

    if submission.status != ReviewStatus.PENDING:
        raise SubmissionRefused(["This submission was already decided."])
    record, problems = submission_read(data=submission.record)
    if problems:
        raise SubmissionRefused(problems)
    with transaction.atomic():
        report = artifacts_import(lines=[json.dumps(record)])
        if report.errors:
            raise SubmissionRefused([str(issue) for issue in report.errors])
        artifact = Artifact.objects.get(slug=record["slug"])
        submission.status = ReviewStatus.ACCEPTED
        submission.decided_at = timezone.now()
        submission.decided_by = curator
        submission.artifact = artifact
        submission.save(update_fields=["status", "decided_at", "decided_by", "artifact"])
        queue_after_commit(recompute_artifact_rank_task, artifact_id=artifact.pk)
    return artifact


def submission_decline(*, submission: Submission, curator: AbstractBaseUser) -> None:
    if submission.status != ReviewStatus.PENDING:
        raise SubmissionRefused(["This submission was already decided."])
    submission.status = ReviewStatus.DECLINED
    submission.decided_at = timezone.now()
    submission.decided_by = curator
    submission.save(update_fields=["status", "decided_at", "decided_by"])
