"""Helpers of the alert and exporter tests: a real HTTP receiver, the CLI as a subprocess,
a server-side statement counter and small data builders. Not a test module."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from status_core import demo

ROOT = Path(__file__).resolve().parents[1]
KST = dt.timezone(dt.timedelta(hours=9))
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


def cli_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k != "DATABASE_URL" and not k.startswith("KRA_")}
    env.update(extra or {})
    return env


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None,
            timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "status_core", *args], capture_output=True,
                          text=True, env=cli_env(env), cwd=cwd or ROOT, timeout=timeout)


def start_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "status_core", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=cli_env(env), cwd=cwd or ROOT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StatementCounter:
    """Counts statements the server ran on one database, from its own log
    (``log_statement = 'all'`` set on the database by the superuser)."""

    def __init__(self, db) -> None:  # noqa: ANN001 - tests.pgcluster.PgDatabase
        self.db = db
        db.cluster.execute(f"ALTER DATABASE \"{db.name}\" SET log_statement = 'all'")
        self.offset = db.cluster.log_size()

    def count(self, needle: str) -> int:
        size = -1
        for _ in range(20):  # let the server finish writing (stable size twice)
            now = self.db.cluster.log_size()
            if now == size:
                break
            size = now
            time.sleep(0.05)
        marker = re.compile(rf"@{re.escape(self.db.name)} LOG:  (?:statement|execute [^:]*): ")
        entry_start = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
        hits, entry = 0, ""
        for line in self.db.cluster.log_since(self.offset).splitlines() + ["0000-00-00 00:00:00"]:
            if entry_start.match(line):
                hits += bool(marker.search(entry)) and needle in entry
                entry = line
            else:
                entry += "\n" + line
        return hits


def kst_now() -> dt.datetime:
    return dt.datetime.now(KST)


def ymd(days_back: int = 0) -> str:
    return (kst_now().date() - dt.timedelta(days=days_back)).strftime("%Y%m%d")


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


def build_sqlite(path: Path, race_rows: list[dict] = (), job_rows: list[dict] = ()) -> str:
    """A SQLite database of the collector's shape; returns its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        demo.create_sqlite_schema(conn)
        demo.load(conn, demo.DemoData(list(race_rows), list(job_rows), [], list(demo.MIGRATIONS)))
    engine.dispose()
    return f"sqlite:///{path}"
