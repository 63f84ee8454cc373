"""AppTest of the race detail page (pages/1_race.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from status_core import attention, demo
from status_core.engine import make_engine, read
from status_core.queries import collection_status, jobs_frame, races_frame
from status_core.settings import parse_url
from tests.apptest_support import (
    app,
    metrics,
    ok,
    table,
)
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


def assert_summary(at: AppTest, status: dict, lang: str = "ko") -> None:
    shown = metrics(at)
    labels = {"ko": ("전체 경주", "수집", "보강"), "en": ("Total races", "Collected", "Enriched")}
    total, collected, enriched = labels[lang]
    assert shown[total] == str(status["total_races"])
    assert shown[collected] == str(status["collected_races"])
    assert shown[enriched] == str(status["enriched_races"])
    assert any(status["status"] in v or v.endswith(
        {"completed": "완료", "running": "진행 중", "pending": "대기", "failed": "실패"}[
            status["status"]]) for v in shown.values())


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
    # the default follows the data: no date in the URL
    assert "date" not in at.query_params


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
    assert "date" not in at.query_params


def test_day_without_races(demo_file: Path, facts: dict) -> None:
    date, meet = facts["missing_days"][0]
    at = ok(page(date=date, meet=str(meet), lang="en").run())
    assert any("No races are stored" in i.value for i in at.info)
    assert metrics(at)["Total races"] == "0"


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
