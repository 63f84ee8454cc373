"""The collector's jobs over weeks and months: how many, how many failed, how long they
ran, which were stuck, and which errors recurred.

A job belongs to the period (Korean time) of its ``created_at``; the range is
``[start 00:00 KST, the day after end 00:00 KST)``. With ``meets``, only jobs whose
``parameters`` name one of them count (jobs without a meet, such as batch or analysis
runs, then drop out); without, every job does.

Each function sends one statement grouped on the server. PostgreSQL computes the duration
percentiles with ``percentile_cont``; SQLite (the demo) has no such aggregate, so the same
linear interpolation is written with window functions in the statement.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from ..attention import normalise_error
from ..domain import ACTIVE_JOB_STATUSES
from ..errors import InputError
from ..inputs import parse_range
from ..settings import DEFAULT_STUCK_MINUTES
from . import sqltext
from .periods import (
    DEFAULT_GROUPING,
    PERIOD_COLUMNS,
    grid_frame,
    parse_grouping,
    period_table,
    range_window,
    resolve_now,
    share,
)

#: Most distinct (period, type, message) rows one error query brings back; beyond it the
#: least frequent are left out and ``truncated`` says so.
ERROR_ROWS_CAP = 5000
#: Characters of an error message compared in SQL; the grouping key is its first line.
ERROR_PREFIX = 1000
_ACTIVE = ", ".join(f"'{s}'" for s in ACTIVE_JOB_STATUSES)


def _range_params(conn: Connection, start: str, end: str) -> dict:
    t0, t1 = range_window(start, end)
    return {"t0": sqltext.time_param(conn, t0), "t1": sqltext.time_param(conn, t1)}


# --------------------------------------------------------------------------- per type

_JOBS_PG = """
SELECT {period} AS period, CAST(type AS TEXT) AS type, count(*) AS jobs,
       count(*) FILTER (WHERE CAST(status AS TEXT) = 'failed') AS failed,
       sum(coalesce(retry_count, 0)) AS retries,
       count({duration}) AS timed,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY {duration}) AS p50_s,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY {duration}) AS p90_s
FROM jobs
WHERE created_at >= :t0 AND created_at < :t1 {meet_filter}
GROUP BY 1, 2
"""
# PostgreSQL (before 17) refuses to subtract an infinite timestamp: such a job has no
# duration rather than failing the whole statement.
_PG_DURATION = ("(CASE WHEN isfinite(started_at) AND isfinite(completed_at) "
                "AND completed_at >= started_at "
                "THEN extract(epoch FROM completed_at - started_at) END)")

# percentile_cont(p) of n sorted values: position 1 + p(n - 1), interpolated between the
# values at its floor and the next one.
_JOBS_SQLITE = """
SELECT period, type, jobs, failed, retries, timed,
       {p50} AS p50_s, {p90} AS p90_s
FROM (
    SELECT period, type, count(*) AS jobs,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           sum(coalesce(retry_count, 0)) AS retries,
           max(n) AS timed,
           {picks}
    FROM (
        SELECT period, type, status, retry_count, dur,
               row_number() OVER (PARTITION BY period, type, dur IS NULL ORDER BY dur) AS rn,
               count(dur) OVER (PARTITION BY period, type) AS n
        FROM (
            SELECT {period} AS period, type, status, retry_count,
                   CASE WHEN completed_at >= started_at
                        THEN {seconds} END AS dur
            FROM jobs
            WHERE created_at >= :t0 AND created_at < :t1 {meet_filter}
        )
    )
    GROUP BY period, type
)
"""


def _sqlite_percentile_parts(p: float, name: str) -> tuple[str, str]:
    pos = f"(1 + {p!r} * (n - 1))"
    lo = f"CAST({pos} AS INTEGER)"
    picks = (f"max(CASE WHEN dur IS NOT NULL AND rn = {lo} THEN dur END) AS {name}_lo, "
             f"max(CASE WHEN dur IS NOT NULL AND rn = {lo} + 1 THEN dur END) AS {name}_hi, "
             f"max(CASE WHEN n > 0 THEN {pos} - {lo} END) AS {name}_frac")
    value = (f"{name}_lo + coalesce({name}_frac * ({name}_hi - {name}_lo), 0)")
    return picks, value


JOBS_COLUMNS = ("period", "period_start", "period_end", "type", "jobs", "failed",
                "failure_rate", "retries", "timed", "p50_s", "p90_s")


def jobs_by_type(
    conn: Connection, start: str, end: str, grouping: str = DEFAULT_GROUPING,
    meets: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Per period and job type: ``jobs`` created, ``failed`` (status ``failed``),
    ``failure_rate`` (failed / jobs), ``retries`` (sum of ``retry_count``), ``timed``
    (jobs with ``started_at`` and a ``completed_at`` not before it) and the duration
    percentiles ``p50_s``/``p90_s`` in seconds over those (NaN when none). Every period x
    every type seen in the range has a row (zeros where none was created)."""
    start, end = parse_range(start, end)
    grouping = parse_grouping(grouping)
    clause, params, binds = sqltext.job_meet_filter(conn, meets)
    params.update(_range_params(conn, start, end))
    period = sqltext.period_sql(conn, grouping, "created_at")
    if sqltext.is_pg(conn):
        sql = _JOBS_PG.format(period=period, duration=_PG_DURATION, meet_filter=clause)
    else:
        (p50_picks, p50), (p90_picks, p90) = (_sqlite_percentile_parts(0.5, "p50"),
                                              _sqlite_percentile_parts(0.9, "p90"))
        sql = _JOBS_SQLITE.format(
            period=period, meet_filter=clause, p50=p50, p90=p90,
            seconds=sqltext.seconds_between(conn, "completed_at", "started_at"),
            picks=f"{p50_picks}, {p90_picks}")
    rows = sqltext.run(conn, sql, params, binds)
    periods = period_table(start, end, grouping)
    types = sorted({str(row[1]) for row in rows})
    at = {p: i for i, p in enumerate(periods["period"])}
    col = {t: i for i, t in enumerate(types)}
    shape = (len(periods), len(types))
    counts = {name: np.zeros(shape, dtype=np.int64)
              for name in ("jobs", "failed", "retries", "timed")}
    pcts = {name: np.full(shape, np.nan) for name in ("p50_s", "p90_s")}
    for period, type_, jobs, failed, retries, timed, p50, p90 in rows:
        i, j = at.get(period), col[str(type_)]
        if i is None:
            continue
        for name, value in zip(counts, (jobs, failed, retries, timed), strict=True):
            counts[name][i, j] = int(value or 0)
        for name, value in zip(pcts, (p50, p90), strict=True):
            pcts[name][i, j] = np.nan if value is None else float(value)
    flat = {name: values.ravel() for name, values in {**counts, **pcts}.items()}
    flat["failure_rate"] = share(flat["failed"], flat["jobs"])
    return grid_frame(periods, "type", types, {c: flat[c] for c in JOBS_COLUMNS[4:]})


# --------------------------------------------------------------------------- stuck jobs

# A job runs from its start (``started_at``; ``created_at`` for a job still active that
# never wrote one) until ``completed_at``; a job with no ``completed_at`` runs on only while
# its status is active; a start or end of (-)infinity is no known time, so such a job is
# never counted. Only jobs that ran longer than the threshold can ever be stuck, so they
# are picked first and then checked against each period's moment.
_STUCK_PG = """
WITH p (period, at_time) AS (
    SELECT * FROM unnest(CAST(:periods AS text[]), CAST(:moments AS timestamptz[]))
),
j AS (
    SELECT s, completed_at AS c FROM (
        SELECT coalesce(started_at, CASE WHEN CAST(status AS TEXT) IN ({active})
                                         THEN created_at END) AS s,
               completed_at, status
        FROM jobs WHERE TRUE {meet_filter}
    ) AS x
    WHERE s IS NOT NULL AND isfinite(s) AND (completed_at IS NULL OR isfinite(completed_at))
      AND ((completed_at IS NULL AND CAST(status AS TEXT) IN ({active}))
           OR completed_at > s + :stuck * interval '1 minute')
)
SELECT p.period, count(j.s) AS stuck,
       max(extract(epoch FROM p.at_time - j.s)) / 60.0 AS longest_minutes
FROM p LEFT JOIN j
  ON j.s < p.at_time - :stuck * interval '1 minute' AND (j.c IS NULL OR j.c > p.at_time)
GROUP BY p.period
"""
_STUCK_SQLITE = """
WITH p (period, at_time) AS (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(:moments)
),
j AS (
    SELECT s, completed_at AS c FROM (
        SELECT coalesce(started_at, CASE WHEN status IN ({active}) THEN created_at END) AS s,
               completed_at, status
        FROM jobs WHERE 1 {meet_filter}
    )
    WHERE s IS NOT NULL
      AND ((completed_at IS NULL AND status IN ({active}))
           OR {ran} / 60.0 > :stuck)
)
SELECT p.period, count(j.s) AS stuck,
       max({at_age} / 60.0) AS longest_minutes
FROM p LEFT JOIN j
  ON {at_age} / 60.0 > :stuck
     AND (j.c IS NULL OR j.c > p.at_time)
GROUP BY p.period
"""


def stuck_jobs_over_time(
    conn: Connection, start: str, end: str, grouping: str = DEFAULT_GROUPING,
    meets: Sequence[int] | None = None, *, stuck_minutes: float = DEFAULT_STUCK_MINUTES,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Jobs stuck at the end of each period: ``period, period_start, period_end, at``
    (the period's end, 00:00 KST after its last day, or ``now`` if that is earlier),
    ``stuck`` (jobs that at ``at`` had run for longer than ``stuck_minutes`` without
    completing) and ``longest_minutes`` (how long the longest of them had run; NaN when
    none). A job counts from ``started_at`` (``created_at`` when a still-active job has
    none) to ``completed_at``; a job without ``completed_at`` counts as running only while
    its status is ``processing``/``running``/``retrying``. Periods that begin after
    ``now`` have ``stuck`` NaN."""
    start, end = parse_range(start, end)
    grouping = parse_grouping(grouping)
    if not isinstance(stuck_minutes, (int, float)) or not 1 <= stuck_minutes <= 10080:
        raise InputError(f"stuck_minutes {stuck_minutes!r} must be between 1 and 10080",
                         hint="e.g. stuck_minutes=60")
    periods = period_table(start, end, grouping)
    now_ts = pd.Timestamp(resolve_now(now))
    at = periods["ends_at"].where(periods["ends_at"] < now_ts, now_ts)
    past = periods["begins_at"] <= now_ts
    clause, params, binds = sqltext.job_meet_filter(conn, meets)
    params["stuck"] = float(stuck_minutes)
    pg = sqltext.is_pg(conn)
    # The moments travel as one array (PostgreSQL) or one JSON text (SQLite): the
    # statement stays the same size however many periods there are.
    names = list(periods["period"][past])
    moments = [sqltext.time_param(conn, m.to_pydatetime()) for m in at[past]]
    if pg:
        params.update(periods=names, moments=moments)
    else:
        params["moments"] = json.dumps([list(pair) for pair in zip(names, moments,
                                                                   strict=True)])
    out = periods.loc[:, list(PERIOD_COLUMNS)].assign(at=at)
    stuck = np.full(len(periods), np.nan)
    longest = np.full(len(periods), np.nan)
    if names:
        sql = (_STUCK_PG if pg else _STUCK_SQLITE).format(
            active=_ACTIVE, meet_filter=clause,
            ran=sqltext.seconds_between(conn, "completed_at", "s"),
            at_age=sqltext.seconds_between(conn, "p.at_time", "j.s"))
        position = {p: i for i, p in enumerate(periods["period"])}
        for period, count, minutes in sqltext.run(conn, sql, params, binds):
            stuck[position[period]] = float(count)
            longest[position[period]] = np.nan if minutes is None else float(minutes)
    return out.assign(stuck=stuck, longest_minutes=longest)


# --------------------------------------------------------------------------- errors

_ERRORS_SQL = """
SELECT {period} AS period, substr(error_message, 1, {prefix}) AS message,
       CAST(type AS TEXT) AS type, count(*) AS jobs, {last_seen} AS last_seen
FROM jobs
WHERE created_at >= :t0 AND created_at < :t1
  AND error_message IS NOT NULL AND error_message <> '' {meet_filter}
GROUP BY 1, 2, 3
ORDER BY 4 DESC, 1, 2
LIMIT :cap
"""
ERROR_COLUMNS = ("period", "period_start", "period_end", "pattern", "jobs", "rank",
                 "last_seen", "example", "types")


def error_groups_by_period(
    conn: Connection, start: str, end: str, grouping: str = DEFAULT_GROUPING,
    meets: Sequence[int] | None = None, *, top: int = 5,
) -> tuple[pd.DataFrame, bool]:
    """The most frequent error groups of each period, and whether rows were left out.

    Jobs with an ``error_message`` (any status, as on the jobs page) are grouped by
    :func:`status_core.attention.normalise_error`. Per period the ``top`` groups by jobs
    are kept, ``rank`` 1 being the most frequent; columns ``period, period_start,
    period_end, pattern, jobs, rank, last_seen, example`` (one raw message of the group,
    its first :data:`ERROR_PREFIX` characters) and ``types``. The second value is True
    when more than :data:`ERROR_ROWS_CAP` distinct messages had to be cut (the rarest)."""
    start, end = parse_range(start, end)
    grouping = parse_grouping(grouping)
    if not isinstance(top, int) or not 1 <= top <= 50:
        raise InputError(f"top {top!r} must be between 1 and 50", hint="e.g. top=5")
    clause, params, binds = sqltext.job_meet_filter(conn, meets)
    params.update(_range_params(conn, start, end))
    params["cap"] = ERROR_ROWS_CAP + 1
    sql = _ERRORS_SQL.format(period=sqltext.period_sql(conn, grouping, "created_at"),
                             prefix=ERROR_PREFIX, meet_filter=clause,
                             last_seen=sqltext.epoch_sql(conn, "max(created_at)"))
    rows = sqltext.run(conn, sql, params, binds)
    truncated = len(rows) > ERROR_ROWS_CAP
    periods = period_table(start, end, grouping)
    return _top_groups(rows[:ERROR_ROWS_CAP], periods, top), truncated


def _top_groups(rows: list, periods: pd.DataFrame, top: int) -> pd.DataFrame:
    # Rows arrive most frequent first, so the first message seen is a group's example.
    patterns: dict[str, str] = {}
    groups: dict[tuple[str, str], dict] = {}
    for period, message, type_, jobs, last_seen in rows:
        message = str(message)
        if message not in patterns:
            patterns[message] = normalise_error(message)
        g = groups.setdefault((period, patterns[message]), {
            "jobs": 0, "last_seen": -np.inf, "example": message, "types": set()})
        g["jobs"] += int(jobs)
        g["last_seen"] = max(g["last_seen"], float(last_seen))
        g["types"].add(str(type_))
    ranked = sorted(groups.items(), key=lambda kv: (kv[0][0], -kv[1]["jobs"],
                                                    -kv[1]["last_seen"], kv[0][1]))
    bounds = dict(zip(periods["period"], zip(periods["period_start"], periods["period_end"],
                                              strict=True), strict=True))
    data: dict[str, list] = {c: [] for c in ERROR_COLUMNS}
    rank, previous = 0, None
    for (period, pattern), g in ranked:
        rank = rank + 1 if period == previous else 1
        previous = period
        if rank > top or period not in bounds:
            continue
        values = (period, *bounds[period], pattern, g["jobs"], rank, g["last_seen"], g["example"],
                  ", ".join(sorted(g["types"])))
        for name, value in zip(ERROR_COLUMNS, values, strict=True):
            data[name].append(value)
    out = {c: np.asarray(data[c], dtype=object) for c in ERROR_COLUMNS}
    out["jobs"] = np.asarray(data["jobs"], dtype=np.int64)
    out["rank"] = np.asarray(data["rank"], dtype=np.int64)
    out["last_seen"] = pd.to_datetime(np.asarray(data["last_seen"], dtype=float), unit="s",
                                      utc=True).as_unit("us")
    return pd.DataFrame(out)
