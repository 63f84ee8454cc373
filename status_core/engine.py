"""SQLAlchemy engines that can only read, and never wait forever.

PostgreSQL: every transaction starts ``READ ONLY`` (the server rejects writes) with a
``SET LOCAL statement_timeout``; both are per transaction so they survive a
transaction-mode pooler, which drops session settings and startup ``options``.

Wall time: :func:`run_read` gives every read of the pages and the CLI a client-side
deadline (connect timeout + statement timeout + :data:`READ_GRACE`), because the
server-side limits cannot help against a server that stopped running (see
:mod:`status_core.bounded`).
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
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
    engine = sa.create_engine(
        target.url,
        connect_args=connect_args,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        pool_timeout=timeouts.connect,
        pool_recycle=1800,
    )
    _TIMEOUTS[engine] = timeouts
    _track_pings(engine)
    statement_ms = statement_timeout_ms(timeouts.statement)

    # insert=True: run before SQLAlchemy's own first-connect queries (version,
    # current_schema, ...), so even those go out in a BEGIN READ ONLY transaction.
    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # psycopg then opens every transaction with BEGIN READ ONLY.
        dbapi_conn.read_only = read_only
        # A stored infinity or a year past 9999 must not fail the query it is read by.
        register_loaders(dbapi_conn)
        _attach(dbapi_conn)  # before the first-connect queries, which can hang too

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {statement_ms}")

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


def _track_pings(engine: Engine) -> None:
    """Let a bounded read know the pooled connection it is pinging.

    The pool's pre-ping runs before any pool event fires, and it is exactly what hangs on a
    pooled connection to a frozen server; wrapping this engine's own dialect instance is the
    one place that sees the connection first.
    """
    ping = engine.dialect.do_ping

    def do_ping(dbapi_conn: Any) -> bool:
        _attach(dbapi_conn)
        return ping(dbapi_conn)

    engine.dialect.do_ping = do_ping  # type: ignore[method-assign]


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


@contextmanager
def read(engine: Engine, target: DatabaseTarget | None = None) -> Iterator[Connection]:
    """A read transaction; any database error leaves as a :class:`StatusError`.

    Not bounded in wall time (the body runs on the caller's thread): the pages and the CLI
    read through :func:`run_read`.
    """
    try:
        with engine.connect() as conn:
            yield conn
            conn.rollback()
    except StatusError:
        raise
    except (sa.exc.DBAPIError, sa.exc.TimeoutError, OSError, sqlite3.Error) as exc:
        error = translate(exc, target)
        if isinstance(error, SchemaError):
            error = _explain_schema(engine, error)
        raise error from None


def read_deadline(engine: Engine) -> float:
    """Seconds :func:`run_read` waits: connect + statement timeout + :data:`READ_GRACE`."""
    timeouts = _TIMEOUTS.get(engine) or Timeouts()
    return timeouts.connect + timeouts.statement + READ_GRACE


def run_read(engine: Engine, target: DatabaseTarget | None, fn: Callable[..., T],
             /, *args: Any, **kwargs: Any) -> T:
    """``fn(conn, *args, **kwargs)`` in a :func:`read` transaction, bounded in wall time.

    Raises :class:`DatabaseUnavailable` (cause ``timeout``) after :func:`read_deadline`
    seconds, whatever the read was waiting for: the pool, the login, the pre-ping of a
    pooled connection, a query or the final rollback. Other errors leave as :func:`read`
    raises them.

    Why a worker thread and not a deadline inside psycopg: psycopg's waits take no
    deadline (only the connect has one), and the pre-ping and the first-connect queries
    run inside SQLAlchemy's pool where no caller code can set one. A thread is the one
    bound that holds wherever the call is stuck. The abandoned call is then ended, not
    leaked: its sockets are shut down, so the driver fails at once, SQLAlchemy invalidates
    the connection and its pool slot is free again; the pool is also replaced, so no
    connection of the frozen server is ever handed out again.
    """
    seconds = read_deadline(engine)
    cutter = SocketCutter()

    def work() -> T:
        _current.cutter = cutter
        try:
            with read(engine, target) as conn:
                _attach(conn.connection.dbapi_connection)  # a fresh one skips the ping
                return fn(conn, *args, **kwargs)
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
