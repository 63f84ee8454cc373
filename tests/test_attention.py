"""status_core.attention: chart stages, missing days, the overview's attention rows and
calendar (from the alert items and the honest states), job grouping, stuck jobs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from status_core import attention as at
from status_core.alerts.items import build_items
from status_core.errors import InputError
from status_core.rules import derive_statuses
from status_core.settings import Thresholds

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


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # 8 collected, 2 enriched, 2 collection failures
        (cell("20260214", 3, total=8, collected=4, enriched=2, coll_failed=2),
         {"enriched": 2, "enrichment_failed": 0, "collected": 2, "collection_failed": 2,
          "pending": 2}),
        # the day: 12 races, 10 collected, 8 enriched, 2 enrichment failures; the
        # failures are enrichment failures, never drawn as collection failures
        (cell("20260214", 1, total=12, collected=10, enriched=8, enr_failed=2, results=5),
         {"enriched": 8, "enrichment_failed": 2, "collected": 0, "collection_failed": 0,
          "pending": 2}),
        # more failures stored than races left: clipped, the bar never exceeds the total
        (cell("20260214", 1, total=4, collected=4, enriched=1, enr_failed=9, coll_failed=3),
         {"enriched": 1, "enrichment_failed": 3, "collected": 0, "collection_failed": 0,
          "pending": 0}),
    ],
)
def test_progress_stages_add_up_to_total(row, expected) -> None:
    long = at.progress_stages(progress(row))
    assert dict(zip(long["stage"], long["races"], strict=True)) == expected
    assert long["races"].sum() == row["total_races"]
    assert list(long["stage"]) == list(at.PROGRESS_STAGES)


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


def rows_of(frame: pd.DataFrame, active: pd.DataFrame | None = None, *,
            start: str = "20260213", end: str = "20260217", meets=None) -> pd.DataFrame:
    """The overview's attention rows, built as the page builds them."""
    active = jobs() if active is None else active
    states, missing, stuck = at.item_frames(frame, active, start=start, end=end, now=NOW,
                                            meets=meets, thresholds=Thresholds())
    return at.attention_rows(build_items(states, missing, stuck), NOW)


def test_attention_rows_one_per_day_kinds_joined_most_urgent_first() -> None:
    frame = progress(
        cell("20260214", 1, total=12, collected=10, enriched=8, enr_failed=2, results=5),
        cell("20260217", 1, collected=5, updated_min_ago=45),               # stalled
        cell("20260216", 3, updated_min_ago=300),                            # not started
        cell("20260215", 1, collected=10, enriched=10),                      # results missing
        done("20260213", 2), done("20260213", 3), done("20260214", 2), done("20260215", 3),
    )
    active = jobs(
        {"job_id": "stuck-1", "status": "processing", "started_at": ago(200),
         "race_date": "20260216", "meet": 3},
        {"job_id": "stuck-2", "status": "processing", "started_at": ago(150),
         "race_date": "20260216", "meet": 3},
        {"job_id": "stuck-x", "status": "processing", "started_at": ago(90)},
    )
    rows = rows_of(frame, active)
    meets = [None if pd.isna(m) else int(m) for m in rows["meet"]]
    assert list(zip(rows["kinds"], rows["date"], meets, strict=True)) == [
        ("failed", "20260214", 1),
        ("not_started,stuck_job", "20260216", 3),
        ("stuck_job", None, None),
        ("stalled", "20260217", 1),
        ("results_missing", "20260215", 1),
    ]
    # one row per day: no race day twice
    assert not rows[rows["date"].notna()].duplicated(["date", "meet"]).any()
    failed = rows.iloc[0]
    assert (failed["total_races"], failed["enriched_races"], failed["enrichment_failed"],
            failed["result_collected"]) == (12, 8, 2, 5)
    assert rows.iloc[1]["stuck_jobs"] == 2 and rows.iloc[1]["job_ids"] == "stuck-1, stuck-2"
    assert rows.iloc[3]["age_minutes"] == 45
    assert pd.isna(rows.iloc[2]["total_races"])
    assert list(rows.columns) == list(at.ATTENTION_COLUMNS)


@pytest.mark.parametrize(
    ("cells", "meets", "expected"),
    [
        ([], [1], [("missing", "20260215", 1), ("missing", "20260214", 1)]),
        ([done("20260214", 1), done("20260215", 1)], [1], []),
        # a stored day that is not a usual one is still judged; Seoul's Saturday is missing
        ([done("20260215", 1), cell("20260216", 1, coll_failed=10)], [1],
         [("failed", "20260216", 1), ("missing", "20260214", 1)]),
    ],
)
def test_attention_rows_missing_days_and_empty(cells, meets, expected) -> None:
    rows = rows_of(progress(*cells), start="20260214", end="20260216", meets=meets)
    assert list(zip(rows["kind"], rows["date"], rows["meet"], strict=True)) == expected
    if not expected:
        assert rows.empty and list(rows.columns) == list(at.ATTENTION_COLUMNS)


@pytest.mark.parametrize(
    ("row", "state"),
    [
        (done("20260214", 1), "done"),
        # failed outranks stalled: today, 45 minutes silent, one race failed
        (cell("20260217", 1, collected=5, coll_failed=1, updated_min_ago=45), "failed"),
        (cell("20260217", 1, collected=5, updated_min_ago=45), "stalled"),
        (cell("20260216", 1, collected=5, updated_min_ago=1), "in_progress"),
        (cell("20260215", 1, collected=10, enriched=10), "incomplete"),
    ],
)
def test_calendar_frame_states(row, state) -> None:
    states, missing, _ = at.item_frames(progress(row), jobs(), start="20260214",
                                        end="20260217", now=NOW, meets=[1],
                                        thresholds=Thresholds(stalled_minutes=30))
    cal = at.calendar_frame(states, missing)
    got = dict(zip(cal["date"], cal["state"], strict=True))
    assert got[row["date"]] == state
    # Seoul's usual days without races are drawn as missing
    assert {d for d, s in got.items() if s == "missing"} == {"20260214", "20260215"} - {
        row["date"]}
    assert list(cal.columns) == list(at.CALENDAR_COLUMNS)


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
            "error_message", "race_date", "meet"]
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
