"""The login step against servers that refuse the startup at once: a fast refusal is
named (the server's reason, redacted) with its real cause, never called a timeout.

The real PostgreSQL server refuses startup options passed in the URL; a tiny server
answers libpq's startup packet with a FATAL ErrorResponse, as a pooler does.
"""

from __future__ import annotations

import time

import pytest

from status_core.diagnose import Diagnosis, diagnose, format_text
from tests.check_support import check_secret_free, check_shape, pw_url
from tests.faults import rejecting_server
from tests.pgcluster import READER, SENTINEL_PASSWORD

# (id, startup options passed in the URL, cause, what the login step must quote)
SERVER_REJECTIONS = [
    ("unknown_setting", "-c bogus_setting=1", "config",
     'unrecognized configuration parameter "bogus_setting"'),
    # the reported case: the text names a *_timeout setting, and is no timeout
    ("timeout_setting_value", "-c statement_timeout=abc", "config",
     'invalid value for parameter "statement_timeout": "abc"'),
    ("timeout_setting_range", "-c idle_session_timeout=-1", "config",
     'is outside the valid range for parameter "idle_session_timeout"'),
    ("superuser_only_setting", "-c log_min_messages=debug1", "config",
     'permission denied to set parameter "log_min_messages"'),
    ("dangling_switch", "-c", "config", "invalid command-line argument for server process"),
]
# (id, the server's FATAL message, its SQLSTATE, cause, what the login step must quote)
POOLER_REJECTIONS = [
    ("pooler_startup_parameter", "unsupported startup parameter: options", "08P01", "config",
     "unsupported startup parameter: options"),
    ("pooler_timeout_parameter", 'invalid value for parameter "statement_timeout": "0.0004"',
     "22023", "config", 'invalid value for parameter "statement_timeout"'),
    ("pooler_full", "sorry, too many clients already", "53300", "too_many_connections",
     "sorry, too many clients already"),
    ("pooler_tenant", "Tenant or user not found", "XX000", "auth_rejected",
     "Tenant or user not found"),
    ("server_starting", "the database system is starting up", "57P03", "server_starting",
     "the database system is starting up"),
    ("password_echoed", f'password authentication failed for user "{READER}" '
     f"(got {SENTINEL_PASSWORD})", "28P01", "auth_password", "password authentication failed"),
    ("no_pattern", "go away", "XX000", "unknown", "go away"),
]


def assert_fast_rejection(diagnosis: Diagnosis, cause: str, quoted: str) -> None:
    summary = format_text(diagnosis, "en")
    login = diagnosis.step("login")
    assert diagnosis.cause == cause, summary
    assert login.outcome == "fail" and login.cause == cause, summary
    assert login.elapsed_ms < 1000, summary  # the server answered at once
    assert quoted in login.detail and quoted in login.detail_ko, summary
    assert "connection to server at" not in login.detail  # the reason, not libpq's frame
    assert diagnosis.exit_code == (2 if cause == "config" else 1)
    if cause == "config":
        assert "options" in login.hint_en and "options" in login.hint_ko
    check_shape(diagnosis)
    check_secret_free(diagnosis)


@pytest.mark.postgres
@pytest.mark.parametrize(("options", "cause", "quoted"),
                         [r[1:] for r in SERVER_REJECTIONS], ids=[r[0] for r in SERVER_REJECTIONS])
def test_a_startup_option_the_server_rejects_is_named_not_called_a_timeout(
        options, cause, quoted, pg_db, isolated_env):  # noqa: ANN001
    started = time.monotonic()
    diagnosis = diagnose(pg_db.url_for(READER, options=options), timeout=5)
    assert time.monotonic() - started < 2.0
    assert_fast_rejection(diagnosis, cause, quoted)


@pytest.mark.parametrize(("message", "sqlstate", "cause", "quoted"),
                         [r[1:] for r in POOLER_REJECTIONS], ids=[r[0] for r in POOLER_REJECTIONS])
def test_a_server_that_refuses_the_startup_packet_at_once(message, sqlstate, cause, quoted,
                                                          isolated_env):  # noqa: ANN001
    with rejecting_server(message, sqlstate) as port:
        started = time.monotonic()
        diagnosis = diagnose(pw_url("127.0.0.1", port), timeout=5)
        assert time.monotonic() - started < 2.0
    assert_fast_rejection(diagnosis, cause, quoted)
