"""SQLAlchemy engines that can only read, and never wait forever.

PostgreSQL: every transaction starts ``READ ONLY`` (the server rejects writes) with a
``SET LOCAL statement_timeout``; both are per transaction so they survive a
transaction-mode pooler, which drops session settings and startup ``options``.

Two round trips per read (the database may be 30 ms away): ``BEGIN READ ONLY``, the
``SET LOCAL`` and the read's first statement go out together in psycopg's pipeline mode
(:func:`_open_in_one_trip`), and the ``ROLLBACK`` that ends the read is the second. There
is no pool pre-ping: :func:`run_read` retries a read once, on a new connection, when its
pooled connection turns out dead at that first statement (safe: the transaction is read
only and nothing was handed to the caller yet).

Wall time: :func:`run_read` gives every read of the pages and the CLI a client-side
deadline (connect timeout + statement timeout + :data:`READ_GRACE`), because the
server-side limits cannot help against a server that stopped running (see
:mod:`status_core.bounded`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from .bounded import Late, SocketCutter, call_within
from .causes import error_for
from .classify import classify, server_message
from .errors import DatabaseUnavailable, SchemaError, StatusError
from .redact import redact
from .settings import (
    APPLICATION_NAME,
    DEFAULT_STATEMENT_TIMEOUT,
    MAX_SECONDS,
    DatabaseTarget,
    Timeouts,
)
from .timestamps import register_loaders

T = TypeVar("T")

_IDLE = TransactionStatus.IDLE
#: Marks a pooled connection's record until its first checkout: it was opened for this read.
_NEW = "kra_new_connection"

#: Seconds a read may take beyond connect + statement timeout before it is given up. The
#: promise is a message within connect + statement + 1 s, so the rest of that second is
#: left to the page (rerun, render, delivery). A query the server cancels at its
#: statement_timeout still gets its own error back first: a pooled read spends none of the
#: connect timeout, which is slack on top of this.
READ_GRACE = 0.25

_TIMEOUTS: weakref.WeakKeyDictionary[Engine, Timeouts] = weakref.WeakKeyDictionary()
# The SocketCutter of the bounded read running on this thread, if any.
_current = threading.local()


def make_engine(
    target: DatabaseTarget, timeouts: Timeouts | None = None, *, read_only: bool = True
) -> Engine:
    """Build the dashboard's engine for ``target``.

    ``read_only=False`` exists only for the demo writer (``kra-status demo``); the
    dashboard and the CLI always read.
    """
    timeouts = timeouts or Timeouts()
    if target.url.get_backend_name() == "sqlite":
        return _sqlite_engine(target, timeouts, read_only=read_only)
    connect_args: dict = {
        "connect_timeout": max(1, math.ceil(timeouts.connect)),
        "application_name": APPLICATION_NAME,
    }
    if target.uses_transaction_pooler:
        # Transaction-mode poolers hand each transaction to any server connection, so a
        # statement prepared on one is unknown on the next.
        connect_args["prepare_threshold"] = None
    # No pool_pre_ping: it costs a round trip per read; run_read retries instead.
    engine = sa.create_engine(
        target.url,
        connect_args=connect_args,
        pool_size=5,
        max_overflow=5,
        pool_timeout=timeouts.connect,
        pool_recycle=1800,
    )
    _TIMEOUTS[engine] = timeouts
    _open_in_one_trip(engine, statement_timeout_ms(timeouts.statement))

    # insert=True: run before SQLAlchemy's own first-connect queries (version,
    # current_schema, ...), so even those go out in a BEGIN READ ONLY transaction.
    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_conn, record):  # noqa: ANN001
        # psycopg then opens with BEGIN READ ONLY every transaction the engine does not
        # open itself (_open_in_one_trip), e.g. its own type look-ups.
        dbapi_conn.read_only = read_only
        record.info[_NEW] = True  # a failure on a new connection is not retried
        # A stored infinity or a year past 9999 must not fail the query it is read by.
        register_loaders(dbapi_conn)
        _attach(dbapi_conn)  # before the first-connect queries, which can hang too

    return engine


MIN_STATEMENT_MS = 100


def statement_timeout_ms(seconds: float) -> int:
    """``SET statement_timeout`` milliseconds for ``seconds``: never 0 (PostgreSQL's "no
    limit"), at least 100 ms, at most an hour; an unusable number gives the default."""
    value = float(seconds) if seconds is not None else math.nan
    if math.isnan(value):
        value = DEFAULT_STATEMENT_TIMEOUT
    ms = min(value * 1000, MAX_SECONDS * 1000)
    return max(MIN_STATEMENT_MS, math.ceil(round(ms, 3)))


def _sqlite_engine(target: DatabaseTarget, timeouts: Timeouts, *, read_only: bool) -> Engine:
    path = target.url.database
    if read_only:
        def creator() -> sqlite3.Connection:
            return sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, timeout=timeouts.connect,
                check_same_thread=False,
            )
    else:
        def creator() -> sqlite3.Connection:
            return sqlite3.connect(path, timeout=timeouts.connect, check_same_thread=False)
    # NullPool: one connection per read, closed after it. A URL without a database makes
    # SQLAlchemy pick SingletonThreadPool, which closes connections other threads still use
    # once more threads than its size have read: with reads on their own threads (run_read,
    # several viewers, a page's reads together) that crashed the process (SIGSEGV).
    engine = sa.create_engine("sqlite+pysqlite://", creator=creator, poolclass=sa.pool.NullPool)
    _TIMEOUTS[engine] = timeouts
    return engine


def _open_in_one_trip(engine: Engine, statement_ms: int) -> None:
    """Open each transaction of ``engine`` and run its first statement in one round trip.

    psycopg sends its own ``BEGIN`` and waits for the answer, even in pipeline mode, so
    while the engine opens a transaction the connection is in autocommit (psycopg then
    sends no ``BEGIN``) and ``BEGIN READ ONLY``, ``SET LOCAL statement_timeout`` and the
    statement are queued in one pipeline; leaving it sends them with one Sync and fetches
    every result, so SQLAlchemy then reads the statement's rows as usual. Autocommit is
    off again as soon as the transaction ends (:func:`_closed`), so anything else psycopg
    runs still starts with its own ``BEGIN READ ONLY``.

    SQLAlchemy runs every statement through these three dialect methods (its own
    first-connect queries too); wrapping this engine's own dialect instance touches no
    other engine.
    """
    dialect = engine.dialect
    set_timeout = f"SET LOCAL statement_timeout = {statement_ms}"

    def opening(cursor: Any, send: Callable[[], object]) -> None:
        conn = cursor.connection
        if conn.info.transaction_status != _IDLE:
            try:
                send()
            finally:
                _closed(conn)  # the statement may have been a COMMIT or ROLLBACK
            return
        begin = {True: "BEGIN READ ONLY", False: "BEGIN READ WRITE"}.get(conn.read_only,
                                                                          "BEGIN")
        conn.autocommit = True
        try:
            with conn.pipeline():
                conn.execute(begin)
                conn.execute(set_timeout)
                send()
            _current.opened = True  # a result exists: a later failure is not retried
        finally:
            _closed(conn)  # only if the transaction did not open

    execute, no_params, many = (dialect.do_execute, dialect.do_execute_no_params,
                                dialect.do_executemany)
    dialect.do_execute = lambda cursor, statement, parameters, context=None: opening(  # type: ignore[method-assign]
        cursor, lambda: execute(cursor, statement, parameters, context))
    dialect.do_execute_no_params = lambda cursor, statement, context=None: opening(  # type: ignore[method-assign]
        cursor, lambda: no_params(cursor, statement, context))
    dialect.do_executemany = lambda cursor, statement, parameters, context=None: opening(  # type: ignore[method-assign]
        cursor, lambda: many(cursor, statement, parameters, context))

    for name in ("do_rollback", "do_commit"):
        end = getattr(dialect, name)

        def ending(dbapi_conn: Any, end: Callable[[Any], None] = end) -> None:
            try:
                end(dbapi_conn)
            finally:
                _closed(getattr(dbapi_conn, "dbapi_connection", dbapi_conn))

        setattr(dialect, name, ending)


class _BlockErrorFirst(logging.Filter):
    """Drops psycopg's warning that closing a pipeline failed after its block raised.

    On a connection the server dropped, the pipeline's block fails and so does the Sync
    that leaves it; psycopg raises the first error (the one classified and shown) and logs
    the second, which would only add a confusing line to the CLI's stderr.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("error ignored terminating")


logging.getLogger("psycopg").addFilter(_BlockErrorFirst())


def _closed(conn: Any) -> None:
    """Autocommit off again once no transaction is open (the engine opened it)."""
    with contextlib.suppress(Exception):  # a broken connection is discarded anyway
        if conn.autocommit and conn.info.transaction_status == _IDLE:
            conn.autocommit = False


def _attach(dbapi_conn: Any) -> None:
    """Hand the socket of ``dbapi_conn`` to the bounded read running on this thread."""
    cutter = getattr(_current, "cutter", None)
    fileno = getattr(dbapi_conn, "fileno", None)  # psycopg has one; sqlite3 has none
    if cutter is None or fileno is None:
        return
    with contextlib.suppress(Exception):  # a closed connection has no socket to cut
        cutter.attach(fileno())


def translate(exc: BaseException, target: DatabaseTarget | None = None) -> StatusError:
    """Turn a driver/SQLAlchemy exception into the core's hierarchy, secrets removed."""
    if isinstance(exc, StatusError):
        return exc
    from .hints import hint_for

    cause = classify(exc)
    secrets = target.secrets if target else ()
    message = redact(server_message(exc), secrets)
    where = f" ({target.masked})" if target else ""
    context = _hint_context(target)
    hint = hint_for(cause, "en", **context)
    return error_for(cause, f"{where}: {message}", hint=hint, context=context)


def _hint_context(target: DatabaseTarget | None) -> dict[str, object]:
    """The names a hint may mention, taken from the target (never its password)."""
    from .settings import resolve_timeouts

    context: dict[str, object] = {}
    try:
        context["seconds"] = f"{resolve_timeouts().statement:g}"
    except StatusError:
        pass
    if target is not None and target.is_postgres:
        url = target.url
        context.update(
            {k: v for k, v in {"user": url.username, "role": url.username, "host": url.host,
                               "port": url.port or 5432, "db": url.database}.items() if v}
        )
    return context


_DB_ERRORS = (sa.exc.DBAPIError, sa.exc.TimeoutError, OSError, sqlite3.Error)


@contextmanager
def read(engine: Engine, target: DatabaseTarget | None = None) -> Iterator[Connection]:
    """A read transaction; any database error leaves as a :class:`StatusError`.

    Not bounded in wall time (the body runs on the caller's thread) and not retried on a
    dead pooled connection (a ``with`` body cannot run twice): the pages and the CLI read
    through :func:`run_read`.
    """
    try:
        with engine.connect() as conn:
            yield conn
            conn.rollback()
    except StatusError:
        raise
    except _DB_ERRORS as exc:
        raise _translated(engine, exc, target) from None


def _translated(engine: Engine, exc: BaseException,
                target: DatabaseTarget | None) -> StatusError:
    error = translate(exc, target)
    if isinstance(error, SchemaError):
        error = _explain_schema(engine, error)
    return error


def read_deadline(engine: Engine) -> float:
    """Seconds :func:`run_read` waits: connect + statement timeout + :data:`READ_GRACE`."""
    timeouts = _TIMEOUTS.get(engine) or Timeouts()
    return timeouts.connect + timeouts.statement + READ_GRACE


def run_read(engine: Engine, target: DatabaseTarget | None, fn: Callable[..., T],
             /, *args: Any, **kwargs: Any) -> T:
    """``fn(conn, *args, **kwargs)`` in a :func:`read` transaction, bounded in wall time.

    Raises :class:`DatabaseUnavailable` (cause ``timeout``) after :func:`read_deadline`
    seconds, whatever the read was waiting for: the pool, the login, a query or the final
    rollback. Other errors leave as :func:`read` raises them.

    A pooled connection the server dropped (a restart, an idle timeout) is found out at
    the read's first statement, there being no pre-ping: then, and only then, the read
    runs once more on a new connection, within the same deadline (see :func:`_attempt`).

    Why a worker thread and not a deadline inside psycopg: psycopg's waits take no
    deadline (only the connect has one), and the first-connect queries run inside
    SQLAlchemy's pool where no caller code can set one. A thread is the one bound that
    holds wherever the call is stuck. The abandoned call is then ended, not leaked: its
    sockets are shut down, so the driver fails at once, SQLAlchemy invalidates the
    connection and its pool slot is free again; the pool is also replaced, so no
    connection of the frozen server is ever handed out again.
    """
    seconds = read_deadline(engine)
    cutter = SocketCutter()

    def work() -> T:
        _current.cutter = cutter
        try:
            try:
                return _attempt(engine, fn, args, kwargs, retry=True)
            except _DB_ERRORS as exc:
                raise _translated(engine, exc, target) from None
        finally:
            _current.cutter = None
            cutter.release()

    try:
        return call_within(work, seconds, name="kra-read")
    except Late:
        cutter.cut()
        # Closing the idle connections only sends a goodbye; still, nothing here may block
        # or replace the message with another error.
        with contextlib.suppress(Exception):
            call_within(engine.dispose, 0.25, name="kra-dispose")
        raise _no_answer(target, seconds, connected=cutter.attached) from None


def _attempt(engine: Engine, fn: Callable[..., T], args: tuple, kwargs: dict, *,
             retry: bool) -> T:
    """One read on this thread; once more if its pooled connection was found dead.

    Retried only when all of these hold: the connection came from the pool (a new
    connection that fails is a real failure, and retrying it would double the wait on a
    server that does not answer), SQLAlchemy saw a disconnect (and so invalidated that
    connection and every other one pooled before it), and the read's first statement had
    not returned (nothing reached ``fn``, which therefore runs from the start again); and
    the read was not given up: a connection cut at the deadline is not dead, and an
    abandoned read must end, not open another connection.
    """
    _current.opened = False
    pooled = False
    try:
        with engine.connect() as conn:
            # SQLite: nothing to retry (a new connection per read, on a local file).
            pooled = (conn.dialect.name == "postgresql"
                      and not conn.connection.info.pop(_NEW, False))
            _attach(conn.connection.dbapi_connection)
            value = fn(conn, *args, **kwargs)
            conn.rollback()
            return value
    except sa.exc.DBAPIError as exc:
        if not (retry and pooled and exc.connection_invalidated and not _current.opened
                and not _given_up()):
            raise
    return _attempt(engine, fn, args, kwargs, retry=False)


def _given_up() -> bool:
    """True when this thread's bounded read is past its deadline (its sockets were cut)."""
    cutter = getattr(_current, "cutter", None)
    return cutter is not None and cutter.cut_done


def _no_answer(target: DatabaseTarget | None, seconds: float, *,
               connected: bool) -> DatabaseUnavailable:
    from .hints import hint_for

    where = f" ({target.masked})" if target else ""
    if connected:
        what = (f"the server accepted the connection but gave no answer within {seconds:g}s "
                "(stopped, paused or overloaded)")
    else:
        what = f"no answer from the server within {seconds:g}s"
    context = {**_hint_context(target), "seconds": f"{seconds:g}"}
    return DatabaseUnavailable(
        f"Cannot use the database{where}: timeout: {what}. The read was given up; the next "
        "one opens a new connection.",
        hint=hint_for("timeout", "en", **context), cause="timeout", context=context,
    )


def _explain_schema(engine: Engine, error: SchemaError) -> SchemaError:
    """A missing column may mean the legacy shape: look, and say which."""
    from .hints import hint_for
    from .schema import inspect_schema

    try:
        with engine.connect() as conn:
            report = inspect_schema(conn)
    except Exception:  # noqa: BLE001 - the original error is the one worth reporting
        return error
    if report.shape == "legacy":
        return SchemaError(
            "This database has the legacy shape (races.id/race_no/status, collection_jobs): "
            "the collector's migrations have not been applied.",
            hint=hint_for("schema_legacy", "en"),
            cause="schema_legacy",
        )
    if report.shape == "missing":
        return SchemaError(
            "This database has no races table: it is not the collector's database, or its "
            "migrations have not been applied.",
            hint=hint_for("schema_missing", "en"),
            cause="schema_missing",
        )
    if report.missing_columns:
        cols = "; ".join(f"{t}: {', '.join(c)}" for t, c in report.missing_columns.items())
        return SchemaError(
            f"The collector's tables lack columns ({cols}): migrations are behind.",
            hint=hint_for("schema_outdated", "en"),
            cause="schema_outdated",
        )
    return error
