"""Faults: the database restarts, goes away, or stops answering while the dashboard runs.

- a restart between two reruns of the same session: the next rerun works without
  restarting Streamlit (a read that finds its pooled connection dead is retried once on
  a fresh one);
- the database down: every page shows the "cannot use the database" state with a link to
  the DB check (the check page shows its own diagnosis), in bounded time;
- a server that accepts TCP connections but never answers: bounded by the connect timeout
  on a page and in the CLI.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from status_core.text import t
from tests.apptest_support import (
    PAGE_FILES,
    app,
    error_texts,
    exception_texts,
    full_error_details,
    page_links,
    tree_text,
)
from tests.cli_support import run_cli_inprocess
from tests.faults import SilentServer
from tests.pgcluster import assert_no_secret, free_port
from tests.rows import kst_today, sample_rows

CONNECT_TIMEOUT = 2.0
MARGIN = 4.0  # AppTest start-up, imports and rendering on a busy 2-core machine


def _assert_cannot_reach(at, page: str) -> None:  # noqa: ANN001
    assert not at.exception, (page, exception_texts(at))
    errors = error_texts(at)
    assert any(t("error.database", "ko") in e for e in errors), (page, errors)
    links = page_links(at)
    assert any(link.endswith("3_check.py") or link.rstrip("/").endswith("check")
               for link in links), (page, links)
    assert "Traceback" not in tree_text(at)


@pytest.fixture
def pg_env(pg_db, monkeypatch, tmp_path):
    """The dashboard pointed at ``pg_db`` through DATABASE_URL, with a little data."""
    import streamlit as st

    races, jobs = sample_rows(2)
    pg_db.load(races=races, jobs=jobs)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    monkeypatch.setenv("KRA_CONNECT_TIMEOUT", str(int(CONNECT_TIMEOUT)))
    st.cache_data.clear()
    with full_error_details():
        yield pg_db


def _server_start_time(cluster) -> object:  # noqa: ANN001
    return cluster.fetch("SELECT pg_postmaster_start_time()")[0][0]


@pytest.mark.postgres
def test_restart_between_two_reruns_needs_no_streamlit_restart(pg_env, pg_cluster):
    import streamlit as st

    at = app("overview").run()
    assert not at.exception and not error_texts(at), (exception_texts(at), error_texts(at))
    assert at.dataframe, "the overview shows no table"
    started = _server_start_time(pg_cluster)

    pg_cluster.stop()
    pg_cluster.start()
    assert _server_start_time(pg_cluster) != started

    st.cache_data.clear()  # the cache period is over: the rerun must ask the database
    at.run()
    assert not at.exception, exception_texts(at)
    assert not error_texts(at), error_texts(at)
    assert at.dataframe


@pytest.mark.postgres
def test_database_down_every_page_says_so_in_bounded_time_then_recovers(pg_env, pg_cluster):
    import streamlit as st

    overview = app("overview").run()
    assert not error_texts(overview)
    today = kst_today().strftime("%Y%m%d")
    pg_cluster.stop()
    st.cache_data.clear()  # no cached answers: every page must ask the database
    try:
        for page in PAGE_FILES:
            query = {"date": today, "meet": "1"} if page == "race" else None
            at = app(page, query)
            t0 = time.monotonic()
            at.run()
            if page == "check":
                at.button(key="check.run").click().run()
            elapsed = time.monotonic() - t0
            assert elapsed < CONNECT_TIMEOUT + MARGIN, f"{page}: {elapsed:.1f}s"
            if page == "check":
                assert not at.exception, exception_texts(at)
                assert any("refused" in e for e in error_texts(at)), error_texts(at)
            else:
                _assert_cannot_reach(at, page)
            assert_no_secret(tree_text(at))
        st.cache_data.clear()
        overview.run()  # the session that was open when it went down
        _assert_cannot_reach(overview, "overview (open session)")
    finally:
        pg_cluster.start()
    st.cache_data.clear()
    overview.run()
    assert not error_texts(overview), error_texts(overview)
    assert overview.dataframe


@pytest.fixture
def hung_db(monkeypatch, tmp_path, sentinel) -> Iterator[tuple[SilentServer, str]]:
    import streamlit as st

    server = SilentServer()
    url = (f"postgresql://kra_reader:{sentinel.replace('@', '%40').replace('/', '%2F')}"
           f"@127.0.0.1:{server.port}/kra")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    monkeypatch.setenv("KRA_CONNECT_TIMEOUT", str(int(CONNECT_TIMEOUT)))
    # Warm up (imports) against a closed port, which fails at once.
    closed = free_port()
    monkeypatch.setenv("DATABASE_URL", f"postgresql://u:x@127.0.0.1:{closed}/kra")
    with full_error_details():
        app("overview").run()
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    try:
        with full_error_details():
            yield server, url
    finally:
        server.close()


@pytest.mark.parametrize(
    ("page", "query"),
    [("overview", None), ("race", None), ("race", "day"), ("jobs", None)],
    ids=["overview", "race-default-day", "race-with-date", "jobs"],
)
def test_a_hung_server_costs_one_connect_timeout_per_page(hung_db, page, query):
    server, _url = hung_db
    params = {"date": kst_today().strftime("%Y%m%d"), "meet": "1"} if query else None
    at = app(page, params)
    before = server.accepted
    t0 = time.monotonic()
    at.run()
    elapsed = time.monotonic() - t0
    attempts = server.accepted - before
    _assert_cannot_reach(at, page)
    assert_no_secret(tree_text(at))
    assert attempts == 1, (
        f"{page}: {attempts} connection attempts ({elapsed:.1f}s) against a server that "
        f"does not answer; each costs KRA_CONNECT_TIMEOUT, so the page waits "
        f"{attempts} x {CONNECT_TIMEOUT:g}s before saying the database is unreachable"
    )
    assert elapsed < CONNECT_TIMEOUT + MARGIN, f"{page}: {elapsed:.1f}s"


def test_cli_against_a_hung_server_exits_1_after_the_connect_timeout(hung_db):
    server, url = hung_db
    t0 = time.monotonic()
    code, out, err = run_cli_inprocess("status", "--date", "20260214", "--meet", "1")
    elapsed = time.monotonic() - t0
    assert code == 1, err
    errors = [line for line in err.splitlines() if line.startswith("kra-status: error")]
    assert len(errors) == 1 and "Traceback" not in err, err
    assert "timeout" in errors[0].lower(), errors
    assert_no_secret(err + out)
    assert server.accepted >= 1
    assert elapsed < CONNECT_TIMEOUT + 2, f"CLI took {elapsed:.1f}s"
