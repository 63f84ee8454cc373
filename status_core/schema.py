"""Recognise the shape of the collector's database: current, outdated, legacy or missing."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .domain import EXPECTED_MIGRATION

# The columns the dashboard's queries read (status_core.queries selects exactly these).
# They live here, not in queries.py, so the DB check can know them without importing
# pandas; the check's schema step requires every one of them, so the two cannot drift.
RACE_COLUMNS = (
    "race_id",
    "race_number",
    "race_name",
    "distance",
    "track",
    "weather",
    "collection_status",
    "enrichment_status",
    "result_status",
    "collected_at",
    "enriched_at",
    "result_collected_at",
    "updated_at",
    "horse_count",
    "data_quality_score",
    "warnings",
)
# What the date x meet aggregation (queries._PROGRESS_SQL) and the race filter read.
PROGRESS_RACE_COLUMNS = (
    "date", "meet", "collection_status", "enrichment_status", "result_status", "updated_at",
)
JOB_COLUMNS = (
    "job_id",
    "type",
    "status",
    "created_at",
    "started_at",
    "completed_at",
    "progress",
    "current_step",
    "retry_count",
    "error_message",
    "parameters",
    "created_by",
)
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "races": tuple(dict.fromkeys((*PROGRESS_RACE_COLUMNS, *RACE_COLUMNS))),
    "jobs": JOB_COLUMNS,
}
LEGACY_MARKERS = {"races": ("id", "race_no", "status")}


@dataclass
class SchemaReport:
    """What :func:`inspect_schema` found.

    ``shape`` is ``current``, ``outdated`` (tables there, columns or migrations missing),
    ``legacy`` (the pre-migration ``races(id, race_no, status)`` / ``collection_jobs``
    shape) or ``missing`` (no ``races`` table).
    """

    shape: str
    tables: dict[str, list[str]] = field(default_factory=dict)
    missing_columns: dict[str, list[str]] = field(default_factory=dict)
    newest_migration: str | None = None
    migrations_table: bool = False

    @property
    def cause(self) -> str:
        return {
            "current": "ok",
            "outdated": "schema_outdated",
            "legacy": "schema_legacy",
            "missing": "schema_missing",
        }[self.shape]


def _columns(conn: Connection) -> dict[str, list[str]]:
    names = ("races", "jobs", "collection_jobs", "schema_migrations")
    if conn.dialect.name == "sqlite":
        out: dict[str, list[str]] = {}
        for name in names:
            rows = conn.exec_driver_sql(f"PRAGMA table_info({name})").all()
            if rows:
                out[name] = [r[1] for r in rows]
        return out
    rows = conn.execute(
        sa.text(
            "SELECT c.relname, a.attname FROM pg_catalog.pg_attribute a "
            "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
            "WHERE c.oid IN (SELECT to_regclass(n) FROM unnest(CAST(:names AS text[])) AS n) "
            "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"
        ),
        {"names": list(names)},
    ).all()
    out = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def inspect_schema(conn: Connection) -> SchemaReport:
    """Inspect the tables visible on ``search_path`` without reading any row of data
    (except the newest ``schema_migrations`` name)."""
    tables = _columns(conn)
    races = tables.get("races")
    if races is None:
        shape = "legacy" if "collection_jobs" in tables else "missing"
        return SchemaReport(shape, tables)
    if all(c in races for c in LEGACY_MARKERS["races"]) and "race_id" not in races:
        return SchemaReport("legacy", tables)
    missing = {
        table: [c for c in cols if c not in tables.get(table, [])]
        for table, cols in REQUIRED_COLUMNS.items()
    }
    missing = {t: cols for t, cols in missing.items() if cols}
    newest = None
    has_migrations = "schema_migrations" in tables
    if has_migrations:
        try:
            with conn.begin_nested():
                newest = conn.execute(
                    sa.text("SELECT max(name) FROM schema_migrations")
                ).scalar()
        except sa.exc.DBAPIError:
            newest = None
    shape = "outdated" if missing else "current"
    if has_migrations and newest is not None and newest < EXPECTED_MIGRATION:
        shape = "outdated"
    return SchemaReport(shape, tables, missing, newest, has_migrations)
