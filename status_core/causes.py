"""The causes of the diagnosis, one row each: how to recognise one, what it raises.

A cause is one word (``dns``, ``auth_password``, ...) that the CLI, the pages and the DB
check share. Each row says

- ``sqlstates``: the SQLSTATEs that mean it; ``login_sqlstates``: the ones that mean it only
  while logging in (where a few codes say that a startup setting of the URL was refused);
- ``patterns``: lower-case regular expressions over the driver's message, for errors
  without a SQLSTATE (psycopg raises a bare ``OperationalError`` when a connection attempt
  fails). Rows are in matching order: the first row with a matching pattern wins;
- ``error``: the :class:`status_core.errors.StatusError` class a driver error of this cause
  becomes (:func:`status_core.engine.translate`);
- its texts: the label ``cause.<name>`` and the hint ``hint.<name>`` in
  :mod:`status_core.text` (``ok`` has no hint: there is nothing to do).

Adding a cause: one row here, its label and hint in ``status_core/text/advice.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import DatabaseUnavailable, QueryFailed, SchemaError, StatusError
from .text import t

# A server or pooler refusing a startup setting the URL passes (``options=-c name=value``
# or another connection parameter). Such a refusal arrives within milliseconds, and its
# text may name a setting such as "statement_timeout": it must decide before the words
# "timeout" or "permission" do. libpq and psycopg also refuse some parameters themselves.
STARTUP_OPTION_PATTERN = (
    r"unrecognized configuration parameter|invalid value for parameter"
    r"|is outside the valid range for parameter|permission denied to set parameter"
    r"|parameter \".*\" cannot be (changed|set)|cannot be changed (now|after connection start)"
    r"|invalid command-line argument for server process|-\S+ requires a value"
    r"|unsupported startup parameter|invalid connection option|invalid \w+ value: "
    r"|invalid integer value .* for connection option"
)


@dataclass(frozen=True)
class Cause:
    """One cause: how it is recognised and what a driver error of it becomes."""

    name: str
    sqlstates: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    error: type[StatusError] = DatabaseUnavailable
    login_sqlstates: tuple[str, ...] = ()

    @property
    def label_key(self) -> str:
        return f"cause.{self.name}"

    @property
    def hint_key(self) -> str | None:
        return None if self.name == "ok" else f"hint.{self.name}"


TABLE: tuple[Cause, ...] = (
    Cause("ok"),
    # 42704 unrecognized parameter, 22023 invalid value, 42601 a malformed ``options``
    # string, 55P02 a parameter that cannot be set now: at login, the URL's fault.
    Cause("config", patterns=(STARTUP_OPTION_PATTERN,),
          login_sqlstates=("42704", "22023", "42601", "55P02")),
    Cause("auth_missing_password",
          patterns=(r"no password supplied|password is required|fe_sendauth: no password",)),
    Cause("auth_password", ("28P01",), (
        r"password authentication failed",
        r"sasl authentication failed|invalid password|scram authentication failed"
        r"|server signature")),
    Cause("auth_rejected", ("28000", "08004"), (
        r"tenant or user not found|no pg_hba\.conf entry|role \".*\" does not exist"
        r"|pg_hba\.conf rejects",)),
    Cause("database_missing", ("3D000",), (r"database \".*\" does not exist|unknown database",)),
    Cause("too_many_connections", ("53300",), (
        r"too many connections|max clients reached|emaxconnsession|remaining connection slots"
        r"|connection limit|too many clients|no more connections allowed|max_client_conn",)),
    Cause("server_starting", ("57P01", "57P02", "57P03"), (
        r"the database system is (starting up|shutting down|in recovery mode|not yet accepting)"
        r"|not yet accepting connections|terminating connection due to administrator command",)),
    Cause("dns", patterns=(
        r"could not translate host name|name or service not known|nodename nor servname"
        r"|temporary failure in name resolution|no address associated|failed to resolve"
        r"|name resolution|getaddrinfo",)),
    Cause("query_timeout", ("57014",),
          (r"canceling statement due to statement timeout|statement timeout",), QueryFailed),
    Cause("refused", ("08001",), (
        r"connection refused|could not connect to server: no such file|network is unreachable"
        r"|no route to host|host is unreachable",)),
    Cause("ssl", patterns=(r"\bssl\b|\btls\b|sslmode|certificate",)),
    Cause("timeout", patterns=(r"timeout expired|timed out|timeout|database is locked",)),
    Cause("permission_denied", ("42501",),
          (r"permission denied|insufficient privilege|not authorized",), QueryFailed),
    Cause("schema_missing", ("42P01", "3F000"), (
        r"relation \".*\" does not exist|no such table|schema \".*\" does not exist",),
          SchemaError),
    Cause("schema_outdated", ("42703", "42704"),
          (r"column (\".*\"|\S+) does not exist|no such column",), SchemaError),
    Cause("schema_legacy", error=SchemaError),
    Cause("rows_hidden_by_rls", error=QueryFailed),
    Cause("unknown"),
)

BY_NAME: dict[str, Cause] = {row.name: row for row in TABLE}
#: Every cause word.
CAUSES: tuple[str, ...] = tuple(BY_NAME)


def cause_of(name: str) -> Cause:
    """The row of ``name``; ``unknown`` for a word that is not a cause."""
    return BY_NAME.get(name) or BY_NAME["unknown"]


# What a driver error of each class says before the server's own message.
_LEADS: dict[type[StatusError], str] = {
    SchemaError: "The collector's tables are not usable",
    QueryFailed: "The query failed",
    DatabaseUnavailable: "Cannot use the database",
}


def error_for(cause: str, detail: str, **kwargs: object) -> StatusError:
    """The core error a driver error of ``cause`` becomes: the row's class, its lead and
    ``detail`` (``" (where): server message"``); ``kwargs`` go to the error."""
    error = cause_of(cause).error
    return error(f"{_LEADS[error]}{detail}", cause=cause, **kwargs)


def cause_label(cause: str, lang: str = "ko") -> str:
    """A short human label of a cause word."""
    return t(cause_of(cause).label_key, lang if lang in ("ko", "en") else "en")
