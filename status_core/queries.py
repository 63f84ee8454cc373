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

from .inputs import MEETS, parse_date, parse_meet, parse_meets, parse_range
from .rules import status_arrays
from .schema import JOB_COLUMNS, RACE_COLUMNS

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
COUNT_FIELDS = (
    "total_races",
    "collected_races",
    "enriched_races",
    "collection_failed",
    "enrichment_failed",
    "result_collected",
    "result_failed",
    "failed_races",
)
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

_PROGRESS_SQL = """
SELECT date, meet,
       count(*) AS total_races,
       sum(CASE WHEN collection_status IN ('collected', 'enriched') THEN 1 ELSE 0 END)
           AS collected_races,
       sum(CASE WHEN enrichment_status = 'enriched' THEN 1 ELSE 0 END) AS enriched_races,
       sum(CASE WHEN collection_status = 'failed' THEN 1 ELSE 0 END) AS collection_failed,
       sum(CASE WHEN enrichment_status = 'failed' THEN 1 ELSE 0 END) AS enrichment_failed,
       sum(CASE WHEN result_status = 'collected' THEN 1 ELSE 0 END) AS result_collected,
       sum(CASE WHEN result_status = 'failed' THEN 1 ELSE 0 END) AS result_failed,
       sum(CASE WHEN collection_status = 'failed' OR enrichment_status = 'failed'
                  OR result_status = 'failed' THEN 1 ELSE 0 END) AS failed_races,
       max(updated_at) AS last_updated
FROM races
WHERE date BETWEEN :start AND :end {meet_filter}
GROUP BY date, meet
ORDER BY date, meet
"""


def to_utc(values: pd.Series) -> pd.Series:
    """Timestamps from either driver (datetimes or SQLite ISO text) as UTC pandas values."""
    if values.empty:
        return pd.Series(index=values.index, dtype="datetime64[us, UTC]")
    # One resolution for every column, whatever the driver returned, so columns combine
    # (fillna, subtraction) without dtype surprises.
    return pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce").dt.as_unit("us")


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


def collection_status(conn: Connection, race_date: str, meet: int) -> dict:
    """The collector's ``GET /api/v2/collection/status`` object for one date x meet.

    Keys, exactly: ``date, meet, total_races, collected_races, enriched_races, status,
    collection_status, enrichment_status, result_status, last_updated`` (a timezone-aware
    datetime, or ``None`` when there are no races).
    """
    race_date = parse_date(race_date)
    meet = parse_meet(meet)
    frame = progress_frame(conn, race_date, race_date, [meet])
    if frame.empty:
        return {
            "date": race_date,
            "meet": meet,
            "total_races": 0,
            "collected_races": 0,
            "enriched_races": 0,
            "status": "pending",
            "collection_status": "pending",
            "enrichment_status": "pending",
            "result_status": "pending",
            "last_updated": None,
        }
    return summary_records(frame)[0]


_TIME_COLUMNS = ("collected_at", "enriched_at", "result_collected_at", "updated_at")


def _json_value(value):  # noqa: ANN001, ANN202
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _warnings_list(value) -> list[str]:  # noqa: ANN001
    value = _json_value(value)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def races_frame(conn: Connection, race_date: str, meet: int) -> pd.DataFrame:
    """The races of one date x meet, one row each, light columns only.

    ``warnings`` is a list of strings and ``warning_count`` its length; NULL statuses are
    shown as ``pending`` as the status rules count them.
    """
    race_date, meet = parse_date(race_date), parse_meet(meet)
    stmt = sa.text(
        f"SELECT {', '.join(RACE_COLUMNS)} FROM races "
        "WHERE date = :date AND meet = :meet ORDER BY race_number"
    )
    rows = conn.execute(stmt, {"date": race_date, "meet": meet}).all()
    frame = pd.DataFrame(rows, columns=list(RACE_COLUMNS))
    for col in _TIME_COLUMNS:
        frame[col] = to_utc(frame[col])
    for col in ("collection_status", "enrichment_status", "result_status"):
        frame[col] = frame[col].fillna("pending").astype(object)
    frame["warnings"] = frame["warnings"].map(_warnings_list).astype(object)
    frame["warning_count"] = frame["warnings"].map(len).astype("int64")
    frame["failed"] = (
        (frame["collection_status"] == "failed")
        | (frame["enrichment_status"] == "failed")
        | (frame["result_status"] == "failed")
    )
    return frame


def _param_expr(dialect: str, key: str) -> str:
    if dialect == "postgresql":
        return f"(parameters ->> '{key}')"
    return f"json_extract(parameters, '$.{key}')"


def jobs_frame(
    conn: Connection,
    *,
    race_date: str | None = None,
    meet: int | None = None,
    since: dt.datetime | None = None,
    types: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Recent jobs, newest first, light columns plus ``race_date``/``meet`` read from
    ``parameters`` and ``duration_s``.

    ``race_date``/``meet`` select the jobs whose parameters name that date and meet.
    """
    dialect = conn.dialect.name
    where, params = [], {"limit": int(limit)}
    binds = []
    if race_date is not None:
        where.append(f"{_param_expr(dialect, 'race_date')} = :race_date")
        params["race_date"] = parse_date(race_date)
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
        f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs {clause} "
        "ORDER BY created_at DESC, job_id LIMIT :limit"
    )
    if binds:
        stmt = stmt.bindparams(*binds)
    rows = conn.execute(stmt, params).all()
    frame = pd.DataFrame(rows, columns=list(JOB_COLUMNS))
    for col in ("created_at", "started_at", "completed_at"):
        frame[col] = to_utc(frame[col])
    frame["status"] = frame["status"].fillna("queued").astype(object)
    frame["parameters"] = frame["parameters"].map(_json_value).astype(object)
    frame["race_date"] = frame["parameters"].map(
        lambda p: str(p.get("race_date")) if isinstance(p, dict) and p.get("race_date") else None
    ).astype(object)
    frame["meet"] = pd.to_numeric(
        frame["parameters"].map(lambda p: p.get("meet") if isinstance(p, dict) else None),
        errors="coerce",
    ).astype("Int64")
    frame["duration_s"] = (frame["completed_at"] - frame["started_at"]).dt.total_seconds()
    return frame


def job_status_counts(conn: Connection) -> dict[str, int]:
    """Number of jobs per status (NULL shown as ``queued``, the column default)."""
    rows = conn.execute(
        sa.text("SELECT CAST(status AS TEXT), count(*) FROM jobs GROUP BY status")
    ).all()
    out: dict[str, int] = {}
    for status, count in rows:
        key = status or "queued"
        out[key] = out.get(key, 0) + int(count)
    return dict(sorted(out.items()))


def _sqlite_time(value: dt.datetime) -> str:
    value = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f+00:00")


def meet_name(meet: int) -> str:
    """Korean racecourse name of a meet code."""
    return MEETS.get(int(meet), str(meet))
