"""The honest cell states, case by case (pure pandas), and on real progress frames."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from status_core import demo
from status_core.attention import KST
from status_core.engine import read
from status_core.queries import PROGRESS_COLUMNS, progress_frame
from status_core.rules import COUNT_INPUTS, status_arrays
from status_core.states import (
    STATE_COLUMNS,
    STATE_LABELS,
    STATE_RANK,
    STATES,
    cell_states,
    stage_text,
    stage_texts,
    state_label,
)

NOW = dt.datetime(2026, 2, 14, 12, 0, tzinfo=KST)  # Saturday noon in Korea
TODAY, YESTERDAY, OLD = "20260214", "20260213", "20260212"
JUST_AFTER_MIDNIGHT = dt.datetime(2026, 2, 14, 0, 30, tzinfo=KST)  # still the 13th in UTC
JUST_BEFORE_MIDNIGHT = dt.datetime(2026, 2, 13, 23, 30, tzinfo=KST)
NAIVE_UTC_NOW = dt.datetime(2026, 2, 14, 3, 0)  # read as UTC: noon KST
STALLED = 30

# counts: (total, collected, enriched, collection_failed, enrichment_failed,
#          result_collected, result_failed); age: minutes since last_updated (None = NaT)
#   -> (collection_state, enrichment_state, result_state, state)
CASES = [
    ("all done", (12, 12, 12, 0, 0, 12, 0), OLD, 600, NOW, ("done", "done", "done", "done")),
    ("10/12 collected, failures in every stage", (12, 10, 8, 2, 2, 5, 1), TODAY, 5, NOW,
     ("failed", "failed", "failed", "failed")),
    ("all failed", (12, 0, 0, 12, 0, 0, 0), OLD, 60, NOW,
     ("failed", "pending", "pending", "failed")),
    ("all failed everywhere, today, just written", (12, 0, 0, 12, 12, 0, 12), TODAY, 1, NOW,
     ("failed", "failed", "failed", "failed")),
    ("nothing collected on an old day", (9, 0, 0, 0, 0, 0, 0), OLD, None, NOW,
     ("pending", "pending", "pending", "incomplete")),
    ("enrichment all failed", (12, 12, 0, 0, 12, 0, 0), OLD, 60, NOW,
     ("done", "failed", "pending", "failed")),
    ("today with a recent update", (12, 6, 2, 0, 0, 0, 0), TODAY, 5, NOW,
     ("partial", "partial", "pending", "in_progress")),
    ("today silent for 2 h", (12, 6, 2, 0, 0, 0, 0), TODAY, 120, NOW,
     ("partial", "partial", "pending", "stalled")),
    ("results missing on an old fully enriched day", (12, 12, 12, 0, 0, 0, 0), OLD, 600, NOW,
     ("done", "done", "pending", "incomplete")),
    ("one result failed, all else done", (12, 12, 12, 0, 0, 11, 1), OLD, 600, NOW,
     ("done", "done", "failed", "failed")),
    ("done today", (8, 8, 8, 0, 0, 8, 0), TODAY, 120, NOW, ("done", "done", "done", "done")),
    ("yesterday silent is stalled, not incomplete", (12, 6, 0, 0, 0, 0, 0), YESTERDAY, 120,
     NOW, ("partial", "pending", "pending", "stalled")),
    ("day before yesterday is incomplete", (12, 6, 0, 0, 0, 0, 0), OLD, 120, NOW,
     ("partial", "pending", "pending", "incomplete")),
    ("00:30 KST: the 13th is yesterday", (12, 6, 0, 0, 0, 0, 0), YESTERDAY, 120,
     JUST_AFTER_MIDNIGHT, ("partial", "pending", "pending", "stalled")),
    ("00:30 KST: the 12th is before yesterday", (12, 6, 0, 0, 0, 0, 0), OLD, 120,
     JUST_AFTER_MIDNIGHT, ("partial", "pending", "pending", "incomplete")),
    ("23:30 KST on the 13th: the 12th is yesterday", (12, 6, 0, 0, 0, 0, 0), OLD, 120,
     JUST_BEFORE_MIDNIGHT, ("partial", "pending", "pending", "stalled")),
    ("23:30 KST on the 13th: the 11th is old", (12, 6, 0, 0, 0, 0, 0), "20260211", 120,
     JUST_BEFORE_MIDNIGHT, ("partial", "pending", "pending", "incomplete")),
    ("naive now is UTC", (12, 6, 0, 0, 0, 0, 0), TODAY, 5, NAIVE_UTC_NOW,
     ("partial", "pending", "pending", "in_progress")),
    ("NaT last_updated today, nothing collected", (9, 0, 0, 0, 0, 0, 0), TODAY, None, NOW,
     ("pending", "pending", "pending", "not_started")),
    ("NaT last_updated today, some collected", (9, 3, 0, 0, 0, 0, 0), TODAY, None, NOW,
     ("partial", "pending", "pending", "stalled")),
    ("today, silent, nothing collected", (9, 0, 0, 0, 0, 0, 0), TODAY, 120, NOW,
     ("pending", "pending", "pending", "not_started")),
    ("exactly at the threshold is still in progress", (9, 3, 0, 0, 0, 0, 0), TODAY, STALLED,
     NOW, ("partial", "pending", "pending", "in_progress")),
    ("a minute past the threshold", (9, 3, 0, 0, 0, 0, 0), TODAY, STALLED + 1, NOW,
     ("partial", "pending", "pending", "stalled")),
    ("tomorrow's card being written", (9, 3, 0, 0, 0, 0, 0), "20260215", 2, NOW,
     ("partial", "pending", "pending", "in_progress")),
    ("invalid date text is an old day", (9, 3, 0, 0, 0, 0, 0), "2026-02-14", 2, NOW,
     ("partial", "pending", "pending", "incomplete")),
    ("impossible date is an old day", (9, 3, 0, 0, 0, 0, 0), "20261340", 2, NOW,
     ("partial", "pending", "pending", "incomplete")),
    ("failure outranks an invalid date", (9, 3, 0, 1, 0, 0, 0), "garbage", 2, NOW,
     ("failed", "pending", "pending", "failed")),
    ("done with an invalid date", (2, 2, 2, 0, 0, 2, 0), "", 2, NOW,
     ("done", "done", "done", "done")),
]


def frame_of(rows: list[tuple], now: dt.datetime) -> pd.DataFrame:
    """A progress frame (the queries' columns) from (counts, date, age minutes) rows."""
    counts = pd.DataFrame([r[0] for r in rows], columns=list(COUNT_INPUTS))
    counts["failed_races"] = (counts["collection_failed"] + counts["enrichment_failed"]
                              + counts["result_failed"]).clip(upper=counts["total_races"])
    ref = pd.Timestamp(now if now.tzinfo else now.replace(tzinfo=dt.UTC)).tz_convert("UTC")
    frame = counts.assign(
        date=[r[1] for r in rows], meet=1,
        last_updated=pd.Series([pd.NaT if r[2] is None else ref - pd.Timedelta(minutes=r[2])
                                for r in rows], dtype="datetime64[us, UTC]"),
        pending_races=0, collected_pct=0.0, enriched_pct=0.0, result_pct=0.0, failed_pct=0.0,
        **status_arrays({c: counts[c].to_numpy() for c in COUNT_INPUTS}),
    )
    return frame.loc[:, list(PROGRESS_COLUMNS)]


@pytest.mark.parametrize(("counts", "date", "age", "now", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_state_table(counts, date, age, now, expected):
    progress = frame_of([(counts, date, age)], now)
    out = cell_states(progress, now=now, stalled_minutes=STALLED)
    assert tuple(out.iloc[0][list(STATE_COLUMNS)]) == expected


def test_vectorised_and_collector_values_untouched():
    groups: dict[dt.datetime, list] = {}
    for case in CASES:
        groups.setdefault(case[4], []).append(case)
    for now, cases in groups.items():
        progress = frame_of([c[1:4] for c in cases] * 50, now)
        before = progress.copy()
        out = cell_states(progress, now=now, stalled_minutes=STALLED)
        assert [tuple(r) for r in out[list(STATE_COLUMNS)].to_numpy()] == [c[5] for c in cases] * 50
        pd.testing.assert_frame_equal(progress, before)  # the input is not modified
        pd.testing.assert_frame_equal(out[list(PROGRESS_COLUMNS)], before)
        assert list(out.columns) == [*PROGRESS_COLUMNS, *STATE_COLUMNS]


@pytest.mark.parametrize("empty", [
    frame_of([], NOW), pd.DataFrame()], ids=["progress columns", "no columns"])
def test_empty_frame(empty):
    out = cell_states(empty, now=NOW, stalled_minutes=STALLED)
    assert out.empty
    assert set(STATE_COLUMNS) <= set(out.columns)
    assert set(empty.columns) <= set(out.columns)


@pytest.mark.parametrize(("args", "lang", "stage", "expected"), [
    ((8, 12, 2), "ko", "enrichment", "보강 8/12 · 실패 2"),
    ((8, 12, 2), "en", "enrichment", "Enriched 8/12 · 2 failed"),
    ((10, 12, 2), "ko", "collection", "수집 10/12 · 실패 2"),
    ((5, 12, 0), "en", "result", "Results 5/12"),
    ((12, 12, 0), "ko", "enrichment", "보강 12/12"),
    ((8, 12, 2), "ko", None, "8/12 · 실패 2"),
    ((8, 12, 2), "xx", None, "8/12 · 실패 2"),
])
def test_stage_text(args, lang, stage, expected):
    assert stage_text(*args, lang, stage=stage) == expected


def test_stage_texts_per_row_never_say_done_for_partial_work():
    progress = frame_of([((12, 10, 8, 2, 2, 5, 1), TODAY, 5), ((4, 4, 4, 0, 0, 4, 0), OLD, 5)],
                        NOW)
    assert list(stage_texts(progress, "enrichment", "ko", with_word=True)) == [
        "보강 8/12 · 실패 2", "보강 4/4"]
    assert list(stage_texts(progress, "result", "en")) == ["5/12 · 1 failed", "4/4"]
    for lang in ("ko", "en"):
        text = " ".join(stage_texts(progress.iloc[:1], s, lang).iloc[0]
                        for s in ("collection", "enrichment", "result"))
        assert "완료" not in text and "done" not in text.lower()


def test_states_order_labels_and_icons():
    assert STATES == ("failed", "not_started", "stalled", "incomplete", "in_progress", "done")
    assert sorted(reversed(STATES), key=STATE_RANK.get) == list(STATES)
    icons = set()
    for state in STATES:
        ko, en = state_label(state, "ko"), state_label(state, "en")
        icon = ko.split(" ")[0]
        assert en.startswith(icon + " ") and not icon.isalnum()  # text and icon, not colour
        assert ko != en and len(ko) > len(icon) + 1
        icons.add(icon)
    assert len(icons) == len(STATES) == len(STATE_LABELS)
    assert state_label("<b>odd</b>", "en") == "<b>odd</b>"


def test_cell_states_on_a_real_progress_frame(backend_db):
    t0 = dt.datetime(2026, 2, 12, 9, 0, tzinfo=dt.UTC)

    def day(date, meet, statuses, updated):
        return [demo.race_row(date, meet, n, collection=c, enrichment=e, result=r,
                              updated_at=updated)
                for n, (c, e, r) in enumerate(statuses, start=1)]

    seoul = ([("collected", "enriched", "collected")] * 5 + [("collected", "enriched", "pending")] * 3
             + [("collected", "failed", "pending")] * 2 + [("failed", "pending", "pending")] * 2)
    rows = (day(OLD, 1, seoul, t0) + day(OLD, 3, [("collected", "enriched", "collected")] * 4, t0)
            + day("20260210", 2, [("collected", "enriched", "pending")] * 3, t0)
            + day(TODAY, 1, [("collected", "pending", "pending")] * 6
                  + [("pending", "pending", "pending")] * 6, NOW - dt.timedelta(minutes=5)))
    engine, target = backend_db(rows)
    with read(engine, target) as conn:
        progress = progress_frame(conn, "20260210", TODAY)
    out = cell_states(progress, now=NOW, stalled_minutes=STALLED)
    got = {(d, m): (c, e, r, s) for d, m, c, e, r, s in
           out[["date", "meet", *STATE_COLUMNS]].itertuples(index=False)}
    assert got == {
        (OLD, 1): ("failed", "failed", "partial", "failed"),
        (OLD, 3): ("done", "done", "done", "done"),
        ("20260210", 2): ("done", "done", "pending", "incomplete"),
        (TODAY, 1): ("partial", "pending", "pending", "in_progress"),
    }
    # The collector API's coarse values stay as they are next to the honest ones.
    seoul_row = out[(out.date == OLD) & (out.meet == 1)].iloc[0]
    assert (seoul_row.enrichment_status, seoul_row.result_status) == ("enriched", "collected")
    pd.testing.assert_frame_equal(out[list(PROGRESS_COLUMNS)], progress)
