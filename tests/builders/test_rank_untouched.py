"""Claiming and verifying never change the rank (like tests/ranking/test_no_pay.py)."""

import pytest

from builders import services
from builders.models import ClaimMethod
from ranking import services as ranking_services
from tests.builders.conftest import Route, make_user
from tests.conftest import FROZEN_NOW
from tests.ranking.test_no_pay import directory, snapshot

pytestmark = pytest.mark.django_db

__all__ = ["directory"]  # the fixture, shared with the no-pay test


def test_claiming_verifying_and_revoking_never_change_a_score(directory, homepage_server):
    curator = make_user("curator")
    for index, artifact in enumerate(directory):
        artifact.homepage = homepage_server.url(f"/{index}")
        artifact.save(update_fields=["homepage"])
    ranking_services.rank_recompute_all(now=FROZEN_NOW)
    before = snapshot()

    by_curator = services.claim_start(
        artifact=directory[0],
        user=make_user("a"),
        method=ClaimMethod.CURATOR,
        evidence="proof",
        absolute_url=str,
    )
    services.claim_approve(claim=by_curator, curator=curator)
    by_token = services.claim_start(
        artifact=directory[1], user=make_user("b"), method=ClaimMethod.WELL_KNOWN, absolute_url=str
    )
    homepage_server.routes["/.well-known/unfragile-verify.txt"] = Route(
        body=by_token.token.encode()
    )
    assert services.claim_check_well_known(claim=by_token).proven
    revoked = services.claim_start(
        artifact=directory[2],
        user=make_user("c"),
        method=ClaimMethod.CURATOR,
        evidence="proof",
        absolute_url=str,
    )
    services.claim_approve(claim=revoked, curator=curator)
    services.claim_revoke(claim=revoked, curator=curator)
    services.claim_start(
        artifact=directory[3],
        user=make_user("d"),
        method=ClaimMethod.CURATOR,
        evidence="proof",
        absolute_url=str,
    )

    ranking_services.rank_recompute_all(now=FROZEN_NOW)
    assert snapshot() == before
    for artifact in directory[:4]:
        ranking_services.rank_recompute_artifact(artifact_id=artifact.pk, now=FROZEN_NOW)
    assert snapshot() == before
