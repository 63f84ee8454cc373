"""The PostgreSQL harness itself: is it a faithful stand-in for the collector's database?"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors

from status_core.domain import MIGRATIONS
from tests.pgcluster import (
    NOLIMIT,
    NORLS,
    NOSELECT,
    READER,
    SENTINEL_PASSWORD,
    SERVICE,
    WRITER,
    PgCluster,
    PgDatabase,
    assert_no_secret,
)
from tests.rows import make_job, make_race

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent


def _races(n: int = 5, date: str = "20260214", meet: int = 1, **kw) -> list[dict]:
    return [make_race(date, meet, i, **kw) for i in range(1, n + 1)]


def _count(db: PgDatabase, role: str, table: str = "races") -> int:
    with db.connect(role) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --------------------------------------------------------------------------- auth


def test_only_scram_password_auth(pg_cluster: PgCluster) -> None:
    rules = pg_cluster.fetch("SELECT type, auth_method, error FROM pg_hba_file_rules")
    assert rules and all(r[1] == "scram-sha-256" and r[2] is None for r in rules), rules
    assert {r[0] for r in rules} == {"local", "host"}
    hashes = pg_cluster.fetch(
        "SELECT rolname, rolpassword FROM pg_authid WHERE rolname LIKE 'kra\\_%' "
        "OR rolname = 'postgres'"
    )
    assert len(hashes) == 7
    assert all(h.startswith("SCRAM-SHA-256$") for _, h in hashes)
    assert pg_cluster.fetch("SHOW listen_addresses") == [("127.0.0.1",)]
    assert pg_cluster.fetch("SHOW ssl") == [("off",)]


def test_wrong_password_is_rejected(pg_db: PgDatabase) -> None:
    cluster = pg_db.cluster
    offset = cluster.log_size()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(**cluster.conninfo(READER, "not-the-password", pg_db.name))
    # libpq drops the SQLSTATE of connection errors; the server log (%e) keeps it.
    log = cluster.wait_for_log("28P01", offset)
    assert "28P01" in log and 'password authentication failed for user "kra_reader"' in log
    assert_no_secret(log)


def test_no_password_and_unix_socket_still_need_password(pg_cluster: PgCluster) -> None:
    with pytest.raises(psycopg.OperationalError, match="no password supplied"):
        psycopg.connect(
            host=pg_cluster.host,
            port=pg_cluster.port,
            user="postgres",
            password="",
            dbname="postgres",
            connect_timeout=5,
        )
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(
            host=str(pg_cluster.socket_dir),
            port=pg_cluster.port,
            user="postgres",
            password="wrong",
            dbname="postgres",
        )


def test_urls_encode_the_password(pg_db: PgDatabase) -> None:
    url = pg_db.reader_url
    assert url.startswith("postgresql+psycopg://kra_reader:")
    assert SENTINEL_PASSWORD not in url and "Kra%24ecret%40%2F9z" in url
    assert sa.engine.make_url(url).password == SENTINEL_PASSWORD
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_user")).scalar() == READER
    finally:
        engine.dispose()
    # plain libpq URI, with query parameters
    with psycopg.connect(
        pg_db.url_for(SERVICE, scheme="postgresql", connect_timeout=5, application_name="harness")
    ) as conn:
        assert conn.execute(
            "SELECT current_user, current_setting('application_name')"
        ).fetchone() == (SERVICE, "harness")
    admin = pg_db.admin_url
    assert admin.startswith("postgresql+psycopg://postgres:") and admin.endswith(pg_db.name)


# --------------------------------------------------------------------------- privileges / RLS


def test_reader_and_service_see_rows_loaded_by_admin(pg_db: PgDatabase) -> None:
    pg_db.load(
        races=_races(4, collection_status="collected"),
        jobs=[make_job("job-1", parameters={"race_date": "20260214", "meet": 1})],
        job_logs=[{"job_id": "job-1", "level": "INFO", "message": "started"}],
    )
    for role in (READER, SERVICE, WRITER):
        assert _count(pg_db, role) == 4
        assert _count(pg_db, role, "jobs") == 1
        assert _count(pg_db, role, "job_logs") == 1
        assert _count(pg_db, role, "schema_migrations") == len(MIGRATIONS)


def test_rls_hides_rows_from_role_without_policy(pg_db: PgDatabase) -> None:
    pg_db.load(races=_races(3), jobs=[make_job("job-1")])
    assert pg_db.fetch("SELECT count(*) FROM races") == [(3,)]
    assert _count(pg_db, NORLS) == 0  # silently empty, no error
    assert _count(pg_db, NORLS, "jobs") == 0
    assert _count(pg_db, NORLS, "schema_migrations") == len(MIGRATIONS)  # no RLS there


def test_no_select_grant_is_permission_denied(pg_db: PgDatabase) -> None:
    with pg_db.connect(NOSELECT) as conn:
        with pytest.raises(errors.InsufficientPrivilege) as info:
            conn.execute("SELECT count(*) FROM races")
    assert info.value.sqlstate == "42501"
    assert "permission denied for table races" in str(info.value)


def test_connection_limit_zero(pg_db: PgDatabase) -> None:
    cluster = pg_db.cluster
    offset = cluster.log_size()
    with pytest.raises(psycopg.OperationalError, match="too many connections for role"):
        pg_db.connect(NOLIMIT)
    assert "53300" in cluster.wait_for_log("53300", offset)


def test_reader_cannot_write_but_writer_can(pg_db: PgDatabase) -> None:
    with pg_db.connect(READER) as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("UPDATE races SET track = 'x'")
    with pg_db.connect(WRITER) as conn:
        conn.execute(
            "INSERT INTO races (race_id, date, meet, race_number) "
            "VALUES ('20260214_1_1', '20260214', 1, 1)"
        )
        conn.execute("INSERT INTO job_logs (message) VALUES ('uses the sequence')")
    assert _count(pg_db, READER) == 1


# --------------------------------------------------------------------------- schema


def test_current_schema_shape(pg_db: PgDatabase) -> None:
    cols = dict(
        pg_db.fetch(
            "SELECT column_name, udt_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = 'races'"
        )
    )
    expected = {
        "race_id": "varchar",
        "date": "varchar",
        "meet": "int4",
        "race_number": "int4",
        "race_name": "varchar",
        "track": "varchar",
        "weather": "varchar",
        "distance": "int4",
        "collection_status": "data_status",
        "enrichment_status": "data_status",
        "result_status": "data_status",
        "basic_data": "jsonb",
        "raw_data": "jsonb",
        "enriched_data": "jsonb",
        "result_data": "jsonb",
        "collected_at": "timestamptz",
        "enriched_at": "timestamptz",
        "result_collected_at": "timestamptz",
        "created_at": "timestamptz",
        "updated_at": "timestamptz",
        "data_quality_score": "float8",
        "warnings": "jsonb",
        "horse_count": "int4",
    }
    assert cols == expected
    job_cols = {
        r[0]
        for r in pg_db.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'jobs'"
        )
    }
    assert {
        "job_id",
        "type",
        "status",
        "parameters",
        "tags",
        "job_kind_v2",
        "lifecycle_state_v2",
        "task_id",
        "progress",
        "error_message",
    } <= job_cols
    enums = dict(
        pg_db.fetch(
            "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) "
            "FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname"
        )
    )
    assert enums["data_status"] == ["pending", "collected", "enriched", "failed"]
    assert "processing" in enums["job_status"] and "retrying" in enums["job_status"]
    rls = dict(
        pg_db.fetch(
            "SELECT relname, relrowsecurity FROM pg_class "
            "WHERE relname IN ('races', 'jobs', 'job_logs', 'schema_migrations')"
        )
    )
    assert rls == {"races": True, "jobs": True, "job_logs": True, "schema_migrations": False}
    indexes = {
        r[0]
        for r in pg_db.fetch(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'races'::regclass"
        )
    }
    assert any("(date)" in i for i in indexes)
    assert any("(date, meet)" in i and "race_number" not in i for i in indexes)
    assert any("(collection_status, enrichment_status)" in i for i in indexes)
    newest = pg_db.fetch("SELECT max(name) FROM schema_migrations")[0][0]
    assert newest == "007_runtime_db_hardening.sql"
    for table in ("predictions", "race_odds", "api_keys", "prompt_templates", "usage_events"):
        assert pg_db.fetch("SELECT to_regclass(%s) IS NOT NULL", (table,)) == [(True,)]


def test_updated_at_trigger_bumps_on_update(pg_db: PgDatabase) -> None:
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    pg_db.load(races=_races(2, updated_at=old))
    assert pg_db.fetch("SELECT min(updated_at) FROM races") == [(old,)]
    pg_db.execute("UPDATE races SET collection_status = 'collected' WHERE race_number = 1")
    rows = dict(pg_db.fetch("SELECT race_number, updated_at FROM races"))
    assert rows[2] == old
    assert rows[1] > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)


def test_enums_and_checks_reject_bad_values(pg_db: PgDatabase) -> None:
    with pytest.raises(errors.InvalidTextRepresentation):  # 22P02
        pg_db.load(races=[make_race("20260214", 1, 1, collection_status="done")])
    with pytest.raises(errors.InvalidTextRepresentation):
        pg_db.load(jobs=[make_job("j", type="scraping")])
    with pytest.raises(errors.CheckViolation):  # meet in (1, 2, 3)
        pg_db.load(races=[make_race("20260214", 4, 1)])
    pg_db.load(races=[make_race("20260214", 1, 1)])
    with pytest.raises(errors.UniqueViolation):  # unique (date, meet, race_number)
        pg_db.load(races=[make_race("20260214", 1, 1, race_id="other")])


def test_load_jsonb_null_status_and_migrations(pg_db: PgDatabase) -> None:
    pg_db.load(
        races=[
            make_race(
                "20260214",
                2,
                1,
                collection_status=None,
                warnings=["slow API"],
                basic_data={"horses": [{"name": "말"}]},
            )
        ],
        migrations=["001_initial_schema.sql", "002_add_enrichment_columns.sql"],
    )
    assert pg_db.fetch(
        "SELECT collection_status, warnings, basic_data->'horses'->0->>'name' FROM races"
    ) == [(None, ["slow API"], "말")]
    assert pg_db.fetch("SELECT count(*) FROM schema_migrations") == [(2,)]


def test_copy_races_bulk(pg_db: PgDatabase) -> None:
    cols = ("race_id", "date", "meet", "race_number", "collection_status", "warnings")
    rows = (
        (f"2026{d:04d}_3_{n}", f"2026{d:04d}", 3, n, "enriched", ["w"])
        for d in range(101, 201)
        for n in range(1, 11)
    )
    assert pg_db.copy_races(rows, cols) == 1000
    assert _count(pg_db, READER) == 1000
    assert pg_db.fetch("SELECT count(*) FROM races WHERE warnings = '[\"w\"]'") == [(1000,)]


def test_legacy_schema_shape(pg_legacy_db: PgDatabase) -> None:
    db = pg_legacy_db
    cols = {
        r[0]
        for r in db.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'races'"
        )
    }
    assert cols == {"id", "date", "meet", "race_no", "status", "created_at"}
    assert db.fetch(
        "SELECT to_regclass('jobs'), to_regclass('schema_migrations'), "
        "to_regclass('collection_jobs') IS NOT NULL"
    ) == [(None, None, True)]
    db.execute(
        "INSERT INTO races (date, meet, race_no, status) VALUES ('20200104', 1, 1, 'collected')"
    )
    # a reader sees the old shape (columns visible), so the dashboard can recognise it
    with db.connect(READER) as conn:
        assert conn.execute("SELECT count(*) FROM races").fetchone() == (1,)
        seen = conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'races'"
        ).fetchone()[0]
        assert seen == 6
        with pytest.raises(errors.UndefinedColumn):
            conn.execute("SELECT collection_status FROM races")


def test_empty_database_has_no_tables(pg_empty_db: PgDatabase) -> None:
    assert pg_empty_db.fetch("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
    with pg_empty_db.connect(READER) as conn:
        with pytest.raises(errors.UndefinedTable):
            conn.execute("SELECT 1 FROM races")


# --------------------------------------------------------------------------- lifecycle


def test_stop_start_keeps_data_and_port(pg_db: PgDatabase) -> None:
    cluster = pg_db.cluster
    pg_db.load(races=_races(3))
    port = cluster.port
    cluster.stop()
    assert not cluster.running
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(**cluster.conninfo(dbname=pg_db.name) | {"connect_timeout": 2})
    cluster.start()
    assert cluster.running and cluster.port == port
    assert _count(pg_db, READER) == 3


# --------------------------------------------------------------------------- helpers


def test_assert_no_secret_catches_every_form(sentinel: str) -> None:
    assert_no_secret("postgresql://u:***@h/db")
    assert_no_secret(None)
    for leaked in (sentinel, "Kra%24ecret%40%2F9z", "Kra%24ecret%40/9z"):
        with pytest.raises(AssertionError) as info:
            assert_no_secret(f"url=postgresql://u:{leaked}@h/db")
        assert sentinel not in str(info.value) and leaked not in str(info.value)
    with pytest.raises(AssertionError):
        assert_no_secret(f"b{sentinel}".encode())


@pytest.mark.parametrize("required", [False, True])
def test_missing_postgres_skips_or_fails(required: bool) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REQUIRE_")}
    env["KRA_PG_BINDIR"] = "/nonexistent"
    if required:
        env["REQUIRE_POSTGRES"] = "1"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rsE",
            "tests/test_harness.py::test_rls_hides_rows_from_role_without_policy",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout + proc.stderr
    assert "PostgreSQL 15 server programs not found (pg_config --bindir)" in out, out
    if required:
        assert proc.returncode == 1, out
        assert "1 error" in out and "REQUIRE_POSTGRES=1" in out, out
    else:
        assert proc.returncode == 0, out
        assert "1 skipped" in out, out
