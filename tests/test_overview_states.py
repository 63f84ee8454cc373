"""The overview on PostgreSQL data built for it: honest states and x/N everywhere (never a
"done" word for partial work), the latest race day's cards first, the collector-silence
banner, the attention list one row per race day, and a clicked row opening the race day."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from status_core.domain import KST, format_date
from tests.apptest_support import app, ok, table, walk
from tests.rows import kst_today, make_job, make_race, ymd

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("fresh_caches")]
UTC = dt.UTC
ISSUE_DAY = "20260214"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Words a partial or failed day must never wear (the collector API's coarse values).
DONE_WORDS = ("보강됨", "✅ 완료", "수집됨", "enriched", "✅ done", "completed")


def issue_day(date: str, meet: int = 1, *, updated: dt.datetime | None = None) -> list[dict]:
    """The issue's day: 12 races, 10 collected, 8 enriched, 2 enrichment failures, 5
    results (the collector API calls it ``running`` / ``enriched`` / ``collected``)."""
    updated = updated or dt.datetime(2026, 2, 14, 9, 0, tzinfo=UTC)
    rows = []
    for n in range(1, 13):
        collection = "collected" if n <= 10 else "pending"
        enrichment = "enriched" if n <= 8 else "failed" if n <= 10 else "pending"
        result = "collected" if n <= 5 else "pending"
        rows.append(make_race(date, meet, n, collection_status=collection,
                              enrichment_status=enrichment, result_status=result,
                              updated_at=updated - dt.timedelta(minutes=12 - n)))
    return rows


def stuck_job(job_id: str, date: str, meet: int, hours: float = 3) -> dict:
    began = dt.datetime.now(UTC) - dt.timedelta(hours=hours)
    return make_job(job_id, status="processing", created_at=began, started_at=began,
                    parameters={"race_date": date, "meet": meet})


@pytest.fixture
def pg_app(isolated_env: Path, pg_db, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    """``pg_app(races, jobs, **env)``: the rows loaded into a fresh PostgreSQL database the
    dashboard reads as the reader role, with ``env`` (``KRA_*``) set."""
    def load(races: list[dict], jobs: list[dict] = (), **env: str) -> None:
        pg_db.load(races, list(jobs))
        monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
        for name, value in env.items():
            monkeypatch.setenv(name, value)

    return load


def only(meet_days: dict[int, str]) -> str:
    """``KRA_USUAL_WEEKDAYS`` with the given weekday per meet and none for the others."""
    return ";".join(f"{m}={meet_days.get(m, '')}" for m in (1, 2, 3))


def chart_rows(at: AppTest, field: str) -> pd.DataFrame:
    """The rows a chart draws (its dataset, as the browser gets it): the first chart whose
    spec names ``field`` (``icon`` the calendar, ``stage_label`` the stage chart)."""
    for chart in at.get("vega_lite_chart"):
        if f'"{field}"' in chart.proto.spec:
            return dataframe_util.convert_arrow_bytes_to_pandas_df(
                chart.proto.datasets[0].data.data)
    raise AssertionError(f"no chart with {field}")


def order_of(at: AppTest) -> list[str]:
    """The main area's text elements in page order (subheaders, markdown, badges)."""
    out = []
    for node in walk(at.main):
        if getattr(node, "type", None) in ("subheader", "markdown", "caption", "warning"):
            out.append(str(node.value))
    return out


# --------------------------------------------------------------------------- the issue's day


@pytest.mark.parametrize(
    ("lang", "failed", "enriched", "collected", "results"),
    [
        ("ko", "❌ 실패", "8/12 · 실패 2", "10/12", "5/12"),
        ("en", "❌ failed", "8/12 · 2 failed", "10/12", "5/12"),
    ],
)
def test_issue_day_is_failed_with_x_of_n_everywhere(pg_app, lang, failed, enriched, collected,
                                                    results) -> None:  # noqa: ANN001
    pg_app(issue_day(ISSUE_DAY))
    query = {"start": ISSUE_DAY, "end": ISSUE_DAY, "meet": "1"} | (
        {"lang": "en"} if lang == "en" else {})
    at = ok(app(query=query).run())
    row = table(at, "collected_pct").iloc[0]
    assert (row["state"], row["state_label"]) == ("failed", failed)
    assert (row["collection_text"], row["enrichment_text"], row["result_text"]) == (
        collected, enriched, results)
    attention = table(at, "kinds")
    assert list(attention["kinds"]) == ["failed"]
    assert attention.iloc[0]["enrichment_text"] == enriched
    assert attention.iloc[0]["link"] == f"race?date={ISSUE_DAY}&meet=1" + (
        "&lang=en" if lang == "en" else "")
    cal = chart_rows(at, "icon")
    assert list(cal["state"]) == ["failed"] and list(cal["state_label"]) == [failed]
    assert list(cal["enrichment_text"]) == [enriched]
    # Nowhere a "done" word for it: not in a table cell, a calendar cell or a card (the
    # cards show this day: nothing is stored since)
    assert f"{ISSUE_DAY[:4]}-{ISSUE_DAY[4:6]}-{ISSUE_DAY[6:]}" in at.subheader[0].value
    cells = [str(v) for frame in (row.to_frame().T, attention, cal) for v in frame.to_numpy().ravel()]
    shown = cells + [m.value for m in at.markdown]
    assert enriched in " ".join(shown)
    for word in DONE_WORDS:
        assert not [text for text in shown if word in text], word


def test_collector_api_values_stay_out_of_the_overview_table(pg_app) -> None:  # noqa: ANN001
    pg_app(issue_day(ISSUE_DAY))
    at = ok(app(start=ISSUE_DAY, end=ISSUE_DAY, meet="1").run())
    got = table(at, "collected_pct")
    assert not {"status", "collection_status", "enrichment_status", "result_status",
                "status_badge"} & set(got.columns)
    # the stage chart draws the two enrichment failures as such, not as collection failures
    stages = chart_rows(at, "stage_label")
    races = dict(zip(stages["stage"], stages["races"], strict=True))
    assert races == {"enriched": 8, "enrichment_failed": 2, "collected": 0,
                     "collection_failed": 0, "pending": 2}
    assert "보강 실패" in set(stages["stage_label"])


# --------------------------------------------------------------------------- first screen


def test_latest_day_cards_come_first(pg_app) -> None:  # noqa: ANN001
    day = kst_today() - dt.timedelta(days=2)
    updated = dt.datetime.combine(day, dt.time(18), KST).astimezone(UTC)
    pg_app(issue_day(ymd(day), updated=updated), [stuck_job("j-1", ymd(day), 1)],
           KRA_USUAL_WEEKDAYS=only({1: WEEKDAYS[day.weekday()], 3: WEEKDAYS[day.weekday()]}))
    at = ok(app().run())
    order = order_of(at)
    heading = f"최근 경주일 {format_date(day, 'ko')}"
    assert at.subheader[0].value == heading
    first = order.index(heading)
    assert first < order.index("확인 필요") and first < order.index("날짜 × 경마장별 진행 현황")
    card = order[first:order.index("확인 필요")]
    # Seoul: failed, each stage x/N with its failures (one line each), the stuck job;
    # Busan-Gyeongnam usually races that day and has nothing: a missing race day, never
    # "done"
    lines = [line.strip() for text in card for line in text.split("  \n")]
    assert ":red-badge[❌ 실패]" in "\n".join(card)
    assert "◐ 수집 10/12" in lines and "❌ 보강 8/12 · 실패 2" in lines and "◐ 결과 5/12" in lines
    assert "실패 경주 2" in lines and "🧊 멈춘 작업 1" in lines
    assert ":violet-badge[📭 경주일 누락]" in "\n".join(card) and "저장된 경주 없음" in lines
    assert not any(word in line for line in card for word in DONE_WORDS)
    assert metrics_after_cards(at)


def metrics_after_cards(at: AppTest) -> bool:
    """The headline metrics are drawn after the cards' heading."""
    kinds = [getattr(n, "type", None) for n in walk(at.main)]
    subheaders = [i for i, k in enumerate(kinds) if k == "subheader"]
    return subheaders[0] < kinds.index("metric")


@pytest.mark.parametrize(
    ("minutes_ago", "usual_today", "banner"),
    [
        (180, True, True),      # a race day, silent for 3 hours: say so
        (5, True, False),       # writing: no banner
        (180, False, False),    # silent, but no race today: no banner
    ],
)
def test_silence_banner_on_a_usual_race_day(pg_app, minutes_ago, usual_today,
                                            banner) -> None:  # noqa: ANN001
    today = kst_today()
    last = dt.datetime.now(UTC) - dt.timedelta(minutes=minutes_ago)
    weekday = WEEKDAYS[today.weekday()] if usual_today else WEEKDAYS[(today.weekday() + 3) % 7]
    pg_app(issue_day(ymd(today - dt.timedelta(days=3)), updated=last),
           [make_job("old", status="completed", created_at=last)],
           KRA_USUAL_WEEKDAYS=only({1: weekday}), KRA_STALLED_MINUTES="30")
    at = ok(app().run())
    warnings = [w.value for w in at.warning]
    silent = [w for w in warnings if "아무것도 기록하지 않았습니다" in w]
    assert bool(silent) is banner
    if banner:
        assert "3시간 전" in silent[0] and "30분" in silent[0]
        assert order_of(at).index(silent[0]) < order_of(at).index("확인 필요")
    assert any("수집기의 마지막 기록" in c.value for c in at.caption)


def test_today_on_a_race_day_shows_today(pg_app) -> None:  # noqa: ANN001
    today = kst_today()
    weekday = WEEKDAYS[today.weekday()]
    pg_app(issue_day(ymd(today - dt.timedelta(days=7))),
           KRA_USUAL_WEEKDAYS=only({1: weekday, 2: weekday}))
    at = ok(app(lang="en").run())
    assert at.subheader[0].value == f"Today's race day {format_date(today, 'en')}"
    # nothing stored yet today: not started, not "missing" and not done
    badges = [b for m in at.markdown for b in re.findall(r":\w+-badge\[[^\]]*\]", m.value)]
    assert badges == [":gray-badge[⏸️ not started]"] * 2


# --------------------------------------------------------------------------- attention


def test_attention_rows_joined_and_ordered(pg_app) -> None:  # noqa: ANN001
    today = kst_today()
    yesterday = today - dt.timedelta(days=1)
    now = dt.datetime.now(UTC)
    never = [make_race(ymd(yesterday), 3, n, updated_at=now - dt.timedelta(hours=5))
             for n in range(1, 10)]                                    # 0/9 collected
    stalled = [make_race(ymd(today), 2, n, collection_status="collected",
                         updated_at=now - dt.timedelta(hours=2)) for n in range(1, 5)]
    pg_app(issue_day(ISSUE_DAY) + never + stalled,
           [stuck_job("s-1", ymd(yesterday), 3), stuck_job("s-2", ymd(yesterday), 3, 5)],
           KRA_USUAL_WEEKDAYS=only({}))
    at = ok(app(start=ISSUE_DAY, end=ymd(today)).run())
    rows = table(at, "kinds")
    assert list(zip(rows["kinds"], rows["date"], strict=True)) == [
        ("failed", format_date(ISSUE_DAY)),
        ("not_started,stuck_job", format_date(yesterday)),
        ("stalled", format_date(today)),
    ]
    assert list(rows["kinds_label"]) == ["❌ 실패", "⏸️ 시작 안 됨 · 🧊 멈춘 작업", "⏳ 정체"]
    assert list(rows["stuck_jobs"]) == [0, 2, 0]
    assert rows.iloc[1]["collection_text"] == "0/9"
    assert list(rows["link"]) == [f"race?date={ISSUE_DAY}&meet=1",
                                  f"race?date={ymd(yesterday)}&meet=3",
                                  f"race?date={ymd(today)}&meet=2"]


# --------------------------------------------------------------------------- drill-down


@pytest.mark.parametrize(
    ("key", "selection", "opens"),
    [
        ("progress_table", {"rows": [0], "columns": [], "cells": []}, True),
        ("attention_table", {"rows": [0], "columns": [], "cells": []}, True),
        ("calendar_chart", {"cell": [{"date": ISSUE_DAY, "meet": 1}]}, True),
        ("progress_chart", {"bar": [{"date": ISSUE_DAY, "meet": 1}]}, True),
        # what the browser sends is checked: a row or a cell that is not shown opens nothing
        ("progress_table", {"rows": [7], "columns": [], "cells": []}, False),
        ("calendar_chart", {"cell": [{"date": "20990101", "meet": 1}]}, False),
        ("calendar_chart", {"cell": [{"date": ISSUE_DAY, "meet": "x"}]}, False),
    ],
)
def test_selection_opens_its_race_day(pg_app, key, selection, opens) -> None:  # noqa: ANN001
    pg_app(issue_day(ISSUE_DAY))
    at = ok(app(start=ISSUE_DAY, end=ISSUE_DAY, meet="1").run())
    at.session_state[key] = {"selection": selection}
    ok(at.run())
    if opens:
        assert at.title[0].value == "🏇 경주 상세"
        assert (at.query_params["date"], at.query_params["meet"]) == (ISSUE_DAY, "1")
    else:
        assert at.title[0].value == "KRA 수집 현황"
        assert at.query_params["start"] == ISSUE_DAY and "date" not in at.query_params
