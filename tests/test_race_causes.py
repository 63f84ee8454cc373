"""The cause next to a failed race (status_core.failures) and the failed jobs a range
hides (queries.failed_jobs_outside), on frames read from real databases (SQLite and
PostgreSQL) through the dashboard's own queries."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from status_core.engine import read
from status_core.failures import job_race_numbers, race_causes, widened_range
from status_core.inputs import parse_range
from status_core.queries import failed_jobs_outside, jobs_frame, races_frame
from tests.rows import make_job, make_race

DATE, MEET = "20260214", 1
T = dt.datetime(2026, 2, 14, 6, 0, tzinfo=dt.UTC)
ABSENT = object()  # a job whose parameters have no race_numbers key
#: The cell: race 3 failed enrichment, 5 failed collection, 6 failed its result, 2 only
#: has a warning; 1 and 4 are fine.
RACES = [
    make_race(DATE, MEET, 1, collection_status="enriched", enrichment_status="enriched"),
    make_race(DATE, MEET, 2, collection_status="collected", warnings=["말 정보 없음"]),
    make_race(DATE, MEET, 3, collection_status="collected", enrichment_status="failed",
              warnings=["enrich: timeout"]),
    make_race(DATE, MEET, 4, collection_status="collected"),
    make_race(DATE, MEET, 5, collection_status="failed"),
    make_race(DATE, MEET, 6, collection_status="enriched", enrichment_status="enriched",
              result_status="failed"),
]


def job(job_id: str, numbers: object = ABSENT, *, hours: float = 0, error: str | None = "boom",
        date: str = DATE, meet: object = MEET) -> dict:
    """A job naming ``date`` x ``meet`` with ``race_numbers`` = ``numbers`` (left out for
    ABSENT), created ``hours`` after T, ended ten minutes later."""
    parameters: dict = {"race_date": date, "meet": meet}
    if numbers is not ABSENT:
        parameters["race_numbers"] = numbers
    created = T + dt.timedelta(hours=hours)
    return make_job(job_id, type="enrichment", status="failed" if error else "completed",
                    parameters=parameters, created_at=created,
                    started_at=created + dt.timedelta(minutes=1),
                    completed_at=created + dt.timedelta(minutes=10),
                    error_message=None if error is None else f"{error} ({job_id})")


# Expected job per failed race 3, 5, 6 (race 2 only warned: never a job).
CASES = [
    ("list names the race", [job("a", [3])], {3: "a", 5: None, 6: None}),
    ("list names other races", [job("a", [1, 2, 4])], {3: None, 5: None, 6: None}),
    ("race_numbers null: whole day", [job("a", None)], {3: "a", 5: "a", 6: "a"}),
    ("race_numbers absent: whole day", [job("a")], {3: "a", 5: "a", 6: "a"}),
    ("race_numbers []: whole day", [job("a", [])], {3: "a", 5: "a", 6: "a"}),
    ("numbers as text", [job("a", ["3", "6"])], {3: "a", 5: None, 6: "a"}),
    ("meet as text", [job("a", meet="1")], {3: "a", 5: "a", 6: "a"}),
    ("other meet", [job("a", meet=3)], {3: None, 5: None, 6: None}),
    ("other date", [job("a", date="20260215")], {3: None, 5: None, 6: None}),
    ("latest wins over an older whole-day job",
     [job("old"), job("new", [3], hours=1)], {3: "new", 5: "old", 6: "old"}),
    ("a later whole-day job wins over an older list",
     [job("old", [3, 5]), job("new", hours=1)], {3: "new", 5: "new", 6: "new"}),
    ("a later job without an error does not hide the cause",
     [job("old", [3]), job("fine", [3], hours=1, error=None)], {3: "old", 5: None, 6: None}),
    ("no error anywhere", [job("fine", error=None)], {3: None, 5: None, 6: None}),
]


@pytest.mark.parametrize(("name", "jobs", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_failed_race_gets_the_latest_covering_jobs_error(backend_db, name, jobs,
                                                              expected) -> None:
    engine, target = backend_db(RACES, jobs)
    try:
        with read(engine, target) as conn:
            races = races_frame(conn, DATE, MEET)
            frame = jobs_frame(conn)  # every job: the matching itself must leave out others
    finally:
        engine.dispose()
    out = race_causes(races, frame, race_date=DATE, meet=MEET).set_index("race_number")
    assert out.loc[2, "job_id"] is None and out.loc[2, "failed_stages"] == ()
    assert dict(out.loc[[3, 5, 6], "job_id"]) == expected, name
    assert list(out.loc[[3, 5, 6], "failed_stages"]) == [
        ("enrichment",), ("collection",), ("result",)]
    by_id = {j["job_id"]: j for j in jobs}
    for number, job_id in expected.items():
        if job_id is None:
            assert out.loc[number, "job_error"] is None
            continue
        assert out.loc[number, "job_error"] == by_id[job_id]["error_message"]
        assert out.loc[number, "job_status"] == "failed"
        assert pd.Timestamp(out.loc[number, "job_time"]) == by_id[job_id]["completed_at"]


@pytest.mark.parametrize(("parameters", "expected"), [
    ('{"race_numbers": [1, "2", true, 3.0, "x"]}', frozenset({1, 2, 3})),
    ('{"race_numbers": 4}', frozenset({4})),
    ('{"race_numbers": ["x"]}', frozenset()),
    ('{"race_numbers": null}', None),
    ('{"race_numbers": []}', None),
    ('{"race_date": "20260214"}', None),
    ("not json", frozenset()),
    ("[1, 2]", frozenset()),
    (None, frozenset()),
])
def test_job_race_numbers(parameters, expected) -> None:
    assert job_race_numbers(parameters) == expected


# --------------------------------------------------------------------------- outside a range


def failed_at(job_id: str, days: float, **kw: object) -> dict:
    created = T + dt.timedelta(days=days)
    return make_job(job_id, status=kw.pop("status", "failed"), created_at=created,
                    error_message="boom", type=kw.pop("type", "collection"),
                    parameters={"race_date": DATE, "meet": kw.pop("meet", 1)})


OUTSIDE_JOBS = [
    failed_at("inside", 0), failed_at("before", -289), failed_at("after", 20),
    failed_at("done-before", -5, status="completed"), failed_at("busan", -30, meet=3),
    failed_at("enrich-before", -40, type="enrichment"),
]
WINDOW = (T - dt.timedelta(days=1), T + dt.timedelta(days=1))


@pytest.mark.parametrize(("filters", "count", "first", "last"), [
    ({}, 4, -289, 20),
    ({"meets": [1]}, 3, -289, 20),
    ({"meets": [1, 2, 3]}, 4, -289, 20),
    ({"meets": [3]}, 1, -30, -30),
    ({"types": ["enrichment"]}, 1, -40, -40),
    ({"race_date": "20260215"}, 0, None, None),
])
def test_failed_jobs_outside_the_window(backend_db, filters, count, first, last) -> None:
    engine, target = backend_db([], OUTSIDE_JOBS)
    try:
        with read(engine, target) as conn:
            found = failed_jobs_outside(conn, *WINDOW, **filters)
    finally:
        engine.dispose()
    assert found["count"] == count

    def at(days: float | None) -> dt.datetime | None:
        return None if days is None else T + dt.timedelta(days=days)

    assert (found["first"], found["last"]) == (at(first), at(last))


@pytest.mark.parametrize(("first", "last", "expected"), [
    (T - dt.timedelta(days=289), T + dt.timedelta(days=20), ("20250501", "20260306")),
    (None, None, ("20260201", "20260214")),
    (T, T, ("20260201", "20260214")),  # inside already
    (dt.datetime(2026, 1, 31, 15, 30, tzinfo=dt.UTC), None,  # 00:30 KST on Feb 1
     ("20260201", "20260214")),
    (dt.datetime(2026, 1, 31, 14, 30, tzinfo=dt.UTC), None,  # 23:30 KST on Jan 31
     ("20260131", "20260214")),
    (dt.datetime(1970, 1, 1, tzinfo=dt.UTC), None, ("20260201", "20260214")),  # no such day
    (pd.Timestamp("1995-01-01", tz="UTC"), None, ("20160207", "20260214")),  # 3660 days max
])
def test_widened_range(first, last, expected) -> None:
    widened = widened_range("20260201", "20260214", first, last)
    assert widened == expected
    assert parse_range(*widened) == widened  # a range the pages accept
