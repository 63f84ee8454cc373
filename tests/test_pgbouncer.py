"""Through a real PgBouncer in transaction mode (like Supabase's port 6543).

PgBouncer 1.18 (Debian) knows nothing of prepared statements: in ``pool_mode=transaction``
every transaction may run on another server connection, so a statement psycopg prepared on
one is unknown on the next (``prepared statement "_pg3_0" does not exist``) or already
taken there (``... already exists``). The engine must turn psycopg's automatic preparation
off (``prepare_threshold=None``) for such URLs: by port (6543), by host
(``*.pooler.supabase.com``), or by the explicit ``?pooler=transaction`` /
``KRA_TRANSACTION_POOLER=1`` override.

The workload runs the same query more than five times inside one transaction (psycopg's
default threshold; it forgets its counts at every ROLLBACK), from several threads through a
pool of ONE server connection, so that transactions of different clients interleave on
the same server connection. With the threshold left at its default this fails (the
negative test below shows it); with the engine's settings it must not.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from status_core.engine import make_engine, read
from status_core.errors import StatusError
from status_core.queries import collection_status, jobs_frame, progress_frame
from status_core.settings import Timeouts, is_transaction_pooler, parse_url
from tests.apptest_support import app, error_texts, exception_texts, full_error_details
from tests.pg_support import Bouncer, fingerprint
from tests.rows import kst_today, sample_rows

pytestmark = [pytest.mark.pgbouncer, pytest.mark.postgres]

PREPARED_ERROR = ("prepared statement",)  # "... does not exist" / "... already exists"


def _pooler_url(bouncer: Bouncer, db, role: str = "kra_reader") -> str:  # noqa: ANN001
    """The URL staff would write: port 6543 is detected; any other port says so."""
    if bouncer.port == 6543:
        return bouncer.url(db, role)
    return bouncer.url(db, role, pooler="transaction")


def _workload(engine, target, errors: list[str], rounds: int,  # noqa: ANN001
              stop: threading.Event) -> None:
    today = kst_today()
    days = [(today - dt.timedelta(days=i)).strftime("%Y%m%d") for i in range(7)]
    for _ in range(rounds):
        if stop.is_set():
            return
        try:
            with read(engine, target) as conn:
                progress_frame(conn, days[-1], days[0])
                for day in days:  # the same statement 7 times in one transaction
                    collection_status(conn, day, 1)
                jobs_frame(conn, limit=50)
        except StatusError as exc:
            errors.append(exc.message)
        except Exception as exc:  # noqa: BLE001 - anything else is a failure too
            errors.append(f"{type(exc).__name__}: {exc}")


def _hammer(engine, target, *, threads: int = 3, rounds: int = 4,  # noqa: ANN001
            stop_on_error: bool = False) -> list[str]:
    errors: list[str] = []
    stop = threading.Event()

    class _Errors(list):
        def append(self, item: str) -> None:
            super().append(item)
            if stop_on_error:
                stop.set()

    errors = _Errors()
    workers = [threading.Thread(target=_workload, args=(engine, target, errors, rounds, stop))
               for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    return list(errors)


def _prepare_threshold(engine) -> object:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.connection.dbapi_connection.prepare_threshold


def test_the_engine_detects_the_transaction_pooler(bouncer, pg_db):
    url = _pooler_url(bouncer, pg_db)
    target = parse_url(url)
    assert target.uses_transaction_pooler
    assert "pooler" not in target.url.query  # our option never reaches libpq
    # the detection rules themselves, independent of the port this run got
    assert is_transaction_pooler(parse_url(bouncer.url(pg_db, "u").rsplit(":", 1)[0]
                                           + ":6543/x").url)
    assert parse_url(bouncer.url(pg_db, "u", pooler="transaction")).uses_transaction_pooler
    assert not parse_url(bouncer.url(pg_db, "u", pooler="session")).uses_transaction_pooler
    engine = make_engine(target, Timeouts(connect=5, statement=10))
    try:
        assert _prepare_threshold(engine) is None
        direct = make_engine(parse_url(pg_db.reader_url), Timeouts(connect=5, statement=10))
        assert _prepare_threshold(direct) == 5  # not a pooler: psycopg's default stays
        direct.dispose()
    finally:
        engine.dispose()


def test_env_override_declares_a_pooler_on_any_port(bouncer, pg_db, monkeypatch):
    target = parse_url(bouncer.url(pg_db, "kra_reader"))  # no ?pooler=
    monkeypatch.setenv("KRA_TRANSACTION_POOLER", "1")
    assert target.uses_transaction_pooler
    monkeypatch.setenv("KRA_TRANSACTION_POOLER", "0")
    assert not target.uses_transaction_pooler
    monkeypatch.setenv("KRA_TRANSACTION_POOLER", "maybe")
    with pytest.raises(StatusError, match="KRA_TRANSACTION_POOLER"):
        _ = target.uses_transaction_pooler
    with pytest.raises(StatusError, match="pooler"):
        parse_url(bouncer.url(pg_db, "kra_reader", pooler="sometimes"))


def test_repeated_refreshes_through_pgbouncer_have_no_prepared_statement_errors(bouncer,
                                                                                pg_db):
    races, jobs = sample_rows(8)
    pg_db.load(races=races, jobs=jobs)
    before = fingerprint(pg_db)
    target = parse_url(_pooler_url(bouncer, pg_db))
    engine = make_engine(target, Timeouts(connect=5, statement=10))
    try:
        errors = _hammer(engine, target)
    finally:
        engine.dispose()
    assert errors == [], errors[:5]
    with read(make_engine(target), target) as conn:  # and the numbers are right
        assert collection_status(conn, kst_today().strftime("%Y%m%d"), 1)["total_races"] == 4
    assert fingerprint(pg_db) == before


def test_with_psycopg_default_prepare_threshold_pgbouncer_breaks(bouncer, pg_db):
    """The negative control: the same workload with preparation left on fails."""
    races, jobs = sample_rows(8)
    pg_db.load(races=races, jobs=jobs)
    target = parse_url(bouncer.url(pg_db, "kra_reader", pooler="session"))  # detection off
    engine = make_engine(target, Timeouts(connect=5, statement=10))
    try:
        assert _prepare_threshold(engine) == 5
        errors: list[str] = []
        for _attempt in range(5):  # interleavings are timing-dependent; nearly always 1st
            errors = _hammer(engine, target, rounds=10, stop_on_error=True)
            if errors:
                break
    finally:
        engine.dispose()
    assert errors, "no error through a transaction pooler with prepared statements on"
    assert any(any(p in e for p in PREPARED_ERROR) for e in errors), errors[:5]


def test_dashboard_pages_rerun_through_pgbouncer(bouncer, pg_db, monkeypatch, tmp_path):
    import streamlit as st

    races, jobs = sample_rows(3)
    pg_db.load(races=races, jobs=jobs)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", _pooler_url(bouncer, pg_db))
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    today = kst_today().strftime("%Y%m%d")
    pages = {"overview": None, "race": {"date": today, "meet": "1"}, "jobs": None}
    with full_error_details():
        sessions = {page: app(page, query) for page, query in pages.items()}
        for _ in range(4):
            for page, at in sessions.items():
                st.cache_data.clear()  # every rerun really asks the database
                at.run()
                assert not at.exception, (page, exception_texts(at))
                assert not error_texts(at), (page, error_texts(at))
    assert "prepared statement" not in bouncer.log()


def test_the_url_really_goes_through_pgbouncer(bouncer, pg_db):
    target = parse_url(_pooler_url(bouncer, pg_db))
    assert target.url.port == bouncer.port != bouncer.cluster.port
    engine = make_engine(target)
    try:
        with read(engine, target) as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
    assert f"{pg_db.name}/kra_reader@" in bouncer.log()
