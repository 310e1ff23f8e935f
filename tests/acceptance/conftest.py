"""The acceptance tests use the event tests' private Redis server."""

from tests.events.conftest import redis_url

__all__ = ["redis_url"]
