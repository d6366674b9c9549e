"""Figures derived from the whole published catalog (artifacts per kind and per category,
browse's facet totals): counted once, then cached until the catalog next changes.

Exact invalidation: every write changes the listing version. Saves and deletes through the
ORM do so by signal; bulk writes (the importer, curator actions that `update()`) through
`artifacts_refresh_search` or `listing_changed()`. The version is part of each cache key,
so once a write has finished, no page can show a count from before it."""

import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from config.cache import version_started
from config.queueing import BROKER_ERRORS

logger = logging.getLogger(__name__)

LISTING_VERSION_KEY = "catalog:listing-version"
COUNTING_QUEUED_KEY = "catalog:listing-counting-queued"
COUNTING_DELAY = 5  # seconds: a burst of writes is counted once, after it
COUNTING_LOCK = 10 * 60  # the lock outlives a lost task by this much at most
# A safety net only: the version, not the clock, decides freshness.
DERIVED_TTL = 24 * 60 * 60

T = TypeVar("T")


def listing_version() -> str:
    # A missing version (a new or flushed Redis, the key evicted) starts anew at random, so
    # no figure kept from before passes for current; without Redis nothing is kept anyway.
    return (
        cache.get(LISTING_VERSION_KEY) or version_started(LISTING_VERSION_KEY) or uuid.uuid4().hex
    )


def listing_changed(**_signal_arguments) -> None:
    """Something listed changed: every derived figure is recounted on its next read, and
    every cached page rendered again. At once and again at commit, so a figure counted from
    the old rows while the write's transaction was open is not kept under the new version."""
    from catalog.page_cache import pages_changed

    _new_listing_version()
    transaction.on_commit(_after_commit)
    pages_changed()


def _new_listing_version() -> None:
    cache.set(LISTING_VERSION_KEY, uuid.uuid4().hex, None)


def _after_commit() -> None:
    _new_listing_version()
    _queue_counting()


def _queue_counting() -> None:
    """Have a worker count the new version's figures, so the next visitor does not. One
    task at a time: a write during a burst (an import writes every thousand records) finds
    one queued, which counts whatever version is current when it starts. Without a worker
    (tasks run eagerly) every write would wait for the count: the next reader counts."""
    from catalog.tasks import count_listing_figures
    from config.celery import app

    if app.conf.task_always_eager or not cache.add(COUNTING_QUEUED_KEY, True, COUNTING_LOCK):
        return
    try:
        count_listing_figures.apply_async(countdown=COUNTING_DELAY)
    except BROKER_ERRORS as error:
        cache.delete(COUNTING_QUEUED_KEY)
        logger.warning("listing figures not queued for counting: %s", error)


def counting_started() -> None:
    """The queued count has begun: a later write queues the next one."""
    cache.delete(COUNTING_QUEUED_KEY)


def derived(name: str, compute: Callable[[], T], *, variant: str = "") -> T:
    """`compute()` for the current listing version, counted once per version. `variant`
    tells apart figures of one kind (the facet totals of one filter)."""
    return cache.get_or_set(_key(name, variant), compute, DERIVED_TTL)


def derived_keep(name: str, value: object, *, variant: str = "", version: str) -> None:
    """Store a figure `derived` would compute, counted another way (many at once), under the
    listing `version` read before counting began: a write that commits during the count
    changes the version, so the figure lands under a key no reader asks for."""
    cache.set(_key(name, variant, version), value, DERIVED_TTL)


def _key(name: str, variant: str, version: str | None = None) -> str:
    digest = hashlib.sha256(variant.encode()).hexdigest()[:24] if variant else "all"
    return f"catalog:derived:{name}:{digest}:{version or listing_version()}"


def connect_signals() -> None:
    """Called once from the app's ready(). Artifacts and categories make the listing; every
    catalog model but the embeddings (whose refresh says when it is done) shows on pages."""
    from django.apps import apps

    from catalog.models import Artifact, Category, Embedding
    from catalog.page_cache import pages_changed

    for model in (Artifact, Category):
        post_save.connect(listing_changed, sender=model, dispatch_uid=f"listing-{model}-save")
        post_delete.connect(listing_changed, sender=model, dispatch_uid=f"listing-{model}-del")
    m2m_changed.connect(
        listing_changed, sender=Artifact.categories.through, dispatch_uid="listing-categories"
    )
    for model in apps.get_app_config("catalog").get_models():
        if model not in (Artifact, Category, Embedding):
            post_save.connect(pages_changed, sender=model, dispatch_uid=f"pages-{model}-save")
            post_delete.connect(pages_changed, sender=model, dispatch_uid=f"pages-{model}-del")
