"""Faults plugin: servers that stop answering, answer wrongly, or freeze mid-way.

The fakes are plain classes (``bench/run.py`` uses :class:`SilentServer` too):

- :class:`SilentServer`: a loopback port that accepts every connection and never says a
  word (a hung server, or a firewall that swallows everything after the handshake);
- :func:`rejecting_server`: a port that answers libpq's startup packet at once with a
  FATAL error, as a pooler that refuses a startup parameter does.

And two real ways to freeze, both in front of the real throwaway PostgreSQL cluster:

- :class:`Relay`: a TCP relay the dashboard connects through. ``freeze()`` makes it hold
  every byte in both directions, like a stopped process whose kernel still acknowledges
  the packets (connections stay open, nothing is answered); ``freeze_on(marker)`` freezes
  it the moment the client sends ``marker`` (e.g. in the middle of a transaction).
  ``thaw()`` delivers what was held and goes on, like ``SIGCONT``.
- :func:`stopped_cluster`: ``SIGSTOP`` to the cluster's postmaster and every backend, with
  ``SIGCONT`` in a ``finally`` (a real frozen server; the cluster is this session's own).

Registered in ``tests/conftest.py`` (``pytest_plugins``). Fixtures: ``silent_port``,
``relay``, ``frozen_server``, ``frozen_env``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.pgcluster import READER, PgCluster, PgDatabase

#: Timeouts the frozen-server tests run with (seconds): the promise under test is an
#: answer within CONNECT + STATEMENT + 1 s.
CONNECT = 2.0
STATEMENT = 1.0
BOUND = CONNECT + STATEMENT + 1.0


class SilentServer:
    """A loopback port that accepts connections and never says a word (a hung server).

    Accepted connections are held open until :meth:`close`; ``accepted`` counts them.
    """

    def __init__(self) -> None:
        self.srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(64)
        self.srv.settimeout(0.1)
        self.port = self.srv.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="silent", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError):  # the 0.1 s poll
                conn, _ = self.srv.accept()
                self._held.append(conn)
                self.accepted += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self._held:
            conn.close()
        self.srv.close()

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def rejecting_server(message: str, sqlstate: str = "08P01") -> Iterator[int]:
    """A loopback port that answers libpq's startup packet at once with a FATAL
    ErrorResponse (after declining SSL/GSS encryption), as a pooler that refuses a
    startup parameter does."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)

    def answer(conn: socket.socket) -> None:
        with conn:
            while True:
                head = conn.recv(4, socket.MSG_WAITALL)
                if len(head) < 4:
                    return
                body = conn.recv(struct.unpack("!I", head)[0] - 4, socket.MSG_WAITALL)
                if struct.unpack("!I", body[:4])[0] in (80877103, 80877104):
                    conn.sendall(b"N")  # SSLRequest / GSSENCRequest: no encryption here
                    continue
                fields = b"".join(k + v.encode() + b"\0" for k, v in (
                    (b"S", "FATAL"), (b"V", "FATAL"), (b"C", sqlstate), (b"M", message)))
                fields += b"\0"
                conn.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
                return

    def serve() -> None:
        while True:
            try:
                conn, _addr = sock.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


class Relay:
    """A TCP relay in front of ``host:port`` that can freeze like a stopped server."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self._srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._srv.bind(("127.0.0.1", 0))
        self._srv.listen(64)
        self._srv.settimeout(0.1)
        self.port = self._srv.getsockname()[1]
        self.accepted = 0
        self._running = threading.Event()  # clear while frozen
        self._running.set()
        self._closed = False
        self._marker: bytes | None = None
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="relay", daemon=True)
        self._thread.start()

    @property
    def frozen(self) -> bool:
        return not self._running.is_set()

    def freeze(self) -> None:
        """From now on nothing is relayed in either direction; connections stay open."""
        self._running.clear()

    def freeze_on(self, marker: bytes) -> None:
        """Freeze when the client next sends ``marker`` (that message is held too)."""
        self._marker = marker

    def thaw(self) -> None:
        """Deliver what was held and relay again."""
        self._marker = None
        self._running.set()

    def close(self) -> None:
        self._closed = True
        self._running.set()
        self._thread.join(2)
        self._srv.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._srv.accept()
            except OSError:  # the 0.1 s poll, or closed
                continue
            self.accepted += 1
            with self._lock:
                self._sockets.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self._running.wait()  # a frozen server answers no new connection either
        if self._closed:
            return
        try:
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            client.close()
            return
        server.settimeout(None)
        with self._lock:
            self._sockets.append(server)
        for src, dst, up in ((client, server, True), (server, client, False)):
            threading.Thread(target=self._pump, args=(src, dst, up), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, upstream: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                marker = self._marker
                if upstream and marker is not None and marker in data:
                    self._marker = None
                    self.freeze()
                self._running.wait()  # held, as a stopped process would leave it unread
                if self._closed:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after the last ")".
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            out.append(int(entry))
    return out


@contextlib.contextmanager
def stopped_cluster(cluster: PgCluster) -> Iterator[None]:
    """``SIGSTOP`` the postmaster and all its processes; ``SIGCONT`` them afterwards."""
    postmaster = cluster._pid()
    if postmaster is None:
        raise RuntimeError("the test cluster has no postmaster pid")
    stopped: list[int] = []
    try:
        os.kill(postmaster, signal.SIGSTOP)  # first: it forks no new backend while stopped
        stopped.append(postmaster)
        for pid in _children(postmaster):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
        yield
    finally:
        for pid in [*_children(postmaster), *stopped]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def relay_url(url: str, port: int) -> str:
    """``url`` with its host and port replaced by the relay's."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(
        hide_password=False)


@dataclass
class Frozen:
    """A way to freeze the database the dashboard reads through ``url``."""

    kind: str
    url: str
    db: PgDatabase
    relay: Relay | None = None
    _stop: contextlib.ExitStack | None = None

    def freeze(self, *, on: bytes | None = None) -> None:
        """Freeze now (or, on a relay, when the client sends ``on``)."""
        if self.kind == "sigstop":
            self._stop = contextlib.ExitStack()
            self._stop.enter_context(stopped_cluster(self.db.cluster))
        elif on is not None:
            self.relay.freeze_on(on)
        else:
            self.relay.freeze()

    def thaw(self) -> None:
        if self._stop is not None:
            stack, self._stop = self._stop, None
            stack.close()
        if self.relay is not None:
            self.relay.thaw()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """The port of a :class:`SilentServer`: the TCP handshake completes, then nothing."""
    with SilentServer() as server:
        yield server.port


@pytest.fixture
def relay(pg_cluster: PgCluster) -> Iterator[Relay]:
    """A relay in front of the test cluster (closed afterwards)."""
    r = Relay(pg_cluster.host, pg_cluster.port)
    try:
        yield r
    finally:
        r.close()


@pytest.fixture
def frozen_server(request: pytest.FixtureRequest, pg_db: PgDatabase) -> Iterator[Frozen]:
    """``Frozen`` of kind ``request.param`` (``relay`` or ``sigstop``; default relay);
    always thawed afterwards."""
    kind = getattr(request, "param", "relay")
    if kind == "relay":
        r = request.getfixturevalue("relay")
        fault = Frozen(kind, relay_url(pg_db.reader_url, r.port), pg_db, relay=r)
    else:
        fault = Frozen(kind, pg_db.url_for(READER), pg_db)
    try:
        yield fault
    finally:
        fault.thaw()


@pytest.fixture
def frozen_env(frozen_server: Frozen, monkeypatch: pytest.MonkeyPatch, tmp_path) -> Frozen:
    """The dashboard and the CLI pointed at ``frozen_server`` with the test timeouts."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "KRA_CONNECT_TIMEOUT", "KRA_STATEMENT_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", frozen_server.url)
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    monkeypatch.setenv("KRA_CONNECT_TIMEOUT", f"{CONNECT:g}")
    monkeypatch.setenv("KRA_STATEMENT_TIMEOUT", f"{STATEMENT:g}")
    return frozen_server


def wait_until(predicate, timeout: float, step: float = 0.05) -> bool:  # noqa: ANN001
    """Poll ``predicate`` until true or ``timeout`` seconds passed; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return bool(value)
        time.sleep(step)


@dataclass
class Timed:
    """What a guarded call did: its value or exception and how long it took."""

    elapsed: float
    value: object = None
    error: BaseException | None = None


def guarded(fn, limit: float) -> Timed:  # noqa: ANN001
    """``fn()`` timed; fails the test (instead of hanging the suite) when it is still
    running after ``limit`` seconds. The guard is the test's own thread, not the code under
    test."""
    box: dict[str, object] = {}
    done = threading.Event()

    def work() -> None:
        t0 = time.monotonic()
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            box["error"] = exc
        box["elapsed"] = time.monotonic() - t0
        done.set()

    threading.Thread(target=work, name="test-guard", daemon=True).start()
    if not done.wait(limit):
        pytest.fail(f"still waiting after {limit:g}s: the call hangs", pytrace=False)
    return Timed(box["elapsed"], box.get("value"), box.get("error"))
