"""The staged diagnosis against a real PostgreSQL server: one case per cause.

Every case is produced for real on this machine (scram-sha-256 cluster of
``tests/pgcluster.py``, a free port, a silent socket, an unresolvable name), and each
asserts the cause, the failing step, the exit code and that the sentinel password (raw and
URL-encoded) appears in no text, JSON or repr. The cases (tests/check_support.py) drive
the CLI too, in ``tests/test_check_cli.py``.

``query_timeout`` is produced cleanly: ``races`` becomes a view whose rows each cost a
``pg_sleep(0.3)`` and ``KRA_STATEMENT_TIMEOUT=0.5`` is set, so the data step's count is
cancelled by the server (SQLSTATE 57014) while the catalog queries of the earlier steps
stay well inside the limit.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from urllib.parse import quote

import pytest

# status_core.queries is loaded up front: the time bounds below are the diagnosis's, not
# the first import of pandas (which the date x meet step needs).
import status_core.queries  # noqa: F401
from status_core import demo
from status_core.classify import CAUSES
from status_core.diagnose import (
    STEP_NAMES,
    Step,
    diagnose,
    format_text,
    iter_diagnose,
)
from status_core.hints import HINTS
from status_core.schema import REQUIRED_COLUMNS
from tests.apptest_support import app
from tests.check_support import (
    CASE_IDS,
    CASES,
    DATE,
    MEET,
    T0,
    Case,
    check_secret_free,
    check_shape,
    load_day,
    make_slow,
    pw_url,
)
from tests.pgcluster import NORLS, NOSELECT, READER, SENTINEL_PASSWORD, assert_no_secret

# --------------------------------------------------------------------------- the cases


@pytest.mark.postgres
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_diagnose_cause(case: Case, request, pg_cluster, isolated_env, monkeypatch):  # noqa: ANN001
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    url = case.build(request, pg_cluster)
    kwargs = {"race_date": DATE, "meet": MEET} if case.date_meet else {}
    started = time.monotonic()
    diagnosis = diagnose(url, timeout=case.timeout, **kwargs)
    elapsed = time.monotonic() - started

    summary = format_text(diagnosis, lang="en")
    assert diagnosis.cause == case.cause, summary
    assert diagnosis.exit_code == case.exit_code, summary
    assert diagnosis.ok is (case.cause == "ok")
    failed = diagnosis.failed_step
    assert (failed.name if failed else None) == case.step, summary
    assert elapsed < case.timeout + 1.0, f"took {elapsed:.2f}s\n{summary}"
    check_shape(diagnosis)
    check_secret_free(diagnosis)
    assert case.cause in summary  # the verdict line names the cause


# --------------------------------------------------------------------------- details


@pytest.mark.postgres
def test_healthy_database_reports_facts_counts_and_status(pg_db, isolated_env):
    load_day(pg_db)
    diagnosis = diagnose(pg_db.reader_url, race_date="2026-02-14", meet="1")
    assert diagnosis.ok and diagnosis.exit_code == 0, format_text(diagnosis, "en")
    assert {s.name: s.outcome for s in diagnosis.steps} == {
        "config": "ok", "dns": "ok", "tcp": "ok", "login": "ok", "server": "ok",
        "schema": "ok", "privileges": "ok", "data": "ok", "status": "ok"}
    assert diagnosis.server["current_user"] == READER
    assert diagnosis.server["database"] == pg_db.name
    assert diagnosis.server["transaction_read_only"] == "on"  # BEGIN READ ONLY
    assert diagnosis.server["ssl"] is False
    assert diagnosis.server["version"].startswith("PostgreSQL")
    assert diagnosis.tables["races"]["rows"] == 6
    assert diagnosis.tables["races"]["rls"] is True
    assert diagnosis.tables["races"]["applicable_policies"] == ["races_read_authenticated"]
    assert diagnosis.job_status_counts == {"completed": 1, "failed": 1, "queued": 1}
    data = diagnosis.step("data")
    assert data.facts["race_counts"] == {"collected": 6}
    assert "ago" in data.detail and "전" in data.detail_ko
    # the exact dict of status_core.queries.collection_status
    record = diagnosis.collection_status
    assert set(record) == {"date", "meet", "total_races", "collected_races", "enriched_races",
                           "status", "collection_status", "enrichment_status",
                           "result_status", "last_updated"}
    assert (record["date"], record["meet"], record["total_races"], record["collected_races"],
            record["enriched_races"], record["status"]) == (DATE, 1, 6, 6, 3, "running")
    assert record["last_updated"] == T0 + dt.timedelta(minutes=6)
    payload = diagnosis.to_json()
    assert payload["collection_status"]["last_updated"] == "2026-02-14T15:06:00+09:00"
    assert payload["database_url"].startswith(f"postgresql+psycopg://{READER}:***@")


@pytest.mark.postgres
def test_rls_finding_names_role_table_and_fix_and_explains_zero_rows(pg_db, isolated_env):
    load_day(pg_db)
    diagnosis = diagnose(pg_db.url_for(NORLS), race_date=DATE, meet=MEET)
    step = diagnosis.step("privileges")
    assert step.outcome == "fail" and step.cause == "rows_hidden_by_rls"
    assert "races" in step.detail and NORLS in step.detail
    assert "races_read_authenticated" in step.detail  # the policies that do exist
    assert f"GRANT authenticated TO {NORLS};" in step.hint_en
    assert f"GRANT authenticated TO {NORLS};" in step.hint_ko
    data = diagnosis.step("data")
    assert data.outcome == "warn"
    assert "0 rows visible because row level security hides them" in data.detail
    assert "about 6 rows" in data.detail  # the planner's / statistics' estimate
    status = diagnosis.step("status")
    assert status.outcome == "warn" and "row level security" in status.detail
    assert diagnosis.collection_status["total_races"] == 0


@pytest.mark.postgres
def test_permission_denied_names_the_exact_grant(pg_db, isolated_env):
    diagnosis = diagnose(pg_db.url_for(NOSELECT))
    step = diagnosis.step("privileges")
    assert f"GRANT SELECT ON races, jobs TO {NOSELECT};" in step.hint_en
    assert f"GRANT SELECT ON races, jobs TO {NOSELECT};" in step.hint_ko
    assert diagnosis.step("data").outcome == "skipped"


@pytest.mark.postgres
def test_policy_that_hides_every_row_is_found_by_the_data_step(pg_db, isolated_env):
    """A policy applies to the role, but its condition is false for every row."""
    load_day(pg_db)
    pg_db.execute("DROP POLICY races_read_authenticated ON races")
    pg_db.execute("CREATE POLICY races_read_none ON races FOR SELECT TO authenticated "
                  "USING (meet = 9)")
    diagnosis = diagnose(pg_db.reader_url)
    assert diagnosis.step("privileges").outcome == "ok"
    data = diagnosis.step("data")
    assert data.outcome == "fail" and data.cause == "rows_hidden_by_rls", data.detail
    assert diagnosis.cause == "rows_hidden_by_rls"


@pytest.mark.postgres
def test_outdated_migrations_warn_and_missing_columns_fail(pg_db, isolated_env):
    pg_db.load(migrations=["001_initial_schema.sql", "005_row_level_security.sql"])
    diagnosis = diagnose(pg_db.reader_url)
    schema = diagnosis.step("schema")
    assert schema.outcome == "warn" and schema.cause == "schema_outdated"
    assert "005_row_level_security.sql" in schema.detail
    assert "007_runtime_db_hardening.sql" in schema.hint_en
    assert diagnosis.ok and diagnosis.exit_code == 0

    pg_db.execute("ALTER TABLE races DROP COLUMN result_status")
    diagnosis = diagnose(pg_db.reader_url)
    assert diagnosis.cause == "schema_outdated" and diagnosis.exit_code == 1
    assert "result_status" in diagnosis.step("schema").detail


@pytest.mark.postgres
def test_silent_server_is_bounded_even_below_libpq_resolution(silent_port, isolated_env):
    # libpq's connect_timeout has a 2 s floor; the diagnosis enforces its own budget.
    started = time.monotonic()
    diagnosis = diagnose(pw_url("127.0.0.1", silent_port), timeout=0.7)
    elapsed = time.monotonic() - started
    assert diagnosis.cause == "timeout"
    assert elapsed < 1.7, elapsed
    assert "accepted the TCP connection" in diagnosis.step("login").detail


@pytest.mark.postgres
def test_remaining_budget_caps_the_statement_timeout(pg_db, isolated_env):
    """KRA_STATEMENT_TIMEOUT is 10 s by default; a 2 s check still ends in time."""
    load_day(pg_db)
    pg_db.load([demo.race_row("20260215", 1, i) for i in range(1, 11)])
    make_slow(pg_db)  # counting the 16 races would take 16 x 0.3 s
    started = time.monotonic()
    diagnosis = diagnose(pg_db.reader_url, timeout=2)
    elapsed = time.monotonic() - started
    assert elapsed < 3.0, elapsed
    data = diagnosis.step("data")
    assert data.outcome == "fail" and data.cause == "query_timeout", data.detail
    assert "statement timeout" in data.detail  # the server's own message


def test_iter_diagnose_yields_steps_as_they_finish(isolated_env):
    seen: list[tuple[str, float]] = []
    for step in iter_diagnose(None, timeout=5):
        assert isinstance(step, Step)
        seen.append((step.name, time.monotonic()))
    assert [name for name, _ in seen] == list(STEP_NAMES)


def test_demo_when_nothing_is_configured(isolated_env):
    diagnosis = diagnose(None, race_date=DATE, meet=MEET)
    outcomes = {s.name: s.outcome for s in diagnosis.steps}
    assert outcomes["config"] == "warn"
    assert "demo" in diagnosis.step("config").detail
    for name in ("dns", "tcp", "login"):
        assert outcomes[name] == "skipped"
        assert diagnosis.step(name).detail == "SQLite file, no network"
    assert outcomes["schema"] == "ok" and outcomes["data"] == "ok"
    assert diagnosis.ok and diagnosis.exit_code == 0 and diagnosis.cause == "ok"
    assert diagnosis.collection_status is not None
    assert diagnosis.job_status_counts


def test_sqlite_url_is_checked_without_the_demo_warning(isolated_env):
    path = isolated_env / "copy.sqlite"
    demo.ensure_demo(path)
    diagnosis = diagnose(f"sqlite:///{path}")
    assert diagnosis.step("config").outcome == "ok"
    assert diagnosis.step("login").detail == "SQLite file, no network"
    assert diagnosis.ok
    missing = diagnose(f"sqlite:///{isolated_env / 'nope.sqlite'}")
    assert missing.cause == "config" and missing.exit_code == 2


@pytest.mark.parametrize(
    ("url", "warned", "fragment"),
    [
        ("postgresql://postgres:{pw}@aws-0-ap-northeast-2.pooler.supabase.com:6543/postgres"
         "?sslmode=require", True, "postgres.<project_ref>"),
        ("postgresql://postgres.abcdefghijklmnopqrst:{pw}@aws-0-ap-northeast-2.pooler."
         "supabase.com:6543/postgres?sslmode=require", False, "transaction"),
        ("postgresql://postgres.abcdefghijklmnopqrst:{pw}@aws-0-ap-northeast-2.pooler."
         "supabase.com:5432/postgres?sslmode=require", False, "session"),
        ("postgresql+asyncpg://postgres:{pw}@db.abcdefghijklmnopqrst.supabase.co:5432/postgres",
         True, "sslmode"),
    ],
)
def test_supabase_facts_in_the_config_step(url, warned, fragment, isolated_env):
    steps = iter_diagnose(url.format(pw=quote(SENTINEL_PASSWORD, safe="")), timeout=1)
    config = next(steps)
    steps.close()
    assert config.name == "config"
    assert (config.outcome == "warn") is warned, config.detail
    assert fragment in config.detail + config.hint_en
    assert_no_secret(config.detail + config.detail_ko + json.dumps(config.to_json()))
    if "db." in url:
        assert "IPv6" in config.detail and "IPv6" in config.hint_en


def test_every_cause_has_a_hint_in_both_languages():
    assert set(HINTS) == set(CAUSES)
    for cause in CAUSES:
        if cause != "ok":
            assert HINTS[cause]["ko"] and HINTS[cause]["en"], cause


def test_raw_password_in_an_unparseable_url_never_shows(isolated_env):
    raw = f"postgresql://kra_reader:{SENTINEL_PASSWORD}@127.0.0.1:notaport/db"
    diagnosis = diagnose(raw)
    assert diagnosis.cause == "config" and diagnosis.exit_code == 2
    check_secret_free(diagnosis)


# --------------------------------------------------------------------------- every column read


READ_COLUMNS = [(t, c) for t, cols in REQUIRED_COLUMNS.items() for c in cols]


def test_required_columns_are_the_query_modules_lists():
    from status_core import queries, schema

    # one definition, read by the queries and required by the check
    assert queries.RACE_COLUMNS is schema.RACE_COLUMNS
    assert queries.JOB_COLUMNS is schema.JOB_COLUMNS
    assert set(queries.RACE_COLUMNS) <= set(REQUIRED_COLUMNS["races"])
    assert {"track", "weather", "date", "meet", "updated_at"} <= set(REQUIRED_COLUMNS["races"])
    assert REQUIRED_COLUMNS["jobs"] == queries.JOB_COLUMNS


@pytest.mark.postgres
@pytest.mark.parametrize(("table", "column"), READ_COLUMNS,
                         ids=[f"{t}.{c}" for t, c in READ_COLUMNS])
def test_a_missing_column_any_page_reads_fails_the_schema_step_and_the_page_says_so(
        table, column, pg_db, isolated_env, monkeypatch):  # noqa: ANN001
    load_day(pg_db)
    pg_db.execute(f'ALTER TABLE {table} DROP COLUMN "{column}" CASCADE')
    diagnosis = diagnose(pg_db.reader_url, race_date=DATE, meet=MEET)
    schema = diagnosis.step("schema")
    assert schema.outcome == "fail" and schema.cause == "schema_outdated", schema.detail
    assert f"{table}: {column}" in schema.detail and f"{table}: {column}" in schema.detail_ko
    assert schema.facts["tables"][table]["missing_columns"] == [column]
    assert diagnosis.cause == "schema_outdated" and diagnosis.exit_code == 1
    check_shape(diagnosis)
    check_secret_free(diagnosis)

    # the page that reads the column shows the schema error, not a traceback
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    page = (app("pages/2_jobs.py") if table == "jobs"
            else app("pages/1_race.py", date=DATE, meet=str(MEET)))
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    errors = " ".join(e.value for e in page.error)
    assert column in errors and "migrations are behind" in errors, errors
    assert_no_secret(errors)


@pytest.mark.postgres
def test_the_pages_queries_read_no_column_outside_the_required_list(pg_db, isolated_env):
    """Drop every column the check does not require: every query of every page still
    answers, so the required list covers all that the pages and the CLI read."""
    from status_core import queries
    from status_core.engine import make_engine, read
    from status_core.settings import parse_url

    load_day(pg_db)
    for table, required in REQUIRED_COLUMNS.items():
        present = [r[0] for r in pg_db.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            (table,))]
        extra = [c for c in present if c not in required]
        assert extra, table  # the fixture schema has more columns than the pages read
        for column in extra:
            pg_db.execute(f'ALTER TABLE {table} DROP COLUMN "{column}" CASCADE')
    target = parse_url(pg_db.reader_url)
    engine = make_engine(target)
    try:
        with read(engine, target) as conn:
            assert len(queries.progress_frame(conn, DATE, DATE, [MEET])) == 1
            assert queries.collection_status(conn, DATE, MEET)["total_races"] == 6
            assert len(queries.races_frame(conn, DATE, MEET)) == 6
            since = T0 - dt.timedelta(days=1)
            assert len(queries.jobs_frame(conn, race_date=DATE, meet=MEET, since=since,
                                          types=["collection", "enrichment", "result"],
                                          statuses=["completed", "failed", "queued"])) >= 0
            assert len(queries.jobs_frame(conn)) == 3
            assert sum(queries.job_status_counts(conn).values()) == 3
    finally:
        engine.dispose()
    diagnosis = diagnose(pg_db.reader_url, race_date=DATE, meet=MEET)
    assert diagnosis.step("schema").outcome in ("ok", "warn"), diagnosis.step("schema").detail
    assert diagnosis.ok, format_text(diagnosis, "en")


# --------------------------------------------------------------------------- odd stored values


@pytest.mark.postgres
@pytest.mark.parametrize("value", ["infinity", "-infinity", "9999-12-31 23:59:59+00"])
def test_an_odd_stored_timestamp_is_never_blamed_on_the_database(value, pg_db, isolated_env):
    load_day(pg_db)
    pg_db.execute("ALTER TABLE races DISABLE TRIGGER USER")  # keep the stored value as given
    pg_db.execute("UPDATE races SET updated_at = %s WHERE race_number = 1", (value,))
    pg_db.execute("UPDATE jobs SET created_at = %s WHERE job_id = 'job-1'", (value,))
    diagnosis = diagnose(pg_db.reader_url, race_date=DATE, meet=MEET)
    summary = format_text(diagnosis, "en")
    assert diagnosis.ok and diagnosis.exit_code == 0, summary
    for name in ("data", "status"):
        step = diagnosis.step(name)
        assert step.outcome in ("ok", "warn"), summary
        assert "database cannot be used" not in step.detail
        if step.outcome == "warn":  # a value the driver cannot load: a note on the data
            assert "stored value" in step.detail and "the problem is in the data" in (
                step.hint_en), summary
    check_shape(diagnosis)
    check_secret_free(diagnosis)
