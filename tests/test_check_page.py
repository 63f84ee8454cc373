"""The DB check page driven with Streamlit's AppTest against a real PostgreSQL server.

The page runs as the multipage app runs it (``tests/apptest_support.app``: ``app.py`` is
the entry point and the test switches to the check page before the first run).
``DATABASE_URL`` goes in through the environment, as ``at.secrets`` does not reach our code.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_support import app, tree_text
from tests.check_support import DATE, MEET, load_day
from tests.pgcluster import NORLS, READER, SENTINEL_PASSWORD, assert_no_secret


def open_page(lang: str | None = None, **params: str) -> AppTest:
    at = app("check", {"lang": lang} if lang else None, **params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_check(at: AppTest) -> AppTest:
    at.button(key="check.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def banner(at: AppTest) -> str:
    return "\n".join([e.value for e in at.success] + [e.value for e in at.error])


@pytest.fixture
def page_env(isolated_env, monkeypatch):  # noqa: ANN001
    """Isolation plus a DATABASE_URL setter."""
    def set_url(url: str | None) -> None:
        if url is None:
            monkeypatch.delenv("DATABASE_URL", raising=False)
        else:
            monkeypatch.setenv("DATABASE_URL", url)
    return set_url


@pytest.mark.postgres
def test_ok_with_date_and_meet_from_the_query_string(pg_db, page_env):
    load_day(pg_db)
    page_env(pg_db.reader_url)
    at = open_page(date="2026-02-14", meet="1")
    assert at.date_input(key="check.date").value == dt.date(2026, 2, 14)
    assert at.selectbox(key="check.meet").value == MEET
    assert at.button(key="check.run").label == "DB 점검 실행"
    run_check(at)
    assert not at.error
    assert "`ok`" in at.success[0].value
    report = at.main.code[-1].value
    assert report.splitlines()[-1].startswith("결과: ✔")
    assert f"{DATE} 서울(1)" in report  # the status step ran with the prefilled inputs
    assert f"{READER}:***@" in report
    assert at.status[0].label == "점검 완료: 사용 가능"
    text = tree_text(at)
    assert "running" in text  # the collection status table
    assert f"{READER}:***@" in text and "races_read_authenticated" in text
    assert_no_secret(text)


@pytest.mark.postgres
def test_wrong_password_banner_and_fix(pg_cluster, pg_db, page_env):
    page_env(pg_cluster.url(READER, SENTINEL_PASSWORD + "-wrong", pg_db.name))
    at = run_check(open_page())
    assert not at.success
    assert "`auth_password`" in at.error[0].value
    assert "Database password" in at.error[0].value  # the fix, in the banner
    assert at.status[0].label.startswith("점검 완료:")
    assert "auth_password" in at.main.code[-1].value
    assert_no_secret(tree_text(at))


@pytest.mark.postgres
def test_rows_hidden_by_rls_in_english(pg_db, page_env):
    load_day(pg_db)
    page_env(pg_db.url_for(NORLS))
    at = open_page(lang="en")
    assert at.button(key="check.run").label == "Run DB check"
    run_check(at)
    assert "`rows_hidden_by_rls`" in at.error[0].value
    report = at.main.code[-1].value
    assert f"GRANT authenticated TO {NORLS};" in report
    assert report.splitlines()[-1].startswith("Verdict: ✘")
    assert_no_secret(tree_text(at))


def test_demo_when_nothing_is_configured(page_env):
    page_env(None)
    at = open_page()
    assert at.info  # the demo target notice
    run_check(at)
    assert "`ok`" in at.success[0].value
    assert at.warning  # the config step's warning: not the collector's database


def test_unexpected_errors_never_reach_the_page(page_env, monkeypatch):
    from status_core import diagnose as module

    url = f"postgresql://{READER}:{quote(SENTINEL_PASSWORD, safe='')}@127.0.0.1:1/db"
    page_env(url)

    def boom(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError(f"boom with {SENTINEL_PASSWORD} while reading {url}")
        yield  # pragma: no cover

    monkeypatch.setattr(module, "iter_diagnose", boom)
    at = run_check(open_page())
    assert "RuntimeError" in at.error[0].value
    assert_no_secret(tree_text(at))
