"""Classify database errors into the fixed ``cause`` vocabulary.

By SQLSTATE where the error carries one; by message text where it does not (psycopg 3
raises a bare ``OperationalError`` without SQLSTATE when a connection attempt fails). The
codes and patterns come from the cause table, :mod:`status_core.causes`.
"""

from __future__ import annotations

import re

from .causes import CAUSES, STARTUP_OPTION_PATTERN, TABLE

__all__ = [
    "CAUSES",
    "LOGIN_SQLSTATE_CAUSES",
    "MESSAGE_CAUSES",
    "SQLSTATE_CAUSES",
    "STARTUP_OPTION_PATTERN",
    "classify",
    "classify_message",
    "is_value_error",
    "server_message",
    "server_reason",
    "sqlstate_of",
]

#: SQLSTATE -> cause, from :data:`status_core.causes.TABLE`.
SQLSTATE_CAUSES: dict[str, str] = {code: row.name for row in TABLE for code in row.sqlstates}

#: While logging in, a few codes mean something else than in a query: a setting the URL
#: passes at startup was refused.
LOGIN_SQLSTATE_CAUSES: dict[str, str] = {
    **SQLSTATE_CAUSES,
    **{code: row.name for row in TABLE for code in row.login_sqlstates},
}

#: (pattern, cause) in matching order: the first pattern that matches wins. Lower-case
#: message text.
MESSAGE_CAUSES: tuple[tuple[str, str], ...] = tuple(
    (pattern, row.name) for row in TABLE for pattern in row.patterns
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
