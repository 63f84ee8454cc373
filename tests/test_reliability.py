"""The reliability core against real databases (SQLite and PostgreSQL), with data built for
it and every expected number worked out by hand in the comments.

The range is four weeks, 2026-01-05 (Mon) .. 2026-02-01 (Sun); week 3 (01-19..01-25) has no
race day and no job. Hours are counted from the race day's 00:00 KST; the deadline is the
default D+1 09:00 (33 h).
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from status_core import demo
from status_core.domain import KST
from status_core.engine import read
from status_core.errors import InputError
from status_core.reliability import (
    completion,
    deadline_label,
    default_range,
    error_groups_by_period,
    failures,
    jobs_by_type,
    parse_deadline_hours,
    parse_grouping,
    period_table,
    stuck_jobs_over_time,
    summarise_timeliness,
    timeliness_days,
)

START, END = "20260105", "20260201"
WEEKS = ["20260105", "20260112", "20260119", "20260126"]
LATER = dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC)  # every race day is old by then
NAN = math.nan
C, E, P, F = "collected", "enriched", "pending", "failed"
DONE = (C, E, C)


def at(date: str, hours: float) -> dt.datetime:
    """``hours`` after 00:00 KST of ``date``."""
    midnight = dt.datetime.strptime(date, "%Y%m%d").replace(tzinfo=KST)
    return midnight + dt.timedelta(hours=hours)


def day(date: str, meet: int, *races: tuple) -> list[dict]:
    """Races of one race day from ``(statuses, (collected_h, enriched_h, result_h))``; an
    hour of None leaves that timestamp empty."""
    rows = []
    for n, ((c, e, r), hours) in enumerate(races, start=1):
        stamps = {col: None if h is None else at(date, h) for col, h in
                  zip(("collected_at", "enriched_at", "result_collected_at"), hours,
                      strict=True)}
        rows.append(demo.race_row(date, meet, n, collection=c, enrichment=e, result=r,
                                  **stamps))
    return rows


RACES = (
    # week 1
    day("20260110", 1, (DONE, (-6, -4.5, 15)), (DONE, (-5.5, -4, 16.5)))        # A done
    + day("20260111", 1, (DONE, (-6, -4, 16)), ((C, F, C), (-5, None, 17)))     # B failed
    + day("20260109", 3, (DONE, (-7, -3, 14)), ((C, E, P), (-6.5, -3.5, None)))  # C incompl.
    + day("20260110", 3, ((F, P, P), (None, None, None)), (DONE, (-6, -4, 15)))  # J failed
    # week 2
    + day("20260117", 1, (DONE, (-6, -5, 30)), (DONE, (-6.5, -5.5, 36)))        # D late
    + day("20260118", 1, (DONE, (-5, -4, 20)))                                  # E
    + day("20260116", 2, (DONE, (-4, -2, 18)))                                  # F
    # I: the statuses say done, but no race has collected_at (no timestamp: not on time)
    + day("20260116", 3, (DONE, (None, -3, 15)), (DONE, (None, -2.5, 14)))      # I
    # week 3: nothing; week 4
    + day("20260131", 1, (DONE, (-6, -5, 19)), ((C, E, F), (-5.5, -4.5, None)))  # G failed
    + day("20260201", 1, ((C, E, P), (-6, -5, None)))                          # H no result
    # outside the range: must not count
    + day("20260104", 1, (DONE, (-6, -5, 18)))
    + day("20260202", 1, ((F, P, P), (None, None, None)))
)


def _rows(frame, **where):
    mask = True
    for key, value in where.items():
        mask = mask & (frame[key] == value)
    return frame[mask]


def _close(got, expected) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return got is None or (isinstance(got, float) and math.isnan(got))
    return got == pytest.approx(expected, abs=1e-6)


def _check(frame, key_cols: tuple, expected: dict, cols: tuple) -> None:
    for key, values in expected.items():
        row = _rows(frame, **dict(zip(key_cols, key, strict=True)))
        assert len(row) == 1, (key, row)
        got = tuple(row.iloc[0][c] for c in cols)
        assert all(_close(g, e) for g, e in zip(got, values, strict=True)), (key, got, values)


# --------------------------------------------------------------------------- completion

# (period, meet): race_days, done, failed, incomplete, open, done_share, failed_share,
# incomplete_share
WEEKLY_COMPLETION = {
    ("20260105", 1): (2, 1, 1, 0, 0, 0.5, 0.5, 0.0),          # A done, B failed
    ("20260105", 2): (0, 0, 0, 0, 0, NAN, NAN, NAN),          # no race day
    ("20260105", 3): (2, 0, 1, 1, 0, 0.0, 0.5, 0.5),          # J failed, C incomplete
    ("20260112", 1): (2, 2, 0, 0, 0, 1.0, 0.0, 0.0),          # D, E
    ("20260112", 2): (1, 1, 0, 0, 0, 1.0, 0.0, 0.0),          # F
    ("20260112", 3): (1, 1, 0, 0, 0, 1.0, 0.0, 0.0),          # I: done by its statuses
    ("20260119", 1): (0, 0, 0, 0, 0, NAN, NAN, NAN),          # the empty week
    ("20260119", 3): (0, 0, 0, 0, 0, NAN, NAN, NAN),
    ("20260126", 1): (2, 0, 1, 1, 0, 0.0, 0.5, 0.5),          # G failed, H incomplete
}
MONTHLY_COMPLETION = {
    ("20260101", 1): (5, 3, 2, 0, 0, 0.6, 0.4, 0.0),          # A D E done; B G failed
    ("20260101", 2): (1, 1, 0, 0, 0, 1.0, 0.0, 0.0),
    ("20260101", 3): (3, 1, 1, 1, 0, 1 / 3, 1 / 3, 1 / 3),    # I, J, C
    ("20260201", 1): (1, 0, 0, 1, 0, 0.0, 0.0, 1.0),          # H
    ("20260201", 2): (0, 0, 0, 0, 0, NAN, NAN, NAN),
}
COMPLETION_COLS = ("race_days", "done", "failed", "incomplete", "open", "done_share",
                   "failed_share", "incomplete_share")


@pytest.mark.parametrize(("grouping", "expected", "n_periods"), [
    ("week", WEEKLY_COMPLETION, 4), ("month", MONTHLY_COMPLETION, 2)])
def test_completion_shares(backend_db, grouping, expected, n_periods):
    engine, target = backend_db(RACES)
    with read(engine, target) as conn:
        frame = completion(conn, START, END, grouping=grouping, now=LATER)
    assert len(frame) == n_periods * 3  # every period x every meet
    _check(frame, ("period", "meet"), expected, COMPLETION_COLS)
    shares = frame[["done_share", "failed_share", "incomplete_share", "open_share"]]
    full = frame["race_days"] > 0
    assert (shares[full].sum(axis=1).round(9) == 1.0).all()


def test_completion_of_days_not_over_yet_and_meet_filter(backend_db):
    engine, target = backend_db(RACES)
    # 2026-02-01 13:00 KST: H is today (open, not incomplete); G (yesterday) failed.
    now = at("20260201", 13)
    with read(engine, target) as conn:
        frame = completion(conn, "20260126", END, meets=[1], now=now)
        only2 = completion(conn, START, END, meets=["2"], now=LATER)
    _check(frame, ("period", "meet"), {("20260126", 1): (2, 0, 1, 0, 1, 0.0, 0.5, 0.0)},
           COMPLETION_COLS)
    assert set(frame.meet) == {1}
    assert list(only2.meet) == [2] * 4 and only2.race_days.tolist() == [0, 1, 0, 0]


# --------------------------------------------------------------------------- timeliness

# (period, step): race_days, complete_days, median_hours, p90_hours, on_time, late, open,
# on_time_share. p90 of sorted x1..xn: position 1 + 0.9 (n - 1), linear in between.
WEEKLY_TIMELINESS = {
    # week 1: A, B, C, J. collection: A -5.5, B -5, C -6.5, J none (a failed race)
    ("20260105", "collection"): (4, 3, -5.5, -5.1, 3, 1, 0, 0.75),
    ("20260105", "enrichment"): (4, 2, -3.5, -3.1, 2, 2, 0, 0.5),     # A -4, C -3
    ("20260105", "result"): (4, 2, 16.75, 16.95, 2, 2, 0, 0.5),       # A 16.5, B 17
    ("20260105", "all"): (4, 1, 16.5, 16.5, 1, 3, 0, 0.25),           # only A complete
    # week 2: D, E, F, I. I has no collected_at at all
    ("20260112", "collection"): (4, 3, -5.0, -4.2, 3, 1, 0, 0.75),    # -6, -5, -4
    ("20260112", "enrichment"): (4, 4, -3.25, -2.15, 4, 0, 0, 1.0),   # -5 -4 -2.5 -2
    ("20260112", "result"): (4, 4, 19.0, 31.2, 3, 1, 0, 0.75),        # 15 18 20 36(late)
    ("20260112", "all"): (4, 3, 20.0, 32.8, 2, 2, 0, 0.5),            # 18 20 36; I late
    # week 3: no race day
    ("20260119", "result"): (0, 0, NAN, NAN, 0, 0, 0, NAN),
    ("20260119", "all"): (0, 0, NAN, NAN, 0, 0, 0, NAN),
    # week 4: G (a result failed), H (no result)
    ("20260126", "collection"): (2, 2, -5.75, -5.55, 2, 0, 0, 1.0),   # -5.5, -6
    ("20260126", "result"): (2, 0, NAN, NAN, 0, 2, 0, 0.0),
}
MONTHLY_TIMELINESS = {
    # January: complete results A 16.5, B 17, D 36, E 20, F 18, I 15; C, J, G late too
    ("20260101", "result"): (9, 6, 17.5, 28.0, 5, 4, 0, 5 / 9),
    ("20260201", "result"): (1, 0, NAN, NAN, 0, 1, 0, 0.0),
}
TIMELINESS_COLS = ("race_days", "complete_days", "median_hours", "p90_hours",
                   "on_time_days", "late_days", "open_days", "on_time_share")


@pytest.mark.parametrize(("grouping", "expected", "n_periods"), [
    ("week", WEEKLY_TIMELINESS, 4), ("month", MONTHLY_TIMELINESS, 2)])
def test_timeliness_percentiles_and_deadline_shares(backend_db, grouping, expected,
                                                     n_periods):
    engine, target = backend_db(RACES)
    with read(engine, target) as conn:
        days = timeliness_days(conn, START, END, grouping=grouping, now=LATER)
    summary = summarise_timeliness(days, START, END, grouping)
    assert len(days) == 10  # race days in the range, none outside
    assert len(summary) == n_periods * 4
    _check(summary, ("period", "step"), expected, TIMELINESS_COLS)


def test_timeliness_days_hours_deadline_and_open_days(backend_db):
    engine, target = backend_db(RACES)
    now = at("20260201", 13)  # H's deadline (02-02 09:00) is still ahead, G's is past
    with read(engine, target) as conn:
        days = timeliness_days(conn, "20260126", END, now=now)
        later = timeliness_days(conn, "20260126", END, deadline_hours=48, now=LATER)
        d_late = timeliness_days(conn, "20260117", "20260117", deadline_hours="37", now=LATER)
    h = _rows(days, date="20260201").iloc[0]
    assert (h.collection_hours, h.enrichment_hours) == (-6.0, -5.0)
    assert h.deadline == at("20260202", 9)
    assert (h.collection_state, h.result_state, h.all_state) == ("on_time", "open", "open")
    assert h.result_missing == 1 and math.isnan(h.result_hours)
    g = _rows(days, date="20260131").iloc[0]
    assert (g.result_state, g.result_missing, g.collection_hours) == ("late", 1, -5.5)
    summary = summarise_timeliness(days, "20260126", END)
    _check(summary, ("period", "step"),
           {("20260126", "result"): (2, 0, NAN, NAN, 0, 1, 1, 0.0)}, TIMELINESS_COLS)
    assert _rows(later, date="20260201").iloc[0].deadline == at("20260203", 0)
    # D's last result at 36 h: late by D+1 09:00, on time by a 37 h deadline
    assert _rows(d_late, date="20260117").iloc[0].result_state == "on_time"


# --------------------------------------------------------------------------- failures


def test_failures_per_stage(backend_db):
    engine, target = backend_db(RACES)
    with read(engine, target) as conn:
        weekly = failures(conn, START, END)
        monthly = failures(conn, START, END, grouping="month")
        seoul = failures(conn, START, END, meets=[1])
    cols = ("race_days", "failed_days", "collection_failed", "enrichment_failed",
            "result_failed", "failed_races")
    _check(weekly, ("period",), {
        ("20260105",): (4, 2, 1, 1, 0, 2),  # J's collection, B's enrichment
        ("20260112",): (4, 0, 0, 0, 0, 0),
        ("20260119",): (0, 0, 0, 0, 0, 0),
        ("20260126",): (2, 1, 0, 0, 1, 1),  # G's result
    }, cols)
    _check(monthly, ("period",), {("20260101",): (9, 3, 1, 1, 1, 3),
                                  ("20260201",): (1, 0, 0, 0, 0, 0)}, cols)
    _check(seoul, ("period",), {("20260105",): (2, 1, 0, 1, 0, 1)}, cols)
    assert list(weekly.period) == WEEKS
    assert (list(weekly.period_start), list(weekly.period_end)) == (
        WEEKS, ["20260111", "20260118", "20260125", "20260201"])


# --------------------------------------------------------------------------- jobs

RATE_LIMIT = "429 Too Many Requests from apis.data.go.kr"
TIMEOUT = "httpx.ReadTimeout: timed out while calling KRA API214_1"


def job(job_id, date, hours, seconds, *, meet=1, **kw):
    """A job created ``hours`` after 00:00 KST of ``date`` that ran ``seconds``."""
    start = at(date, hours)
    end = None if seconds is None else start + dt.timedelta(seconds=seconds)
    return demo.job_row(job_id, race_date=date, meet=meet, created_at=start,
                        started_at=None if seconds is None else start, completed_at=end, **kw)


ONE_TICK_BEFORE_MONDAY = at("20260119", 0) - dt.timedelta(microseconds=1)
JOBS = [
    # week 1: collection 100 200 300 400 s (two failed, 3 retries), one queued; enrichment
    job("j1", "20260110", 8, 100),
    job("j2", "20260110", 9, 200),
    job("j3", "20260110", 10, 400, status="failed", retry_count=2, error_message=RATE_LIMIT),
    job("j4", "20260111", 10, 300, status="failed", retry_count=1, error_message=RATE_LIMIT),
    job("j5", "20260110", 11, 50, type="enrichment"),
    job("j6", "20260111", 12, None, status="queued"),
    # week 2: 120 s and 180 s failed (one on meet 3), 60 s created one tick before Monday
    job("j7", "20260117", 10, 120, status="failed", error_message=RATE_LIMIT),
    job("j8", "20260117", 11, 180, status="failed", meet=3, error_message=TIMEOUT),
    demo.job_row("j9", race_date="20260118", meet=1, created_at=ONE_TICK_BEFORE_MONDAY,
                 started_at=ONE_TICK_BEFORE_MONDAY,
                 completed_at=ONE_TICK_BEFORE_MONDAY + dt.timedelta(seconds=60)),
    # week 4: a batch job without a race day; outside the range: must not count
    demo.job_row("b1", type="batch", created_at=at("20260127", 3),
                 started_at=at("20260127", 3), completed_at=at("20260127", 3.5)),
    job("x1", "20260104", 23.99, 999, status="failed", error_message=TIMEOUT),
    job("x2", "20260202", 0, 999, status="failed", error_message=TIMEOUT),
]
# (period, type): jobs, failed, failure_rate, retries, timed, p50_s, p90_s
WEEKLY_JOBS = {
    ("20260105", "collection"): (5, 2, 0.4, 3, 4, 250.0, 370.0),
    ("20260105", "enrichment"): (1, 0, 0.0, 0, 1, 50.0, 50.0),
    ("20260105", "batch"): (0, 0, NAN, 0, 0, NAN, NAN),
    ("20260112", "collection"): (3, 2, 2 / 3, 0, 3, 120.0, 168.0),
    ("20260119", "collection"): (0, 0, NAN, 0, 0, NAN, NAN),
    ("20260126", "batch"): (1, 0, 0.0, 0, 1, 1800.0, 1800.0),
}
JOB_COLS = ("jobs", "failed", "failure_rate", "retries", "timed", "p50_s", "p90_s")


def test_jobs_per_type_counts_rates_retries_and_durations(backend_db):
    engine, target = backend_db([], JOBS)
    with read(engine, target) as conn:
        weekly = jobs_by_type(conn, START, END)
        monthly = jobs_by_type(conn, START, END, grouping="month")
        seoul = jobs_by_type(conn, START, END, meets=[1])
    assert len(weekly) == 4 * 3  # every week x collection, enrichment, batch
    _check(weekly, ("period", "type"), WEEKLY_JOBS, JOB_COLS)
    # January, collection: 100 120 200 300 400 60 180 -> sorted 60 100 120 180 200 300 400
    _check(monthly, ("period", "type"),
           {("20260101", "collection"): (8, 4, 0.5, 3, 7, 180.0, 340.0)}, JOB_COLS)
    # meet 1 only: j8 (meet 3) and the batch job (no meet) drop out
    _check(seoul, ("period", "type"),
           {("20260112", "collection"): (2, 1, 0.5, 0, 2, 90.0, 114.0)}, JOB_COLS)
    assert set(seoul.type) == {"collection", "enrichment"}


@pytest.mark.parametrize(("meets", "top", "expected"), [
    # week 1: the rate limit twice; week 2: one each, the later (the timeout) first
    (None, 5, [("20260105", "<n> Too Many Requests from apis.data.go.kr", 2, 1),
               ("20260112", "httpx.ReadTimeout: timed out while calling KRA API2<n>", 1, 1),
               ("20260112", "<n> Too Many Requests from apis.data.go.kr", 1, 2)]),
    (None, 1, [("20260105", "<n> Too Many Requests from apis.data.go.kr", 2, 1),
               ("20260112", "httpx.ReadTimeout: timed out while calling KRA API2<n>", 1, 1)]),
    ([1], 5, [("20260105", "<n> Too Many Requests from apis.data.go.kr", 2, 1),
              ("20260112", "<n> Too Many Requests from apis.data.go.kr", 1, 1)]),
])
def test_error_groups_per_week(backend_db, meets, top, expected):
    engine, target = backend_db([], JOBS)
    with read(engine, target) as conn:
        groups, truncated = error_groups_by_period(conn, START, END, meets=meets, top=top)
    got = list(zip(groups.period, groups.pattern, groups.jobs, groups["rank"], strict=True))
    assert got == expected and truncated is False
    assert groups.iloc[0].example == RATE_LIMIT and groups.iloc[0].types == "collection"
    assert groups.iloc[0].last_seen == at("20260111", 10)


def stuck_jobs():
    """Jobs that were, or were not, stuck (threshold 60 minutes) at the end of a week."""
    s4 = demo.job_row("s4", status="failed", created_at=at("20260105", 10))
    s4["completed_at"] = None  # failed without an end: its end is unknown, never stuck
    s5 = demo.job_row("s5", status="retrying", created_at=at("20260126", 8))
    s5["started_at"] = None  # still active, never wrote a start: counts from created_at
    return [
        # processing since 01-12 10:00, still: stuck at the end of weeks 2, 3 and 4
        demo.job_row("s1", status="processing", created_at=at("20260112", 10),
                     started_at=at("20260112", 10)),
        # across the end of week 1 (01-12 00:00): 90 min in, stuck; the next only 30 min
        demo.job_row("s2", created_at=at("20260111", 22.5), started_at=at("20260111", 22.5),
                     completed_at=at("20260112", 2)),
        demo.job_row("s3", created_at=at("20260111", 23.5), started_at=at("20260111", 23.5),
                     completed_at=at("20260112", 3)),
        s4, s5,
        demo.job_row("s6", status="queued", created_at=at("20260105", 1)),
    ]


@pytest.mark.parametrize(("now", "end", "expected"), [
    # s1 ran 0112 10:00 -> 0119 00:00 = 158 h = 9480 min at the end of week 2
    (LATER, END, [(1, 90.0), (1, 9480.0), (1, 19560.0), (2, 29640.0)]),
    # mid week 4: s1 16 d 2 h = 23160 min, s5 52 h; week 5 begins after now
    (at("20260128", 12), "20260208",
     [(1, 90.0), (1, 9480.0), (1, 19560.0), (2, 23160.0), (NAN, NAN)]),
])
def test_stuck_jobs_at_the_end_of_each_week(backend_db, now, end, expected):
    engine, target = backend_db([], stuck_jobs())
    with read(engine, target) as conn:
        frame = stuck_jobs_over_time(conn, START, end, stuck_minutes=60, now=now)
    got = list(zip(frame.stuck, frame.longest_minutes, strict=True))
    assert len(got) == len(expected)
    for (stuck, longest), (e_stuck, e_longest) in zip(got, expected, strict=True):
        assert _close(stuck, float(e_stuck)) and _close(longest, e_longest), got
    assert frame["at"].iloc[3] == min(at("20260202", 0), now)


# --------------------------------------------------------------------------- the rest


def test_each_chart_is_one_statement(backend_db):
    engine, target = backend_db(RACES, JOBS)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # noqa: ANN001, ANN202
        statements.append(statement)

    with read(engine, target) as conn:
        conn.execute(sa.text("SELECT 1"))
        event.listen(engine, "before_cursor_execute", record)
        try:
            for fn in (completion, failures, timeliness_days, jobs_by_type,
                       stuck_jobs_over_time, error_groups_by_period):
                before = len(statements)
                fn(conn, START, END)
                assert len(statements) == before + 1, (fn.__name__, statements[before:])
        finally:
            event.remove(engine, "before_cursor_execute", record)
    race_statements = [s for s in statements if "FROM races" in s]
    assert len(race_statements) == 3 and all("GROUP BY date, meet" in s
                                             for s in race_statements)


@pytest.mark.parametrize(("call", "message"), [
    (lambda c: completion(c, START, END, grouping="day"), "grouping 'day'"),
    (lambda c: completion(c, END, START), "is after end"),
    (lambda c: failures(c, START, END, meets=[4]), "not a racecourse"),
    (lambda c: timeliness_days(c, START, END, deadline_hours="soon"), "deadline 'soon'"),
    (lambda c: timeliness_days(c, START, END, deadline_hours=0), "deadline '0'"),
    (lambda c: jobs_by_type(c, "2026-13-01", END), "not a real calendar date"),
    (lambda c: stuck_jobs_over_time(c, START, END, stuck_minutes=0), "stuck_minutes 0"),
    (lambda c: error_groups_by_period(c, START, END, top=0), "top 0"),
])
def test_bad_input_says_what_is_wrong(backend_db, call, message):
    engine, target = backend_db()
    with read(engine, target) as conn, pytest.raises(InputError, match=message):
        call(conn)


@pytest.mark.parametrize(("start", "end", "grouping", "expected"), [
    ("20260105", "20260201", "week",
     [("20260105", "20260105", "20260111"), ("20260112", "20260112", "20260118"),
      ("20260119", "20260119", "20260125"), ("20260126", "20260126", "20260201")]),
    ("20260107", "20260113", "week",
     [("20260105", "20260107", "20260111"), ("20260112", "20260112", "20260113")]),
    ("20251215", "20260210", "month",
     [("20251201", "20251215", "20251231"), ("20260101", "20260101", "20260131"),
      ("20260201", "20260201", "20260210")]),
    ("20240228", "20240301", "month",
     [("20240201", "20240228", "20240229"), ("20240301", "20240301", "20240301")]),
])
def test_period_table(start, end, grouping, expected):
    table = period_table(start, end, grouping)
    assert list(zip(table.period, table.period_start, table.period_end, strict=True)) == expected
    assert table.iloc[0].begins_at == at(expected[0][1], 0)


@pytest.mark.parametrize(("text", "expected"), [
    ("", 33.0), (None, 33.0), ("33", 33.0), (" 9.5 ", 9.5), (48, 48.0), ("336", 336.0)])
def test_deadline_parsing(text, expected):
    assert parse_deadline_hours(text) == expected


@pytest.mark.parametrize("text", ["0", "-3", "337", "nan", "inf", "1e9", "３３", "D+1"])
def test_deadline_refused(text):
    with pytest.raises(InputError, match="deadline"):
        parse_deadline_hours(text)


@pytest.mark.parametrize(("hours", "label"), [
    (33, "D+1 09:00"), (24, "D+1 00:00"), (9.5, "D+0 09:30"), (50.25, "D+2 02:15")])
def test_deadline_label(hours, label):
    assert deadline_label(hours) == label


@pytest.mark.parametrize(("text", "expected"), [("", "week"), (" Month ", "month"),
                                                (None, "week"), ("week", "week")])
def test_grouping_parsing(text, expected):
    assert parse_grouping(text) == expected


@pytest.mark.parametrize(("now", "expected"), [
    # Wednesday 2026-02-11 10:00 KST: twelve weeks = from the Monday eleven weeks earlier
    (dt.datetime(2026, 2, 11, 1, 0, tzinfo=dt.UTC), ("20251124", "20260211")),
    # Sunday 23:30 UTC is already Monday in Korea
    (dt.datetime(2026, 2, 15, 23, 30, tzinfo=dt.UTC), ("20251201", "20260216")),
])
def test_default_range_is_twelve_weeks(now, expected):
    assert default_range(now) == expected


def test_a_stored_date_that_is_not_a_date_is_left_out(backend_db):
    """'2026011X' sorts inside the range as text; it must not break or shift a week."""
    bad = demo.race_row("20260114", 1, 1)
    bad.update(date="2026011X", race_id="2026011X_1_1")
    engine, target = backend_db([*RACES, bad])
    with read(engine, target) as conn:
        weekly = completion(conn, START, END, now=LATER)
        days = timeliness_days(conn, START, END, now=LATER)
        failed = failures(conn, START, END)
    assert weekly.race_days.sum() == 10 and len(days) == 10
    assert failed.race_days.tolist() == [4, 4, 0, 2]


def test_infinite_timestamps_neither_fail_nor_count(backend_db):
    """``infinity`` is a valid timestamptz: never a time a step was done, never a job's
    duration or start; PostgreSQL would refuse to subtract it if asked."""
    races = day("20260110", 1, (DONE, (-6, -4.5, 15)), (DONE, (-5.5, -4, 16.5)))
    races[1]["collected_at"] = "infinity"
    races[0]["result_collected_at"] = "-infinity"  # the other race's result still counts
    odd = [
        job("inf-end", "20260110", 8, 100),
        job("neg-start", "20260110", 9, None, status="processing"),
        job("inf-start", "20260111", 9, None, status="processing"),
    ]
    odd[0]["completed_at"] = "infinity"
    odd[1]["started_at"] = "-infinity"
    odd[2]["started_at"] = "infinity"
    engine, target = backend_db(races, odd)
    with read(engine, target) as conn:
        days = timeliness_days(conn, START, END, now=LATER)
        jobs = jobs_by_type(conn, START, END)
        stuck = stuck_jobs_over_time(conn, START, END, now=LATER)
    a = days.iloc[0]
    assert (a.collection_state, a.result_state) == ("late", "on_time")
    assert math.isnan(a.collection_hours) and a.result_hours == 16.5
    _check(jobs, ("period", "type"), {("20260105", "collection"): (3, 0, 0.0, 0, 0, NAN, NAN)},
           JOB_COLS)
    assert stuck.stuck.tolist() == [0.0, 0.0, 0.0, 0.0]
