"""Attention items, the diff between evaluations and the message text: pure functions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from status_core.alerts.items import Change, Item, Scope, build_items, db_down_item, diff
from status_core.alerts.messages import json_payload, link, message_text, slack_payload
from status_core.states import cell_states

NOW = dt.datetime(2026, 2, 14, 6, 0, tzinfo=dt.UTC)  # 15:00 KST, Saturday
TODAY, OLD = "20260214", "20260210"


def cell(date: str, total: int, collected: int = 0, enriched: int = 0, results: int = 0,
         failed: tuple[int, int, int] = (0, 0, 0), minutes_ago: float = 5, meet: int = 1):
    return {"date": date, "meet": meet, "total_races": total, "collected_races": collected,
            "enriched_races": enriched, "result_collected": results,
            "collection_failed": failed[0], "enrichment_failed": failed[1],
            "result_failed": failed[2], "failed_races": max(failed),
            "last_updated": pd.Timestamp(NOW - dt.timedelta(minutes=minutes_ago))}


def states(*rows: dict) -> pd.DataFrame:
    return cell_states(pd.DataFrame(list(rows)), now=NOW, stalled_minutes=30)


@pytest.mark.parametrize(
    ("row", "kind", "worse"),
    [
        (cell(TODAY, 12, 12, 12, 12), None, None),                          # done
        (cell(TODAY, 12, 10, 8, 5, failed=(2, 2, 0)), "failed", 2),
        (cell(TODAY, 12, 3, 0, 0, minutes_ago=5), None, None),              # in progress
        (cell(TODAY, 12, 3, 0, 0, minutes_ago=120), "stalled", 0),
        (cell(TODAY, 9, 0, 0, 0, minutes_ago=120), "not_started", 0),
        (cell(OLD, 9, 0, 0, 0, minutes_ago=6000), "incomplete", 27),
        (cell(OLD, 8, 8, 4, 0, minutes_ago=6000), "incomplete", 12),
        (cell(OLD, 8, 8, 8, 0, minutes_ago=6000), "results_missing", 8),
        (cell(OLD, 12, 12, 12, 5, minutes_ago=6000), "results_missing", 7),
        (cell(OLD, 12, 12, 12, 5, failed=(0, 0, 1)), "failed", 1),
    ],
)
def test_one_item_per_cell_from_its_honest_state(row, kind, worse):
    items = build_items(states(row), None, None)
    if kind is None:
        assert items == []
        return
    assert [(i.kind, i.date, i.meet, i.worse) for i in items] == [(kind, row["date"], 1, worse)]
    assert items[0].key == f"{kind}:{row['date']}:1"
    assert items[0].data["total_races"] == row["total_races"]


def test_missing_days_stuck_jobs_and_order():
    missing = pd.DataFrame({"date": ["20260208"], "meet": [3], "weekday": [6]})
    stuck = pd.DataFrame({"job_id": ["j-1"], "type": ["collection"], "status": ["processing"],
                          "race_date": [TODAY], "meet": pd.array([2], dtype="Int64"),
                          "started_at": [pd.Timestamp(NOW - dt.timedelta(hours=3))],
                          "created_at": [pd.NaT], "running_minutes": [180.0]})
    frame = states(cell(OLD, 9, minutes_ago=6000), cell(TODAY, 12, 10, 8, 5, failed=(2, 0, 0)))
    items = build_items(frame, missing, stuck)
    assert [(i.kind, i.key, i.severity) for i in items] == [
        ("failed", f"failed:{TODAY}:1", "critical"),
        ("stuck_job", "stuck_job:j-1", "critical"),
        ("incomplete", f"incomplete:{OLD}:1", "warning"),
        ("missing", "missing:20260208:3", "warning"),
    ]
    assert items[1].meet == 2 and items[1].date == TODAY and items[1].cell is None


def test_an_unusable_database_is_the_only_item():
    down = db_down_item("connection_refused", "Cannot use the database: refused")
    items = build_items(states(cell(TODAY, 12, 10, 8, 5, failed=(2, 0, 0))), None, None, down)
    assert [(i.kind, i.key, i.severity) for i in items] == [("db_down", "db_down", "critical")]


SCOPE = Scope("20260208", TODAY)
A = Item("failed", TODAY, 1, worse=1)
A2 = Item("failed", TODAY, 1, worse=2)
S = Item("stalled", TODAY, 1)
B = Item("incomplete", OLD, 3, worse=5)
J = Item("stuck_job", TODAY, 2, job_id="j-1")
DOWN = db_down_item("connection_refused", "refused")
AGED = Item("failed", "20260101", 1, worse=1)
METE2 = Item("failed", TODAY, 2, worse=1)


def stored(*items: Item) -> dict[str, Item]:
    return {i.key: i for i in items}


@pytest.mark.parametrize(
    ("before", "now", "scope", "changes", "kept"),
    [
        ((), [A], SCOPE, [("new", "failed", None)], {A.key}),
        ((A,), [A], SCOPE, [], {A.key}),
        ((A,), [A2], SCOPE, [("worse", "failed", "failed")], {A.key}),
        ((A2,), [A], SCOPE, [], {A.key}),
        ((A,), [], SCOPE, [("resolved", "failed", None)], set()),
        ((S,), [A], SCOPE, [("new", "failed", "stalled")], {A.key}),
        ((A, B), [DOWN], SCOPE, [("db_down", "db_down", None)], {A.key, B.key, "db_down"}),
        ((A, DOWN), [DOWN], SCOPE, [], {A.key, "db_down"}),
        ((A, DOWN), [A], SCOPE, [("db_up", "db_down", None)], {A.key}),
        ((A, DOWN), [], SCOPE, [("db_up", "db_down", None), ("resolved", "failed", None)],
         set()),
        ((J,), [], SCOPE, [("resolved", "stuck_job", None)], set()),
        ((AGED,), [], SCOPE, [], set()),
        ((METE2,), [], Scope("20260208", TODAY, (1,)), [], {METE2.key}),
        ((B, A), [B, A2], SCOPE, [("worse", "failed", "failed")], {A.key, B.key}),
    ],
)
def test_diff(before, now, scope, changes, kept):
    got, baseline = diff(stored(*before), now, scope, now=NOW)
    assert [(c.type, c.item.kind, c.previous.kind if c.previous else None) for c in got] == changes
    assert set(baseline) == kept
    if A2 in now:
        assert baseline[A.key].worse == 2


ITEM_DATA = {"total_races": 12, "collected_races": 10, "enriched_races": 8,
             "result_collected": 5, "collection_failed": 2, "enrichment_failed": 2,
             "result_failed": 0, "failed_races": 2,
             "last_updated": (NOW - dt.timedelta(hours=2)).isoformat()}
FAILED = Item("failed", TODAY, 1, worse=2, data=ITEM_DATA)
STALLED = Item("stalled", TODAY, 1, data=ITEM_DATA)
STUCK = Item("stuck_job", TODAY, 3, job_id="job-<b>*x*</b>",
             data={"type": "collection", "status": "processing",
                   "started_at": (NOW - dt.timedelta(hours=3)).isoformat()})


@pytest.mark.parametrize(
    ("change", "ko", "en"),
    [
        (Change("new", FAILED), ["🚨 새 알림", "서울 2026-02-14", "❌ 실패", "수집 10/12 · 실패 2"],
         ["🚨 New", "Seoul 2026-02-14", "❌ failed", "Collected 10/12 · 2 failed"]),
        (Change("worse", FAILED, Item("failed", TODAY, 1, worse=1)), ["📈 악화", "실패 경주 1 → 2"],
         ["📈 Worse", "failed races 1 → 2"]),
        (Change("resolved", FAILED), ["✅ 해결", "서울 2026-02-14", "❌ 실패"],
         ["✅ Resolved", "Seoul 2026-02-14", "❌ failed"]),
        (Change("new", FAILED, STALLED), ["이전: ⏳ 정체"], ["was: ⏳ stalled"]),
        (Change("new", STALLED), ["⏳ 정체", "마지막 갱신 2시간 전"],
         ["⏳ stalled", "last update 2 h ago"]),
        (Change("new", STUCK), ["🧊 멈춘 작업", "작업 job-<b>*x*</b> (부산경남 2026-02-14)",
                                "3시간 전 시작"],
         ["🧊 stuck job", "job job-<b>*x*</b> (Busan-Gyeongnam 2026-02-14)", "started 3 h ago"]),
        (Change("db_down", DOWN), ["🔴 DB 사용 불가", "refused"], ["🔴 Database unusable"]),
        (Change("db_up", DOWN), ["🟢 DB 복구"], ["🟢 Database back"]),
    ],
)
def test_message_text_in_both_languages(change, ko, en):
    for lang, words in (("ko", ko), ("en", en)):
        text = message_text(change, lang, now=NOW)
        for word in words:
            assert word in text, (lang, word, text)
    assert message_text(change, "ko", now=NOW) != message_text(change, "en", now=NOW)


def test_payloads_carry_plain_text_and_the_deep_link():
    change = Change("new", STUCK, detected_at=NOW.isoformat(), id="abc123")
    slack = slack_payload(change, "en", base="https://dash.example.com/", now=NOW)
    assert slack["mrkdwn"] is False
    assert "&lt;b&gt;" in slack["text"] and "<b>" not in slack["text"]
    assert slack["blocks"][0]["text"]["type"] == "plain_text"
    assert "<b>" in slack["blocks"][0]["text"]["text"]  # plain text: shown as typed
    button = slack["blocks"][-1]["elements"][0]
    assert button["url"] == "https://dash.example.com/race?date=20260214&meet=3"
    body = json_payload(change, "ko", base=None, now=NOW)
    assert (body["id"], body["change"], body["kind"], body["meet"], body["job_id"],
            body["link"], body["detected_at"]) == (
        "abc123", "new", "stuck_job", 3, "job-<b>*x*</b>", None, "2026-02-14T15:00:00+09:00")
    assert link(DOWN, "http://d") == "http://d/check"
    assert link(Item("missing", "2026-02", 1), "http://d") is None  # not a date: no link
