"""Storing demo rows: the SQLite schema, the loader (SQLite or PostgreSQL) and the demo file.

The embedded demo is a SQLite file that the package's ``ensure_demo`` rebuilds once per
Korean day (so "running today" stays true) and swaps into place atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection

from ..domain import DATA_STATUSES, JOB_STATUSES, JOB_TYPES, MEETS
from ..timestamps import as_utc
from .rows import (
    JOB_COLUMNS,
    JOB_LOG_COLUMNS,
    RACE_COLUMNS,
    DemoData,
    format_ts,
    kst_today,
    ymd,
)

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')"


def _one_of(values: Sequence[object]) -> str:
    """``'a', 'b'``: a CHECK constraint's list of allowed values."""
    return ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values)


_STATUS_CHECK = f"IN ({_one_of(DATA_STATUSES)})"

_SQLITE_DDL = (
    f"""
    CREATE TABLE IF NOT EXISTS races (
        race_id             VARCHAR(50) PRIMARY KEY,
        date                VARCHAR(8)  NOT NULL,
        meet                INTEGER     NOT NULL CHECK (meet IN ({_one_of(tuple(MEETS))})),
        race_number         INTEGER     NOT NULL,
        race_name           VARCHAR(200),
        track               VARCHAR(100),
        weather             VARCHAR(50),
        distance            INTEGER,
        collection_status   TEXT DEFAULT 'pending' CHECK (collection_status {_STATUS_CHECK}),
        enrichment_status   TEXT DEFAULT 'pending' CHECK (enrichment_status {_STATUS_CHECK}),
        result_status       TEXT DEFAULT 'pending' CHECK (result_status {_STATUS_CHECK}),
        basic_data          TEXT,
        raw_data            TEXT,
        enriched_data       TEXT,
        result_data         TEXT,
        collected_at        TEXT,
        enriched_at         TEXT,
        result_collected_at TEXT,
        created_at          TEXT DEFAULT ({_SQLITE_NOW}),
        updated_at          TEXT DEFAULT ({_SQLITE_NOW}),
        data_quality_score  REAL,
        warnings            TEXT DEFAULT '[]',
        horse_count         INTEGER,
        CONSTRAINT uq_races_date_meet_number UNIQUE (date, meet, race_number)
    )""",
    "CREATE INDEX IF NOT EXISTS idx_races_date ON races (date)",
    "CREATE INDEX IF NOT EXISTS idx_races_date_meet ON races (date, meet)",
    "CREATE INDEX IF NOT EXISTS idx_races_status ON races (collection_status, enrichment_status)",
    # PostgreSQL bumps updated_at in a BEFORE UPDATE trigger; SQLite cannot assign NEW, so
    # bump it afterwards unless the UPDATE set updated_at itself.
    f"""
    CREATE TRIGGER IF NOT EXISTS update_races_updated_at
    AFTER UPDATE ON races FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
    BEGIN
        UPDATE races SET updated_at = {_SQLITE_NOW} WHERE race_id = NEW.race_id;
    END""",
    f"""
    CREATE TABLE IF NOT EXISTS jobs (
        job_id             VARCHAR(100) PRIMARY KEY,
        type               TEXT NOT NULL CHECK (type IN ({_one_of(JOB_TYPES)})),
        status             TEXT DEFAULT 'queued' CHECK (status IN ({_one_of(JOB_STATUSES)})),
        created_at         TEXT DEFAULT ({_SQLITE_NOW}),
        started_at         TEXT,
        completed_at       TEXT,
        progress           INTEGER DEFAULT 0,
        current_step       VARCHAR(200),
        total_steps        INTEGER,
        retry_count        INTEGER DEFAULT 0,
        result             TEXT,
        error_message      TEXT,
        parameters         TEXT,
        created_by         VARCHAR(100),
        tags               TEXT DEFAULT '[]',
        job_kind_v2        VARCHAR(50),
        lifecycle_state_v2 VARCHAR(50),
        task_id            VARCHAR(255)
    )""",
    "CREATE INDEX IF NOT EXISTS idx_jobs_status ON jobs (status)",
    "CREATE INDEX IF NOT EXISTS idx_jobs_type ON jobs (type)",
    "CREATE INDEX IF NOT EXISTS idx_jobs_created_at ON jobs (created_at)",
    f"""
    CREATE TABLE IF NOT EXISTS job_logs (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id       VARCHAR(100) REFERENCES jobs (job_id) ON DELETE CASCADE,
        "timestamp"  TEXT DEFAULT ({_SQLITE_NOW}),
        level        VARCHAR(20),
        message      TEXT,
        log_metadata TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS idx_job_logs_job_id ON job_logs (job_id)",
    f"""
    CREATE TABLE IF NOT EXISTS schema_migrations (
        name       VARCHAR(255) PRIMARY KEY,
        checksum   VARCHAR(64),
        applied_at TEXT DEFAULT ({_SQLITE_NOW})
    )""",
)


def create_sqlite_schema(conn: Connection | sqlite3.Connection) -> None:
    """Create the collector's tables (SCHEMA.md) in SQLite: statuses and JSON as TEXT,
    timestamps as TEXT ``YYYY-MM-DD HH:MM:SS.ffffff+00:00``, the same indexes, and a
    trigger that bumps ``races.updated_at`` on UPDATE. Idempotent."""
    for statement in _SQLITE_DDL:
        if isinstance(conn, sqlite3.Connection):
            conn.execute(statement)
        else:
            conn.exec_driver_sql(statement)


# --------------------------------------------------------------------------- loading

_BATCH = 2000
_PLAIN = (str, int, float, type(None))
# Dialects whose INSERT can skip rows that conflict with a unique key.
_UPSERT_INSERTS = {"postgresql": pg_dialect.insert, "sqlite": sqlite_dialect.insert}


def db_value(value: Any, sqlite: bool) -> Any:
    """A Python value as a parameter: JSON text for dicts/lists, the fixed text form
    (SQLite) or an aware UTC datetime (PostgreSQL) for datetimes."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, datetime):
        return format_ts(value) if sqlite else as_utc(value)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return value


def insert_rows(conn: Connection, table: str, rows: Sequence[Mapping[str, Any]],
                preferred: Sequence[str] = (), *, on_conflict: str | None = None) -> int:
    """Batched executemany INSERT of ``rows``, writing only the columns the table has.

    A column any row names is written for every row (``NULL`` where a row lacks it).
    ``on_conflict`` names a unique column: rows that conflict on it are skipped.
    """
    if not rows:
        return 0
    wanted = list(preferred)
    seen = set(wanted)
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                wanted.append(key)
    present = {k for row in rows for k in row}
    available = {c["name"] for c in sa.inspect(conn).get_columns(table)}
    cols = [c for c in wanted if c in present and c in available]
    target = sa.table(table, *(sa.column(c) for c in cols))
    if on_conflict is None:
        statement = sa.insert(target)
    else:
        dialect_insert = _UPSERT_INSERTS.get(conn.dialect.name)
        if dialect_insert is None:
            raise NotImplementedError(f"ON CONFLICT on {conn.dialect.name}")
        statement = dialect_insert(target).on_conflict_do_nothing(index_elements=[on_conflict])
    sqlite = conn.dialect.name == "sqlite"
    params = [{c: db_value(row.get(c), sqlite) for c in cols} for row in rows]
    for start in range(0, len(params), _BATCH):
        conn.execute(statement, params[start:start + _BATCH])
    return len(params)


def load(conn: Connection, data: DemoData) -> dict[str, int]:
    """Insert ``data`` through a SQLAlchemy connection (SQLite or PostgreSQL).

    Values are adapted per dialect: dicts/lists as JSON text (``ensure_ascii=False``; the
    PostgreSQL server casts it to jsonb, statuses to their enums), datetimes as the fixed
    SQLite text form or as aware datetimes. Only columns the target table has are
    written (older databases lack the v2 job columns). Migrations already recorded are
    left alone. Does not commit: use ``engine.begin()`` or commit yourself. Returns the
    number of rows inserted per table.
    """
    applied_base = as_utc(data.generated_at) if data.generated_at else datetime.now(UTC)
    migrations = [
        {"name": name,
         "checksum": hashlib.sha256(name.encode()).hexdigest(),
         "applied_at": applied_base - timedelta(days=70 - 10 * i)}
        for i, name in enumerate(data.migrations, start=1)
    ]
    return {
        "races": insert_rows(conn, "races", data.races, RACE_COLUMNS),
        "jobs": insert_rows(conn, "jobs", data.jobs, JOB_COLUMNS),
        "job_logs": insert_rows(conn, "job_logs", data.job_logs, JOB_LOG_COLUMNS),
        "schema_migrations": insert_rows(conn, "schema_migrations", migrations,
                                         on_conflict="name"),
    }


# --------------------------------------------------------------------------- demo file


def _sqlite_engine(path: Path) -> sa.Engine:
    return sa.create_engine("sqlite+pysqlite://",
                            creator=lambda: sqlite3.connect(str(path)),
                            poolclass=sa.pool.NullPool)


def read_demo_meta(path: Path) -> dict[str, str]:
    """The ``demo_meta`` key/value pairs of a demo file; ``{}`` if unreadable."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM demo_meta").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


_DEMO_META = sa.table("demo_meta", sa.column("key"), sa.column("value"))


def write_demo_file(path: Path, data: DemoData, *, seed: int, version: int,
                    now: datetime) -> None:
    """Write ``data`` and its ``demo_meta`` into a new SQLite file at ``path``."""
    engine = _sqlite_engine(Path(path))
    try:
        with engine.begin() as conn:
            create_sqlite_schema(conn)
            load(conn, data)
            conn.exec_driver_sql(
                "CREATE TABLE demo_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            meta = {"version": str(version), "seed": str(seed),
                    "built_for": ymd(kst_today(now)), "built_at": format_ts(now),
                    "generated_now": format_ts(now)}
            conn.execute(sa.insert(_DEMO_META),
                         [{"key": k, "value": v} for k, v in meta.items()])
    finally:
        engine.dispose()


def is_current(path: Path, *, seed: int, version: int, now: datetime) -> bool:
    """Whether the demo file at ``path`` was built by ``version`` from ``seed`` for
    ``now``'s Korean date (so that "running today" stays true)."""
    meta = read_demo_meta(path)
    return (meta.get("version") == str(version) and meta.get("seed") == str(seed)
            and meta.get("built_for") == ymd(kst_today(now)))


def replace_atomically(path: Path, build: Callable[[Path], object]) -> Path:
    """Run ``build`` on a temp file beside ``path`` and ``os.replace`` it into place, so
    concurrent readers never see a half-written file; no temp file is left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        build(tmp)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
    return path
