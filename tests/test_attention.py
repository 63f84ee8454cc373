"""status_core.attention: stalled / missing / results-missing cells, job grouping, stuck jobs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from status_core import attention as at
from status_core.errors import InputError
from status_core.rules import derive_statuses

UTC = dt.UTC
# Tuesday 2026-02-17 12:00 KST
NOW = dt.datetime(2026, 2, 17, 3, 0, tzinfo=UTC)


def cell(date: str, meet: int, total: int = 10, collected: int = 0, enriched: int = 0,
         coll_failed: int = 0, enr_failed: int = 0, results: int = 0, res_failed: int = 0,
         updated_min_ago: float | None = 5) -> dict:
    failed = max(coll_failed, enr_failed, res_failed)
    return {
        "date": date, "meet": meet, "total_races": total, "collected_races": collected,
        "enriched_races": enriched, "collection_failed": coll_failed,
        "enrichment_failed": enr_failed, "result_collected": results,
        "result_failed": res_failed, "failed_races": failed,
        "last_updated": (pd.Timestamp(NOW) - pd.Timedelta(minutes=updated_min_ago))
        if updated_min_ago is not None else pd.NaT,
    }


def progress(*cells: dict) -> pd.DataFrame:
    if not cells:
        from status_core.queries import _empty_progress

        return _empty_progress()
    frame = derive_statuses(pd.DataFrame(list(cells)))
    frame["last_updated"] = pd.to_datetime(frame["last_updated"], utc=True)
    return frame


def done(date: str, meet: int, **kw) -> dict:
    return cell(date, meet, collected=10, enriched=10, results=10, **kw)


# --------------------------------------------------------------------------- time / settings


def test_default_range_is_last_14_days_in_korea() -> None:
    # 2026-02-16 20:00 UTC is already 2026-02-17 in Korea
    assert at.default_range(dt.datetime(2026, 2, 16, 20, 0, tzinfo=UTC)) == (
        "20260204", "20260217")
    assert at.default_range(dt.datetime(2026, 2, 16, 14, 0, tzinfo=UTC)) == (
        "20260203", "20260216")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, at.DEFAULT_USUAL_WEEKDAYS),
        ("", at.DEFAULT_USUAL_WEEKDAYS),
        ("1=sat,sun;2=fri,sat;3=fri,sun", {1: (5, 6), 2: (4, 5), 3: (4, 6)}),
        ("1=SUN", {1: (6,), 2: (4, 5), 3: (4, 6)}),
        ("2=0,friday 3=", {1: (5, 6), 2: (0, 4), 3: ()}),
    ],
)
def test_parse_weekdays(text, expected) -> None:
    assert at.parse_weekdays(text) == expected


@pytest.mark.parametrize("text", ["4=sat", "1:sat", "1=funday", "1=7", "x"])
def test_parse_weekdays_rejects(text) -> None:
    with pytest.raises(InputError):
        at.parse_weekdays(text)


def test_format_weekdays_round_trips() -> None:
    text = at.format_weekdays(at.DEFAULT_USUAL_WEEKDAYS)
    assert text == "1=sat,sun;2=fri,sat;3=fri,sun"
    assert at.parse_weekdays(text) == at.DEFAULT_USUAL_WEEKDAYS


@pytest.mark.parametrize(("text", "value"), [(None, 30), ("", 30), (" 45 ", 45), ("1", 1)])
def test_parse_minutes(text, value) -> None:
    assert at.parse_minutes(text, 30, name="KRA_STALLED_MINUTES") == value


@pytest.mark.parametrize("text", ["0", "-5", "abc", "1.5", "99999"])
def test_parse_minutes_rejects(text) -> None:
    with pytest.raises(InputError, match="KRA_STALLED_MINUTES"):
        at.parse_minutes(text, 30, name="KRA_STALLED_MINUTES")


# --------------------------------------------------------------------------- headline


def test_headline_numbers() -> None:
    frame = progress(
        done("20260214", 1),
        cell("20260214", 3, total=8, collected=4, enriched=2, coll_failed=2, results=1),
        cell("20260215", 1, total=2),
    )
    h = at.headline(frame)
    assert h["race_days"] == 2 and h["cells"] == 3 and h["races"] == 20
    assert (h["collected"], h["enriched"], h["results"], h["failed_races"]) == (14, 12, 11, 2)
    assert h["collected_pct"] == 70.0 and h["enriched_pct"] == 60.0 and h["results_pct"] == 55.0


def test_headline_empty() -> None:
    h = at.headline(progress())
    assert h["races"] == 0 and h["race_days"] == 0 and h["collected_pct"] == 0.0


def test_progress_stages_add_up_to_total() -> None:
    frame = progress(cell("20260214", 3, total=8, collected=4, enriched=2, coll_failed=2))
    long = at.progress_stages(frame)
    assert dict(zip(long["stage"], long["races"], strict=True)) == {
        "enriched": 2, "collected": 2, "failed": 2, "pending": 2}
    assert long["races"].sum() == 8


# --------------------------------------------------------------------------- stalled


@pytest.mark.parametrize(
    ("row", "minutes", "stalled"),
    [
        (cell("20260217", 1, collected=5, updated_min_ago=31), 30, True),
        (cell("20260217", 1, collected=5, updated_min_ago=29), 30, False),
        (cell("20260217", 1, collected=5, updated_min_ago=90), 120, False),
        # completed and pending cells are never stalled, however old
        (done("20260214", 1, updated_min_ago=5000), 30, False),
        (cell("20260217", 1, updated_min_ago=5000), 30, False),
        # failed cell: failed, not stalled
        (cell("20260217", 1, coll_failed=10, updated_min_ago=500), 30, False),
        # no timestamp: cannot be judged
        (cell("20260217", 1, collected=5, updated_min_ago=None), 30, False),
    ],
)
def test_stalled_cells(row, minutes, stalled) -> None:
    out = at.stalled_cells(progress(row), NOW, minutes)
    assert (len(out) == 1) is stalled
    if stalled:
        assert out["age_minutes"].iloc[0] == pytest.approx(row_age(row), abs=1)


def row_age(row: dict) -> float:
    return (pd.Timestamp(NOW) - row["last_updated"]).total_seconds() / 60


# --------------------------------------------------------------------------- failed


@pytest.mark.parametrize(
    ("row", "failed"),
    [
        (cell("20260214", 1, coll_failed=10), True),
        (cell("20260214", 1, collected=10, enriched=9, enr_failed=1), True),
        (cell("20260214", 1, collected=10, enriched=10, results=9, res_failed=1), True),
        (done("20260214", 1), False),
        (cell("20260214", 1, collected=3), False),
    ],
)
def test_failed_cells(row, failed) -> None:
    assert (len(at.failed_cells(progress(row))) == 1) is failed


# --------------------------------------------------------------------------- results missing


@pytest.mark.parametrize(
    ("row", "missing"),
    [
        (cell("20260215", 1, collected=10, enriched=10, results=0), True),  # past, no result
        (cell("20260215", 1, collected=10, enriched=10, results=0, res_failed=10), True),
        (cell("20260215", 1, collected=10, enriched=10, results=4), False),  # some results
        (done("20260215", 1), False),
        (cell("20260217", 1, collected=10, enriched=10, results=0), False),  # today: not yet
        (cell("20260221", 1, collected=10), False),  # future card
    ],
)
def test_results_missing(row, missing) -> None:
    assert (len(at.results_missing(progress(row), NOW.date())) == 1) is missing


# --------------------------------------------------------------------------- missing days


def test_expected_days_follow_usual_weekdays() -> None:
    # 2026-02-13 Fri, 14 Sat, 15 Sun, 16 Mon
    exp = at.expected_days("20260213", "20260216")
    assert sorted(zip(exp["date"], exp["meet"], strict=True)) == [
        ("20260213", 2), ("20260213", 3), ("20260214", 1), ("20260214", 2),
        ("20260215", 1), ("20260215", 3)]
    only_seoul = at.expected_days("20260213", "20260216", [1])
    assert list(only_seoul["date"]) == ["20260214", "20260215"]


@pytest.mark.parametrize(
    ("stored", "meets", "usual", "expected"),
    [
        # everything stored: nothing missing
        ([("20260213", 2), ("20260213", 3), ("20260214", 1), ("20260214", 2),
          ("20260215", 1), ("20260215", 3)], None, None, []),
        # Seoul's Sunday absent
        ([("20260213", 2), ("20260213", 3), ("20260214", 1), ("20260214", 2),
          ("20260215", 3)], None, None, [("20260215", 1)]),
        # nothing stored, only Jeju asked for
        ([], [2], None, [("20260213", 2), ("20260214", 2)]),
        # a configured calendar: Seoul only on Sundays
        ([("20260215", 1)], [1], {1: (6,)}, []),
        ([], [1], {1: (6,)}, [("20260215", 1)]),
        # a stored race on an unusual day does not hide a missing usual day
        ([("20260216", 1)], [1], None, [("20260214", 1), ("20260215", 1)]),
    ],
)
def test_missing_days(stored, meets, usual, expected) -> None:
    frame = progress(*[done(d, m) for d, m in stored])
    out = at.missing_days(frame, "20260213", "20260216", NOW.date(), meets, usual)
    assert list(zip(out["date"], out["meet"], strict=True)) == expected


def test_missing_days_with_no_usual_day_in_range() -> None:
    # Monday only, Seoul races Sat/Sun: nothing expected, data on that Monday or not
    for frame in (progress(), progress(done("20260216", 1))):
        out = at.missing_days(frame, "20260216", "20260216", NOW.date(), [1])
        assert out.empty and list(out.columns) == ["date", "meet", "weekday"]


def test_missing_days_skips_today_and_future() -> None:
    # today is Tue 2026-02-17; the range runs to Sun 2026-02-22
    out = at.missing_days(progress(), "20260217", "20260222", NOW.date())
    assert out.empty


# --------------------------------------------------------------------------- attention list


def test_attention_frame_orders_kinds_and_dates() -> None:
    frame = progress(
        cell("20260214", 1, coll_failed=10),                                    # failed
        cell("20260217", 1, collected=5, updated_min_ago=45),                   # stalled
        cell("20260215", 1, collected=10, enriched=10),                         # results missing
        done("20260213", 2), done("20260213", 3), done("20260214", 2), done("20260215", 3),
    )
    out = at.attention_frame(frame, start="20260213", end="20260217", now=NOW)
    # 20260214 seoul failed also has no result -> results missing too
    assert list(zip(out["kind"], out["date"], out["meet"], strict=True)) == [
        ("failed", "20260214", 1),
        ("stalled", "20260217", 1),
        ("results_missing", "20260215", 1),
        ("results_missing", "20260214", 1),
    ]
    assert out.loc[1, "age_minutes"] == 45
    assert list(out.columns) == list(at.ATTENTION_COLUMNS)


def test_attention_frame_missing_rows_and_empty() -> None:
    out = at.attention_frame(progress(), start="20260214", end="20260214", now=NOW, meets=[1])
    assert list(zip(out["kind"], out["date"], out["meet"], strict=True)) == [
        ("missing", "20260214", 1)]
    assert out.loc[0, "total_races"] == 0
    healthy = progress(done("20260214", 1))
    assert at.attention_frame(healthy, start="20260214", end="20260214", now=NOW,
                              meets=[1]).empty


def test_calendar_frame_states() -> None:
    frame = progress(done("20260214", 1), cell("20260217", 1, collected=5, updated_min_ago=45),
                     cell("20260216", 1, collected=5, updated_min_ago=1))
    cal = at.calendar_frame(frame, "20260214", "20260217", now=NOW, meets=[1],
                            stalled_minutes=30)
    assert list(zip(cal["date"], cal["state"], strict=True)) == [
        ("20260214", "completed"), ("20260215", "missing"), ("20260216", "running"),
        ("20260217", "stalled")]


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ([], None),
        ([("20260214", 3), ("20260214", 1), ("20260213", 2)], ("20260214", 1)),
        ([("20260213", 2), ("20260221", 1)], ("20260213", 2)),  # a future card is not "latest"
        ([("20260221", 1), ("20260228", 3)], ("20260221", 1)),  # only future: the nearest
    ],
)
def test_default_race_day(stored, expected) -> None:
    frame = progress(*[done(d, m) for d, m in stored])
    assert at.default_race_day(frame, NOW.date()) == expected


# --------------------------------------------------------------------------- jobs


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("KRA API timeout after 30s for race 20260214_1_3",
         "KRA API timeout after 12s for race 20260215_3_11"),
        ("job 3f2b1c9e-1d2a-4b5c-8d9e-0123456789ab failed", "job "
         "a1b2c3d4-0000-4111-8222-333344445555 failed"),
        ("HTTP 503 from apis.data.go.kr at 2026-02-14T10:11:12+09:00",
         "HTTP 502 from apis.data.go.kr at 2026-02-15 01:00:00Z"),
        ("duplicate key value violates unique constraint \"races_pkey\" (race_id)='x'",
         "duplicate key value violates unique constraint \"races_pkey\" (race_id)='y'"),
        ("connection refused\nTraceback ...", "connection refused\nother tail"),
    ],
)
def test_normalise_error_groups_similar(a, b) -> None:
    assert at.normalise_error(a) == at.normalise_error(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("KRA API timeout", "KRA API returned 500"), ("meet 1 missing", "race card missing")],
)
def test_normalise_error_keeps_different_apart(a, b) -> None:
    assert at.normalise_error(a) != at.normalise_error(b)


@pytest.mark.parametrize("empty", [None, float("nan"), "", "   "])
def test_normalise_error_empty(empty) -> None:
    assert at.normalise_error(empty) == ""


def jobs(*rows: dict) -> pd.DataFrame:
    cols = ["job_id", "type", "status", "created_at", "started_at", "completed_at",
            "error_message", "meet"]
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    for col in ("created_at", "started_at", "completed_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    frame["meet"] = pd.array(frame["meet"], dtype="Int64")
    return frame


def ago(minutes: float) -> pd.Timestamp:
    return pd.Timestamp(NOW) - pd.Timedelta(minutes=minutes)


def test_error_groups_counts_and_order() -> None:
    frame = jobs(
        {"job_id": "a", "type": "collection", "created_at": ago(10),
         "error_message": "timeout after 30s for race 20260214_1_3"},
        {"job_id": "b", "type": "enrichment", "created_at": ago(5),
         "error_message": "timeout after 31s for race 20260214_1_4"},
        {"job_id": "c", "type": "collection", "created_at": ago(1),
         "error_message": "KRA API key rejected"},
        {"job_id": "d", "type": "collection", "created_at": ago(1), "error_message": None},
    )
    groups = at.error_groups(frame)
    assert list(groups["count"]) == [2, 1]
    assert groups.loc[0, "job_ids"] == "b, a"
    assert groups.loc[0, "example"] == "timeout after 31s for race 20260214_1_4"
    assert groups.loc[0, "types"] == "collection, enrichment"
    assert at.error_groups(frame.iloc[3:]).empty
    assert at.error_groups(frame.iloc[0:0]).empty


@pytest.mark.parametrize(
    ("row", "stuck"),
    [
        ({"status": "processing", "started_at": ago(61)}, True),
        ({"status": "processing", "started_at": ago(59)}, False),
        ({"status": "running", "started_at": ago(120)}, True),     # legacy spelling
        ({"status": "retrying", "started_at": ago(120)}, True),    # legacy spelling
        ({"status": "completed", "started_at": ago(600), "completed_at": ago(500)}, False),
        ({"status": "failed", "started_at": ago(600)}, False),
        ({"status": "queued", "created_at": ago(600)}, False),
        ({"status": "processing", "created_at": ago(90)}, True),    # never recorded a start
    ],
)
def test_stuck_jobs(row, stuck) -> None:
    row = {"job_id": "j", "type": "collection", "created_at": ago(1000), **row}
    out = at.stuck_jobs(jobs(row), NOW, 60)
    assert (len(out) == 1) is stuck


def test_stuck_jobs_threshold_and_order() -> None:
    frame = jobs(
        {"job_id": "x", "status": "processing", "started_at": ago(70), "created_at": ago(70)},
        {"job_id": "y", "status": "running", "started_at": ago(300), "created_at": ago(300)},
    )
    out = at.stuck_jobs(frame, NOW, 60)
    assert list(out["job_id"]) == ["y", "x"] and list(out["running_minutes"]) == [300, 70]
    assert list(at.stuck_jobs(frame, NOW, 120)["job_id"]) == ["y"]


def test_status_counts_frame_marks_legacy() -> None:
    out = at.status_counts_frame({"processing": 2, "running": 1, "completed": 5, "weird": 1})
    assert list(out["status"]) == [*at.JOB_STATUSES, "weird"]
    counts = dict(zip(out["status"], out["count"], strict=True))
    assert counts["processing"] == 2 and counts["running"] == 1 and counts["queued"] == 0
    assert set(out.loc[out["legacy"], "status"]) == {"running", "retrying"}


def test_job_timeline_open_bars_end_now() -> None:
    frame = jobs(
        {"job_id": "done", "status": "completed", "started_at": ago(30), "completed_at": ago(20)},
        {"job_id": "open", "status": "processing", "started_at": ago(10)},
        {"job_id": "never", "status": "queued", "created_at": ago(5)},
    )
    tl = at.job_timeline(frame, NOW)
    assert list(tl["job_id"]) == ["done", "open"]
    assert list(tl["open"]) == [False, True]
    assert list(tl["duration_s"]) == [600.0, 600.0]


def test_filter_jobs_by_meet_and_window() -> None:
    frame = jobs(
        {"job_id": "s", "meet": 1, "created_at": ago(10)},
        {"job_id": "j", "meet": 2, "created_at": ago(10)},
        {"job_id": "none", "meet": None, "created_at": ago(10)},
        {"job_id": "old", "meet": 1, "created_at": ago(60 * 24 * 30)},
    )
    assert list(at.filter_jobs(frame, meets=[1, 2, 3])["job_id"]) == ["s", "j", "none", "old"]
    assert list(at.filter_jobs(frame, meets=[1])["job_id"]) == ["s", "old"]
    first, last = at.day_window("20260210", "20260217")
    assert list(at.filter_jobs(frame, created_from=first, created_to=last)["job_id"]) == [
        "s", "j", "none"]


def test_day_window_is_korean_days() -> None:
    first, last = at.day_window("20260214", "20260214")
    assert first == dt.datetime(2026, 2, 13, 15, 0, tzinfo=UTC)
    assert last == dt.datetime(2026, 2, 14, 15, 0, tzinfo=UTC)
