"""Bad input: a table-driven corpus of hostile or broken inputs.

Query parameters to the pages, CLI arguments, ``DATABASE_URL`` variants and odd data in
SQLite and PostgreSQL. Each must give a clear message or be handled sensibly: never an
exception on a page, never a traceback from the CLI, never a write (the data is compared
before and after).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from status_core import demo
from status_core.text import t
from tests.apptest_support import app, error_texts, exception_texts, full_error_details, tree_text
from tests.cli_support import run_cli, run_cli_inprocess
from tests.pg_support import fingerprint
from tests.pgcluster import READER, assert_no_secret
from tests.rows import kst_today, make_job, make_race, write_sqlite

TODAY = kst_today()
T = TODAY.strftime("%Y%m%d")
INPUT_ERROR = t("error.input", "ko")  # the pages' "invalid input" warning prefix


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple | dict | str
    expect: str  # "warn": an input warning names it; "ok": handled, no warning needed;
    #              "config": a configuration error; "2"/"1"/"0": CLI exit code


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sqlite(path: Path, odd: bool = False) -> Path:
    """The collector's tables in SQLite with a few races and jobs; ``odd`` adds rows the
    dashboard does not expect (unknown enum values, NULLs, non-dates, broken JSON)."""
    now = dt.datetime.now(dt.UTC)
    races = [demo.race_row(T, 1, n, updated_at=now) for n in (1, 2, 3)]
    jobs = [demo.job_row("job-ok", race_date=T, meet=1, created_at=now)]
    write_sqlite(path, races, jobs, migrations=())
    if odd:
        conn = sqlite3.connect(path)
        with conn:
            conn.execute("PRAGMA ignore_check_constraints = ON")
            ins = ("INSERT INTO races (race_id, date, meet, race_number, collection_status, "
                   "enrichment_status, result_status, updated_at, collected_at, warnings, "
                   "data_quality_score, horse_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
            conn.executemany(ins, [
                ("odd-enum", T, 1, 4, "exploded", "weird", "mystery", None, None, "[]",
                 None, 8),
                ("odd-null", T, 1, 5, None, None, None, None, None, None, None, None),
                ("odd-text", T, 1, 6, "collected", "pending", "pending", "yesterday",
                 "soon", "not json", "high", "many"),
                ("odd-date1", "20260230", 1, 1, "collected", "pending", "pending", None,
                 None, "[]", None, None),
                ("odd-date2", "abcdefgh", 2, 1, "pending", "pending", "pending", None,
                 None, "[]", None, None),
                ("odd-date3", "2026-2-1", 3, 1, "pending", "pending", "pending", None,
                 None, "[]", None, None),
            ])
            jins = ("INSERT INTO jobs (job_id, type, status, created_at, started_at, "
                    "completed_at, parameters, progress) VALUES (?,?,?,?,?,?,?,?)")
            conn.executemany(jins, [
                ("odd-job-enum", "teleport", "zombie", now.isoformat(), None, None,
                 f'{{"race_date": "{T}", "meet": 1}}', 50),
                ("odd-job-json", "collection", "running", None, "garbage", "later",
                 "{bad json", None),
                ("odd-job-types", "collection", None, now.isoformat(), None, None,
                 f'{{"race_date": {T}, "meet": "1"}}', "half"),
                ("odd-job-list", "batch", "failed", now.isoformat(), None, None, "[1, 2, 3]",
                 None),
            ])
        conn.close()
    return path


@pytest.fixture(scope="module")
def clean_db(tmp_path_factory) -> Path:
    return _sqlite(tmp_path_factory.mktemp("bad_input") / "clean.sqlite")


@pytest.fixture
def dashboard(clean_db, monkeypatch, tmp_path):
    import streamlit as st

    monkeypatch.chdir(tmp_path)
    for name in ("KRA_CONNECT_TIMEOUT", "KRA_STATEMENT_TIMEOUT", "KRA_DEMO_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{clean_db}")
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    before = _file_hash(clean_db)
    st.cache_data.clear()
    with full_error_details():
        yield clean_db
    assert _file_hash(clean_db) == before, "the database file changed"


def _check_page(at, case: Case) -> None:  # noqa: ANN001
    assert not at.exception, (case.id, exception_texts(at))
    text = tree_text(at)
    assert "Traceback" not in text, case.id
    warnings = [w.proto.body for w in at.warning]
    if case.expect == "warn":
        assert any(INPUT_ERROR in w for w in warnings), (case.id, warnings)
    if case.expect == "config":
        assert error_texts(at), case.id
    if case.expect in ("ok", "warn"):
        assert not error_texts(at), (case.id, error_texts(at))


# --------------------------------------------------------------------------- query params

LONG = "9" * 5000
QUERY_CASES = [
    Case("overview-impossible-date", ("overview", {"start": "20260230", "end": "20260301"}),
         "warn"),
    Case("overview-month-13", ("overview", {"start": "2026-13-01", "end": "2026-12-31"}),
         "warn"),
    Case("overview-not-dates", ("overview", {"start": "abc", "end": "def"}), "warn"),
    Case("overview-inverted-range", ("overview", {"start": "20260301", "end": "20260201"}),
         "warn"),
    Case("overview-huge-range", ("overview", {"start": "19000101", "end": "21001231"}),
         "warn"),
    Case("overview-eleven-years", ("overview", {"start": "20150101", "end": "20251231"}),
         "warn"),
    Case("overview-start-only", ("overview", {"start": "20260214"}), "warn"),
    Case("overview-empty-values", ("overview", {"start": "", "end": ""}), "ok"),
    Case("overview-meet-4", ("overview", {"meet": "4"}), "warn"),
    Case("overview-meet-sql", ("overview", {"meet": "1;DROP TABLE races"}), "warn"),
    Case("overview-repeated-meet", ("overview", {"meet": ["1", "1", "3"]}), "ok"),
    Case("overview-repeated-start", ("overview", {"start": ["20260201", "20260210"],
                                                  "end": "20260228"}), "ok"),
    Case("overview-live-bogus", ("overview", {"live": "-5"}), "warn"),
    Case("overview-lang-bogus", ("overview", {"lang": "xx"}), "ok"),
    # refused: int() reads full-width digits, so the text would name another cell
    Case("overview-fullwidth-digits", ("overview", {"start": "２０２６０２０１",
                                                    "end": "２０２６０２２８"}), "warn"),
    Case("overview-very-long", ("overview", {"start": LONG, "end": LONG}), "warn"),
    Case("race-impossible-date", ("race", {"date": "2026-02-30", "meet": "1"}), "warn"),
    Case("race-meet-4", ("race", {"date": T, "meet": "4"}), "warn"),
    Case("race-fullwidth-meet", ("race", {"date": T, "meet": "１"}), "warn"),
    Case("race-meet-without-date", ("race", {"meet": "2"}), "warn"),
    Case("race-sql-date", ("race", {"date": "20260214' OR '1'='1", "meet": "1"}), "warn"),
    Case("race-emoji", ("race", {"date": "😀", "meet": "🏇"}), "warn"),
    Case("race-nul-byte", ("race", {"date": "2026\x000214", "meet": "1"}), "warn"),
    Case("race-html", ("race", {"date": "<script>alert(1)</script>", "meet": "1"}), "warn"),
    Case("race-repeated-date", ("race", {"date": ["20260214", T], "meet": "1"}), "ok"),
    Case("jobs-unknown-type", ("jobs", {"type": "teleport", "status": "zombie"}), "warn"),
    Case("jobs-sql-status", ("jobs", {"status": "';DELETE FROM jobs;--"}), "warn"),
    Case("jobs-bad-race-date", ("jobs", {"race_date": "20261399"}), "warn"),
    Case("check-garbage", ("check", {"date": "garbage", "meet": "9"}), "ok"),
]


@pytest.mark.parametrize("case", QUERY_CASES, ids=[c.id for c in QUERY_CASES])
def test_hostile_query_parameters(dashboard, case):
    page, params = case.args
    at = app(page, params).run()
    _check_page(at, case)
    if case.id == "overview-very-long":
        assert LONG not in tree_text(at), "a 5000-character value is echoed back in full"


# --------------------------------------------------------------------------- CLI arguments

CLI_CASES = [
    Case("cli-impossible-date", ("status", "--date", "20260230", "--meet", "1"), "2"),
    Case("cli-short-date", ("status", "--date", "2026-2-14", "--meet", "1"), "2"),
    Case("cli-meet-4", ("status", "--date", "20260214", "--meet", "4"), "2"),
    Case("cli-meet-sql", ("status", "--date", "20260214", "--meet", "1;DROP TABLE races"),
         "2"),
    Case("cli-inverted", ("status", "--start", "20260301", "--end", "20260201"), "2"),
    Case("cli-huge-range", ("status", "--start", "19000101", "--end", "21001231"), "2"),
    Case("cli-date-no-meet", ("status", "--date", "20260214"), "2"),
    Case("cli-two-meets-one-date", ("status", "--date", "20260214", "--meet", "1", "--meet",
                                    "2"), "2"),
    Case("cli-nothing", ("status",), "2"),
    Case("cli-emoji", ("status", "--date", "😀", "--meet", "1"), "2"),
    Case("cli-empty-date", ("status", "--date", "", "--meet", "1"), "2"),
    Case("cli-check-negative-timeout", ("check", "--timeout", "-1"), "2"),
    Case("cli-check-nan-timeout", ("check", "--timeout", "nan"), "2"),
    Case("cli-unknown-command", ("explode",), "2"),
    Case("cli-unknown-option", ("status", "--drop-tables"), "2"),
]
# Run as real subprocesses (python -m status_core ...); the rest in-process (same code,
# faster) with SystemExit caught for argparse's own errors.
SUBPROCESS = {"cli-meet-sql", "cli-unknown-command"}


def _cli(argv: tuple, env: dict, cwd: Path, subprocess_: bool) -> tuple[int, str, str]:
    if subprocess_:
        proc = run_cli(*argv, env=env, cwd=cwd)
        return proc.returncode, proc.stdout, proc.stderr
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            code, o, e = run_cli_inprocess(*argv)
        except SystemExit as exc:  # argparse
            code, o, e = int(exc.code or 0), "", ""
    return code, out.getvalue() + o, err.getvalue() + e


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_hostile_cli_arguments(clean_db, monkeypatch, tmp_path, case):
    env = {"DATABASE_URL": f"sqlite:///{clean_db}", "KRA_DEMO_PATH": str(tmp_path / "d")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    before = _file_hash(clean_db)
    code, out, err = _cli(case.args, env, tmp_path, case.id in SUBPROCESS)
    assert code == int(case.expect), (case.id, code, err)
    assert "Traceback" not in err + out, err
    errors = [line for line in err.splitlines() if line.startswith("kra-status: error:")]
    assert len(errors) == 1, (case.id, err)
    assert len(errors[0]) < 300 and errors[0].strip() != "kra-status: error:", errors[0]
    assert out == "", out
    assert _file_hash(clean_db) == before


# --------------------------------------------------------------------------- DATABASE_URL

URL_CASES = [
    Case("url-scheme-only", "postgresql://", "config"),
    Case("url-no-database", "postgresql://kra_reader:pw@127.0.0.1:5432", "config"),
    Case("url-no-user", "postgresql://:pw@127.0.0.1:5432/db", "config"),
    Case("url-no-host", "postgresql://u:pw@:5432/db", "config"),
    Case("url-port-range", "postgresql://u:pw@127.0.0.1:99999/db", "config"),
    Case("url-port-text", "postgresql://u:pw@127.0.0.1:abc/db", "config"),
    Case("url-spaces", "postgresql://u:pw@127.0.0.1:5432/my db", "config"),
    Case("url-unknown-scheme", "mysql://u:pw@127.0.0.1/db", "config"),
    Case("url-no-scheme", "127.0.0.1:5432/db", "config"),
    Case("url-bad-sslmode", "postgresql://u:pw@127.0.0.1/db?sslmode=sometimes", "config"),
    Case("url-sqlite-no-path", "sqlite://", "config"),
    Case("url-sqlite-missing-file", "sqlite:////nonexistent/dir/kra.sqlite", "1"),
]


@pytest.mark.parametrize("case", URL_CASES, ids=[c.id for c in URL_CASES])
def test_broken_database_urls(monkeypatch, tmp_path, case):
    import streamlit as st

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", case.args)
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    st.cache_data.clear()
    with full_error_details():
        at = app("overview").run()
    assert not at.exception, exception_texts(at)
    assert error_texts(at), "a broken URL must be reported on the page"
    assert "Traceback" not in tree_text(at)
    assert not (tmp_path / "demo.sqlite").exists(), "fell back to the demo silently"
    code, out, err = run_cli_inprocess("status", "--date", T, "--meet", "1")
    assert code == (2 if case.expect == "config" else int(case.expect)), err
    assert "Traceback" not in err and err.startswith("kra-status: error:"), err
    assert "pw" not in err.replace("password", ""), err  # the password is masked


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg", "postgresql+asyncpg",
                                    "postgres"])
def test_a_url_encoded_password_with_at_and_slash_works(pg_db, monkeypatch, tmp_path, scheme,
                                                        sentinel):
    import streamlit as st

    assert "@" in sentinel and "/" in sentinel
    pg_db.load(races=[make_race(T, 1, n, collection_status="collected") for n in (1, 2)])
    url = pg_db.url_for(READER, scheme=scheme)
    assert "%40" in url and "%2F" in url
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    code, out, err = run_cli_inprocess("status", "--date", T, "--meet", "1", "--json")
    assert code == 0, err
    assert '"total_races": 2' in out
    if scheme == "postgresql":  # the page too (once is enough)
        st.cache_data.clear()
        with full_error_details():
            at = app("overview").run()
        assert not at.exception and not error_texts(at), (exception_texts(at), error_texts(at))
        assert at.dataframe
        assert_no_secret(tree_text(at))


def test_an_unencoded_password_with_at_and_slash_is_a_clear_config_error(monkeypatch,
                                                                         tmp_path, sentinel):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://kra_reader:{sentinel}@127.0.0.1:5432/db")
    code, out, err = run_cli_inprocess("status", "--date", T, "--meet", "1")
    assert code == 2, err
    assert "Traceback" not in err
    assert_no_secret(out + err)


# --------------------------------------------------------------------------- odd data


def _odd_views() -> list[tuple[str, dict | None]]:
    return [
        ("overview", None),
        ("overview", {"start": "20260201", "end": "20260305"}),  # includes "20260230"
        ("race", {"date": T, "meet": "1"}),
        ("race", None),  # the default race day comes from the extent, odd dates and all
        ("jobs", None),
        ("jobs", {"status": "running"}),
    ]


def test_odd_data_in_sqlite_is_handled(monkeypatch, tmp_path):
    import streamlit as st

    db = _sqlite(tmp_path / "odd.sqlite", odd=True)
    before = _file_hash(db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    st.cache_data.clear()
    problems = []
    with full_error_details():
        for page, query in _odd_views():
            at = app(page, query).run()
            if at.exception or "Traceback" in tree_text(at):
                problems.append(f"{page} {query}: {exception_texts(at)}")
    for argv in (("status", "--date", T, "--meet", "1"),
                 ("status", "--start", "20260201", "--end", "20260305"),
                 ("status", "--start", T, "--end", T, "--json")):
        code, out, err = run_cli_inprocess(*argv)
        if code != 0 or "Traceback" in err:
            problems.append(f"cli {argv}: {code} {err}")
    assert not problems, "\n".join(problems)
    assert _file_hash(db) == before


@pytest.mark.postgres
def test_odd_data_in_postgres_is_handled(pg_db, monkeypatch, tmp_path):
    import streamlit as st

    now = dt.datetime.now(dt.UTC)
    pg_db.load(
        races=[
            make_race(T, 1, 1, collection_status="collected", updated_at=now),
            make_race(T, 1, 2, collection_status=None, enrichment_status=None,
                      result_status=None, updated_at=None, warnings=None, horse_count=None),
            make_race("20260230", 1, 1, collection_status="failed"),
            make_race("abcdefgh", 2, 1),
            make_race("2026-2-1", 3, 1),
        ],
        jobs=[
            make_job("pg-null", status=None, created_at=None, parameters=None),
            make_job("pg-types", status="running", created_at=now,
                     parameters={"race_date": int(T), "meet": "1", "race_numbers": "all"}),
            make_job("pg-list", status="failed", created_at=now, parameters=[1, 2, 3],
                     error_message="x" * 5000),
        ],
    )
    before = fingerprint(pg_db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    st.cache_data.clear()
    problems = []
    with full_error_details():
        for page, query in _odd_views():
            at = app(page, query).run()
            if at.exception or "Traceback" in tree_text(at):
                problems.append(f"{page} {query}: {exception_texts(at)}")
    code, out, err = run_cli_inprocess("status", "--start", "20260201", "--end", "20260305")
    if code != 0:
        problems.append(f"cli: {err}")
    assert not problems, "\n".join(problems)
    assert fingerprint(pg_db) == before


def test_the_corpus_is_big_enough():
    cases = QUERY_CASES + CLI_CASES + URL_CASES
    assert len(cases) >= 30 and len({c.id for c in cases}) == len(cases)
