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
