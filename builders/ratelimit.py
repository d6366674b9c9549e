"""Fixed-window counters in Django's cache: at most `limit` hits per key per window.

Claim attempts and verification emails are counted per user and per artifact, so neither
one account nor many accounts at one artifact can flood a builder's inbox or our fetcher.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window_seconds: int


CLAIM_ATTEMPTS_PER_USER = Limit("claim-user", 10, 60 * 60)
CLAIM_ATTEMPTS_PER_ARTIFACT = Limit("claim-artifact", 20, 60 * 60)
EMAILS_PER_USER = Limit("email-user", 3, 60 * 60)
EMAILS_PER_ARTIFACT = Limit("email-artifact", 5, 60 * 60)
CHECKS_PER_CLAIM = Limit("check-claim", 10, 60 * 60)
CORRECTIONS_PER_CLIENT = Limit("correction-client", 10, 60 * 60)
CORRECTIONS_PER_ARTIFACT = Limit("correction-artifact", 30, 60 * 60)
SUBMISSIONS_PER_USER = Limit("submission-user", 10, 24 * 60 * 60)


class RateLimited(Exception):
    pass


def hit(limit: Limit, key: object) -> None:
    """Count one hit for `key`; raise `RateLimited` once past the limit."""
    cache_key = f"builders:rate:{limit.name}:{key}"
    cache.add(cache_key, 0, limit.window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr (or the cache lost the key)
        cache.set(cache_key, 1, limit.window_seconds)
        count = 1
    except RedisError as error:
        # The cache is down: let the attempt through rather than fail the page. What the
        # limits protect (mail, fetches) goes through Celery on the same Redis, so nothing
        # can be flooded while it is down.
        logger.warning("rate limit %s not counted: %s", limit.name, error)
        return
    if count > limit.limit:
        raise RateLimited(
            f"Too many attempts; try again within {limit.window_seconds // 60} minutes."
        )
