"""status_core.latest: the overview's first screen (which race day, its cards per meet, how
long the collector has been silent), case by case."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from status_core import latest
from status_core.engine import read
from status_core.queries import _empty_progress, latest_writes
from status_core.rules import derive_statuses
from status_core.states import cell_states
from status_core.timestamps import INFINITY
from tests.rows import make_job, make_race

UTC = dt.UTC
# Tuesday 2026-02-17 12:00 KST (weekday 1)
NOW = dt.datetime(2026, 2, 17, 3, 0, tzinfo=UTC)


def cell(date: str, meet: int, total: int = 12, collected: int = 12, enriched: int = 12,
         results: int = 12, enr_failed: int = 0, minutes_ago: float = 5) -> dict:
    return {
        "date": date, "meet": meet, "total_races": total, "collected_races": collected,
        "enriched_races": enriched, "collection_failed": 0, "enrichment_failed": enr_failed,
        "result_collected": results, "result_failed": 0, "failed_races": enr_failed,
        "last_updated": pd.Timestamp(NOW) - pd.Timedelta(minutes=minutes_ago),
    }


def progress(*cells: dict) -> pd.DataFrame:
    if not cells:
        return _empty_progress()
    frame = derive_statuses(pd.DataFrame(list(cells)))
    frame["last_updated"] = pd.to_datetime(frame["last_updated"], utc=True)
    return frame


def stuck(*jobs: tuple[str, object, object]) -> pd.DataFrame:
    """Stuck jobs as :func:`status_core.attention.stuck_jobs` returns them (the columns
    the cards read): ``(job_id, race_date, meet)``."""
    return pd.DataFrame({
        "job_id": [j[0] for j in jobs],
        "race_date": pd.Series([j[1] for j in jobs], dtype=object),
        "meet": pd.array([j[2] for j in jobs], dtype="Int64"),
    })


TUESDAY = {1: (1,), 2: (4, 5), 3: (4, 6)}  # Seoul races on Tuesdays too


@pytest.mark.parametrize(
    ("cells", "usual", "meets", "expected"),
    [
        ([], None, None, None),
        ([cell("20260214", 1), cell("20260215", 3)], None, None, "20260215"),
        # a stored future card is not "latest"
        ([cell("20260215", 1), cell("20260221", 1)], None, None, "20260215"),
        # races stored today: today, whatever the weekday
        ([cell("20260215", 1), cell("20260217", 2)], None, None, "20260217"),
        # a usual race day: today, even before anything is stored
        ([cell("20260215", 1)], TUESDAY, None, "20260217"),
        # ... but only for the racecourses asked for
        ([cell("20260215", 1)], TUESDAY, [2, 3], "20260215"),
        # a stored date that is not a real day is never the latest race day
        ([cell("20261131", 1)], None, None, None),
    ],
)
def test_latest_race_day(cells, usual, meets, expected) -> None:
    assert latest.latest_race_day(progress(*cells), NOW, meets=meets, usual=usual) == expected


@pytest.mark.parametrize(
    ("day", "cells", "jobs", "usual", "meets", "expected"),
    [
        # Sunday: Seoul stored (the shape), Busan-Gyeongnam usually races and has
        # nothing: missing; a stuck job of Seoul's day, one naming the day but no meet
        ("20260215",
         [cell("20260215", 1, collected=10, enriched=8, enr_failed=2, results=5)],
         [("a", "20260215", 1), ("b", "20260215", None), ("c", "20260214", 1)],
         None, None,
         [(1, "failed", 12, 2), (3, "missing", 0, 1)]),
        ("20260215", [cell("20260215", 1)], [], None, [1], [(1, "done", 12, 0)]),
        # today, a usual race day, nothing stored yet: not started, not "missing"
        ("20260217", [], [], TUESDAY, None, [(1, "not_started", 0, 0)]),
        # a race day of no usual meet: only the meets with races
        ("20260217", [cell("20260217", 2, collected=3, enriched=0, results=0)], [], None,
         None, [(2, "in_progress", 12, 0)]),
    ],
)
def test_day_cards(day, cells, jobs, usual, meets, expected) -> None:
    states = cell_states(progress(*cells), now=NOW, stalled_minutes=30)
    cards = latest.day_cards(states, stuck(*jobs), day, now=NOW, meets=meets, usual=usual)
    got = [(int(m), s, int(n), int(k)) for m, s, n, k in zip(
        cards["meet"], cards["state"], cards["total_races"], cards["stuck_jobs"], strict=True)]
    assert got == expected
    assert list(cards.columns) == list(latest.CARD_COLUMNS)
    assert (cards["date"] == day).all()


def test_day_card_counts_and_age() -> None:
    states = cell_states(progress(cell("20260215", 1, collected=10, enriched=8, enr_failed=2,
                                       results=5, minutes_ago=90)), now=NOW, stalled_minutes=30)
    card = latest.day_cards(states, stuck(), "20260215", now=NOW, meets=[1]).iloc[0]
    assert (card["collected_races"], card["enriched_races"], card["enrichment_failed"],
            card["result_collected"]) == (10, 8, 2, 5)
    assert (card["enrichment_state"], card["result_state"]) == ("failed", "partial")
    assert card["age_minutes"] == 90


@pytest.mark.parametrize(
    ("races", "jobs", "newest", "minutes"),
    [
        (None, None, None, None),
        (NOW - dt.timedelta(minutes=10), NOW - dt.timedelta(minutes=40), "races", 10),
        (NOW - dt.timedelta(days=289), NOW - dt.timedelta(days=300), "races", 289 * 1440),
        (None, NOW - dt.timedelta(minutes=40), "jobs", 40),
        # a time in the future (clock skew) or infinite: no age, no alarm
        (NOW + dt.timedelta(hours=1), None, "races", None),
        (INFINITY, NOW - dt.timedelta(minutes=40), "races", None),
    ],
)
def test_collector_silence(races, jobs, newest, minutes) -> None:
    got = latest.collector_silence({"races_updated_at": races, "jobs_created_at": jobs}, NOW)
    expected = {"races": races, "jobs": jobs, None: None}[newest]
    assert (got["newest"] is None) is (expected is None)
    if expected is not None:
        assert got["newest"] == pd.Timestamp(expected)
    assert got["minutes"] == (pytest.approx(minutes) if minutes is not None else None)


T1 = dt.datetime(2026, 2, 14, 8, 30, 15, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("races", "jobs", "expected"),
    [
        ([], [], {"races_updated_at": None, "jobs_created_at": None}),
        ([make_race("20260214", 1, 1, updated_at=T1 - dt.timedelta(hours=3)),
          make_race("20260214", 1, 2, updated_at=T1)],
         [make_job("j1", created_at=T1 - dt.timedelta(days=2))],
         {"races_updated_at": T1, "jobs_created_at": T1 - dt.timedelta(days=2)}),
        ([], [make_job("j1", created_at=T1)], {"races_updated_at": None, "jobs_created_at": T1}),
    ],
)
def test_latest_writes_on_both_backends(backend_db, races, jobs, expected) -> None:  # noqa: ANN001
    engine, _target = backend_db(races, jobs)
    try:
        with read(engine) as conn:
            assert latest_writes(conn) == expected
    finally:
        engine.dispose()
