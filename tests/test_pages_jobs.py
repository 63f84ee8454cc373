"""AppTest of the jobs page (pages/2_jobs.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qsl

import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from status_core import attention, demo
from status_core.domain import KST, format_date
from status_core.queries import job_status_counts, jobs_frame
from status_core.text import t
from tests.apptest_support import (
    app,
    core,
    ok,
    texts,
    walk,
)
from tests.apptest_support import find_table as table
from tests.pgcluster import free_port
from tests.rows import make_job, write_sqlite

pytestmark = pytest.mark.usefixtures("fresh_caches")
ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/2_jobs.py"
UTC = dt.UTC


def page(**params: object) -> AppTest:
    """This page opened directly (a deep link on the first visit)."""
    return app(PAGE, **params)


def recent(at: AppTest) -> pd.DataFrame | None:
    """The recent-jobs table (the stuck table has ``running_minutes``)."""
    return table(at, "created_at", not_column="running_minutes")


def ago(minutes: float) -> dt.datetime:
    return dt.datetime.now(UTC) - dt.timedelta(minutes=minutes)


# --------------------------------------------------------------------------- demo


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_demo_counts_equal_the_core_and_legacy_is_labelled(demo_file: Path, lang: str) -> None:
    at = ok(page(**({"lang": lang} if lang == "en" else {})).run())
    counts = core(demo_file, job_status_counts)
    shown = {m.label: m.value for m in at.metric}
    legacy = "구버전" if lang == "ko" else "legacy"
    for status in attention.JOB_STATUSES:
        label = next(k for k in shown if k.split(" · ")[0] == t(f"job.{status}", lang))
        assert shown[label] == str(counts.get(status, 0))
        assert (legacy in label) is (status in ("running", "retrying"))


def test_demo_stuck_job_is_listed(demo_file: Path) -> None:
    meta = demo.read_demo_meta(demo_file)
    facts = demo.generate(int(meta["seed"]), now=demo.parse_ts(meta["generated_now"])).facts
    at = ok(page().run())
    stuck = table(at, "running_minutes")
    assert stuck is not None and facts["stuck_job_id"] in set(stuck["job_id"])
    assert (stuck["running_minutes"] > 60).all()


def test_demo_recent_jobs_and_errors_match_the_core(demo_file: Path) -> None:
    at = ok(page().run())
    start, end = attention.default_range()
    first, last = attention.day_window(start, end)
    jobs = core(demo_file, jobs_frame, since=first, limit=500)
    jobs = attention.filter_jobs(jobs, created_to=last)
    shown = recent(at)
    assert list(shown["job_id"]) == list(jobs["job_id"])
    groups = table(at, "pattern")
    errors = jobs["error_message"].notna().sum()
    if errors:
        assert groups["count"].sum() == errors
    assert any(c.value for c in at.caption if "KST" in c.value)


def test_filters_from_url(demo_file: Path) -> None:
    at = ok(page(type="collection", status=["failed", "completed"],
                 start="20200101", end=f"{attention.today_kst():%Y%m%d}").run())
    shown = recent(at)
    assert set(shown["type"]) == {t("jobtype.collection", "ko")}
    assert set(shown["status"]) <= {"failed", "completed"}
    assert at.multiselect(key="w_job_types").value == ["collection"]
    assert at.query_params["status"] == ["completed", "failed"]


def test_filter_widgets_change_url(demo_file: Path) -> None:
    at = ok(page().run())
    at.multiselect(key="w_job_statuses").set_value(["processing"])
    ok(at.run())
    assert at.query_params["status"] == "processing"
    shown = recent(at)
    assert shown is None or set(shown["status"]) <= {"processing"}


@pytest.mark.parametrize(("params", "needle"), [({"status": "done"}, "status 'done'"),
                                                ({"type": "cleanup"}, "type 'cleanup'"),
                                                ({"race_date": "2026-02-30"}, "race_date")])
def test_invalid_filters_warn(demo_file: Path, params: dict, needle: str) -> None:
    at = ok(page(**params).run())
    assert needle in " ".join(w.value for w in at.warning)
    for key in params:
        assert key not in at.query_params


# --------------------------------------------------------------------------- built data


def test_stuck_threshold_and_meet_filter(db_path: Path, monkeypatch) -> None:  # noqa: ANN001
    jobs = [
        demo.job_row("old-processing", status="processing", race_date="20260214", meet=1,
                     created_at=ago(95), started_at=ago(90), completed_at=None),
        demo.job_row("young-processing", status="processing", race_date="20260214", meet=3,
                     created_at=ago(31), started_at=ago(30), completed_at=None),
        demo.job_row("legacy-running", status="running", created_at=ago(200),
                     started_at=ago(200), completed_at=None),
        demo.job_row("done", status="completed", race_date="20260214", meet=1,
                     created_at=ago(300), started_at=ago(300), completed_at=ago(290),
                     error_message=None),
        demo.job_row("err-1", status="failed", meet=3, race_date="20260214",
                     created_at=ago(20), started_at=ago(20), completed_at=ago(19),
                     error_message="HTTP 503 after 30s for race 20260214_3_1"),
        demo.job_row("err-2", status="failed", meet=3, race_date="20260214",
                     created_at=ago(10), started_at=ago(10), completed_at=ago(9),
                     error_message="HTTP 503 after 12s for race 20260214_3_7"),
    ]
    write_sqlite(db_path, jobs=jobs)
    at = ok(page().run())
    assert set(table(at, "running_minutes")["job_id"]) == {"old-processing", "legacy-running"}
    groups = table(at, "pattern")
    assert list(groups["count"]) == [2] and groups["job_ids"].iloc[0] == "err-2, err-1"
    at = ok(page(meet="3").run())
    assert set(recent(at)["job_id"]) == {"young-processing", "err-1", "err-2"}
    st.cache_data.clear()
    monkeypatch.setenv("KRA_STUCK_MINUTES", "120")
    at = ok(page().run())
    assert set(table(at, "running_minutes")["job_id"]) == {"legacy-running"}


def test_no_jobs(db_path: Path) -> None:
    write_sqlite(db_path)
    at = ok(page(lang="en").run())
    assert any("No jobs match" in i.value for i in at.info)
    assert any("No stuck jobs" in s.value for s in at.success)


def test_unreachable_database(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://u:p@127.0.0.1:{free_port()}/db")
    at = ok(page().run())
    assert at.error


def test_legacy_schema(db_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE races (id TEXT, date TEXT, meet INT, race_no INT, "
                             "status TEXT)")
        conn.exec_driver_sql("CREATE TABLE collection_jobs (id TEXT, status TEXT)")
    engine.dispose()
    at = ok(page(lang="en").run())
    assert at.error and "legacy" in " ".join(e.value for e in at.error)


@pytest.mark.postgres
def test_postgres_jobs(isolated_env: Path, pg_db, monkeypatch) -> None:  # noqa: ANN001
    pg_db.load(jobs=[
        {"job_id": "pg-stuck", "type": "collection", "status": "processing",
         "created_at": ago(100), "started_at": ago(100), "parameters":
         {"race_date": "20260214", "meet": 1}},
        {"job_id": "pg-legacy", "type": "collection", "status": "retrying",
         "created_at": ago(5), "started_at": ago(5)},
    ])
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    at = ok(page().run())
    assert set(table(at, "running_minutes")["job_id"]) == {"pg-stuck"}
    assert set(recent(at)["job_id"]) == {"pg-stuck", "pg-legacy"}


# --------------------------------------------------------------------------- error groups and range

RANGE = {"start": "20260201", "end": "20260214"}


def kst(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.strptime(day, "%Y%m%d").replace(hour=hour, tzinfo=KST)


def range_job(job_id: str, day: str, status: str = "failed",
              error: str | None = "KRA API 500 upstream") -> dict:
    return make_job(job_id, status=status, created_at=kst(day), started_at=kst(day),
                    error_message=error if status == "failed" else None,
                    parameters={"race_date": day, "meet": 1})


@pytest.mark.postgres
@pytest.mark.parametrize(("jobs", "groups", "outside", "widened"), [
    # a failed job 289 days before the range's end, one after it, none inside
    ([range_job("ok-in", "20260210", "completed"), range_job("old-fail", "20250501"),
      range_job("late-fail", "20260301")], None, (2, "2025-05-01", "2026-03-01"),
     ("20250501", "20260301")),
    ([range_job("in-fail", "20260205"), range_job("old-fail", "20250501")],
     {"in-fail"}, (1, "2025-05-01", "2025-05-01"), ("20250501", "20260214")),
    ([range_job("in-fail", "20260205")], {"in-fail"}, None, None),
    ([range_job("ok-in", "20260210", "completed")], None, None, None),
], ids=["only-outside", "inside-and-outside", "only-inside", "none"])
def test_error_groups_say_their_range_and_the_failures_outside(
        isolated_env: Path, pg_db, monkeypatch, jobs, groups, outside, widened) -> None:  # noqa: ANN001
    pg_db.load(jobs=jobs)
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    at = ok(page(**RANGE).run())
    said = texts(at)
    assert "기간 2026-02-01 (일) ~ 2026-02-14 (토)의 실패 작업" in said
    found = table(at, "pattern")
    assert (found is None) is (groups is None)
    if groups is not None:
        assert {j for ids in found["job_ids"] for j in ids.split(", ")} == groups
    warned = [w.value for w in at.warning if "범위 밖에 실패 작업" in w.value]
    links = [n.proto for n in walk(at._tree) if getattr(n, "type", None) == "page_link"
             and n.proto.page == "jobs" and n.proto.icon == "↔️"]
    if not outside:
        assert not warned and not links
        if groups is None:
            assert any("오류가 없습니다" in s.value for s in at.success)
        return
    count, first, last = outside
    assert warned == [t("jobs.failed_outside", "ko", n=count, first=format_date(first),
                        last=format_date(last))]
    assert not any("오류가 없습니다" in s.value for s in at.success)  # never "no errors"
    (link,) = links
    query = dict(parse_qsl(link.query_string))
    assert (query["start"], query["end"]) == widened
    # the link's range shows them
    st.cache_data.clear()
    wide = ok(page(**query).run())
    shown = {j for ids in table(wide, "pattern")["job_ids"] for j in ids.split(", ")}
    assert {j["job_id"] for j in jobs if j["status"] == "failed"} <= shown
    assert not [w for w in wide.warning if "범위 밖에 실패 작업" in w.value]
