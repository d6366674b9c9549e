"""Celery tasks: thin wrappers that call services. Recording runs off the request path when a
worker is configured (REDIS_URL); without one, Celery runs them eagerly in-process."""

from celery import shared_task


# Recording tasks pass their keyword arguments through: new ones (network_hash, evidence)
# have defaults in the services, so messages queued by an older release still run.
@shared_task(ignore_result=True)
def record_search(**event) -> None:
    from matchgraph.services import search_record

    search_record(**event)


@shared_task(ignore_result=True)
def record_match(**event) -> None:
    from matchgraph.services import match_record

    match_record(**event)


@shared_task(ignore_result=True)
def record_comparison(**event) -> None:
    from matchgraph.services import comparison_record

    comparison_record(**event)


@shared_task
def aggregate_match_graph() -> dict:
    from matchgraph.aggregation import AggregationInProgress, match_graph_aggregate

    try:
        report = match_graph_aggregate()
    except AggregationInProgress:  # the running rebuild reads the same events
        return {"skipped": "another rebuild was running"}
    return {
        "artifact_edges": report.artifact_edges,
        "capability_edges": report.capability_edges,
        "comatches": report.comatches,
        "intent_relations": report.intent_relations,
        "choices_counted": report.choices_counted,
        "discarded": report.discarded,
        "seconds": round(report.seconds, 3),
    }


@shared_task(ignore_result=True)
def rebuild_vocabulary() -> None:
    from matchgraph.search.vocabulary import vocabulary_rebuild

    vocabulary_rebuild()
