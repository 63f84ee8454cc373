"""The small exception hierarchy of the core, translated at the edges.

The CLI turns these into one line and an exit code; pages turn them into ``st.error`` with
the hint. Every message here is already safe to show: no password ever goes into one.
"""

from __future__ import annotations


class StatusError(Exception):
    """Base class of every error the core raises on purpose.

    ``cause`` is one word of the diagnosis vocabulary (see :mod:`status_core.diagnose`),
    ``hint`` says what to do about it.
    """

    exit_code = 1
    cause = "unknown"

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        cause: str | None = None,
        context: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # Names the hint mentions (role, host, seconds, ...), so an edge can re-render the
        # hint in the user's language: ``hint_for(exc.cause, lang, **exc.context)``.
        self.context = dict(context or {})
        if cause is not None:
            self.cause = cause

    def __str__(self) -> str:
        return self.message


class ConfigError(StatusError):
    """The database URL or another setting cannot be used as given."""

    exit_code = 2
    cause = "config"


class InputError(StatusError):
    """A date, meet or range given by the user is not valid."""

    exit_code = 2
    cause = "config"


class DatabaseUnavailable(StatusError):
    """The database could not be reached or refused the login."""


class SchemaError(StatusError):
    """The database does not have the collector's tables in the expected shape."""

    cause = "schema_missing"


class QueryFailed(StatusError):
    """A read query failed on a reachable database (permission, timeout, ...)."""
