"""The few SQL expressions that differ between PostgreSQL and the SQLite demo.

The demo stores timestamps as fixed-width UTC text (``YYYY-MM-DD HH:MM:SS.ffffff+00:00``,
:data:`status_core.demo.TS_FORMAT`); the expressions below rely on that form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..inputs import parse_meets


def is_pg(conn: Connection) -> bool:
    """True on PostgreSQL, False on the SQLite demo."""
    return conn.dialect.name == "postgresql"


def period_sql(conn: Connection, grouping: str, column: str) -> str:
    """The period (``YYYYMMDD`` of its first day, Korean time) of a timestamp column."""
    if is_pg(conn):
        unit = "month" if grouping == "month" else "week"
        return (f"to_char(date_trunc('{unit}', timezone('UTC', {column}) "
                "+ interval '9 hours'), 'YYYYMMDD')")
    # Whole seconds first: SQLite rounds to milliseconds, which could carry 23:59:59.9999
    # into the next day.
    step = "'start of month'" if grouping == "month" else "'weekday 0', '-6 days'"
    return f"strftime('%Y%m%d', substr({column}, 1, 19), '+9 hours', {step})"


def epoch_sql(conn: Connection, expr: str) -> str:
    """Unix seconds (a float, microseconds kept) of a timestamp expression; NULL stays
    NULL. On SQLite whole seconds by ``strftime('%s')`` plus the fraction, because
    ``julianday`` is off by ~10 microseconds at today's day numbers."""
    if is_pg(conn):
        return f"CAST(extract(epoch FROM {expr}) AS double precision)"
    return (f"(CAST(strftime('%s', substr({expr}, 1, 19)) AS REAL) "
            f"+ coalesce(CAST(substr({expr}, 20, 7) AS REAL), 0.0))")


def seconds_between(conn: Connection, later: str, earlier: str) -> str:
    """Seconds from ``earlier`` to ``later`` (two timestamp expressions)."""
    if is_pg(conn):
        return f"extract(epoch FROM {later} - {earlier})"
    return f"({epoch_sql(conn, later)} - {epoch_sql(conn, earlier)})"


def time_param(conn: Connection, value: dt.datetime) -> object:
    """A bound timestamp: the datetime itself, or the demo's text form."""
    if is_pg(conn):
        return value
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")


def job_meet_filter(conn: Connection, meets: Sequence[int] | None) -> tuple[str, dict, list]:
    """``AND <the job's parameters name one of meets>``, its parameters and binds; nothing
    for all meets. Parameters that are not a JSON object name no meet."""
    meet_list = parse_meets(meets)
    if not meet_list:
        return "", {}, []
    if is_pg(conn):
        expr = "(CASE WHEN jsonb_typeof(parameters) = 'object' THEN parameters ->> 'meet' END)"
    else:
        expr = ("CAST(CASE WHEN json_valid(parameters) AND json_type(parameters) = 'object' "
                "THEN json_extract(parameters, '$.meet') END AS TEXT)")
    return (f"AND {expr} IN :meet_texts", {"meet_texts": [str(m) for m in meet_list]},
            [sa.bindparam("meet_texts", expanding=True)])


def race_meet_filter(meets: Sequence[int] | None) -> tuple[str, dict, list]:
    """``AND meet IN (...)``, its parameters and binds; nothing for all meets."""
    meet_list = parse_meets(meets)
    if not meet_list:
        return "", {}, []
    return "AND meet IN :meets", {"meets": meet_list}, [sa.bindparam("meets", expanding=True)]


def run(conn: Connection, sql: str, params: dict, binds: list) -> list:
    """Execute one statement; all its rows."""
    stmt = sa.text(sql)
    if binds:
        stmt = stmt.bindparams(*binds)
    return conn.execute(stmt, params).all()
