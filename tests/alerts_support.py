"""Alerts plugin: a real HTTP webhook receiver (fixture ``receiver``) and the small data
builders of the alert and exporter tests. Registered in ``tests/conftest.py``."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from status_core import demo
from tests.rows import kst_today, write_sqlite, ymd

TOKEN = "xoxb9SeCrEtT0kenPathPart42"
WEBHOOK_PATH = f"/services/T0AB12CD3/B0EF45GH6/{TOKEN}"


@dataclass
class Post:
    path: str
    headers: dict
    body: dict
    status: int


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 in a thread: records every POST; ``fail(n)``
    answers the next ``n`` posts with 500, ``hang(n, s)`` stays silent for ``s`` seconds."""

    server: ThreadingHTTPServer = field(repr=False)
    posts: list[Post] = field(default_factory=list)
    plan: list[tuple[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{WEBHOOK_PATH}"

    @property
    def accepted(self) -> list[dict]:
        """Bodies answered with 2xx: what the chat room actually shows."""
        return [p.body for p in self.posts if 200 <= p.status < 300]

    def fail(self, n: int, status: int = 500) -> None:
        self.plan.extend([("status", status)] * n)

    def hang(self, n: int, seconds: float) -> None:
        self.plan.extend([("hang", seconds)] * n)

    def wait_for(self, n: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.accepted

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_receiver() -> Receiver:
    holder: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            receiver: Receiver = holder["r"]
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            with receiver.lock:
                action = receiver.plan.pop(0) if receiver.plan else ("status", 200)
            if action[0] == "hang":
                time.sleep(action[1])
                status = 599  # the client gave up: never counted as accepted
            else:
                status = int(action[1])
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"raw": raw.decode("utf-8", "replace")}
            with receiver.lock:
                receiver.posts.append(Post(self.path, dict(self.headers), body, status))
            try:
                self.send_response(200 if status == 599 else status)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"server error")
            except OSError:
                pass

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(server)
    holder["r"] = receiver
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver


def days_ago(days: int = 0) -> str:
    """The Korean date ``days`` before today as ``YYYYMMDD``."""
    return ymd(kst_today() - dt.timedelta(days=days))


def races(date: str, meet: int, statuses: list[tuple[str, str, str]],
          updated_minutes_ago: float = 1) -> list[dict]:
    """Demo-shaped race rows of one date x meet, all updated ``updated_minutes_ago``."""
    stamp = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=updated_minutes_ago)
    return [demo.race_row(date, meet, n, collection=c, enrichment=e, result=r, updated_at=stamp)
            for n, (c, e, r) in enumerate(statuses, start=1)]


def stuck_job(job_id: str, date: str, meet: int, hours: float = 3) -> dict:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)
    return demo.job_row(job_id, status="processing", race_date=date, meet=meet,
                        created_at=start, started_at=start)


def sqlite_url(path: Path, race_rows: list[dict] = (), job_rows: list[dict] = ()) -> str:
    """A SQLite database of the collector's shape (:func:`tests.rows.write_sqlite`); its URL."""
    return f"sqlite:///{write_sqlite(path, race_rows, job_rows)}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback, closed afterwards."""
    r = start_receiver()
    yield r
    r.close()
