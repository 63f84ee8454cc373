"""The status rules against real databases: SQLite (the demo's engine) and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from status_core import demo
from status_core.engine import read
from status_core.queries import (
    PROGRESS_COLUMNS,
    SUMMARY_FIELDS,
    collection_status,
    job_status_counts,
    jobs_frame,
    progress_frame,
    races_frame,
    summary_records,
)

DAY, MEET = "20260214", 1
T0 = dt.datetime(2026, 2, 14, 3, 0, tzinfo=dt.UTC)


def races(statuses, *, date=DAY, meet=MEET, start=T0):
    """Rows for one date x meet from (collection, enrichment, result) triples."""
    return [
        demo.race_row(date, meet, n, collection=c, enrichment=e, result=r,
                      updated_at=start + dt.timedelta(minutes=n))
        for n, (c, e, r) in enumerate(statuses, start=1)
    ]


# Rows that must never leak into DAY x MEET: another meet the same day, the day before and
# the day after on the same meet.
NOISE = (
    races([("collected", "enriched", "collected")] * 4, meet=3)
    + races([("failed", "pending", "pending")] * 3, date="20260213")
    + races([("collected", "pending", "pending")] * 2, date="20260215")
)

E, C, P, F, N = "enriched", "collected", "pending", "failed", None
CASES = {
    "empty": ([], (0, 0, 0, "pending", "pending", "pending", "pending")),
    "completed": ([(C, E, C)] * 5, (5, 5, 5, "completed", "collected", "enriched", "collected")),
    "enriched counts as collected": (
        [(E, E, P), (E, P, P), (C, P, P), (P, P, P)],
        (4, 3, 1, "running", "collected", "enriched", "pending"),
    ),
    "all failed": ([(F, P, P)] * 6, (6, 0, 0, "failed", "failed", "pending", "pending")),
    "running": ([(C, E, C), (C, P, P), (P, P, P)],
                (3, 2, 1, "running", "collected", "enriched", "collected")),
    "pending": ([(P, P, P)] * 4, (4, 0, 0, "pending", "pending", "pending", "pending")),
    "null statuses count as pending": (
        [(N, N, N), (N, N, N), (C, N, N)],
        (3, 1, 0, "running", "collected", "pending", "pending"),
    ),
    "failed and pending, none collected": (
        [(F, P, P), (P, P, P)], (2, 0, 0, "pending", "pending", "pending", "pending")),
    "enrichment all failed": (
        [(C, F, P), (C, F, P)], (2, 2, 0, "running", "collected", "failed", "pending")),
    "results all failed": (
        [(C, E, F), (C, E, F)], (2, 2, 2, "completed", "collected", "enriched", "failed")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_collection_status_rules(backend_db, case):
    statuses, expected = CASES[case]
    rows = races(statuses)
    engine, target = backend_db(rows + NOISE)
    with read(engine, target) as conn:
        got = collection_status(conn, DAY, MEET)
        frame = progress_frame(conn, "20260213", "20260215")
    assert list(got) == list(SUMMARY_FIELDS)
    assert (got["date"], got["meet"]) == (DAY, MEET)
    assert (
        got["total_races"], got["collected_races"], got["enriched_races"], got["status"],
        got["collection_status"], got["enrichment_status"], got["result_status"],
    ) == expected
    if rows:
        assert got["last_updated"] == max(r["updated_at"] for r in rows)
        assert got["last_updated"].tzinfo is not None
        # the range frame agrees with the single-cell call, number for number
        cell = summary_records(frame[(frame.date == DAY) & (frame.meet == MEET)])
        assert cell == [got]
    else:
        assert got["last_updated"] is None
        assert frame[(frame.date == DAY) & (frame.meet == MEET)].empty
    # noise cells are there, untouched by the target's rows
    assert set(zip(frame.date, frame.meet, strict=True)) >= {
        ("20260213", 1), ("20260214", 3), ("20260215", 1)}


def test_progress_frame_columns_percentages_and_meet_filter(backend_db):
    rows = races([(C, E, C), (C, P, P), (F, P, P), (P, P, P)]) + NOISE
    engine, target = backend_db(rows)
    with read(engine, target) as conn:
        frame = progress_frame(conn, "2026-02-13", "2026-02-15", meets=[1])
        only3 = progress_frame(conn, "20260213", "20260215", meets=[3])
        none = progress_frame(conn, "20250101", "20250131")
    assert list(frame.columns) == list(PROGRESS_COLUMNS)
    assert set(frame.meet) == {1}
    assert list(frame.date) == ["20260213", "20260214", "20260215"]
    cell = frame[frame.date == DAY].iloc[0]
    assert (cell.collected_pct, cell.enriched_pct, cell.result_pct) == (50.0, 25.0, 25.0)
    assert (cell.collection_failed, cell.failed_races, cell.pending_races) == (1, 1, 1)
    assert cell.failed_pct == 25.0
    assert list(only3.date) == [DAY] and set(only3.meet) == {3}
    assert none.empty and list(none.columns) == list(PROGRESS_COLUMNS)


def test_progress_frame_is_one_statement_for_a_year(backend_db):
    now = dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.UTC)
    data = demo.generate(now=now, days=366)
    engine, target = backend_db(data.races, data.jobs)
    statements: list[str] = []
    with read(engine, target) as conn:
        conn.execute(sa.text("SELECT 1"))  # the transaction's own setup is not counted

        def record(_conn, _cursor, statement, *_args):  # noqa: ANN001, ANN202
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            frame = progress_frame(conn, "20251126", "20261126")
        finally:
            event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 1, statements
    assert "FROM races" in statements[0]
    assert len(frame) > 250  # ~3 meets x 2 days x 52 weeks with races
    assert frame.total_races.sum() == len(
        [r for r in data.races if "20251126" <= r["date"] <= "20261126"])


def test_races_and_jobs_frames(backend_db):
    rows = races([(C, E, C), (F, P, P), (N, N, N)])
    rows[1]["warnings"] = ["KRA API timeout after 3 retries"]
    jobs = [
        demo.job_row("j1", type="collection", status="failed", race_date=DAY, meet=MEET,
                     created_at=T0, started_at=T0, completed_at=T0 + dt.timedelta(seconds=90),
                     error_message="httpx.ReadTimeout"),
        demo.job_row("j2", type="enrichment", status="processing", race_date=DAY, meet=3,
                     created_at=T0 + dt.timedelta(minutes=1)),
        demo.job_row("j3", type="batch", status="running", created_at=T0),
    ]
    engine, target = backend_db(rows, jobs)
    with read(engine, target) as conn:
        rf = races_frame(conn, DAY, MEET)
        jf = jobs_frame(conn, race_date=DAY, meet=MEET)
        every = jobs_frame(conn)
        counts = job_status_counts(conn)
    assert list(rf.race_number) == [1, 2, 3]
    assert list(rf.failed) == [False, True, False]
    assert rf.loc[1, "warnings"] == ["KRA API timeout after 3 retries"]
    assert list(rf.warning_count)[1] == 1
    assert list(rf.collection_status) == ["collected", "failed", "pending"]
    assert list(jf.job_id) == ["j1"]
    assert jf.iloc[0].duration_s == 90.0 and jf.iloc[0].error_message == "httpx.ReadTimeout"
    assert set(every.job_id) == {"j1", "j2", "j3"}
    assert counts == {"failed": 1, "processing": 1, "running": 1}


@pytest.mark.postgres
def test_queries_never_read_payload_columns(pg_db):
    """With the payload columns' SELECT revoked, every core query still works."""
    pg_db.load(races([(C, E, C), (F, P, P)]),
               [demo.job_row("j1", race_date=DAY, meet=MEET, created_at=T0)])
    light = [c for c in pg_db.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'races'")]
    light = [c[0] for c in light if c[0] not in
             ("basic_data", "raw_data", "enriched_data", "result_data")]
    pg_db.execute("REVOKE SELECT ON races FROM authenticated")
    pg_db.execute(f"GRANT SELECT ({', '.join(light)}) ON races TO authenticated")
    from status_core.engine import make_engine
    from status_core.settings import parse_url

    target = parse_url(pg_db.reader_url)
    engine = make_engine(target)
    with read(engine, target) as conn:
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            with conn.begin_nested():
                conn.execute(sa.text("SELECT raw_data FROM races"))
        assert collection_status(conn, DAY, MEET)["total_races"] == 2
        assert len(progress_frame(conn, DAY, DAY)) == 1
        assert len(races_frame(conn, DAY, MEET)) == 2
        assert len(jobs_frame(conn, race_date=DAY, meet=MEET)) == 1
    engine.dispose()
