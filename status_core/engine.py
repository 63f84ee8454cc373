"""SQLAlchemy engines that can only read, and never wait forever.

PostgreSQL: every transaction starts ``READ ONLY`` (the server rejects writes) with a
``SET LOCAL statement_timeout``; both are per transaction so they survive a
transaction-mode pooler, which drops session settings and startup ``options``.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from .classify import classify, server_message
from .errors import DatabaseUnavailable, QueryFailed, SchemaError, StatusError
from .settings import APPLICATION_NAME, DatabaseTarget, Timeouts, redact
from .timestamps import register_loaders


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
    statement_ms = int(timeouts.statement * 1000)

    # insert=True (issue 5): run before SQLAlchemy's own first-connect queries (version,
    # current_schema, ...), so even those go out in a BEGIN READ ONLY transaction.
    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # psycopg then opens every transaction with BEGIN READ ONLY.
        dbapi_conn.read_only = read_only
        # A stored infinity or a year past 9999 must not fail the query it is read by.
        register_loaders(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {statement_ms}")

    return engine


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
    return sa.create_engine("sqlite+pysqlite://", creator=creator, pool_pre_ping=True)


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
    if cause in {"schema_missing", "schema_legacy", "schema_outdated"}:
        return SchemaError(f"The collector's tables are not usable{where}: {message}",
                           hint=hint, cause=cause, context=context)
    if cause in {"permission_denied", "query_timeout", "rows_hidden_by_rls"}:
        return QueryFailed(f"The query failed{where}: {message}", hint=hint, cause=cause,
                           context=context)
    return DatabaseUnavailable(f"Cannot use the database{where}: {message}",
                               hint=hint, cause=cause, context=context)


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
    """A read transaction; any database error leaves as a :class:`StatusError`."""
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
