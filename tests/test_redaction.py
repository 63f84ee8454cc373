"""No password on any surface, whatever the URL; CSV downloads that never run as formulas.

* URL forms: a password with an unencoded ``@``, ``/``, ``#`` or ``?`` is refused with a
  configuration error (exit 2) that says to percent-encode and shows nothing of it: by the
  real ``kra-status`` console script, by ``kra-status check --json`` and on the overview
  page (AppTest, the whole element tree searched). The percent-encoded form of each of
  those passwords logs in to the real test cluster.
* Masking: :func:`status_core.redact.mask_url` / :func:`redact` on odd text.
* CSV: every dangerous first character neutralised, and the race page's real download
  button carries ``'=HYPERLINK(...)`` for a race of that name in PostgreSQL.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest

from status_core.errors import ConfigError
from status_core.export import csv_bytes, neutralise
from status_core.redact import mask_single_url, mask_url, redact, secret_forms, url_secrets
from status_core.settings import parse_url
from tests.apptest_support import app, full_error_details, tree_text
from tests.cli_support import run_cli
from tests.pgcluster import AUTHENTICATED, assert_no_secret
from tests.rows import make_race

DATE, MEET = "20260214", 1
ENCODE_ADVICE = ("percent-encode", "%40", "%2F", "%23", "%3F")


# --------------------------------------------------------------------------- helpers


def run_kra_status(*argv: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """The installed ``kra-status`` console script in a clean environment plus ``env``."""
    return run_cli(*argv, env=env, cwd=cwd, script=True)


# --------------------------------------------------------------------------- URL forms


@dataclass(frozen=True)
class UrlForm:
    id: str
    user: str
    password: str
    template: str = "postgresql://{auth}@127.0.0.1:{port}/{db}"

    def raw(self, port: int = 5432, db: str = "kra") -> str:
        """The URL as a careless user pastes it: nothing encoded."""
        return self.template.format(auth=f"{self.user}:{self.password}", port=port, db=db)

    def encoded(self, port: int, db: str) -> str:
        """The same URL written correctly: user and password percent-encoded."""
        auth = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        return self.template.format(auth=auth, port=port, db=db)


URL_FORMS = [
    UrlForm("two-at", "kra_r_at", "Pa@ss-77"),
    UrlForm("three-at", "kra_r_at3", "x@Pa@ss-77"),
    UrlForm("slash", "kra_r_slash", "pa/ss-k9"),
    UrlForm("hash", "kra_r_hash", "pa#ss-k9"),
    UrlForm("question", "kra_r_q", "pa?ss-k9"),
    UrlForm("question-and-query", "kra_r_q2", "pa?ss-k9=1",
            "postgresql://{auth}@127.0.0.1:{port}/{db}?sslmode=disable"),
    UrlForm("everything", "kra_r_all", "K:r@/#?%x9"),
    UrlForm("asyncpg-two-at", "kra_r_apg", "Pa@ss-78",
            "postgresql+asyncpg://{auth}@127.0.0.1:{port}/{db}"),
    UrlForm("user-with-at", "kra@corp", "Pa55-w0rd-9"),
]
FORM_IDS = [f.id for f in URL_FORMS]


def assert_encode_advice(text: str) -> None:
    low = text.lower()
    missing = [a for a in ENCODE_ADVICE if a.lower() not in low]
    assert not missing, (missing, text)


@pytest.mark.parametrize("form", URL_FORMS, ids=FORM_IDS)
def test_parse_url_refuses_ambiguous_userinfo_and_shows_nothing_of_it(form):
    with pytest.raises(ConfigError) as info:
        parse_url(form.raw())
    exc = info.value
    assert exc.exit_code == 2
    assert "DATABASE_URL" in exc.message and "ambiguous" in exc.message
    assert_encode_advice(exc.message)
    assert "://" in exc.message and "***@127.0.0.1" in exc.message  # masked to the last @
    assert_no_secret(exc.message + exc.hint, form.password)


@pytest.mark.parametrize("form", URL_FORMS, ids=FORM_IDS)
def test_cli_status_exits_2_with_the_encode_advice_and_no_password(form, isolated_env):
    proc = run_kra_status("status", "--date", DATE, "--meet", str(MEET),
                          env={"DATABASE_URL": form.raw()}, cwd=isolated_env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("kra-status: error: DATABASE_URL is ambiguous"), proc.stderr
    assert_encode_advice(proc.stderr)
    assert_no_secret(proc.stdout + proc.stderr, form.password)


@pytest.mark.parametrize("form", URL_FORMS, ids=FORM_IDS)
def test_cli_check_json_fails_the_config_step_without_the_password(form, isolated_env):
    proc = run_kra_status("check", "--json", "--timeout", "5",
                          env={"DATABASE_URL": form.raw()}, cwd=isolated_env)
    assert_no_secret(proc.stdout + proc.stderr, form.password)
    assert proc.returncode == 2, proc.stderr
    payload = json.loads(proc.stdout)
    config = payload["steps"][0]
    assert config["name"] == "config" and config["outcome"] == "fail", config
    assert config["cause"] == "config"
    assert "ambiguous" in json.dumps(config), config
    assert all(s["outcome"] == "skipped" for s in payload["steps"][1:]), payload["steps"]


def test_ambiguous_url_from_secrets_toml_names_that_setting(isolated_env):
    form = URL_FORMS[0]
    secrets = isolated_env / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(f'[connections.kra]\nurl = "{form.raw()}"\n', encoding="utf-8")
    proc = run_kra_status("status", "--date", DATE, "--meet", str(MEET), env={},
                          cwd=isolated_env)
    assert proc.returncode == 2, proc.stderr
    assert "[connections.kra] url" in proc.stderr and "ambiguous" in proc.stderr
    assert_encode_advice(proc.stderr)
    assert_no_secret(proc.stdout + proc.stderr, form.password)


@pytest.mark.parametrize("form", URL_FORMS[:5] + URL_FORMS[-1:], ids=FORM_IDS[:5] + FORM_IDS[-1:])
def test_overview_page_shows_the_config_error_without_the_password(form, isolated_env,
                                                                   monkeypatch, fresh_caches):
    monkeypatch.setenv("DATABASE_URL", form.raw())
    with full_error_details():
        at = app().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "DATABASE_URL is ambiguous" in errors, errors
    assert_encode_advice(errors)
    tree = tree_text(at)
    assert "Traceback" not in tree
    assert_no_secret(tree, form.password)
    assert not (isolated_env / "demo.sqlite").exists(), "fell back to the demo silently"


# ------------------------------------------- the same passwords, encoded, log in for real


@pytest.fixture(scope="module")
def url_form_roles(pg_cluster) -> Iterator[None]:
    """One login role per URL form, with that form's password, reading like the reader."""
    from psycopg import sql

    with pg_cluster.connect() as conn:
        for form in URL_FORMS:
            role = sql.Identifier(form.user)
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOBYPASSRLS PASSWORD {}").format(
                role, sql.Literal(form.password)))
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(AUTHENTICATED), role))
    yield
    with pg_cluster.connect() as conn:
        for form in URL_FORMS:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(form.user)))


@pytest.mark.postgres
@pytest.mark.parametrize("form", URL_FORMS, ids=FORM_IDS)
def test_the_percent_encoded_password_logs_in(form, url_form_roles, pg_db, isolated_env):
    pg_db.load(races=[make_race(DATE, MEET, n, collection_status="collected") for n in (1, 2, 3)])
    url = form.encoded(pg_db.cluster.port, pg_db.name)
    assert parse_url(url).url.password == form.password
    proc = run_kra_status("status", "--date", DATE, "--meet", str(MEET), "--json",
                          env={"DATABASE_URL": url}, cwd=isolated_env)
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["total_races"] == 3 and payload["collected_races"] == 3, payload
    assert_no_secret(proc.stdout + proc.stderr, form.password)


@pytest.mark.postgres
def test_the_check_passes_login_with_an_encoded_at_and_hash(url_form_roles, pg_db,
                                                            isolated_env):
    form = next(f for f in URL_FORMS if f.id == "everything")
    url = form.encoded(pg_db.cluster.port, pg_db.name)
    proc = run_kra_status("check", "--json", "--timeout", "10", env={"DATABASE_URL": url},
                          cwd=isolated_env)
    assert_no_secret(proc.stdout + proc.stderr, form.password)
    steps = {s["name"]: s for s in json.loads(proc.stdout)["steps"]}
    assert steps["config"]["outcome"] == "ok", steps["config"]
    assert steps["login"]["outcome"] == "ok", steps["login"]


# --------------------------------------------------------------------------- masking


SECRET = "Pa@ss w0rd/#?-77"
MASKING = [
    ("two-at", f"postgresql://u:{SECRET}@db.example:5432/kra", "postgresql://u:***@"),
    ("in-a-sentence", f"cannot connect to postgres://reader:{SECRET}@h/db (timeout)",
     "postgres://reader:***@h/db (timeout)"),
    ("quoted", f"Could not parse URL from string 'postgresql+asyncpg://u:{SECRET}@h/db'",
     "'postgresql+asyncpg://u:***@h/db'"),
    ("two-urls", f"a postgresql://u:{SECRET}@h/db b postgresql://v:{SECRET}@h2/db",
     "postgresql://v:***@h2/db"),
    ("user-with-at", f"postgresql://kra@corp:{SECRET}@h/db", "postgresql://***@h/db"),
    ("no-colon", "postgresql://Pa@ss-77@h/db", "postgresql://***@h/db"),
    ("query-password", f"postgresql://u@h/db?sslmode=require&password={quote(SECRET)}&x=1",
     "password=***&x=1"),
    ("conninfo", "host=h user=u password='Pa@ss w0rd' dbname=kra", "password=***"),
    ("no-scheme", "u:Pa@ss-w0rd/77@db.example:5432/kra", "u:***@db.example"),
    ("percent-encoded", f"postgresql://u:{quote(SECRET, safe='')}@h/db", "postgresql://u:***@h/db"),
    ("multi-line", f"error\npostgresql://u:{SECRET}@h/db\nhint", "postgresql://u:***@h/db"),
]


@pytest.mark.parametrize(("text", "kept"), [c[1:] for c in MASKING], ids=[c[0] for c in MASKING])
def test_masking_never_leaks_the_password(text, kept):
    password = SECRET if SECRET in text or quote(SECRET) in text else None
    for shown in (mask_url(text), redact(text)):
        assert kept in shown, shown
        assert "w0rd" not in shown and "Pa@ss" not in shown, shown
        if password:
            assert_no_secret(shown, password)


@pytest.mark.parametrize(("text", "kept"), [c[1:] for c in MASKING], ids=[c[0] for c in MASKING])
def test_masking_is_idempotent(text, kept):
    once = redact(text)
    assert redact(once) == once == mask_url(once)


@pytest.mark.parametrize(("raw", "password"), [
    (f"postgresql://u:{SECRET}@h/db", SECRET),
    (f"postgresql://u:{SECRET}@h:99999/db", SECRET),
    ("postgresql://u:pa\nss-k9@h/db", "pa\nss-k9"),
    (f"postgresql://u:{quote(SECRET, safe='')}@h/db", SECRET),
    ("postgresql://u:Pa@ss-77@h/db?password=Other-99", "Other-99"),
])
def test_known_secret_forms_are_removed_even_outside_urls(raw, password):
    """What a driver might echo (the bare password, encoded or not) goes too."""
    secrets = url_secrets(raw)
    text = f"server said: {password} / {quote(password, safe='')} / {quote(password)}"
    shown = redact(text, secrets)
    assert_no_secret(shown, password)
    assert shown.startswith("server said: ***")
    assert_no_secret(mask_single_url(raw), password)


@pytest.mark.parametrize(("text", "secret", "expected"), [
    ("token hunter22 rejected", "hunter22", "token *** rejected"),
    ("password p expired for p", "p", "password *** expired for ***"),
    ("the user kra_reader logged in", "kra", "the user kra_reader logged in"),
])
def test_short_secrets_are_removed_only_as_words(text, secret, expected):
    assert redact(text, secret_forms(secret)) == expected


@pytest.mark.parametrize("text", [
    "no url here", "see https://supabase.com/dashboard/project/_/settings/database",
    "role kra_reader on 127.0.0.1:5432", "Expected the form sqlite:///PATH",
])
def test_text_without_credentials_is_unchanged(text):
    assert mask_url(text) == text == redact(text)


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(("cell", "written"), [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("제1경주", "제1경주"),
    ("a=b", "a=b"),
    (" =1", " =1"),
    ("-1", "-1"),
    ("+2.5", "+2.5"),
    ("", ""),
])
def test_csv_cells_are_neutralised(cell, written):
    assert neutralise(cell) == written
    frame = pd.DataFrame({"race_name": [cell], "race_number": [-1], "score": [-0.5]})
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as before
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1, rows  # a CR inside a cell never starts another row
    assert rows[0] == {"race_name": written, "race_number": "-1", "score": "-0.5"}


def test_csv_leaves_non_text_columns_alone():
    frame = pd.DataFrame({
        "n": [-1, 2], "f": [-1.5, float("nan")], "b": [True, False],
        "t": pd.to_datetime(["2026-02-14 10:00", None]),
        "mixed": [-3, "=x"], "cat": pd.Categorical(["-a", "b"]),
    })
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert rows[1] == ["-1", "-1.5", "True", "2026-02-14 10:00:00", "-3", "'-a"]
    assert rows[2] == ["2", "", "False", "", "'=x", "b"]
    assert list(frame["mixed"]) == [-3, "=x"]  # the page's own frame is not changed


@pytest.fixture
def media_files(monkeypatch) -> list:  # noqa: ANN001
    """The in-memory media stores AppTest creates, so a download button's bytes can be read."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test

    stores: list = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Recording)
    return stores


def download_data(at, stores: list, key: str) -> bytes:  # noqa: ANN001
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    name = button.proto.url.rsplit("/", 1)[1]
    for store in reversed(stores):
        with contextlib.suppress(Exception):
            return bytes(store.get_file(name).content)
    raise AssertionError(f"no media file {name}")


@pytest.mark.postgres
def test_race_page_csv_download_neutralises_a_formula_race_name(pg_db, isolated_env,
                                                                 monkeypatch, fresh_caches,
                                                                 media_files):
    name = '=HYPERLINK("http://x","y")'
    pg_db.load(races=[make_race(DATE, MEET, 1, race_name=name, collection_status="collected"),
                      make_race(DATE, MEET, 2, race_name="-5+5", distance=-1)])
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    at = app("pages/1_race.py", date=DATE, meet=str(MEET)).run()
    assert not at.exception, [e.value for e in at.exception]
    data = download_data(at, media_files, "csv_races")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    by_number = {r["race_number"]: r for r in rows}
    assert by_number["1"]["race_name"].startswith("'=")
    assert by_number["1"]["race_name"] == "'" + name
    assert by_number["2"]["race_name"] == "'-5+5"
    assert by_number["2"]["distance"] == "-1"  # a number stays a number
    assert_no_secret(data)

