"""AppTest of the race detail page (pages/1_race.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from status_core import attention, demo
from status_core.domain import format_time
from status_core.engine import make_engine, read
from status_core.queries import collection_status, jobs_frame, races_frame
from status_core.settings import parse_url
from status_core.states import STAGE_WORDS, stage_state_label
from status_core.text import t
from status_core.timestamps import kst_iso
from tests.apptest_support import (
    app,
    metrics,
    ok,
    table,
    texts,
    walk,
)
from tests.cli_support import run_cli
from tests.pgcluster import free_port
from tests.rows import write_sqlite
from ui.common import status_badge

pytestmark = pytest.mark.usefixtures("fresh_caches")
ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/1_race.py"
UTC = dt.UTC


def page(**params: object) -> AppTest:
    """This page opened directly (a deep link on the first visit)."""
    return app(PAGE, **params)


@pytest.fixture
def facts(demo_file: Path) -> dict:
    meta = demo.read_demo_meta(demo_file)
    return demo.generate(int(meta["seed"]), now=demo.parse_ts(meta["generated_now"])).facts


def expected(path: Path, date: str, meet: int) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    engine = make_engine(parse_url(f"sqlite:///{path}"))
    try:
        with read(engine) as conn:
            return (collection_status(conn, date, meet), races_frame(conn, date, meet),
                    jobs_frame(conn, race_date=date, meet=meet))
    finally:
        engine.dispose()


def api_block(at: AppTest) -> dict:
    """The collector API's values as the page's labelled block shows them (JSON)."""
    assert len(at.json) == 1
    return json.loads(at.json[0].value)


def assert_summary(at: AppTest, status: dict, lang: str = "ko") -> None:
    """The API block holds the collector's values exactly; the headline counts x/N."""
    assert api_block(at) == {**status, "last_updated": kst_iso(status["last_updated"])}
    shown = metrics(at)
    total = status["total_races"]
    assert shown[STAGE_WORDS["collection"][lang]].startswith(
        f"{status['collected_races']}/{total}")
    assert shown[STAGE_WORDS["enrichment"][lang]].startswith(
        f"{status['enriched_races']}/{total}")


# --------------------------------------------------------------------------- demo


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_default_is_latest_race_day(demo_file: Path, facts: dict, lang: str) -> None:
    at = ok(page(**({"lang": lang} if lang == "en" else {})).run())
    date, meet = facts["running_day"]
    assert at.date_input(key="w_day").value == attention.to_date(date)
    assert at.selectbox(key="w_day_meet").value == meet
    status, races, _ = expected(demo_file, date, meet)
    assert_summary(at, status, lang)
    got = table(at, "race_number")
    assert list(got["race_number"]) == list(races["race_number"])
    assert list(got["collection_status_badge"]) == [
        status_badge(s, lang) for s in races["collection_status"]]
    assert list(got["warning_count"]) == list(races["warning_count"])
    # the latest day is written to the URL, so a reload or a link shows this day tomorrow
    assert (at.query_params["date"], at.query_params["meet"]) == (date, str(meet))


def test_deep_link_selects_day_and_summary_matches_core(demo_file: Path, facts: dict) -> None:
    date, meet = facts["failed_day"]
    at = ok(page(date=date, meet=str(meet)).run())
    assert at.query_params["date"] == date and at.query_params["meet"] == str(meet)
    status, races, jobs = expected(demo_file, date, meet)
    assert status["status"] == "failed"
    assert_summary(at, status)
    got = table(at, "race_number")
    assert (got["flag"] == "❌").all() and len(got) == len(races)
    # failed races are listed, as one table, with their warnings, readable
    warnings = {w for ws in races["warnings"] for w in ws}
    flagged = table(at, "states")
    assert list(flagged["race_number"]) == list(races["race_number"])
    assert warnings and warnings <= {w for ws in flagged["warnings"] for w in ws}
    assert "실패한 경주와 경고" in "\n".join(e.label for e in at.expander)
    if not jobs.empty:
        assert set(table(at, "error_message")["job_id"]) == set(jobs["job_id"])


def test_jobs_of_the_day_are_those_naming_it(demo_file: Path, facts: dict) -> None:
    date, meet = facts["running_day"]
    at = ok(page(date=date, meet=str(meet)).run())
    _, _, jobs = expected(demo_file, date, meet)
    assert not jobs.empty
    assert list(table(at, "error_message")["job_id"]) == list(jobs["job_id"])


def test_changing_pickers_changes_view_and_url(demo_file: Path, facts: dict) -> None:
    date, meet = facts["stalled_day"]
    at = ok(page().run())
    at.date_input(key="w_day").set_value(attention.to_date(date))
    at.selectbox(key="w_day_meet").set_value(meet)
    ok(at.run())
    assert at.query_params["date"] == date and at.query_params["meet"] == str(meet)
    status, races, _ = expected(demo_file, date, meet)
    assert_summary(at, status)
    assert len(table(at, "race_number")) == len(races)


@pytest.mark.parametrize(
    ("params", "needle"),
    [({"date": "20260230", "meet": "1"}, "20260230"), ({"date": "20260214", "meet": "4"},
                                                       "meet '4'"),
     ({"meet": "1"}, "needs a date")],
)
def test_invalid_params_warn_and_fall_back(demo_file: Path, facts: dict, params: dict,
                                           needle: str) -> None:
    at = ok(page(**params).run())
    assert needle in " ".join(w.value for w in at.warning)
    date, meet = facts["running_day"]
    assert at.date_input(key="w_day").value == attention.to_date(date)
    assert (at.query_params["date"], at.query_params["meet"]) == (date, str(meet))


def test_day_without_races(demo_file: Path, facts: dict) -> None:
    date, meet = facts["missing_days"][0]
    at = ok(page(date=date, meet=str(meet), lang="en").run())
    assert any("No races are stored" in i.value for i in at.info)
    assert api_block(at)["total_races"] == 0 and api_block(at)["status"] == "pending"


# --------------------------------------------------------------------------- built data


def test_failed_race_highlighted_and_job_error_shown(db_path: Path) -> None:
    now = dt.datetime.now(UTC)
    races = [demo.race_row("20260214", 1, 1),
             demo.race_row("20260214", 1, 2, collection="failed", enrichment="pending",
                           result="pending", warnings=["KRA API timeout after 3 retries"])]
    jobs = [demo.job_row("job-1", status="failed", race_date="20260214", meet=1,
                         created_at=now - dt.timedelta(hours=1),
                         started_at=now - dt.timedelta(hours=1),
                         completed_at=now - dt.timedelta(minutes=50),
                         error_message="429 Too Many Requests"),
            demo.job_row("job-other", race_date="20260214", meet=3, created_at=now)]
    write_sqlite(db_path, races, jobs)
    at = ok(page(date="20260214", meet="1").run())
    got = table(at, "race_number")
    assert list(got["flag"]) == ["", "❌"]
    flagged = table(at, "states")
    assert list(flagged["race_number"]) == [2] and list(flagged["flag"]) == ["❌"]
    assert list(flagged["warnings"].iloc[0]) == ["KRA API timeout after 3 retries"]
    # its cause next to it: the stage and the error of the whole-day job of its meet
    assert list(flagged["failed_stage"]) == ["수집 실패"]
    assert list(flagged["cause_error"]) == ["429 Too Many Requests"]
    assert list(flagged["cause_job"]) == ["job-1"]
    shown_jobs = table(at, "error_message")
    assert list(shown_jobs["job_id"]) == ["job-1"]
    assert shown_jobs["error_message"].iloc[0] == "429 Too Many Requests"


def test_empty_database(db_path: Path) -> None:
    write_sqlite(db_path)
    at = ok(page().run())
    assert any("경주가 없어" in i.value for i in at.info)


def test_unreachable_database(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://u:p@127.0.0.1:{free_port()}/db")
    at = ok(page(date="20260214", meet="1").run())
    assert at.error


def test_legacy_schema(db_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE races (id TEXT, date TEXT, meet INT, race_no INT, "
                             "status TEXT)")
    engine.dispose()
    at = ok(page(lang="en").run())
    assert at.error and "legacy" in " ".join(e.value for e in at.error)


# --------------------------------------------------------------------------- honest, on PostgreSQL

#: The issue's race day: 20260214 서울, 12 races, 10 collected, 8 enriched, 2 enrichment
#: failures (races 9 and 10), 5 results.
ISSUE_DAY = "20260214"
LONG_ERROR = "KRA API 429 Too Many Requests: " + "retry budget exhausted; " * 30
#: The labels that call a stage done (the badges of the collector's coarse values).
PARTIAL_WORDS = ("보강됨", "수집됨", "✅ 완료", "✅ enriched", "🟢 collected", "✅ done",
                 "✅ completed")


def issue_rows() -> tuple[list[dict], list[dict]]:
    def race(n: int) -> dict:
        if n <= 8:
            return demo.race_row(ISSUE_DAY, 1, n, collection="collected",
                                 enrichment="enriched",
                                 result="collected" if n <= 5 else "pending", warnings=[])
        if n <= 10:
            return demo.race_row(ISSUE_DAY, 1, n, collection="collected", enrichment="failed",
                                 result="pending",
                                 warnings=["경주마 정보 API 응답 없음"] if n == 9 else [])
        return demo.race_row(ISSUE_DAY, 1, n, collection="pending", enrichment="pending",
                             result="pending", warnings=[])

    at = lambda h, m=0: dt.datetime(2026, 2, 13, 0, 0, tzinfo=UTC) + dt.timedelta(  # noqa: E731
        hours=h, minutes=m)
    jobs = [
        demo.job_row("job-collect", type="collection", race_date=ISSUE_DAY, meet=1,
                     created_at=at(10)),  # whole day, no error
        demo.job_row("job-enrich-old", type="enrichment", status="failed", race_date=ISSUE_DAY,
                     meet=1, race_numbers=[9], created_at=at(20), error_message="older error"),
        demo.job_row("job-enrich", type="enrichment", status="failed", race_date=ISSUE_DAY,
                     meet=1, race_numbers=[9, 10], created_at=at(29), started_at=at(29, 1),
                     completed_at=at(29, 12), error_message=LONG_ERROR),
        demo.job_row("job-busan", type="enrichment", status="failed", race_date=ISSUE_DAY,
                     meet=3, created_at=at(30), error_message="busan error"),
    ]
    return [race(n) for n in range(1, 13)], jobs


@pytest.fixture
def issue_day(pg_db, isolated_env: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    races, jobs = issue_rows()
    pg_db.load(races, jobs)
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    return pg_db


@pytest.mark.postgres
@pytest.mark.parametrize(("lang", "headline"), [
    ("ko", {"상태": "❌ 실패", "수집": "10/12", "보강": "8/12 · 실패 2", "결과": "5/12"}),
    ("en", {"State": "❌ failed", "Collected": "10/12", "Enriched": "8/12 · 2 failed",
            "Results": "5/12"}),
])
def test_issue_day_shows_honest_counts_and_each_failed_races_cause(issue_day, lang: str,
                                                                   headline: dict) -> None:
    at = ok(page(date=ISSUE_DAY, meet="1", **({"lang": "en"} if lang == "en" else {})).run())
    shown = metrics(at)
    assert {k: shown[k] for k in headline} == headline
    stage_captions = [c.value for c in at.caption if c.value.startswith(("◐", "❌", "✅", "⏸️"))]
    assert stage_captions == [stage_state_label(s, lang) for s in ("partial", "failed",
                                                                   "partial")]
    # no bare "done" word for a partial stage in any text or headline of the page
    words = texts(at) + "\n".join(shown.values())
    assert not [w for w in PARTIAL_WORDS if w in words]
    # one table, each failed race with its stage, warnings and the latest covering error
    flagged = table(at, "cause_error")
    assert list(flagged["race_number"]) == [9, 10]
    assert list(flagged["failed_stage"]) == [t("race.failed_at.enrichment", lang)] * 2
    assert [list(w) for w in flagged["warnings"]] == [["경주마 정보 API 응답 없음"], []]
    assert list(flagged["cause_job"]) == ["job-enrich", "job-enrich"]
    completed = dt.datetime(2026, 2, 14, 5, 12, tzinfo=UTC)
    assert list(flagged["cause_time"]) == [format_time(completed, lang)] * 2
    day = "(토)" if lang == "ko" else "(Sat)"
    assert flagged["cause_time"].iloc[0] == f"2026-02-14 {day} 14:12"  # not today: dated
    preview = flagged["cause_error"].iloc[0]
    assert preview.startswith("KRA API 429") and preview.endswith("…")
    assert len(preview) < len(LONG_ERROR)
    # the whole error on demand
    at.selectbox(key="race_detail").set_value(0)
    ok(at.run())
    assert LONG_ERROR in [c.value for c in at.code]


@pytest.mark.postgres
def test_issue_day_api_block_equals_the_core_and_the_cli(issue_day) -> None:  # noqa: ANN001
    at = ok(page(date=ISSUE_DAY, meet="1").run())
    target = parse_url(issue_day.reader_url)
    engine = make_engine(target)
    try:
        with read(engine, target) as conn:
            status = collection_status(conn, ISSUE_DAY, 1)
    finally:
        engine.dispose()
    assert (status["status"], status["enrichment_status"]) == ("running", "enriched")
    shown = api_block(at)
    assert shown == {**status, "last_updated": kst_iso(status["last_updated"])}
    done = run_cli("status", "--date", ISSUE_DAY, "--meet", "1", "--json",
                   env={"DATABASE_URL": issue_day.reader_url})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == shown
    # the values sit in one block with the API's title, apart from the honest headline
    title = f"**{t('race.summary', 'ko')}**"
    blocks = [list(walk(node)) for node in walk(at._tree)
              if isinstance(getattr(node, "children", None), dict) and node is not at._tree]
    block = [b for b in blocks if any(getattr(e, "type", None) == "json" for e in b)
             and not any(getattr(e, "type", None) == "metric" for e in b)]
    assert block and any(getattr(e, "type", None) == "markdown" and e.value == title
                         for e in block[-1] if hasattr(e, "value"))
