"""What ``kra-status watch`` reported, and what it still has to deliver, in a small SQLite
file of its own (never the collector's database).

Two tables: ``items`` (the baseline: the items as last reported) and ``outbox`` (every
change, with a random id, its attempts and when it was delivered). A run records its
changes and the new baseline in one transaction, then delivers the pending changes in
order, marking each delivered right after the receiver accepted it. See
:mod:`status_core.alerts.watch` for why this is at-least-once and when it is exactly once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from ..errors import ConfigError, StatusError
from .items import Change, Item

MARKER = "kra-status watch state v1"
#: Delivered changes kept for inspection; older ones are pruned.
KEEP_DELIVERED = 1000
LOCK_WAIT_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, item TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    change TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_error TEXT,
    delivered_at TEXT
);
"""
_OURS = {"meta", "items", "outbox", "sqlite_sequence"}


def default_state_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/kra-status/watch.sqlite`` (``~/.cache`` by default)."""
    env = os.environ if environ is None else environ
    base = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kra-status" / "watch.sqlite"


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _bad_file(path: Path, problem: str) -> ConfigError:
    return ConfigError(f"--state {path}: {problem}",
                       hint="Point --state at a new file, or leave it out for the default "
                            f"({default_state_path()}).")


class StateStore:
    """The watch state file. ``readonly=True`` never creates or changes it (``--dry-run``)."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.conn: sqlite3.Connection | None = None
        try:
            self._open()
        except sqlite3.Error as exc:
            self.close()
            raise _bad_file(self.path, f"cannot be used as a SQLite file ({exc})") from None

    def _open(self) -> None:
        if self.readonly:
            if not self.path.exists():
                return
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
            self._check_marker()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _bad_file(self.path, f"its folder cannot be created ({exc.strerror})") from None
        self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        tables = self._tables()
        if tables - _OURS:
            raise _bad_file(self.path, "it is another program's database, not a watch state "
                                       "file (it has tables such as "
                                       f"{', '.join(sorted(tables - _OURS)[:3])})")
        if not tables:
            self.conn.executescript(_SCHEMA)
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (MARKER,))
        self._check_marker()

    def _tables(self) -> set[str]:
        assert self.conn is not None
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r[0] for r in rows}

    def _check_marker(self) -> None:
        assert self.conn is not None
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.Error:
            row = None
        if not row or row[0] != MARKER:
            raise _bad_file(self.path, "it is not a kra-status watch state file")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    # ----------------------------------------------------------------- reading

    def baseline(self) -> dict[str, Item]:
        """The items as last reported, by key (empty for a new or missing file)."""
        if self.conn is None:
            return {}
        rows = self.conn.execute("SELECT key, item FROM items").fetchall()
        return {key: Item.from_json(json.loads(text)) for key, text in rows}

    def pending(self) -> list[Change]:
        """Changes recorded but not delivered yet, oldest first."""
        if self.conn is None:
            return []
        rows = self.conn.execute(
            "SELECT id, change FROM outbox WHERE delivered_at IS NULL ORDER BY seq").fetchall()
        return [Change.from_json(json.loads(text), change_id) for change_id, text in rows]

    def delivered_count(self) -> int:
        if self.conn is None:
            return 0
        return int(self.conn.execute(
            "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL").fetchone()[0])

    # ----------------------------------------------------------------- writing

    def record(self, changes: list[Change], baseline: Mapping[str, Item]) -> list[Change]:
        """Add ``changes`` to the outbox and replace the baseline, in one transaction:
        either both are stored or neither (then the next run finds the same changes)."""
        assert self.conn is not None and not self.readonly
        stamped = [Change(c.type, c.item, c.previous, c.detected_at, uuid.uuid4().hex)
                   for c in changes]
        with self._transaction() as conn:
            conn.execute("DELETE FROM items")
            conn.executemany("INSERT INTO items VALUES (?, ?)",
                             [(k, json.dumps(i.to_json(), ensure_ascii=False))
                              for k, i in baseline.items()])
            conn.executemany(
                "INSERT INTO outbox (id, change, created_at) VALUES (?, ?, ?)",
                [(c.id, json.dumps(c.to_json(), ensure_ascii=False), _stamp())
                 for c in stamped])
            conn.execute(
                "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND seq NOT IN (SELECT seq "
                "FROM outbox WHERE delivered_at IS NOT NULL ORDER BY seq DESC LIMIT ?)",
                (KEEP_DELIVERED,))
        return stamped

    def mark_attempt(self, change_id: str) -> None:
        """Before a post: count the attempt (the change stays pending)."""
        with self._transaction() as conn:
            conn.execute("UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ? "
                         "WHERE id = ?", (_stamp(), change_id))

    def mark_delivered(self, change_id: str) -> None:
        """Right after the receiver accepted the post."""
        with self._transaction() as conn:
            conn.execute("UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE id = ?",
                         (_stamp(), change_id))

    def mark_failed(self, change_id: str, error: str) -> None:
        """The post failed (the error must be free of secrets); it stays pending."""
        with self._transaction() as conn:
            conn.execute("UPDATE outbox SET last_error = ? WHERE id = ?", (error, change_id))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        assert self.conn is not None
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextlib.contextmanager
    def exclusive(self, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
        """Only one watcher per state file at a time (cron overlapping ``--every``): the
        second waits up to ``wait_s`` seconds for the first to finish its run."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+b") as fh:
            deadline = time.monotonic() + wait_s
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StatusError(
                            f"another kra-status watch is using {self.path}",
                            hint="Run one watcher per state file, or give each --state.",
                        ) from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
