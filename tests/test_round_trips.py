"""Round trips per read: what a database 5-30 ms away costs the dashboard (issue 16).

Every read goes through :func:`status_core.engine.run_read`. On a warm pooled connection it
costs exactly two round trips, counted by the latency proxy (client turns): ``BEGIN READ
ONLY`` + ``SET LOCAL statement_timeout`` + the query in one pipeline, then ``ROLLBACK``;
directly and behind PgBouncer in transaction mode. Nothing that the old five round trips
guaranteed is lost: a write inside a read is still rejected by the server, a slow query
still ends at the statement timeout, and with no pre-ping a pooled connection the server
dropped (a restart) is retried once on a new connection, while a new connection that fails
is not retried.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import event

from status_core.engine import make_engine, run_read
from status_core.errors import DatabaseUnavailable, QueryFailed, StatusError
from status_core.queries import progress_frame
from status_core.settings import Timeouts, parse_url
from tests.pg_support import fingerprint
from tests.pgcluster import READER, WRITER
from tests.rows import kst_today, sample_rows, ymd

pytestmark = pytest.mark.postgres

#: BEGIN READ ONLY + SET LOCAL + the query (one pipeline), then ROLLBACK.
READ_ROUND_TRIPS = 2
WEEK = (ymd(kst_today() - dt.timedelta(days=6)), ymd(kst_today()))


def week(conn):  # noqa: ANN001, ANN201 - the overview's read, as a page calls it
    return progress_frame(conn, *WEEK)


def _engine(url: str, statement: float = 10.0):  # noqa: ANN202
    target = parse_url(url)
    return make_engine(target, Timeouts(connect=5, statement=statement)), target


def _backend_pids(engine) -> set[int]:  # noqa: ANN001
    """Server pids of the engine's pooled connections (all checked in)."""
    return {rec.dbapi_connection.info.backend_pid
            for rec in list(engine.pool._pool.queue)}  # noqa: SLF001 - test introspection


@pytest.fixture
def loaded(pg_db):  # noqa: ANN001, ANN201
    races, jobs = sample_rows(3)
    pg_db.load(races=races, jobs=jobs)
    return pg_db


def _upstream(db, request, via: str) -> str:  # noqa: ANN001
    if via == "direct":
        return db.url_for(READER)
    bouncer = request.getfixturevalue("bouncer")  # transaction mode, one server connection
    return bouncer.url(db, READER, pooler="transaction")


@pytest.mark.parametrize("via", ["direct", "pgbouncer"])
def test_a_warm_read_costs_two_round_trips(loaded, proxied, request, via):
    proxy, url = proxied(_upstream(loaded, request, via), rtt=0.01)
    engine, target = _engine(url)
    try:
        assert target.uses_transaction_pooler == (via == "pgbouncer")
        first = run_read(engine, target, week)  # connects and warms the pool
        assert first["total_races"].sum() > 0
        for _ in range(3):
            with proxy.counting() as seen:
                again = run_read(engine, target, week)
            assert seen == {"round_trips": READ_ROUND_TRIPS, "connections": 0}, via
            assert again.equals(first)
    finally:
        engine.dispose()


WRITES = ["UPDATE races SET race_name = 'hacked'", "DELETE FROM jobs",
          "CREATE TABLE evil (x int)"]


@pytest.mark.parametrize("sql", WRITES)
@pytest.mark.parametrize("where", ["first-statement", "after-a-query"])
def test_a_write_inside_a_read_is_still_rejected_by_the_server(loaded, proxied, sql, where):
    before = fingerprint(loaded)
    _, url = proxied(loaded.url_for(WRITER))  # kra_writer may write: only READ ONLY stops it
    engine, target = _engine(url)

    def write(conn):  # noqa: ANN001, ANN202
        if where == "after-a-query":
            week(conn)
        conn.exec_driver_sql(sql)

    try:
        run_read(engine, target, week)  # warm: the write goes out on a pooled connection
        with pytest.raises(StatusError) as info:
            run_read(engine, target, write)
        assert "read-only transaction" in info.value.message, info.value.message
        assert run_read(engine, target, week)["total_races"].sum() > 0  # still usable
    finally:
        engine.dispose()
    assert fingerprint(loaded) == before


@pytest.mark.parametrize("where", ["first-statement", "after-a-query"])
def test_a_slow_query_still_ends_at_the_statement_timeout(loaded, proxied, where):
    _, url = proxied(loaded.url_for(READER))
    engine, target = _engine(url, statement=1.0)

    def slow(conn):  # noqa: ANN001, ANN202
        if where == "after-a-query":
            week(conn)
        return conn.exec_driver_sql("SELECT pg_sleep(20)").scalar()

    try:
        run_read(engine, target, week)
        t0 = time.monotonic()
        with pytest.raises(QueryFailed) as info:
            run_read(engine, target, slow)
        elapsed = time.monotonic() - t0
        assert info.value.cause == "query_timeout", info.value.message
        assert "statement timeout" in info.value.message
        assert 1.0 <= elapsed < 2.0, f"{elapsed:.2f}s"
        assert run_read(engine, target, week)["total_races"].sum() > 0
    finally:
        engine.dispose()


def test_after_a_restart_the_next_read_works_on_one_new_connection(loaded, proxied,
                                                                   pg_cluster):
    proxy, url = proxied(loaded.url_for(READER))
    engine, target = _engine(url)
    try:
        first = run_read(engine, target, week)
        pg_cluster.stop()
        pg_cluster.start()
        with proxy.counting() as seen:
            again = run_read(engine, target, week)  # the dead pooled one, then a new one
        assert again.equals(first)
        assert seen["connections"] == 1, seen
        with proxy.counting() as seen:
            run_read(engine, target, week)
        assert seen == {"round_trips": READ_ROUND_TRIPS, "connections": 0}
    finally:
        engine.dispose()


class Killer:
    """Ends the server session of the engine's next new connection as soon as it exists."""

    def __init__(self, engine, cluster) -> None:  # noqa: ANN001
        self.cluster, self.armed, self.connects = cluster, False, 0
        event.listen(engine, "connect", self.on_connect)

    def on_connect(self, dbapi_conn, _record) -> None:  # noqa: ANN001
        self.connects += 1
        if self.armed:
            self.armed = False
            kill(self.cluster, dbapi_conn.info.backend_pid)


def kill(cluster, pid: int) -> None:  # noqa: ANN001
    """``pg_terminate_backend`` and wait (up to 5 s) until the session is gone."""
    assert cluster.fetch("SELECT pg_terminate_backend(%s, 5000)", params=(pid,))[0][0]


def test_a_dropped_pooled_connection_is_retried_once_on_a_new_one(loaded, proxied, pg_cluster):
    proxy, url = proxied(loaded.url_for(READER))
    engine, target = _engine(url)
    try:
        first = run_read(engine, target, week)
        (pid,) = _backend_pids(engine)
        kill(pg_cluster, pid)
        with proxy.counting() as seen:
            assert run_read(engine, target, week).equals(first)
        assert seen["connections"] == 1, seen
        assert _backend_pids(engine) and pid not in _backend_pids(engine)
    finally:
        engine.dispose()


def test_a_new_connection_that_fails_is_not_retried(loaded, proxied, pg_cluster, caplog):
    proxy, url = proxied(loaded.url_for(READER))
    engine, target = _engine(url)
    killer = Killer(engine, pg_cluster)
    try:
        run_read(engine, target, week)  # the dialect's first-connect queries are done
        engine.dispose()  # the next read needs a new connection
        killer.armed = True
        connects = killer.connects
        with proxy.counting() as seen, pytest.raises(DatabaseUnavailable) as info:
            run_read(engine, target, week)
        assert killer.connects == connects + 1
        assert seen["connections"] == 1, seen
        # the server's FATAL, or the end of the connection the proxy then relays
        assert any(why in info.value.message for why in (
            "terminating connection", "server closed the connection")), info.value.message
        # one error, not also psycopg's second one about leaving the pipeline
        assert not [r.getMessage() for r in caplog.records if r.name == "psycopg"]
        assert run_read(engine, target, week)["total_races"].sum() > 0  # and then it works
    finally:
        engine.dispose()
