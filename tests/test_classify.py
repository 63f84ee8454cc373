"""``classify``: SQLSTATE first, message text second; hints for every cause.

Pure logic: the exceptions here are fakes carrying ``sqlstate`` (the real server decides
those in ``tests/test_diagnose.py``); the message texts are the ones libpq, PostgreSQL,
PgBouncer, Supavisor and SQLite actually print.
"""

from __future__ import annotations

import socket
import sqlite3

import psycopg
import pytest
import sqlalchemy as sa

from status_core.causes import TABLE, error_for
from status_core.classify import (
    CAUSES,
    LOGIN_SQLSTATE_CAUSES,
    MESSAGE_CAUSES,
    SQLSTATE_CAUSES,
    classify,
    is_value_error,
    server_message,
    server_reason,
    sqlstate_of,
)
from status_core.engine import translate
from status_core.errors import DatabaseUnavailable, QueryFailed, SchemaError
from status_core.hints import HINTS, NOTES, check_hint_for, hint_for, note_for


class FakeError(Exception):
    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class Diag:
    def __init__(self, sqlstate: str) -> None:
        self.sqlstate = sqlstate


class DiagError(Exception):
    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = None
        self.diag = Diag(sqlstate)


def wrapped(orig: BaseException) -> sa.exc.DBAPIError:
    return sa.exc.OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    ("sqlstate", "message", "cause"),
    [
        ("28P01", 'password authentication failed for user "kra_reader"', "auth_password"),
        ("28000", "Tenant or user not found", "auth_rejected"),
        ("28000", 'no pg_hba.conf entry for host "10.0.0.1", user "x", database "y", SSL off',
         "auth_rejected"),
        ("3D000", 'database "nope" does not exist', "database_missing"),
        ("53300", 'too many connections for role "kra_nolimit"', "too_many_connections"),
        ("57P03", "the database system is starting up", "server_starting"),
        ("57P01", "terminating connection due to administrator command", "server_starting"),
        ("42501", "permission denied for table races", "permission_denied"),
        ("42P01", 'relation "races" does not exist', "schema_missing"),
        ("3F000", 'schema "kra" does not exist', "schema_missing"),
        ("42703", 'column "race_id" does not exist', "schema_outdated"),
        ("57014", "canceling statement due to statement timeout", "query_timeout"),
        ("08001", "could not connect: Connection refused", "refused"),
        ("08006", "SSL SYSCALL error: EOF detected", "ssl"),
        ("08006", "something we have never seen", "refused"),
        ("XX000", "internal error", "unknown"),
    ],
)
def test_sqlstate_decides_first(sqlstate: str, message: str, cause: str) -> None:
    assert classify(FakeError(message, sqlstate)) == cause
    assert classify(wrapped(FakeError(message, sqlstate))) == cause
    assert classify(DiagError(message, sqlstate)) == cause


def test_sqlstate_beats_the_message() -> None:
    # the text would say "timeout", the code says permission
    assert classify(FakeError("timeout while checking permission", "42501")) == (
        "permission_denied")


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        ('connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
         'password authentication failed for user "kra_reader"', "auth_password"),
        ('connection failed: connection to server at "127.0.0.1", port 5432 failed: '
         "fe_sendauth: no password supplied", "auth_missing_password"),
        ('connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "x" does '
         "not exist", "database_missing"),
        ('connection to server at "127.0.0.1", port 5432 failed: FATAL:  too many '
         'connections for role "kra_nolimit"', "too_many_connections"),
        ("FATAL: Tenant or user not found", "auth_rejected"),
        ('FATAL:  role "nobody" does not exist', "auth_rejected"),
        ("(EMAXCONNSESSION) max clients reached in session mode - max clients are limited "
         "to pool_size: 15", "too_many_connections"),
        ("no more connections allowed (max_client_conn)", "too_many_connections"),
        ("FATAL:  remaining connection slots are reserved for non-replication superuser "
         "connections", "too_many_connections"),
        ("FATAL:  the database system is shutting down", "server_starting"),
        ("failed to resolve host 'nonexistent.invalid': [Errno -2] Name or service not known",
         "dns"),
        ('could not translate host name "db.example.invalid" to address: Temporary failure '
         "in name resolution", "dns"),
        ('connection to server at "127.0.0.1", port 5432 failed: server does not support '
         "SSL, but SSL was required", "ssl"),
        ("SSL error: certificate verify failed", "ssl"),
        ('connection failed: connection to server at "127.0.0.1", port 1 failed: Connection '
         "refused\n\tIs the server running on that host and accepting TCP/IP connections?",
         "refused"),
        # a host name with "ssl" in it must not make a refused connection an SSL problem
        ('connection to server at "ssl.example.com" (10.0.0.5), port 5432 failed: '
         "Connection refused", "refused"),
        ('connection to server at "db.x.supabase.co" (2406:da14::1), port 5432 failed: '
         "Network is unreachable", "refused"),
        ("connection timeout expired", "timeout"),
        ("ERROR: query_wait_timeout", "timeout"),
        ("canceling statement due to statement timeout", "query_timeout"),
        ("permission denied for table jobs", "permission_denied"),
        ('relation "races" does not exist', "schema_missing"),
        ("column races.race_id does not exist", "schema_outdated"),
        ("no such table: races", "schema_missing"),
        ("no such column: collection_status", "schema_outdated"),
        ("database is locked", "timeout"),
        ("server closed the connection unexpectedly", "unknown"),
    ],
)
def test_message_text_when_there_is_no_sqlstate(message: str, cause: str) -> None:
    # psycopg 3 raises a bare OperationalError (no SQLSTATE) for failed connection attempts
    assert classify(FakeError(message)) == cause
    assert classify(wrapped(FakeError(message))) == cause


@pytest.mark.parametrize(
    ("exc", "cause"),
    [
        (TimeoutError("timed out"), "timeout"),
        (TimeoutError(110, "Connection timed out"), "timeout"),
        (ConnectionRefusedError(111, "Connection refused"), "refused"),
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (sqlite3.OperationalError("no such table: races"), "schema_missing"),
        (sqlite3.OperationalError("unable to open database file"), "unknown"),
    ],
)
def test_python_and_sqlite_errors(exc: BaseException, cause: str) -> None:
    assert classify(exc) == cause


def test_every_result_is_a_vocabulary_word() -> None:
    assert set(SQLSTATE_CAUSES.values()) <= set(CAUSES)
    for text in ("", "x", "ssl", "timeout", "permission denied"):
        assert classify(FakeError(text)) in CAUSES


def test_sqlstate_of_and_server_message() -> None:
    exc = wrapped(FakeError("permission denied for table races", "42501"))
    assert sqlstate_of(exc) == "42501"
    assert sqlstate_of(FakeError("x")) is None
    assert server_message(exc) == "permission denied for table races"
    assert "sqlalche.me" not in server_message(exc)
    assert server_message(FakeError("")) == "FakeError"


@pytest.mark.parametrize("cause", CAUSES)
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_cause_has_a_hint(cause: str, lang: str) -> None:
    assert cause in HINTS
    text = hint_for(cause, lang)
    if cause == "ok":
        assert text == ""
    else:
        assert text and "{" not in text  # placeholders filled even without context


def test_hints_are_specific() -> None:
    assert "GRANT SELECT ON races, jobs TO kra_x;" in hint_for("permission_denied", "en",
                                                               role="kra_x")
    assert "GRANT SELECT ON jobs TO kra_x;" in hint_for("permission_denied", "ko",
                                                        role="kra_x", tables="jobs")
    assert "<role>" in hint_for("permission_denied", "en")
    ko = hint_for("auth_rejected", "ko")
    assert "Supabase 대시보드 → Project Settings → Database → Connection string → " \
           "Transaction pooler의 사용자 이름 postgres.<project_ref>를 그대로 쓰세요" in ko
    assert "?sslmode=require" in hint_for("ssl", "en")
    assert "6543" in hint_for("too_many_connections", "en")
    assert "KRA_STATEMENT_TIMEOUT" in hint_for("query_timeout", "ko")
    assert "007_runtime_db_hardening.sql" in hint_for("schema_legacy", "en")
    assert "%40" in hint_for("auth_password", "ko")  # percent-encoding of special chars
    assert hint_for("no-such-cause", "en") == hint_for("unknown", "en")
    assert hint_for("dns", "xx") == hint_for("dns", "en")


def test_notes_exist_in_both_languages() -> None:
    for key, entry in NOTES.items():
        assert entry["ko"] and entry["en"], key
        assert "{" not in note_for(key, "ko") and "{" not in note_for(key, "en")
    assert note_for("nope") == ""


# libpq's text for a server that refuses a startup setting of the URL: the refusal arrives
# within milliseconds and may name a *_timeout setting; it is the URL's fault (config).
_AT = 'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  '


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        (_AT + 'invalid value for parameter "statement_timeout": "abc"', "config"),
        (_AT + '-5 ms is outside the valid range for parameter "lock_timeout" (0 .. 2147483647)',
         "config"),
        (_AT + 'unrecognized configuration parameter "bogus_setting"', "config"),
        (_AT + 'permission denied to set parameter "log_min_messages"', "config"),
        (_AT + "invalid command-line argument for server process: -c\nHINT:  Try "
         '"postgres --help" for more information.', "config"),
        (_AT + "--foo requires a value", "config"),
        (_AT + 'parameter "port" cannot be changed without restarting the server', "config"),
        (_AT + "unsupported startup parameter: options", "config"),
        ('invalid connection option "bogus"', "config"),
        ('invalid sslmode value: "maybe"', "config"),
        ('invalid integer value "x" for connection option "connect_timeout"', "config"),
        # real timeouts stay timeouts
        ("connection timeout expired", "timeout"),
        (_AT + "timeout expired", "timeout"),
        ("ERROR: query_wait_timeout", "timeout"),
        ("canceling statement due to statement timeout", "query_timeout"),
    ],
)
def test_a_refused_startup_setting_is_config_not_timeout(message: str, cause: str) -> None:
    for login in (False, True):
        assert classify(FakeError(message), login=login) == cause
        assert classify(wrapped(FakeError(message)), login=login) == cause


@pytest.mark.parametrize(
    ("sqlstate", "message", "query_cause", "login_cause"),
    [
        ("42704", 'unrecognized configuration parameter "x"', "schema_outdated", "config"),
        ("22023", 'invalid value for parameter "statement_timeout": "abc"', "unknown",
         "config"),
        ("42601", "--foo requires a value", "unknown", "config"),
        ("55P02", 'parameter "port" cannot be changed now', "unknown", "config"),
        ("28P01", "password authentication failed", "auth_password", "auth_password"),
        ("53300", "sorry, too many clients already", "too_many_connections",
         "too_many_connections"),
    ],
)
def test_login_sqlstates(sqlstate: str, message: str, query_cause: str,
                         login_cause: str) -> None:
    # 22023/42601/55P02 have no query meaning of their own: the message decides there
    assert classify(FakeError("x", sqlstate)) == (
        query_cause if sqlstate in SQLSTATE_CAUSES else "unknown")
    assert classify(FakeError("x", sqlstate), login=True) == login_cause
    assert set(LOGIN_SQLSTATE_CAUSES.values()) <= set(CAUSES)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (_AT + 'unrecognized configuration parameter "x" connection to server at "127.0.0.1", '
         'port 5432 failed: FATAL:  unrecognized configuration parameter "x"',
         'unrecognized configuration parameter "x"'),
        (_AT + 'invalid value for parameter "DateStyle": "x"\nHINT:  Available values: ISO.',
         'invalid value for parameter "DateStyle": "x"; HINT: Available values: ISO.'),
        ('connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file or '
         "directory", "No such file or directory"),
        ('connection to server at "db.x" (10.0.0.1), port 6543 failed: ERROR:  Tenant or '
         "user not found", "Tenant or user not found"),
        ("permission denied for table races", "permission denied for table races"),
        ("", ""),
    ],
)
def test_server_reason_strips_libpq_framing(text: str, reason: str) -> None:
    assert server_reason(text) == reason


def _psycopg_data_error() -> BaseException:
    return psycopg.DataError("timestamp too large (after year 10K): 'infinity'")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (_psycopg_data_error(), True),  # the driver's loader, no SQLSTATE
        (wrapped(_psycopg_data_error()), True),
        (OverflowError("date value out of range"), True),
        (ValueError("year 0 is out of range"), True),
        (FakeError('invalid input syntax for type date: "2026-02-30"', "22008"), True),
        (FakeError("permission denied for table races", "42501"), False),
        (FakeError("canceling statement due to statement timeout", "57014"), False),
        (wrapped(FakeError("server closed the connection unexpectedly")), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_is_value_error(exc: BaseException, expected: bool) -> None:
    assert is_value_error(exc) is expected


@pytest.mark.parametrize("cause", CAUSES)
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_checks_own_hints_never_send_the_user_to_the_check(cause: str, lang: str) -> None:
    text = check_hint_for(cause, lang, host="h", port=5432, seconds="5")
    assert "kra-status check" not in text and "{" not in text
    assert (text == "") is (cause == "ok")
    if cause not in ("unknown", "timeout"):
        assert text == hint_for(cause, lang, host="h", port=5432, seconds="5")


# --------------------------------------------------------------------------- the cause table


def test_the_cause_table_gives_each_code_one_meaning() -> None:
    for field in ("sqlstates", "login_sqlstates"):
        codes = [code for row in TABLE for code in getattr(row, field)]
        assert len(codes) == len(set(codes)), field
    assert set(LOGIN_SQLSTATE_CAUSES) >= set(SQLSTATE_CAUSES)
    assert [cause for _pattern, cause in MESSAGE_CAUSES][0] == "config"  # decides first


@pytest.mark.parametrize(
    ("cause", "error", "lead"),
    [
        *[(c, SchemaError, "The collector's tables are not usable")
          for c in ("schema_missing", "schema_legacy", "schema_outdated")],
        *[(c, QueryFailed, "The query failed")
          for c in ("permission_denied", "query_timeout", "rows_hidden_by_rls")],
        *[(c, DatabaseUnavailable, "Cannot use the database")
          for c in ("ok", "config", "dns", "refused", "timeout", "ssl", "auth_password",
                    "auth_missing_password", "auth_rejected", "database_missing",
                    "too_many_connections", "server_starting", "unknown", "no-such-cause")],
    ],
)
def test_each_cause_becomes_its_error_class(cause: str, error: type, lead: str) -> None:
    exc = error_for(cause, " (db): the server said so", hint="h")
    assert type(exc) is error
    assert exc.message == f"{lead} (db): the server said so"
    assert (exc.cause, exc.hint) == (cause, "h")


@pytest.mark.parametrize(
    ("exc", "error", "message"),
    [
        (FakeError("permission denied for table races", "42501"), QueryFailed,
         "The query failed: permission denied for table races"),
        (FakeError('relation "races" does not exist', "42P01"), SchemaError,
         "The collector's tables are not usable: relation \"races\" does not exist"),
        (wrapped(FakeError("connection refused")), DatabaseUnavailable,
         "Cannot use the database: connection refused"),
    ],
)
def test_translate_picks_the_class_of_the_cause(exc: BaseException, error: type,
                                                message: str) -> None:
    translated = translate(exc)
    assert type(translated) is error and translated.message == message
