"""Celery tasks: thin wrappers that call services. Recording runs off the request path when a
worker is configured (REDIS_URL); without one, Celery runs them eagerly in-process."""

from celery import shared_task


@shared_task(ignore_result=True)
def record_search(*, query: str, shown_artifact_ids: list[int], source_hash: str) -> None:
    from matchgraph.services import search_record

    search_record(query=query, shown_artifact_ids=shown_artifact_ids, source_hash=source_hash)


@shared_task(ignore_result=True)
def record_match(
    *, query: str, artifact_id: int, via: str, source_hash: str, position: int | None = None
) -> None:
    from matchgraph.services import match_record

    match_record(
        query=query,
        artifact_id=artifact_id,
        via=via,
        source_hash=source_hash,
        position=position,
    )


@shared_task(ignore_result=True)
def record_comparison(*, artifact_ids: list[int], source_hash: str) -> None:
    from matchgraph.services import comparison_record

    comparison_record(artifact_ids=artifact_ids, source_hash=source_hash)


@shared_task
def aggregate_match_graph() -> dict:
    from matchgraph.aggregation import match_graph_aggregate

    report = match_graph_aggregate()
    return {
        "artifact_edges": report.artifact_edges,
        "capability_edges": report.capability_edges,
        "comatches": report.comatches,
        "intent_relations": report.intent_relations,
        "seconds": round(report.seconds, 3),
    }


@shared_task(ignore_result=True)
def rebuild_vocabulary() -> None:
    from matchgraph.search.vocabulary import vocabulary_rebuild

    vocabulary_rebuild()
