"""Read-only and bounded: what the dashboard and the CLI send to PostgreSQL.

Every transaction is ``BEGIN READ ONLY`` with a ``SET LOCAL statement_timeout`` before the
first query; a write through the dashboard's engine is rejected by the *server* even for a
role that could write; a slow query is cancelled at the statement timeout with a clear
message, in the library, on a page and in the CLI.

The server's statement log and the data fingerprint are ``tests/pg_support.py``'s.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from status_core.engine import make_engine, read
from status_core.errors import QueryFailed, StatusError
from status_core.settings import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_STATEMENT_TIMEOUT,
    Timeouts,
    parse_url,
    resolve_timeouts,
)
from tests.apptest_support import PAGE_FILES, app, exception_texts, full_error_details
from tests.cli_support import run_cli, run_cli_inprocess
from tests.pg_support import Statement, StatementLog, fingerprint, table_locked
from tests.pgcluster import READER, WRITER, assert_no_secret
from tests.rows import kst_today, sample_rows

ROOT = Path(__file__).resolve().parents[1]


# SQLAlchemy's own first-connect queries (dialect initialisation) and psycopg's type lookup:
# catalog reads in a READ ONLY transaction, before any SET LOCAL can be issued.
_DIALECT_INIT = (
    "select pg_catalog.version()",
    "select current_schema()",
    "show transaction isolation level",
    "show standard_conforming_strings",
    "from pg_type t",
)


def unsafe_statements(statements: list[Statement]) -> list[str]:
    """Statements not inside ``BEGIN READ ONLY`` + ``SET LOCAL statement_timeout``."""
    state: dict[int, dict[str, bool]] = {}
    problems = []
    for st_ in statements:
        sql = " ".join(st_.sql.split()).rstrip(";").strip()
        up = sql.upper()
        s = state.setdefault(st_.pid, {"tx": False, "ro": False, "timeout": False})
        if not sql:  # ";" - SQLAlchemy's pool_pre_ping
            continue
        if up.startswith(("BEGIN", "START TRANSACTION")):
            s.update(tx=True, ro="READ ONLY" in up, timeout=False)
            continue
        if up.startswith(("ROLLBACK", "COMMIT", "END", "ABORT")) and "TO SAVEPOINT" not in up:
            s.update(tx=False, ro=False, timeout=False)
            continue
        if up.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            continue
        if up.startswith("SET LOCAL STATEMENT_TIMEOUT") and s["tx"]:
            s["timeout"] = True
            continue
        if not (s["tx"] and s["ro"]):
            problems.append(f"[{st_.pid}] outside a READ ONLY transaction: {sql[:120]}")
        elif not s["timeout"] and not any(k in sql.lower() for k in _DIALECT_INIT):
            problems.append(f"[{st_.pid}] no statement_timeout: {sql[:120]}")
    return problems


# =========================================================================== tests


def test_timeout_defaults_are_5s_connect_10s_statement_and_documented():
    assert (DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT) == (5.0, 10.0)
    assert resolve_timeouts({}, []) == Timeouts(5.0, 10.0)
    assert resolve_timeouts({"KRA_CONNECT_TIMEOUT": "2", "KRA_STATEMENT_TIMEOUT": "1.5"},
                            []) == Timeouts(2.0, 1.5)
    doc = (ROOT / "README.md").read_text(encoding="utf-8").split("## Operating safely")[1]
    for needle in ("KRA_CONNECT_TIMEOUT", "KRA_STATEMENT_TIMEOUT", "5 s", "10 s"):
        assert needle in doc
    example = (ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    assert "connect_timeout" in example and "statement_timeout" in example


def test_timeouts_can_come_from_secrets_toml(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[connections.kra]\nurl = 'sqlite:///x'\nconnect_timeout = 3\n"
                       "statement_timeout = '7.5'\n", encoding="utf-8")
    assert resolve_timeouts({}, [secrets]) == Timeouts(3.0, 7.5)
    # the environment wins over the file
    assert resolve_timeouts({"KRA_STATEMENT_TIMEOUT": "2"}, [secrets]) == Timeouts(3.0, 2.0)
    secrets.write_text("[connections.kra]\nstatement_timeout = 'soon'\n", encoding="utf-8")
    with pytest.raises(StatusError, match=r"\[connections.kra\] statement_timeout"):
        resolve_timeouts({}, [secrets])


@pytest.mark.postgres
def test_write_through_the_dashboard_engine_is_rejected_by_the_server(pg_db):
    races, jobs = sample_rows(1)
    pg_db.load(races=races, jobs=jobs)
    before = fingerprint(pg_db)
    # kra_writer has INSERT/UPDATE/DELETE and BYPASSRLS: only the engine stops it.
    with pg_db.connect(WRITER) as probe:
        assert probe.execute("SELECT has_table_privilege('races', 'UPDATE')").fetchone()[0]
    target = parse_url(pg_db.url_for(WRITER))
    engine = make_engine(target, Timeouts(connect=5, statement=5))
    writes = [
        "UPDATE races SET race_name = 'hacked'",
        "DELETE FROM jobs",
        "INSERT INTO schema_migrations (name) VALUES ('999_evil.sql')",
        "CREATE TABLE evil (x int)",
        "TRUNCATE job_logs",
    ]
    try:
        for sql in writes:
            for how in ("connect", "begin"):
                with pytest.raises(sa.exc.DBAPIError) as info:
                    if how == "begin":  # even an explicit commit cannot make it write
                        with engine.begin() as conn:
                            conn.execute(sa.text(sql))
                    else:
                        with engine.connect() as conn:
                            conn.execute(sa.text(sql))
                            conn.commit()
                assert info.value.orig.sqlstate == "25006", sql  # read_only_sql_transaction
                assert "read-only transaction" in str(info.value.orig)
            with pytest.raises(StatusError):  # the dashboard's own read() path
                with read(engine, target) as conn:
                    conn.execute(sa.text(sql))
    finally:
        engine.dispose()
    assert fingerprint(pg_db) == before


@pytest.mark.postgres
def test_slow_query_is_cancelled_at_the_statement_timeout(pg_db, monkeypatch):
    monkeypatch.setenv("KRA_STATEMENT_TIMEOUT", "1")
    target = parse_url(pg_db.reader_url)
    engine = make_engine(target, resolve_timeouts())
    try:
        t0 = time.monotonic()
        with pytest.raises(QueryFailed) as info:
            with read(engine, target) as conn:
                conn.execute(sa.text("SELECT pg_sleep(30)"))
        elapsed = time.monotonic() - t0
        assert elapsed < 1 + 2.5, f"not cancelled at the timeout: {elapsed:.1f}s"
        assert info.value.cause == "query_timeout"
        assert "statement timeout" in info.value.message
        assert info.value.hint
        assert_no_secret(info.value.message + info.value.hint)
        # the engine is still usable afterwards
        with read(engine, target) as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_cli_query_blocked_by_a_lock_exits_1_with_one_line(pg_db, tmp_path):
    races, _ = sample_rows(1)
    pg_db.load(races=races)
    today = kst_today().strftime("%Y%m%d")
    with table_locked(pg_db):
        t0 = time.monotonic()
        proc = run_cli("status", "--date", today, "--meet", "1", cwd=tmp_path,
                       env={"DATABASE_URL": pg_db.reader_url, "KRA_STATEMENT_TIMEOUT": "1",
                            "KRA_DEMO_PATH": str(tmp_path / "demo.sqlite")})
        elapsed = time.monotonic() - t0
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    errors = [line for line in lines if line.startswith("kra-status: error:")]
    assert len(errors) == 1 and "statement timeout" in errors[0], proc.stderr
    assert all(line.startswith(("kra-status: error:", "hint:")) for line in lines), proc.stderr
    assert "Traceback" not in proc.stderr
    assert_no_secret(proc.stderr)
    assert elapsed < 15, f"CLI took {elapsed:.1f}s"


@pytest.mark.postgres
def test_every_statement_of_the_pages_and_the_cli_is_read_only_and_bounded(pg_db, monkeypatch,
                                                                           tmp_path):
    import streamlit as st

    races, jobs = sample_rows(2)
    pg_db.load(races=races, jobs=jobs)
    before = fingerprint(pg_db)
    log = StatementLog(pg_db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    st.cache_data.clear()
    today = kst_today().strftime("%Y%m%d")
    problems = []
    with full_error_details():
        for page in PAGE_FILES:
            query = {"date": today, "meet": "1"} if page == "race" else None
            at = app(page, query).run()
            if page == "check":  # the diagnosis runs on its button
                at.button(key="check.run").click().run()
            if at.exception:
                problems.append(f"{page}: {exception_texts(at)}")
    code, out, err = run_cli_inprocess("status", "--date", today, "--meet", "1")
    assert code == 0, err
    code, out, err = run_cli_inprocess("check", "--timeout", "10")
    assert code in (0, 1), err
    assert not problems, problems
    statements = log.statements(user=READER)
    assert len(statements) > 10, "the statement log caught nothing"
    text = "\n".join(s.sql for s in statements)
    assert "GROUP BY date, meet" in text  # the pages' and the CLI's aggregation
    assert "default_transaction_read_only" in text  # the check's server step ran
    unsafe = unsafe_statements(statements)
    assert not unsafe, "\n".join(unsafe)
    assert fingerprint(pg_db) == before


def test_statement_checker_flags_unsafe_sequences():
    ok = [Statement(1, "u", s) for s in
          ("BEGIN READ ONLY", "SET LOCAL statement_timeout = 1000", "SELECT 1", "ROLLBACK", ";")]
    assert unsafe_statements(ok) == []
    bad = [Statement(2, "u", s) for s in ("BEGIN", "SET LOCAL statement_timeout = 1",
                                           "SELECT 1", "ROLLBACK", "SELECT 2",
                                           "BEGIN READ ONLY", "SELECT 3")]
    found = unsafe_statements(bad)
    assert len(found) == 3 and "SELECT 3" in found[2] and "timeout" in found[2]

