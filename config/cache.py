"""A Redis cache that a Redis outage cannot break: every cache read that fails is a miss (the
caller computes the value from the database), every write that fails is skipped, and each is
logged. Pages render without Redis, only slower; when Redis is back the next call uses it."""

import logging
import uuid
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What each failed call answers instead.
_MISSES = {
    "get": lambda *args, **kwargs: kwargs.get("default", args[2] if len(args) > 2 else None),
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "add": lambda *args, **kwargs: False,
    "touch": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "set": lambda *args, **kwargs: None,
    "set_many": lambda *args, **kwargs: [],
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: False,
}


def _forgiving(name: str, method):
    @wraps(method)
    def call(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except RedisError as error:
            logger.warning("cache %s failed, treated as a miss: %s", name, error)
            return _MISSES[name](*args, **kwargs)

    return call


class ForgivingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients_by_pool = {}

    def get_client(self, key=None, *, write=False):
        # Django builds a new redis-py client per call, which registers ~170 response
        # callbacks each time: about 0.2 ms, as much as the round trip itself. A client is
        # only a handle on its pool (thread-safe, and reset by redis-py after a fork), so one
        # per pool is kept.
        pool = self._get_connection_pool(write)
        client = self._clients_by_pool.get(pool)
        if client is None:
            client = self._clients_by_pool[pool] = self._client(connection_pool=pool)
        return client


for _name in _MISSES:
    setattr(
        ForgivingRedisCacheClient,
        _name,
        _forgiving(_name, getattr(RedisCacheClient, _name)),
    )


class ForgivingRedisCache(RedisCache):
    """Django's Redis cache, with ForgivingRedisCacheClient. `incr` still raises: a counter
    that silently stops counting would be worse than an error."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient


def version_started(key: str) -> str | None:
    """A version key that was missing (a new or flushed Redis, or the key evicted), started
    anew: a value never seen before, so nothing kept under an earlier one passes for current.
    If another process started it first, theirs. None when Redis cannot be reached."""
    from django.core.cache import cache

    version = uuid.uuid4().hex
    if cache.add(key, version, None):
        return version
    return cache.get(key)
