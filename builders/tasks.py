"""Celery tasks: thin wrappers that load rows by id (or take a ready email) and call a service."""

import smtplib

from celery import shared_task


@shared_task(time_limit=60, soft_time_limit=50)
def check_well_known_token(claim_id: int) -> dict:
    from builders.models import Claim
    from builders.services import claim_check_well_known

    claim = Claim.objects.select_related("artifact").filter(pk=claim_id).first()
    if claim is None:
        return {"claim": claim_id, "skipped": "no such claim"}
    verdict = claim_check_well_known(claim=claim)
    return {"claim": claim_id, "proven": verdict.proven, "message": verdict.message}


# Mail servers fail briefly; a few spaced retries beat a lost confirmation link.
@shared_task(
    time_limit=60,
    soft_time_limit=50,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    max_retries=3,
)
def send_email(to: str, subject: str, body: str) -> None:
    from builders.services import email_send

    email_send(to=to, subject=subject, body=body)
