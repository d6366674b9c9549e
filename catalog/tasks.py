"""Celery tasks of the catalog: thin wrappers that call services."""

from celery import shared_task

# A run stops well inside the task time limit; the next periodic run goes on from there.
EMBED_TIME_BUDGET = 8 * 60


@shared_task(ignore_result=True)
def embed_artifacts() -> dict:
    from catalog.embeddings.indexing import embeddings_refresh

    report = embeddings_refresh(time_budget=EMBED_TIME_BUDGET)
    return {
        "artifacts": report.artifacts,
        "passages": report.passages,
        "finished": report.finished,
    }


@shared_task(ignore_result=True)
def count_listing_figures() -> None:
    """Count the whole-catalog figures of the current listing version (catalog.derived)."""
    from catalog.derived import counting_started
    from catalog.selectors import listing_figures_warm

    counting_started()
    listing_figures_warm()
