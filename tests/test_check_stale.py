"""The DB check's data step on a database the collector stopped writing to: a warning
that says when the newest write was, in the core, the CLI and the page (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from status_core.diagnose import diagnose, format_text
from status_core.domain import format_age, format_time
from tests.apptest_support import app, ok
from tests.cli_support import run_cli
from tests.rows import make_job, make_race

pytestmark = pytest.mark.postgres
NOW = dt.datetime.now(dt.UTC)
DAY = "20260214"


def ago(**delta: float) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


def load(pg_db, race_updated: dt.datetime, job_created: dt.datetime | None) -> None:  # noqa: ANN001
    races = [make_race(DAY, 1, n, collection_status="collected", updated_at=race_updated)
             for n in (1, 2)]
    jobs = [] if job_created is None else [
        make_job("job-1", status="completed", created_at=job_created,
                 parameters={"race_date": DAY, "meet": 1})]
    pg_db.load(races, jobs)


@pytest.mark.parametrize(("race_updated", "job_created", "env", "kwargs", "stale", "newest"), [
    (ago(days=289), ago(days=290), {}, {}, True, "race"),
    (ago(days=289), None, {}, {}, True, "race"),
    (ago(days=289), ago(minutes=5), {}, {}, False, "job"),  # the newest write is the job
    (ago(minutes=1), ago(days=3), {}, {}, False, "race"),
    (ago(minutes=20), None, {"KRA_STALLED_MINUTES": "10"}, {}, True, "race"),
    (ago(minutes=20), None, {"KRA_STALLED_MINUTES": "30"}, {}, False, "race"),
    (ago(minutes=20), None, {}, {"stale_minutes": 15}, True, "race"),
    (ago(days=289), None, {}, {"stale_minutes": 10080}, True, "race"),
], ids=["289-days", "289-days-no-jobs", "fresh-job", "fresh-race", "setting-10-min",
        "setting-30-min", "argument-15-min", "a-week"])
def test_data_step_warns_when_the_newest_write_is_older_than_the_threshold(
        pg_db, isolated_env, monkeypatch, race_updated, job_created, env, kwargs, stale,  # noqa: ANN001
        newest) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    load(pg_db, race_updated, job_created)
    diagnosis = diagnose(pg_db.reader_url, timeout=10, **kwargs)
    step = diagnosis.step("data")
    summary = format_text(diagnosis, "en")
    assert step.outcome == ("warn" if stale else "ok"), summary
    assert diagnosis.ok and diagnosis.exit_code == 0, summary  # a warning, never a failure
    expected = race_updated if newest == "race" else job_created
    assert abs((step.facts["newest_write"] - expected).total_seconds()) < 1
    assert step.facts["stale"] is stale
    assert step.facts["stale_setting"] == "KRA_STALLED_MINUTES"
    when_en, when_ko = (f"{format_time(expected, lang)} KST" for lang in ("en", "ko"))
    said = "longer ago than the stalled threshold" in step.detail
    assert said is stale
    if stale:
        age = (dt.datetime.now(dt.UTC) - expected).total_seconds()
        assert when_en in step.detail and when_ko in step.detail_ko
        assert format_age(age, "en") in step.detail and format_age(age, "ko") in step.detail_ko
        assert "KRA_STALLED_MINUTES" in step.hint_en and "KRA_STALLED_MINUTES" in step.hint_ko


def test_cli_check_json_warns_on_a_stale_database(pg_db, isolated_env) -> None:  # noqa: ANN001
    load(pg_db, ago(days=289), ago(days=290))
    done = run_cli("check", "--json", "--timeout", "10",
                   env={"DATABASE_URL": pg_db.reader_url})
    assert done.returncode == 0, done.stderr  # usable: a warning is no failure
    payload = json.loads(done.stdout)
    data = next(s for s in payload["steps"] if s["name"] == "data")
    assert data["outcome"] == "warn"
    assert data["facts"]["stale"] is True
    assert data["facts"]["stale_after_minutes"] == 30
    assert data["facts"]["newest_write_age_s"] // 86400 == 289
    assert "289 days ago" in data["detail"] and "289일 전" in data["detail_ko"]
    assert payload["ok"] is True and payload["cause"] == "ok"


@pytest.mark.parametrize(("lang", "needle"), [("ko", "289일 전"), ("en", "289 days ago")])
def test_check_page_shows_the_data_step_as_a_warning(pg_db, isolated_env, monkeypatch,  # noqa: ANN001
                                                     lang: str, needle: str) -> None:
    load(pg_db, ago(days=289), None)
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    at = ok(app("check", lang=lang).run(timeout=60))
    at.button(key="check.run").click()
    ok(at.run(timeout=60))
    title = {"ko": "데이터", "en": "Data"}[lang]
    lines = [m.value for m in at.markdown if f"**{title}" in m.value]
    assert lines and lines[0].startswith("⚠"), lines
    assert any(needle in c.value for c in at.caption)
    assert at.warning and not at.error
