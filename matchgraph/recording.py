"""The one way views record match-graph events: each is queued after the transaction commits,
with the visitor's daily-salted hash, and dropped with a log line if the broker is down (a
page never fails because an event could not be recorded)."""

from django.http import HttpRequest

from config.queueing import queue_after_commit
from matchgraph.models import MatchVia
from matchgraph.privacy import source_hash
from matchgraph.tasks import record_comparison, record_match, record_search


def search_shown(request: HttpRequest, *, query: str, artifact_ids: list[int]) -> None:
    """A submitted search and what it showed (live keystrokes are not recorded)."""
    queue_after_commit(
        record_search,
        query=query,
        shown_artifact_ids=artifact_ids,
        source_hash=source_hash(request),
    )


def artifact_chosen(
    request: HttpRequest, *, query: str, artifact_id: int, via: str, position: int | None = None
) -> None:
    """A visitor chose `artifact_id` for `query` (nothing is recorded without a query)."""
    if query:
        queue_after_commit(
            record_match,
            query=query,
            artifact_id=artifact_id,
            via=via,
            source_hash=source_hash(request),
            position=position,
        )


def artifacts_compared(request: HttpRequest, *, artifact_ids: list[int], query: str) -> None:
    """A co-match for every pair shown; arriving from a search (`query`), a match of each
    artifact for that intent too."""
    queue_after_commit(
        record_comparison, artifact_ids=artifact_ids, source_hash=source_hash(request)
    )
    for artifact_id in artifact_ids:
        artifact_chosen(request, query=query, artifact_id=artifact_id, via=MatchVia.COMPARE)
