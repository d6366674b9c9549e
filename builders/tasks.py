"""Celery tasks: thin wrappers that load by id and call a service."""

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
