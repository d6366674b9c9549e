"""Builders' pages: accounts, the claim flow (in place on the artifact page with htmx, or a
page of its own without JavaScript) and the builder dashboard. Each view turns HTTP into a
selector or service call and picks a template."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from builders import charts, ratelimit, selectors, services
from builders.forms import (
    CapabilityFormSet,
    ClaimForm,
    CorrectionForm,
    ListingEditForm,
    PlanFormSet,
    PricesAsOfForm,
    SignUpForm,
    SubmissionForm,
)
from builders.models import ClaimMethod, EditStatus
from builders.suggestions import listing_suggestions
from builders.verifiers import META_NAME, VERIFIERS, WELL_KNOWN_PATH, homepage_host
from catalog import selectors as catalog_selectors
from catalog.htmx import page_or_partial
from matchgraph.privacy import client_key
from ranking import selectors as ranking_selectors

CLAIM_TEMPLATE = "builders/claim.html"


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.account_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            absolute_url=request.build_absolute_uri,
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.info(request, f"Welcome. We sent a link to {user.email} to confirm it.")
        return redirect(_safe_next(request) or "builders:dashboard")
    status = 400 if form.errors else 200
    return render(
        request, "builders/sign_up.html", {"form": form, "next": _safe_next(request)}, status=status
    )


@require_safe
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    user = services.account_verify_email(token=token)
    if user is None:
        return render(request, "builders/verify_email.html", {"ok": False}, status=400)
    return render(request, "builders/verify_email.html", {"ok": True, "verified_user": user})


@require_POST
@login_required
def resend_verification(request: HttpRequest) -> HttpResponse:
    if selectors.account_email_is_verified(user=request.user):
        messages.info(request, f"{request.user.email} is confirmed already.")
        return redirect("builders:dashboard")
    try:
        services.account_send_verification(
            user=request.user, absolute_url=request.build_absolute_uri
        )
    except ratelimit.RateLimited as error:
        messages.error(request, str(error))
        return redirect("builders:dashboard")
    messages.info(request, f"We sent a new link to {request.user.email}.")
    return redirect("builders:dashboard")


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def claim(request: HttpRequest, slug: str) -> HttpResponse:
    """The claim form and, once started, the claim's state and next step."""
    artifact = catalog_selectors.artifact_get(slug=slug)
    context = {
        "artifact": artifact,
        "host": homepage_host(artifact),
        "email_possible": VERIFIERS[ClaimMethod.EMAIL].applies_to(artifact),
    }
    status = 200
    if request.user.is_authenticated:
        context["email_verified"] = selectors.account_email_is_verified(user=request.user)
        form = ClaimForm(request.POST or None, artifact=artifact)
        if request.method == "POST":
            status = _start_claim(request, form=form, artifact=artifact, context=context)
        context["form"] = form
        context["claim"] = selectors.claim_latest_for(artifact=artifact, user=request.user)
    elif request.method == "POST":
        return redirect_to_login(request.get_full_path())
    context.update(_token_instructions(context.get("claim")))
    template = page_or_partial(request, CLAIM_TEMPLATE, "claim-panel")
    return render(request, template, context, status=status)


def _start_claim(request, *, form: ClaimForm, artifact, context: dict) -> int:
    if not context["email_verified"]:
        context["problem"] = "Confirm your email address first: open the link we sent you."
        return 403
    if not form.is_valid():
        return 400
    try:
        services.claim_start(
            artifact=artifact,
            user=request.user,
            method=form.cleaned_data["method"],
            email=form.cleaned_data["email"],
            evidence=form.cleaned_data["evidence"],
            absolute_url=request.build_absolute_uri,
        )
    except services.ClaimRefused as error:
        context["problem"] = str(error)
        return 429 if isinstance(error.__cause__, ratelimit.RateLimited) else 400
    return 200


def _token_instructions(claim) -> dict:
    """What the pending claim's next step shows: where the token goes, or how long the
    emailed link works."""
    if claim is None:
        return {}
    if claim.method == ClaimMethod.EMAIL:
        return {"link_hours": settings.BUILDERS_CLAIM_LINK_MAX_AGE // 3600}
    if claim.method == ClaimMethod.WELL_KNOWN:
        return {"well_known_path": WELL_KNOWN_PATH, "meta_name": META_NAME}
    return {}


@require_POST
@login_required
@vary_on_headers("HX-Request")
def claim_check(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Queue a fetch of the token now (the Celery task), then show the claim again."""
    claim = selectors.claim_get_own(claim_id=claim_id, user=request.user)
    status = 202
    problem = ""
    try:
        services.claim_request_check(claim=claim)
    except services.ClaimRefused as error:
        problem, status = str(error), 400
    except ratelimit.RateLimited as error:
        problem, status = str(error), 429
    claim.refresh_from_db()
    context = {
        "artifact": claim.artifact,
        "host": homepage_host(claim.artifact),
        "claim": claim,
        "email_verified": True,
        "problem": problem,
        "check_queued": status == 202,
        **_token_instructions(claim),
    }
    template = page_or_partial(request, CLAIM_TEMPLATE, "claim-panel")
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def claim_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: a button to confirm (a GET only shows it, so a mail scanner that
    opens links cannot use up the single-use link)."""
    if request.method == "GET":
        return render(request, "builders/claim_confirm.html", {"token": token})
    try:
        claim = services.claim_confirm_email(token=token)
    except services.ClaimRefused as error:
        return render(request, "builders/claim_confirm.html", {"problem": str(error)}, status=400)
    return render(request, "builders/claim_confirm.html", {"claim": claim, "done": True})


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {
        "claims": selectors.claim_list_for_user(user=request.user),
        "submissions": selectors.submission_list_for_user(user=request.user),
        "email_verified": selectors.account_email_is_verified(user=request.user),
    }
    return render(request, "builders/dashboard.html", context)


@require_safe
@login_required
def artifact_analytics(request: HttpRequest, slug: str) -> HttpResponse:
    artifact = selectors.artifact_get_owned(slug=slug, user=request.user)
    analytics = selectors.artifact_analytics(artifact=artifact)
    breakdown, _history = ranking_selectors.rank_breakdown_with_history(
        artifact_id=artifact.pk, days=1, today=timezone.localdate()
    )
    context = {
        "artifact": artifact,
        "analytics": analytics,
        "chart": charts.analytics_chart(analytics.daily, name=artifact.name),
        "breakdown": breakdown,
        "suggestions": listing_suggestions(artifact=artifact, breakdown=breakdown),
        "corrections": selectors.correction_list_pending(artifact=artifact),
    }
    return render(request, "builders/analytics.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def listing_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The verified builder edits the listing's text; every save is kept with its diff."""
    artifact = selectors.artifact_get_owned(slug=slug, user=request.user)
    form = ListingEditForm(request.POST or None, instance=artifact)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = {field: form.cleaned_data[field] for field in form.fields}
            # The form wrote onto `artifact` while validating: compare with the stored row.
            artifact.refresh_from_db(fields=list(form.fields))
            try:
                edit = services.listing_edit(artifact=artifact, user=request.user, values=values)
            except services.EditRefused as error:
                form.add_error(None, str(error))
            else:
                messages.info(request, _edit_message(edit))
                return redirect("builders:listing-edit", slug=artifact.slug)
    context = {
        "artifact": artifact,
        "form": form,
        "edits": selectors.listing_edit_history(artifact=artifact),
    }
    return render(request, "builders/listing_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def listing_capabilities(request: HttpRequest, slug: str) -> HttpResponse:
    """The verified builder edits, adds and removes capabilities; kept like every edit."""
    artifact = selectors.artifact_get_owned(slug=slug, user=request.user)
    formset = CapabilityFormSet(
        request.POST or None,
        initial=services.capabilities_snapshot(artifact=artifact),
        prefix="capabilities",
    )
    return _related_edit(
        request,
        artifact=artifact,
        template="builders/listing_capabilities.html",
        forms_valid=request.method == "POST" and formset.is_valid(),
        values=lambda: {"capabilities": formset.kept()},
        context={"formset": formset},
    )


@require_http_methods(["GET", "POST"])
@login_required
def listing_prices(request: HttpRequest, slug: str) -> HttpResponse:
    """The verified builder edits the pricing plans, saying on which day they were true."""
    artifact = selectors.artifact_get_owned(slug=slug, user=request.user)
    formset = PlanFormSet(
        request.POST or None,
        initial=services.plans_snapshot(artifact=artifact),
        prefix="plans",
    )
    as_of_form = PricesAsOfForm(request.POST or None)
    valid = request.method == "POST" and all([formset.is_valid(), as_of_form.is_valid()])
    return _related_edit(
        request,
        artifact=artifact,
        template="builders/listing_prices.html",
        forms_valid=valid,
        values=lambda: {
            "plans": [
                {**plan, "as_of": as_of_form.cleaned_data["as_of"]} for plan in formset.kept()
            ]
        },
        context={"formset": formset, "as_of_form": as_of_form},
    )


def _related_edit(request, *, artifact, template, forms_valid, values, context) -> HttpResponse:
    """Save a capabilities or prices edit through the listing edit service, or show the
    forms again: 400 with what is wrong."""
    status = 200
    if request.method == "POST":
        status = 400
        if forms_valid:
            try:
                edit = services.listing_edit(artifact=artifact, user=request.user, values=values())
            except services.EditRefused as error:
                context["problem"] = str(error)
            else:
                messages.info(request, _edit_message(edit))
                return redirect(request.path)
    context.update(
        {"artifact": artifact, "edits": selectors.listing_edit_history(artifact=artifact)}
    )
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def correction_suggest(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Suggest a correction": open to every visitor, limited per visitor and per artifact."""
    artifact = catalog_selectors.artifact_get(slug=slug)
    form = CorrectionForm(request.POST or None)
    context = {"artifact": artifact, "form": form}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.correction_suggest(
                    artifact=artifact,
                    user=request.user if request.user.is_authenticated else None,
                    client=client_key(request),
                    **form.cleaned_data,
                )
            except ratelimit.RateLimited as error:
                context["problem"], status = str(error), 429
            else:
                context["sent"], status = True, 200
    template = page_or_partial(request, "builders/correction.html", "correction-panel")
    return render(request, template, context, status=status)


@require_POST
@login_required
def correction_decide(request: HttpRequest, correction_id: int, decision: str) -> HttpResponse:
    if decision not in ("accept", "decline"):
        raise Http404("No such decision.")
    correction = selectors.correction_get(correction_id=correction_id)
    try:
        edit = services.correction_decide(
            correction=correction, user=request.user, accept=decision == "accept"
        )
    except (services.ClaimRefused, services.EditRefused) as error:
        messages.error(request, str(error))
    else:
        if edit is not None:
            messages.info(request, _edit_message(edit))
    return redirect("builders:analytics", slug=correction.artifact.slug)


@require_http_methods(["GET", "POST"])
@login_required
def submit(request: HttpRequest) -> HttpResponse:
    """Propose an artifact not listed yet; curators review it before it is published."""
    form = SubmissionForm(request.POST or None)
    context = {
        "form": form,
        "email_verified": selectors.account_email_is_verified(user=request.user),
    }
    status = 200
    if request.method == "POST":
        status = 400
        if not context["email_verified"]:
            status = 403
        elif form.is_valid():
            try:
                submission = services.submission_create(user=request.user, data=form.cleaned_data)
            except services.SubmissionRefused as error:
                context["problems"] = error.problems
            except ratelimit.RateLimited as error:
                context["problems"], status = [str(error)], 429
            else:
                messages.info(request, f"Thank you: {submission.name} waits for a curator.")
                return redirect("builders:dashboard")
    return render(request, "builders/submit.html", context, status=status)


def _edit_message(edit) -> str:
    if edit is None:
        return "Nothing changed."
    if edit.status == EditStatus.PENDING:
        return "Saved for a curator's review: it shows once they apply it."
    return "Saved."


EXPORTS = ("daily", "intents")


@require_safe
@login_required
def analytics_export(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    if table not in EXPORTS:
        raise Http404("No such export.")
    artifact = selectors.artifact_get_owned(slug=slug, user=request.user)
    analytics = selectors.artifact_analytics(artifact=artifact)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{artifact.slug}-{table}.csv"'
    writer = csv.writer(response)
    if table == "daily":
        writer.writerow(["day", "impressions", "matches", "match_rate", "choices_not_counted"])
        for point in analytics.daily:
            writer.writerow(
                [
                    point.day.isoformat(),
                    point.impressions,
                    point.matches,
                    _rate(point.match_rate),
                    point.discarded,
                ]
            )
    else:
        writer.writerow(["intent", "impressions", "matches", "match_rate"])
        for row in analytics.intents:
            writer.writerow(
                [_csv_text(row.text), row.impressions, row.matches, _rate(row.match_rate)]
            )
    return response


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _csv_text(value: str) -> str:
    """Searchers typed it: never let a spreadsheet read it as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _safe_next(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""
