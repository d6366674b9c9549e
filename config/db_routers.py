"""Page reads from read replicas; every write, migration and job on the primary ("default").

Installed by settings only when DATABASE_REPLICA_URLS names replicas (aliases replica_1,
replica_2, ...); without them DATABASE_ROUTERS is empty and everything uses "default".

A read goes to a replica only when all of these hold:
- it is a page read: it runs during a GET or HEAD request outside the admin. Celery tasks,
  management commands and the shell read from the primary, so a job that reads and then
  writes sees its own writes (and what other jobs committed just before);
- the default connection is outside a transaction: inside `transaction.atomic()` (a service
  that reads then writes) every read stays on the primary with the writes;
- its model is not in PRIMARY_APPS: sessions and users are read where they were just written,
  so a login is never lost to replication lag.

Which replica: one per request, picked at random when the request starts, so every read of
one page comes from the same server (one point in its replay) and requests spread evenly
over the replicas, with nothing shared between processes.

Raw SQL through `django.db.connection` is not routed: that connection is always the primary."""

import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections

READ_METHODS = frozenset({"GET", "HEAD"})
# Curators read back what they just saved (config/urls.py mounts the admin here).
ADMIN_PATH = "/admin/"
# Per-visitor state, written on one request and read on the next.
PRIMARY_APPS = frozenset({"sessions", "auth", "admin", "contenttypes"})

# Set for the duration of a page read: a random number that picks its replica.
_page_read: ContextVar[int | None] = ContextVar("page_read", default=None)


def _ticket() -> int:
    return random.getrandbits(32)


def _request_started(sender, environ=None, **kwargs) -> None:
    environ = environ or {}
    reads_a_page = environ.get("REQUEST_METHOD") in READ_METHODS and not environ.get(
        "PATH_INFO", ""
    ).startswith(ADMIN_PATH)
    _page_read.set(_ticket() if reads_a_page else None)


def _request_finished(sender, **kwargs) -> None:
    _page_read.set(None)


request_started.connect(_request_started, dispatch_uid="config.db_routers.request_started")
request_finished.connect(_request_finished, dispatch_uid="config.db_routers.request_finished")


@contextmanager
def page_reads() -> Iterator[None]:
    """Reads in this block are routed as a GET request's are (tests, scripts)."""
    token = _page_read.set(_ticket())
    try:
        yield
    finally:
        _page_read.reset(token)


class ReadReplicaRouter:
    def __init__(self, replicas: Iterable[str]):
        self.replicas = tuple(replicas)
        self.aliases = frozenset({DEFAULT_DB_ALIAS, *self.replicas})

    def db_for_read(self, model, **hints) -> str:
        ticket = _page_read.get()
        if (
            ticket is None
            or not self.replicas
            or model._meta.app_label in PRIMARY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return self.replicas[ticket % len(self.replicas)]

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # Replicas hold the primary's rows: an object read from one may point at another's.
        if obj1._state.db in self.aliases and obj2._state.db in self.aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
