"""SQL to pandas frames. Every public function takes a SQLAlchemy ``Connection``.

No query here selects the JSONB payload columns (``basic_data``, ``raw_data``,
``enriched_data``, ``result_data``): they are tens of KB per race.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .domain import MEETS
from .inputs import parse_date, parse_meet, parse_meets, parse_range, parse_stored_date
from .rules import COUNT_INPUTS, status_arrays
from .schema import JOB_COLUMNS, RACE_COLUMNS
from .timestamps import as_utc, to_utc

SUMMARY_FIELDS = (
    "date",
    "meet",
    "total_races",
    "collected_races",
    "enriched_races",
    "status",
    "collection_status",
    "enrichment_status",
    "result_status",
    "last_updated",
)
#: The counts :data:`_PROGRESS_SQL` selects, in its order: the status rules' inputs, then
#: the races with any failure.
COUNT_FIELDS = (*COUNT_INPUTS, "failed_races")
PROGRESS_COLUMNS = (
    *SUMMARY_FIELDS,
    "collection_failed",
    "enrichment_failed",
    "result_collected",
    "result_failed",
    "failed_races",
    "pending_races",
    "collected_pct",
    "enriched_pct",
    "result_pct",
    "failed_pct",
)

# count(*) FILTER (WHERE ...), not sum(CASE WHEN ... THEN 1 ELSE 0 END): the same counts,
# lighter on the server (no CASE per row, no numeric sum). PostgreSQL and SQLite (3.30+)
# both read it, and a GROUP BY group has rows, so count's 0 never stands for sum's NULL.
_PROGRESS_SQL = """
SELECT date, meet,
       count(*) AS total_races,
       count(*) FILTER (WHERE collection_status IN ('collected', 'enriched'))
           AS collected_races,
       count(*) FILTER (WHERE enrichment_status = 'enriched') AS enriched_races,
       count(*) FILTER (WHERE collection_status = 'failed') AS collection_failed,
       count(*) FILTER (WHERE enrichment_status = 'failed') AS enrichment_failed,
       count(*) FILTER (WHERE result_status = 'collected') AS result_collected,
       count(*) FILTER (WHERE result_status = 'failed') AS result_failed,
       count(*) FILTER (WHERE collection_status = 'failed' OR enrichment_status = 'failed'
                        OR result_status = 'failed') AS failed_races,
       max(updated_at) AS last_updated
FROM races
WHERE date BETWEEN :start AND :end {meet_filter}
GROUP BY date, meet
ORDER BY date, meet
"""


def _empty_progress() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="int64") for c in PROGRESS_COLUMNS})
    for col in ("date", "status", "collection_status", "enrichment_status", "result_status"):
        frame[col] = frame[col].astype(object)
    for col in ("collected_pct", "enriched_pct", "result_pct", "failed_pct"):
        frame[col] = frame[col].astype(float)
    frame["last_updated"] = pd.Series(dtype="datetime64[us, UTC]")
    return frame


def progress_frame(
    conn: Connection, start: str, end: str, meets: Sequence[int] | None = None
) -> pd.DataFrame:
    """One row per date x meet with races in the inclusive ``YYYYMMDD`` range.

    Columns: the SCHEMA.md summary fields (``date, meet, total_races, collected_races,
    enriched_races, status, collection_status, enrichment_status, result_status,
    last_updated``) plus failure counts (``collection_failed``, ``enrichment_failed``,
    ``result_failed``, ``failed_races``), ``result_collected``, ``pending_races`` and the
    percentages ``collected_pct``, ``enriched_pct``, ``result_pct``, ``failed_pct``.

    One SQL statement whatever the range; the statuses are derived with vectorised pandas.
    """
    start, end = parse_range(start, end)
    meet_list = parse_meets(meets)
    params: dict = {"start": start, "end": end}
    meet_filter = ""
    stmt = None
    if meet_list:
        meet_filter = "AND meet IN :meets"
        params["meets"] = meet_list
        stmt = sa.text(_PROGRESS_SQL.format(meet_filter=meet_filter)).bindparams(
            sa.bindparam("meets", expanding=True)
        )
    else:
        stmt = sa.text(_PROGRESS_SQL.format(meet_filter=""))
    rows = conn.execute(stmt, params).all()
    if not rows:
        return _empty_progress()
    return _progress_from_rows(rows)


def _progress_from_rows(rows: Sequence) -> pd.DataFrame:
    """The progress frame of rows shaped like :data:`_PROGRESS_SQL`'s result."""
    # Column-wise numpy, one DataFrame built at the end: building it row by row from
    # SQLAlchemy Rows, then adding columns one at a time, cost more than the query itself.
    columns = list(zip(*rows, strict=True))
    counts = {
        name: np.asarray(values, dtype=np.int64)
        for name, values in zip(COUNT_FIELDS, columns[2:-1], strict=True)
    }
    total = counts["total_races"]
    share = np.where(total > 0, 100.0 / np.maximum(total, 1), 0.0)

    def pct(values: np.ndarray) -> np.ndarray:
        return np.round(values * share, 1)

    data = {
        "date": np.asarray([str(d) for d in columns[0]], dtype=object),
        "meet": np.asarray(columns[1], dtype=np.int64),
        **counts,
        "last_updated": to_utc(pd.Series(columns[-1], dtype=object)).array,
        **status_arrays(counts),
        "pending_races": np.clip(
            total - counts["collected_races"] - counts["collection_failed"], 0, None),
        "collected_pct": pct(counts["collected_races"]),
        "enriched_pct": pct(counts["enriched_races"]),
        "result_pct": pct(counts["result_collected"]),
        "failed_pct": pct(counts["failed_races"]),
    }
    return pd.DataFrame({name: data[name] for name in PROGRESS_COLUMNS})


def _python_timestamp(value) -> dt.datetime | None:  # noqa: ANN001
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime()


def summary_records(frame: pd.DataFrame) -> list[dict]:
    """The SCHEMA.md summary objects (plain Python values) of a progress frame."""
    records = []
    for row in frame.loc[:, list(SUMMARY_FIELDS)].itertuples(index=False):
        rec = dict(zip(SUMMARY_FIELDS, row, strict=True))
        for key in ("meet", "total_races", "collected_races", "enriched_races"):
            rec[key] = int(rec[key])
        rec["date"] = str(rec["date"])
        rec["last_updated"] = _python_timestamp(rec["last_updated"])
        records.append(rec)
    return records


def _cell_date(race_date: str, stored: bool) -> str:
    """A typed date (``YYYYMMDD``/ISO, normalised) or, with ``stored``, the exact text."""
    return parse_stored_date(race_date) if stored else parse_date(race_date)


_CELL_SQL = _PROGRESS_SQL.replace("date BETWEEN :start AND :end {meet_filter}",
                                  "date = :date AND meet = :meet")


def cell_progress(conn: Connection, race_date: str, meet: int, *,
                  stored: bool = False) -> pd.DataFrame:
    """The :func:`progress_frame` of one date x meet: one row, or none without races.

    ``stored`` as in :func:`collection_status`. The race page reads this one row and
    derives both the collector API's values (:func:`cell_summary`) and the honest states
    (:func:`status_core.states.cell_states`) from it, so the two never come from two reads.
    """
    race_date, meet = _cell_date(race_date, stored), parse_meet(meet)
    if not stored:
        return progress_frame(conn, race_date, race_date, [meet])
    rows = conn.execute(sa.text(_CELL_SQL), {"date": race_date, "meet": meet}).all()
    return _progress_from_rows(rows) if rows else _empty_progress()


def cell_summary(progress: pd.DataFrame, race_date: str, meet: int) -> dict:
    """The collector's status object of one cell from its :func:`cell_progress` frame
    (the keys of :func:`collection_status`); all ``pending`` when the frame is empty."""
    if progress.empty:
        return {
            "date": race_date,
            "meet": int(meet),
            "total_races": 0,
            "collected_races": 0,
            "enriched_races": 0,
            "status": "pending",
            "collection_status": "pending",
            "enrichment_status": "pending",
            "result_status": "pending",
            "last_updated": None,
        }
    return summary_records(progress)[0]


def collection_status(conn: Connection, race_date: str, meet: int, *,
                      stored: bool = False) -> dict:
    """The collector's ``GET /api/v2/collection/status`` object for one date x meet.

    Keys, exactly: ``date, meet, total_races, collected_races, enriched_races, status,
    collection_status, enrichment_status, result_status, last_updated`` (a timezone-aware
    datetime, or ``None`` when there are no races). ``stored=True`` takes ``race_date`` as
    the exact stored text (any text a range lists, calendar date or not), as the collector
    does; otherwise it must be a date a person would type (``YYYYMMDD`` or ISO).
    """
    race_date, meet = _cell_date(race_date, stored), parse_meet(meet)
    return cell_summary(cell_progress(conn, race_date, meet, stored=stored), race_date, meet)


_TIME_COLUMNS = ("collected_at", "enriched_at", "result_collected_at", "updated_at")


def _json_value(value, decode: bool = True):  # noqa: ANN001, ANN202
    """A JSON column's value. SQLite hands over the JSON text (``decode``); psycopg has
    decoded it already, and a JSON string there is a string, not more JSON."""
    if decode and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _warnings_list(value, decode: bool = True) -> list[str]:  # noqa: ANN001
    value = _json_value(value, decode)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _rows_frame(rows: Sequence, columns: Sequence[str]) -> pd.DataFrame:
    """``pd.DataFrame(rows, columns=columns)`` of SQLAlchemy rows, as plain tuples.

    The same frame pandas builds from the rows themselves (it turns them into tuples too),
    minus its probe of each row for a ``dtype`` attribute: on a SQLAlchemy ``Row`` that
    probe goes through a failed key lookup, which cost more than the fetch of the rows.
    """
    return pd.DataFrame([tuple(row) for row in rows], columns=list(columns))


def races_frame(conn: Connection, race_date: str, meet: int, *,
                stored: bool = False) -> pd.DataFrame:
    """The races of one date x meet, one row each, light columns only.

    ``warnings`` is a list of strings and ``warning_count`` its length; NULL statuses are
    shown as ``pending`` as the status rules count them. ``stored`` as in
    :func:`collection_status`.
    """
    race_date, meet = _cell_date(race_date, stored), parse_meet(meet)
    stmt = sa.text(
        f"SELECT {', '.join(RACE_COLUMNS)} FROM races "
        "WHERE date = :date AND meet = :meet ORDER BY race_number"
    )
    rows = conn.execute(stmt, {"date": race_date, "meet": meet}).all()
    frame = _rows_frame(rows, RACE_COLUMNS)
    for col in _TIME_COLUMNS:
        frame[col] = to_utc(frame[col])
    for col in ("collection_status", "enrichment_status", "result_status"):
        frame[col] = frame[col].fillna("pending").astype(object)
    decode = conn.dialect.name != "postgresql"
    frame["warnings"] = frame["warnings"].map(
        lambda v: _warnings_list(v, decode)).astype(object)
    frame["warning_count"] = frame["warnings"].map(len).astype("int64")
    frame["failed"] = (
        (frame["collection_status"] == "failed")
        | (frame["enrichment_status"] == "failed")
        | (frame["result_status"] == "failed")
    )
    return frame


#: How much of a job's ``error_message`` (and ``current_step``) :func:`jobs_frame` reads: a
#: page lists up to hundreds of jobs, and one error can be megabytes of stack trace.
ERROR_PREVIEW = 300
STEP_PREVIEW = 200
#: :func:`job_text` reads at most this much of one job's error.
ERROR_FULL_MAX = 200_000


def _prefix(dialect: str, column: str, chars: int) -> str:
    """SQL for the first ``chars`` characters of ``column`` (the server cuts, so the rest
    never crosses the network)."""
    if dialect == "postgresql":
        return f"left(CAST({column} AS TEXT), {int(chars)})"
    return f"substr(CAST({column} AS TEXT), 1, {int(chars)})"


def _job_select(dialect: str) -> str:
    cut = {"error_message": ERROR_PREVIEW, "current_step": STEP_PREVIEW}
    exprs = [f"{_prefix(dialect, c, cut[c])} AS {c}" if c in cut else c for c in JOB_COLUMNS]
    return ", ".join([*exprs, "length(CAST(error_message AS TEXT)) AS error_length"])


def _param_expr(dialect: str, key: str) -> str:
    if dialect == "postgresql":
        # ->> is NULL for an array, a scalar or a JSON null: no error on odd parameters.
        return f"(parameters ->> '{key}')"
    # json_extract fails on text that is not JSON; SQLite's demo may hold such text.
    return f"(CASE WHEN json_valid(parameters) THEN json_extract(parameters, '$.{key}') END)"


def jobs_frame(
    conn: Connection,
    *,
    race_date: str | None = None,
    meet: int | None = None,
    since: dt.datetime | None = None,
    types: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    limit: int = 500,
    stored: bool = False,
    job_id: str | None = None,
) -> pd.DataFrame:
    """Recent jobs, newest first, light columns plus ``race_date``/``meet`` read from
    ``parameters`` and ``duration_s``.

    ``race_date``/``meet`` select the jobs whose parameters name that date and meet
    (``stored``: ``race_date`` is exact text, as in :func:`collection_status`). A NULL
    ``status`` stays ``None``; ``parameters`` is the JSON text (whatever JSON it holds),
    ``race_date`` its ``race_date`` as text and ``meet`` its integer ``meet`` (else NA).
    ``error_message`` holds at most :data:`ERROR_PREVIEW` characters and ``current_step``
    :data:`STEP_PREVIEW` (cut by the server); ``error_length`` is the stored error's full
    length (None without one). :func:`job_text` reads one job's whole error. ``job_id``
    selects that one job.
    """
    dialect = conn.dialect.name
    where, params = [], {"limit": int(limit)}
    binds = []
    if job_id is not None:
        where.append("job_id = :job_id")
        params["job_id"] = str(job_id)
    if race_date is not None:
        where.append(f"CAST({_param_expr(dialect, 'race_date')} AS TEXT) = :race_date")
        params["race_date"] = _cell_date(race_date, stored)
    if meet is not None:
        where.append(f"CAST({_param_expr(dialect, 'meet')} AS TEXT) = :meet_text")
        params["meet_text"] = str(parse_meet(meet))
    if since is not None:
        where.append("created_at >= :since")
        params["since"] = since if dialect == "postgresql" else _sqlite_time(since)
    if types:
        where.append("CAST(type AS TEXT) IN :types")
        params["types"] = [str(t) for t in types]
        binds.append(sa.bindparam("types", expanding=True))
    if statuses:
        where.append("CAST(status AS TEXT) IN :statuses")
        params["statuses"] = [str(s) for s in statuses]
        binds.append(sa.bindparam("statuses", expanding=True))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    stmt = sa.text(
        f"SELECT {_job_select(dialect)} FROM jobs {clause} "
        "ORDER BY created_at DESC, job_id LIMIT :limit"
    )
    if binds:
        stmt = stmt.bindparams(*binds)
    rows = conn.execute(stmt, params).all()
    frame = _rows_frame(rows, [*JOB_COLUMNS, "error_length"])
    frame["error_length"] = pd.to_numeric(frame["error_length"]).astype("Int64")
    return _job_values(frame, decode=dialect != "postgresql")


def _job_values(frame: pd.DataFrame, *, decode: bool) -> pd.DataFrame:
    """Typed columns of a jobs frame; every column one type whatever the rows hold, so
    Arrow (and so Streamlit) can serialise it."""
    for col in ("created_at", "started_at", "completed_at"):
        frame[col] = to_utc(frame[col])
    frame["status"] = frame["status"].astype(object).where(frame["status"].notna(), None)
    values = frame["parameters"].map(lambda v: _json_value(v, decode))
    frame["parameters"] = [_json_text(raw, value) for raw, value in
                           zip(frame["parameters"], values, strict=True)]
    frame["parameters"] = frame["parameters"].astype(object)
    frame["race_date"] = values.map(
        lambda p: _param_text(p.get("race_date")) if isinstance(p, dict) else None
    ).astype(object)
    frame["meet"] = pd.array(
        values.map(lambda p: _param_int(p.get("meet")) if isinstance(p, dict) else None),
        dtype="Int64")
    frame["duration_s"] = (frame["completed_at"] - frame["started_at"]).dt.total_seconds()
    return frame


def job_text(conn: Connection, job_id: str) -> dict | None:
    """One job's long texts: ``job_id``, ``error_message`` (at most
    :data:`ERROR_FULL_MAX` characters), ``error_length`` (the stored length) and
    ``current_step``; None when no job has that id."""
    dialect = conn.dialect.name
    row = conn.execute(sa.text(
        f"SELECT job_id, {_prefix(dialect, 'error_message', ERROR_FULL_MAX)}, "
        "length(CAST(error_message AS TEXT)), CAST(current_step AS TEXT) "
        "FROM jobs WHERE job_id = :job_id"), {"job_id": str(job_id)}).first()
    if row is None:
        return None
    return {"job_id": row[0], "error_message": row[1],
            "error_length": None if row[2] is None else int(row[2]), "current_step": row[3]}


def _json_text(raw, value) -> str | None:  # noqa: ANN001
    if raw is None:
        return None
    if isinstance(raw, str) and value is raw:  # SQLite text that is not JSON
        return raw
    return json.dumps(value, ensure_ascii=False, default=str)


def _param_text(value) -> str | None:  # noqa: ANN001
    """A parameter as text: strings as they are, anything else as its JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _param_int(value) -> int | None:  # noqa: ANN001
    """The racecourse a parameter names: an integer or a string of ASCII digits (what the
    ``->> 'meet'`` text comparison matches), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 2**31 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


def failed_jobs_outside(
    conn: Connection,
    created_from: dt.datetime,
    created_to: dt.datetime,
    *,
    types: Sequence[str] | None = None,
    race_date: str | None = None,
    meets: Sequence[int] | None = None,
) -> dict:
    """Failed jobs created outside ``[created_from, created_to)``: ``{"count", "first",
    "last"}`` (the oldest and newest ``created_at`` among them, UTC, or ``None``).

    The same filters as :func:`jobs_frame` (``types``, the ``race_date`` and the meets
    the parameters name; all meets when ``meets`` is empty); the status filter is not
    applied, since the point is to find failures a range hides. One aggregate row.
    """
    dialect = conn.dialect.name
    bound = (lambda v: v) if dialect == "postgresql" else _sqlite_time
    where = ["CAST(status AS TEXT) = 'failed'",
             "(created_at < :created_from OR created_at >= :created_to)"]
    params: dict = {"created_from": bound(created_from), "created_to": bound(created_to)}
    binds = []
    if race_date is not None:
        where.append(f"CAST({_param_expr(dialect, 'race_date')} AS TEXT) = :race_date")
        params["race_date"] = parse_date(race_date)
    meet_list = parse_meets(meets)
    if meet_list and set(meet_list) != set(MEETS):
        where.append(f"CAST({_param_expr(dialect, 'meet')} AS TEXT) IN :meet_texts")
        params["meet_texts"] = [str(m) for m in meet_list]
        binds.append(sa.bindparam("meet_texts", expanding=True))
    if types:
        where.append("CAST(type AS TEXT) IN :types")
        params["types"] = [str(t) for t in types]
        binds.append(sa.bindparam("types", expanding=True))
    stmt = sa.text(f"SELECT count(*), min(created_at), max(created_at) FROM jobs "
                   f"WHERE {' AND '.join(where)}")
    if binds:
        stmt = stmt.bindparams(*binds)
    count, first, last = conn.execute(stmt, params).one()
    stamps = to_utc(pd.Series([first, last], dtype=object))
    return {"count": int(count or 0),
            "first": None if pd.isna(stamps[0]) else stamps[0].to_pydatetime(),
            "last": None if pd.isna(stamps[1]) else stamps[1].to_pydatetime()}


#: The key under which :func:`job_status_counts` counts jobs whose status is NULL.
NO_STATUS = "none"


def job_status_counts(conn: Connection) -> dict[str, int]:
    """Number of jobs per status; a NULL status is counted under :data:`NO_STATUS`
    (``none``), as the collector shows it, never as ``queued``."""
    rows = conn.execute(
        sa.text("SELECT CAST(status AS TEXT), count(*) FROM jobs GROUP BY status")
    ).all()
    out: dict[str, int] = {}
    for status, count in rows:
        key = NO_STATUS if status is None else status
        out[key] = out.get(key, 0) + int(count)
    return dict(sorted(out.items()))


def _sqlite_time(value: dt.datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")


_LATEST_WRITES_SQL = (
    "SELECT (SELECT max(updated_at) FROM races), (SELECT max(created_at) FROM jobs)")


def latest_writes(conn: Connection) -> dict[str, dt.datetime | None]:
    """When the collector last wrote: the newest ``races.updated_at`` and the newest
    ``jobs.created_at`` (aware UTC datetimes; ``None`` for a table without rows)."""
    row = conn.execute(sa.text(_LATEST_WRITES_SQL)).one()
    values = to_utc(pd.Series(list(row), dtype=object))
    return {"races_updated_at": _python_timestamp(values.iloc[0]),
            "jobs_created_at": _python_timestamp(values.iloc[1])}
