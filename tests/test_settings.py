"""URL resolution, normalisation and masking (status_core.settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from status_core.errors import ConfigError
from status_core.settings import (
    configured_url,
    is_transaction_pooler,
    mask_url,
    parse_url,
    redact,
    resolve_target,
    resolve_timeouts,
)
from tests.cli_support import run_cli


@pytest.mark.parametrize(
    ("raw", "driver", "host", "port", "query"),
    [
        ("postgresql://u:pw@db.example:5432/kra", "postgresql+psycopg", "db.example", 5432, {}),
        ("postgres://u:pw@db.example/kra", "postgresql+psycopg", "db.example", None, {}),
        ("postgresql+psycopg://u:pw@h:6543/kra", "postgresql+psycopg", "h", 6543, {}),
        (
            "postgresql+asyncpg://u:pw@h:5432/kra?ssl=require&prepared_statement_cache_size=0",
            "postgresql+psycopg", "h", 5432, {"sslmode": "require"},
        ),
        ("postgresql://u:pw@h/kra?sslmode=true", "postgresql+psycopg", "h", None,
         {"sslmode": "require"}),
        ("  postgresql://u:pw@h/kra  ", "postgresql+psycopg", "h", None, {}),
    ],
)
def test_postgres_urls_are_normalised_to_psycopg(raw, driver, host, port, query):
    target = parse_url(raw)
    assert target.url.drivername == driver
    assert target.url.host == host
    assert target.url.port == port
    assert dict(target.url.query) == query
    assert "pw" not in target.masked.replace("psycopg", "")


def test_sqlite_url_is_accepted(tmp_path):
    target = parse_url(f"sqlite:///{tmp_path}/x.sqlite")
    assert target.url.get_backend_name() == "sqlite"
    assert not target.is_postgres


def test_encoded_password_is_decoded_and_every_form_is_a_secret():
    target = parse_url("postgresql://reader:Kra%24ecret%40%2F9z@127.0.0.1:5432/db")
    assert target.url.password == "Kra$ecret@/9z"
    assert "Kra$ecret@/9z" in target.secrets
    assert "Kra%24ecret%40%2F9z" in target.secrets
    assert "Kra" not in target.masked


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("db.example:5432", "no scheme"),
        ("mysql://u:secretpw@h/db", "unknown scheme"),
        ("postgresql://u:secretpw@/db", "host is missing"),
        ("postgresql://u:secretpw@h:99999/db", "port must be"),
        ("postgresql://u:secretpw@h:abc/db", "cannot be parsed"),
        ("postgresql://u:secretpw@h:5432/", "database name"),
        ("postgresql://:secretpw@h:5432/db", "user name"),
        ("postgresql://u:secret pw@h:5432/db", "white space"),
        ("postgresql://u:secretpw@h/db?sslmode=sometimes", "sslmode"),
        ("sqlite://", "file path"),
    ],
)
def test_unusable_urls_raise_config_error_naming_the_variable(raw, problem):
    with pytest.raises(ConfigError) as info:
        parse_url(raw)
    message = str(info.value)
    assert "DATABASE_URL" in message
    assert problem in message
    assert "secretpw" not in message and "secret pw" not in message
    assert "postgresql://USER:PASSWORD@HOST:5432/DBNAME" in info.value.hint


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"),
        ("error at postgres://x:y@h:5/d now", "error at postgres://x:***@h:5/d now"),
        ("postgresql://h/db?password=pw&x=1", "postgresql://h/db?password=***&x=1"),
        ("no url here", "no url here"),
    ],
)
def test_mask_url_on_text(text, expected):
    assert mask_url(text) == expected


def test_redact_removes_known_secrets_anywhere():
    assert redact("password 'hunter2' rejected", ("hunter2",)) == "password '***' rejected"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres.abc:pw@aws-0-ap-northeast-2.pooler.supabase.com:6543/postgres",
         True),
        ("postgresql://postgres.abc:pw@aws-0-ap-northeast-2.pooler.supabase.com:5432/postgres",
         False),
        ("postgresql://u:pw@127.0.0.1:6543/db", True),
        ("postgresql://u:pw@db.abc.supabase.co:5432/postgres", False),
    ],
)
def test_transaction_pooler_detection(url, expected):
    assert is_transaction_pooler(parse_url(url).url) is expected


def test_resolution_order_env_then_secrets_then_demo(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.kra]\nurl = "postgresql://s:pw@secrets-host/db"\n')
    env = {"DATABASE_URL": "postgresql://e:pw@env-host/db", "KRA_DEMO_PATH": str(tmp_path / "d")}
    assert resolve_target(env, [secrets]).url.host == "env-host"
    env.pop("DATABASE_URL")
    target = resolve_target(env, [secrets])
    assert target.url.host == "secrets-host"
    assert "secrets.toml" in target.source
    demo = resolve_target(env, [tmp_path / "missing.toml"])
    assert demo.is_demo and demo.url.database == str(tmp_path / "d")
    assert configured_url(env, [tmp_path / "missing.toml"]) == (None, "demo")


def test_bad_secrets_file_is_a_config_error(tmp_path):
    bad = tmp_path / "secrets.toml"
    bad.write_text("[connections.kra\nurl=")
    with pytest.raises(ConfigError, match="TOML"):
        resolve_target({}, [bad])


def test_demo_lives_outside_the_repository(monkeypatch, tmp_path):
    monkeypatch.delenv("KRA_DEMO_PATH", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    target = resolve_target({"XDG_CACHE_HOME": str(tmp_path)}, [])
    repo = Path(__file__).resolve().parents[1]
    assert Path(target.url.database).is_relative_to(tmp_path)
    assert not Path(target.url.database).is_relative_to(repo)


@pytest.mark.parametrize(
    ("env", "connect", "statement"),
    [({}, 5.0, 10.0), ({"KRA_CONNECT_TIMEOUT": "2", "KRA_STATEMENT_TIMEOUT": "0.5"}, 2.0, 0.5)],
)
def test_timeouts(env, connect, statement):
    timeouts = resolve_timeouts(env)
    assert (timeouts.connect, timeouts.statement) == (connect, statement)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "99999"])
def test_bad_timeouts_are_config_errors(value):
    with pytest.raises(ConfigError, match="KRA_STATEMENT_TIMEOUT"):
        resolve_timeouts({"KRA_STATEMENT_TIMEOUT": value})


@pytest.mark.parametrize(
    ("text", "secret", "expected"),
    [
        ("token hunter2 rejected", "hunter2", "token *** rejected"),
        ("password p expired for p", "p", "password *** expired for ***"),
        ("user=u password=pw;", "pw", "user=u password=***;"),
    ],
)
def test_redact_short_and_long_secrets(text, secret, expected):
    assert redact(text, (secret,)) == expected


# --------------------------------------------------------------------------- floors

BAD_SECONDS = ["0.0004", "0.09", "0", "-1", "-0.5", "nan", "NaN", "inf", "-inf", "1e999",
               "3600.5", "99999", "abc", "10s", "1_0", "１０", "1,5", "0x10", "²"]


@pytest.mark.parametrize("name", ["KRA_CONNECT_TIMEOUT", "KRA_STATEMENT_TIMEOUT"])
@pytest.mark.parametrize("value", BAD_SECONDS)
def test_timeouts_below_the_floor_or_not_numbers_are_refused(name, value):
    with pytest.raises(ConfigError) as info:
        resolve_timeouts({name: value}, [])
    exc = info.value
    assert exc.exit_code == 2
    assert exc.message.startswith(name)
    assert "0.1 to 3600" in exc.message and f"e.g. {name}=" in exc.message
    assert repr(value) in exc.message  # what was given, so the user finds it


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("0.1", 0.1), ("1e-1", 0.1), (" 2.5 ", 2.5), ("+3", 3.0), (".5", 0.5), ("3600", 3600.0),
     ("", 10.0), ("   ", 10.0)],
)
def test_timeouts_from_the_floor_up_are_accepted(value, seconds):
    assert resolve_timeouts({"KRA_STATEMENT_TIMEOUT": value}, []).statement == seconds


def test_a_long_bad_value_is_shortened_in_the_message():
    with pytest.raises(ConfigError) as info:
        resolve_timeouts({"KRA_STATEMENT_TIMEOUT": "9" * 5000}, [])
    assert len(info.value.message) < 200


def test_the_connect_timeout_message_says_libpq_waits_whole_seconds():
    with pytest.raises(ConfigError) as info:
        resolve_timeouts({"KRA_CONNECT_TIMEOUT": "0.0004"}, [])
    assert "whole seconds" in info.value.hint and "at least 2" in info.value.hint


@pytest.mark.parametrize(
    ("toml_value", "ok"),
    [("0.0004", False), ("0", False), ("-3", False), ("nan", False), ("inf", False),
     ('""', False), ('"  "', False), ('"abc"', False), ("true", False), ("[1]", False),
     ("1e999", False), ("0.1", True), ('"2.5"', True), ("30", True)],
)
@pytest.mark.parametrize("key", ["connect_timeout", "statement_timeout"])
def test_secrets_toml_timeouts_follow_the_same_rules(tmp_path, key, toml_value, ok):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[connections.kra]\nurl = "sqlite:///x"\n{key} = {toml_value}\n')
    if ok:
        timeouts = resolve_timeouts({}, [secrets])
        value = timeouts.connect if key == "connect_timeout" else timeouts.statement
        assert 0.1 <= value <= 3600
        return
    with pytest.raises(ConfigError) as info:
        resolve_timeouts({}, [secrets])
    assert info.value.message.startswith(f"[connections.kra] {key}")
    assert "0.1 to 3600" in info.value.message
    assert f"e.g. {key} = " in info.value.message


def test_a_non_table_connections_kra_is_not_a_crash(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections]\nkra = 3\n')
    assert resolve_timeouts({}, [secrets]).statement == 10.0


@pytest.mark.parametrize(
    ("seconds", "ms"),
    [(0.0004, 100), (0, 100), (-1, 100), (0.1, 100), (0.3, 300), (1.2345, 1235), (10, 10_000),
     (float("nan"), 10_000), (float("inf"), 3_600_000), (1e9, 3_600_000)],
)
def test_the_engine_never_sets_a_zero_statement_timeout(seconds, ms):
    from status_core.engine import statement_timeout_ms

    assert statement_timeout_ms(seconds) == ms


@pytest.mark.postgres
@pytest.mark.parametrize(("seconds", "shown"), [(0.1, "100ms"), (0.0004, "100ms"), (2, "2s")])
def test_statement_timeout_on_a_real_server(pg_db, seconds, shown):
    """Even a Timeouts built past the validation reaches PostgreSQL as at least 100 ms."""
    from status_core.engine import make_engine, read
    from status_core.settings import Timeouts

    engine = make_engine(parse_url(pg_db.reader_url), Timeouts(connect=5, statement=seconds))
    try:
        with read(engine) as conn:
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == shown
    finally:
        engine.dispose()


def test_cli_refuses_a_tiny_statement_timeout_with_exit_2(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/none.sqlite", "KRA_STATEMENT_TIMEOUT": "0.0004"}
    proc = run_cli("status", "--date", "20260214", "--meet", "1", env=env, cwd=tmp_path,
                   timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("kra-status: error: KRA_STATEMENT_TIMEOUT must be"), proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("env", "field", "value", "warned"),
    [
        ({"KRA_STALLED_MINUTES": "0"}, "stalled_minutes", 30, "KRA_STALLED_MINUTES"),
        ({"KRA_STALLED_MINUTES": "-5"}, "stalled_minutes", 30, "KRA_STALLED_MINUTES"),
        ({"KRA_STALLED_MINUTES": "nan"}, "stalled_minutes", 30, "KRA_STALLED_MINUTES"),
        ({"KRA_STALLED_MINUTES": "1e999"}, "stalled_minutes", 30, "KRA_STALLED_MINUTES"),
        ({"KRA_STALLED_MINUTES": "²"}, "stalled_minutes", 30, "KRA_STALLED_MINUTES"),
        ({"KRA_STALLED_MINUTES": "１０"}, "stalled_minutes", 30, "KRA_STALLED_MINUTES"),
        ({"KRA_STUCK_MINUTES": "10081"}, "stuck_minutes", 60, "KRA_STUCK_MINUTES"),
        ({"KRA_STUCK_MINUTES": "0.5"}, "stuck_minutes", 60, "KRA_STUCK_MINUTES"),
        ({"KRA_STUCK_MINUTES": "x" * 5000}, "stuck_minutes", 60, "KRA_STUCK_MINUTES"),
        ({"KRA_USUAL_WEEKDAYS": "1=²"}, "usual_weekdays", None, "KRA_USUAL_WEEKDAYS"),
        ({"KRA_USUAL_WEEKDAYS": "1=7"}, "usual_weekdays", None, "KRA_USUAL_WEEKDAYS"),
        ({"KRA_STALLED_MINUTES": " 45 "}, "stalled_minutes", 45, None),
        ({"KRA_STUCK_MINUTES": "10080"}, "stuck_minutes", 10080, None),
        ({"KRA_STUCK_MINUTES": "  "}, "stuck_minutes", 60, None),
    ],
)
def test_minute_and_weekday_settings_are_bounded_with_a_clear_warning(env, field, value, warned):
    from status_core.attention import DEFAULT_USUAL_WEEKDAYS
    from ui.filters import env_settings

    warnings: list[str] = []
    settings = env_settings(warnings, env)
    expected = DEFAULT_USUAL_WEEKDAYS if value is None else value
    assert getattr(settings, field) == expected
    if warned is None:
        assert warnings == []
        return
    assert len(warnings) == 1 and warnings[0].startswith(warned), warnings
    assert "e.g." in warnings[0] and len(warnings[0]) < 300, warnings
