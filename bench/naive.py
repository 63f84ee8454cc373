"""The reference the dashboard is measured against: the collector's status API today.

``GET /api/v2/collection/status`` answers for ONE date x meet and does it with eight separate
queries (total, collected, enriched, collection failed, enrichment failed, result collected,
result failed, max(updated_at)). A range is therefore one API call, and eight round trips,
per calendar day x meet. :func:`naive_range` reproduces exactly that, so the benchmark can
compare it with :func:`status_core.queries.progress_frame`'s single statement; it also
derives the statuses with a plain if/elif chain written from SCHEMA.md, which makes it an
independent cross-check of the vectorised rules.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

_WHERE = "FROM races WHERE date = :date AND meet = :meet"
NAIVE_QUERIES = (
    ("total_races", f"SELECT count(*) {_WHERE}"),
    (
        "collected_races",
        f"SELECT count(*) {_WHERE} AND collection_status IN ('collected', 'enriched')",
    ),
    ("enriched_races", f"SELECT count(*) {_WHERE} AND enrichment_status = 'enriched'"),
    ("collection_failed", f"SELECT count(*) {_WHERE} AND collection_status = 'failed'"),
    ("enrichment_failed", f"SELECT count(*) {_WHERE} AND enrichment_status = 'failed'"),
    ("result_collected", f"SELECT count(*) {_WHERE} AND result_status = 'collected'"),
    ("result_failed", f"SELECT count(*) {_WHERE} AND result_status = 'failed'"),
    ("last_updated", f"SELECT max(updated_at) {_WHERE}"),
)
_STATEMENTS = tuple((key, sa.text(sql)) for key, sql in NAIVE_QUERIES)


def _derive(c: dict) -> dict:
    total, collected, enriched = c["total_races"], c["collected_races"], c["enriched_races"]
    if total == 0:
        status = "pending"
    elif enriched == total:
        status = "completed"
    elif c["collection_failed"] == total and collected == 0:
        status = "failed"
    elif collected > 0 or enriched > 0:
        status = "running"
    else:
        status = "pending"

    def part(failed: int, done: int, done_word: str) -> str:
        if total == 0:
            return "pending"
        if failed == total and done == 0:
            return "failed"
        return done_word if done > 0 else "pending"

    return {
        "status": status,
        "collection_status": part(c["collection_failed"], collected, "collected"),
        "enrichment_status": part(c["enrichment_failed"], enriched, "enriched"),
        "result_status": part(c["result_failed"], c["result_collected"], "collected"),
    }


def naive_status(conn: Connection, race_date: str, meet: int) -> dict:
    """One date x meet, the collector's way: eight queries, eight round trips."""
    params = {"date": race_date, "meet": meet}
    counts = {key: conn.execute(stmt, params).scalar() for key, stmt in _STATEMENTS}
    for key, _ in NAIVE_QUERIES[:-1]:
        counts[key] = int(counts[key] or 0)
    return {"date": race_date, "meet": meet, **counts, **_derive(counts)}


def days(start: str, end: str) -> list[str]:
    """Every calendar day ``start``..``end`` (``YYYYMMDD``), inclusive."""
    first = dt.datetime.strptime(start, "%Y%m%d").date()
    last = dt.datetime.strptime(end, "%Y%m%d").date()
    count = (last - first).days + 1
    return [(first + dt.timedelta(days=k)).strftime("%Y%m%d") for k in range(count)]


def naive_range(
    conn: Connection, start: str, end: str, meets: tuple[int, ...] = (1, 2, 3)
) -> list[dict]:
    """A range as a client of the status API builds it: every day x meet, eight queries each.

    Only the date x meet that have races are returned (like ``progress_frame``).
    """
    out = []
    for day in days(start, end):
        for meet in meets:
            rec = naive_status(conn, day, meet)
            if rec["total_races"]:
                out.append(rec)
    return out
