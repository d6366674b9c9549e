"""Queue a Celery task from a request without letting the broker break the page.

The task is sent after the current transaction commits (at once outside one). When the
broker cannot be reached the event is dropped and logged: a page never fails because an
event could not be queued, and once the broker is back the next send reaches it."""

import logging

from django.db import transaction
from kombu.exceptions import KombuError, OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BROKER_ERRORS = (OperationalError, KombuError, RedisError, ConnectionError, TimeoutError)


def queue_after_commit(task, /, **kwargs) -> None:
    """`task.delay(**kwargs)` once the transaction commits; never raises for the broker."""

    def send() -> None:
        try:
            task.delay(**kwargs)
        except BROKER_ERRORS as error:
            logger.warning("dropped %s: broker unreachable (%s)", task.name, error)

    transaction.on_commit(send)
