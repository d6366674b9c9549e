"""The one way views record match-graph events: each is queued after the transaction commits,
with the visitor's daily-salted hashes, and dropped with a log line if the broker is down (a
page never fails because an event could not be recorded). A choice carries the evidence that
the visitor was shown what they chose (`matchgraph.impressions`)."""

from dataclasses import asdict

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string

from config.queueing import queue_after_commit
from matchgraph.impressions import choice_evidence, token_artifact_id
from matchgraph.models import MatchVia
from matchgraph.privacy import visitor
from matchgraph.tasks import record_comparison, record_match, record_search


def search_shown(request: HttpRequest, *, query: str, artifact_ids: list[int]) -> None:
    """A submitted search and what it showed (live keystrokes are not recorded)."""
    queue_after_commit(
        record_search, query=query, shown_artifact_ids=artifact_ids, **asdict(visitor(request))
    )


def artifact_chosen(
    request: HttpRequest, *, query: str, artifact_id: int, via: str, token: str
) -> None:
    """A visitor chose `artifact_id` for `query`, proven by the impression `token` of the
    result they chose from (nothing is recorded without a query)."""
    if not query or _chosen_by_its_builder(request, artifact_id=artifact_id):
        return
    choice = choice_evidence(request, token=token, query=query, artifact_id=artifact_id)
    queue_after_commit(
        record_match,
        query=query,
        artifact_id=artifact_id,
        via=via,
        evidence=choice.evidence,
        position=choice.position,
        **asdict(visitor(request)),
    )


def artifacts_compared(
    request: HttpRequest, *, artifact_ids: list[int], query: str, tokens: list[str]
) -> None:
    """A co-match for every pair shown; arriving from a search (`query`), a choice of each
    artifact for that intent too, proven by the impression token among `tokens` that names it."""
    queue_after_commit(record_comparison, artifact_ids=artifact_ids, **asdict(visitor(request)))
    by_artifact = {token_artifact_id(token): token for token in tokens[: len(artifact_ids) * 2]}
    for artifact_id in artifact_ids:
        artifact_chosen(
            request,
            query=query,
            artifact_id=artifact_id,
            via=MatchVia.COMPARE,
            token=by_artifact.get(artifact_id, ""),
        )


def _chosen_by_its_builder(request: HttpRequest, *, artifact_id: int) -> bool:
    """A builder's own choices of their artifact are never recorded, so they cannot farm
    its matches. Who builds what is known above this app: MATCHGRAPH_BUILDER_CHECK names
    that function (called as `check(user=…, artifact_id=…)`); anonymous visitors cost nothing."""
    user = getattr(request, "user", None)
    if not settings.MATCHGRAPH_BUILDER_CHECK or user is None or not user.is_authenticated:
        return False
    return import_string(settings.MATCHGRAPH_BUILDER_CHECK)(user=user, artifact_id=artifact_id)
