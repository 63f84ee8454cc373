"""Classify database errors into the fixed ``cause`` vocabulary.

By SQLSTATE where the error carries one; by message text where it does not (psycopg 3
raises a bare ``OperationalError`` without SQLSTATE when a connection attempt fails).
"""

from __future__ import annotations

import re

CAUSES = (
    "ok",
    "config",
    "dns",
    "refused",
    "timeout",
    "ssl",
    "auth_password",
    "auth_missing_password",
    "auth_rejected",
    "database_missing",
    "too_many_connections",
    "server_starting",
    "schema_missing",
    "schema_legacy",
    "schema_outdated",
    "permission_denied",
    "rows_hidden_by_rls",
    "query_timeout",
    "unknown",
)

SQLSTATE_CAUSES = {
    "28P01": "auth_password",
    "28000": "auth_rejected",
    "3D000": "database_missing",
    "53300": "too_many_connections",
    "57P01": "server_starting",
    "57P02": "server_starting",
    "57P03": "server_starting",
    "42501": "permission_denied",
    "42P01": "schema_missing",
    "3F000": "schema_missing",
    "42703": "schema_outdated",
    "42704": "schema_outdated",
    "57014": "query_timeout",
    "08001": "refused",
    "08004": "auth_rejected",
}

# While logging in, a few codes mean something else than in a query: a setting the URL
# passes at startup was refused (42704 unrecognized parameter, 22023 invalid value,
# 42601 a malformed ``options`` string, 55P02 a parameter that cannot be set now).
LOGIN_SQLSTATE_CAUSES = {
    **SQLSTATE_CAUSES,
    "42704": "config",
    "22023": "config",
    "42601": "config",
    "55P02": "config",
}

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

# Ordered: the first pattern that matches wins. Lower-case message text.
MESSAGE_CAUSES: tuple[tuple[str, str], ...] = (
    (STARTUP_OPTION_PATTERN, "config"),
    (r"no password supplied|password is required|fe_sendauth: no password",
     "auth_missing_password"),
    (r"password authentication failed", "auth_password"),
    (r"sasl authentication failed|invalid password|scram authentication failed"
     r"|server signature", "auth_password"),
    (r"tenant or user not found|no pg_hba\.conf entry|role \".*\" does not exist"
     r"|pg_hba\.conf rejects", "auth_rejected"),
    (r"database \".*\" does not exist|unknown database", "database_missing"),
    (r"too many connections|max clients reached|emaxconnsession|remaining connection slots"
     r"|connection limit|too many clients|no more connections allowed|max_client_conn",
     "too_many_connections"),
    (r"the database system is (starting up|shutting down|in recovery mode|not yet accepting)"
     r"|not yet accepting connections|terminating connection due to administrator command",
     "server_starting"),
    (r"could not translate host name|name or service not known|nodename nor servname"
     r"|temporary failure in name resolution|no address associated|failed to resolve"
     r"|name resolution|getaddrinfo", "dns"),
    (r"canceling statement due to statement timeout|statement timeout", "query_timeout"),
    (r"connection refused|could not connect to server: no such file|network is unreachable"
     r"|no route to host|host is unreachable", "refused"),
    (r"\bssl\b|\btls\b|sslmode|certificate", "ssl"),
    (r"timeout expired|timed out|timeout|database is locked", "timeout"),
    (r"permission denied|insufficient privilege|not authorized", "permission_denied"),
    (r"relation \".*\" does not exist|no such table|schema \".*\" does not exist",
     "schema_missing"),
    (r"column (\".*\"|\S+) does not exist|no such column", "schema_outdated"),
)


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE of a (possibly SQLAlchemy-wrapped) DB-API error, if it has one."""
    orig = getattr(exc, "orig", None) or exc
    for attr in ("sqlstate", "pgcode"):
        code = getattr(orig, attr, None)
        if code:
            return str(code)
    diag = getattr(orig, "diag", None)
    code = getattr(diag, "sqlstate", None) if diag is not None else None
    return str(code) if code else None


def server_message(exc: BaseException) -> str:
    """The driver's own message, without SQLAlchemy's SQL echo and background link."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text or type(orig).__name__


# libpq names the server it tried ("connection to server at "HOST" (ADDR), port N failed:");
# a host name such as ssl.example.com must not decide the cause.
_SERVER_PREFIX = re.compile(
    r"connection to server (at \"[^\"]*\"( \([^)]*\))?, port \d+|on socket \"[^\"]*\") failed:"
)


def classify_message(text: str) -> str:
    """The cause for a bare message text, ``unknown`` when nothing matches."""
    low = _SERVER_PREFIX.sub("", text.lower())
    for pattern, cause in MESSAGE_CAUSES:
        if re.search(pattern, low):
            return cause
    return "unknown"


def classify(exc: BaseException, *, login: bool = False) -> str:
    """The cause word for a database exception: SQLSTATE first, message text second.

    ``login=True`` for an error of the connection attempt itself, where a few SQLSTATEs
    mean a refused startup setting (see :data:`LOGIN_SQLSTATE_CAUSES`).
    """
    code = sqlstate_of(exc)
    table = LOGIN_SQLSTATE_CAUSES if login else SQLSTATE_CAUSES
    if code in table:
        return table[code]
    if isinstance(exc, TimeoutError):
        return "timeout"
    if code and code.startswith("08"):
        cause = classify_message(server_message(exc))
        return cause if cause != "unknown" else "refused"
    return classify_message(server_message(exc))


# libpq's own framing around the server's words, and the server's severity word.
_LIBPQ_FRAME = re.compile(
    r"^(connection to server (at \"[^\"]*\"( \([^)]*\))?, port \d+|on socket \"[^\"]*\")"
    r" failed: )?((fatal|error|panic): +)?", re.I
)


def server_reason(text: str) -> str:
    """The server's own reason in a (libpq-framed) message, on one line.

    ``connection failed: connection to server at "h", port 5432 failed: FATAL:  reason``
    becomes ``reason``; a reason libpq repeats (one per attempt) is kept once; a server
    ``HINT:``/``DETAIL:`` line stays, joined with ``; ``.
    """
    body = re.sub(r"^\s*connection failed:\s*", "", text or "", flags=re.I)
    parts: list[str] = []
    for attempt in re.split(r"\s*(?=connection to server (?:at|on socket) )", body):
        lines = [re.sub(r"\s+", " ", line).strip() for line in attempt.splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            continue
        lines[0] = _LIBPQ_FRAME.sub("", lines[0], count=1).strip()
        reason = "; ".join(line for line in lines if line)
        if reason and reason not in parts:
            parts.append(reason)
    return " / ".join(parts) or re.sub(r"\s+", " ", text or "").strip()


# Values the database holds but the client cannot turn into Python/pandas values: an
# infinite or year-10000 timestamp, an impossible date. The server answered; nothing
# is wrong with the connection, the schema or the privileges.
_VALUE_ERRORS = (ValueError, OverflowError, ArithmeticError)


def is_value_error(exc: BaseException) -> bool:
    """True when ``exc`` says a stored value could not be read, not that the database
    failed: a client-side conversion error (no SQLSTATE) or a data exception (class 22)."""
    orig = getattr(exc, "orig", None) or exc
    code = sqlstate_of(exc)
    if code:
        return code.startswith("22")
    if isinstance(orig, _VALUE_ERRORS):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(orig, psycopg.DataError)
