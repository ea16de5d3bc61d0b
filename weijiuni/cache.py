"""The cache backend: Django's Redis cache, with one Redis client per connection pool.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call; redis-py's
constructor fills a table of a few hundred response callbacks each time, which cost more CPU
than the call itself (three calls per API request: the throttle's two and the list's estimate;
issue 15). The client is thread-safe and holds no connection of its own (the pool does), so one
per pool is kept; the pool itself still reconnects after a fork (redis-py checks the pid).
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[bool, object] = {}

    def get_client(self, key=None, *, write=False):
        # one server here: reads and writes share the pool (Django picks a pool at random only
        # among several servers, and then a client per pool is still right)
        if len(self._servers) > 1:
            return super().get_client(key, write=write)
        client = self._clients.get(write)
        if client is None:
            client = self._clients[write] = super().get_client(key, write=write)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
