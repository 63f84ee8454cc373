"""Latency plugin: the database behind ``bench/latency.py``'s :class:`LatencyProxy`.

Registered in ``tests/conftest.py`` (``pytest_plugins``). Fixture ``proxied``:
``proxied(url, rtt=0.0) -> (proxy, url through the proxy)``, for any PostgreSQL URL (the
cluster, PgBouncer); every proxy it made is closed after the test. The proxy counts client
turns (round trips) and accepted connections: ``with proxy.counting() as seen: ...``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import make_url

from bench.latency import LatencyProxy
from tests.faults import relay_url

Proxied = Callable[..., tuple[LatencyProxy, str]]


@pytest.fixture
def proxied() -> Iterator[Proxied]:
    """``proxied(url, rtt=0.0)``: a :class:`LatencyProxy` in front of ``url``'s server."""
    proxies: list[LatencyProxy] = []

    def make(url: str, rtt: float = 0.0) -> tuple[LatencyProxy, str]:
        parsed = make_url(url)
        proxy = LatencyProxy(parsed.host or "127.0.0.1", parsed.port or 5432, rtt=rtt)
        proxies.append(proxy.start())
        return proxy, relay_url(url, proxy.port)

    yield make
    for proxy in proxies:
        proxy.close()
