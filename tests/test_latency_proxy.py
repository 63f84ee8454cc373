"""The latency proxy (bench/latency.py) really delays and really counts round trips."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from bench.latency import LatencyProxy


@pytest.fixture
def echo_port() -> Iterator[int]:
    """A loopback echo server (one thread per connection)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def _exchange(sock: socket.socket, payload: bytes) -> bytes:
    sock.sendall(payload)
    got = b""
    while len(got) < len(payload):
        got += sock.recv(65536)
    return got


@pytest.mark.parametrize("rtt", [0.0, 0.02, 0.06])
def test_each_round_trip_costs_the_rtt_and_is_counted(echo_port: int, rtt: float) -> None:
    with LatencyProxy("127.0.0.1", echo_port, rtt=rtt) as proxy, \
            socket.create_connection(("127.0.0.1", proxy.port)) as sock:
        with proxy.counting() as seen:
            began = time.perf_counter()
            for i in range(3):
                assert _exchange(sock, b"ping %d" % i) == b"ping %d" % i
            took = time.perf_counter() - began
        assert seen["round_trips"] == 3
        assert took >= 3 * rtt
        assert took < 3 * rtt + 0.5


def test_messages_sent_before_waiting_cost_one_round_trip(echo_port: int) -> None:
    rtt = 0.05
    with LatencyProxy("127.0.0.1", echo_port, rtt=rtt) as proxy, \
            socket.create_connection(("127.0.0.1", proxy.port)) as sock:
        with proxy.counting() as seen:
            began = time.perf_counter()
            for part in (b"BEGIN;", b"SET;", b"SELECT;"):
                sock.sendall(part)  # pipelined: nothing read in between
            got = b""
            while len(got) < len(b"BEGIN;SET;SELECT;"):
                got += sock.recv(65536)
            took = time.perf_counter() - began
        assert got == b"BEGIN;SET;SELECT;"
        assert seen["round_trips"] == 1
        assert rtt <= took < 2 * rtt + 0.2


def test_counts_a_real_postgres_query(pg_db) -> None:  # noqa: ANN001
    import psycopg

    with LatencyProxy("127.0.0.1", pg_db.cluster.port, rtt=0.02) as proxy:
        url = pg_db.url_for("postgres", scheme="postgresql")
        dsn = url.replace(f":{pg_db.cluster.port}/", f":{proxy.port}/")
        assert dsn != url
        with psycopg.connect(dsn, autocommit=True) as conn:
            with proxy.counting() as seen:
                began = time.perf_counter()
                assert conn.execute("SELECT 41 + 1").fetchone() == (42,)
                took = time.perf_counter() - began
        assert seen["round_trips"] == 1
        assert seen["connections"] == 0
        assert took >= 0.02


def test_the_proxy_in_its_own_process_delays_and_counts(echo_port: int) -> None:
    from bench.latency import ProxyProcess

    with ProxyProcess("127.0.0.1", echo_port, rtt=0.04) as proxy, \
            socket.create_connection(("127.0.0.1", proxy.port)) as sock:
        with proxy.counting() as seen:
            began = time.perf_counter()
            assert _exchange(sock, b"a") == b"a"
            assert _exchange(sock, b"b") == b"b"
            took = time.perf_counter() - began
        assert seen["round_trips"] == 2
        assert took >= 0.08
