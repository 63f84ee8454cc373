"""Secrets never shown, and safe serving defaults.

The sentinel password (``Kra$ecret@/9z``: ``$``, ``@`` and ``/`` exercise every encoding)
is configured in ``DATABASE_URL`` or in ``.streamlit/secrets.toml``; for every failure cause
it must not appear, raw or URL-encoded, in any page element (the whole AppTest tree), in
what a browser receives from a real ``streamlit run`` server (HTTP responses and the
websocket stream), in the CLI output, or in the logs (Python logging at DEBUG, and
Streamlit's own server log at debug level).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.apptest_support import (
    PAGE_FILES,
    ROOT,
    app,
    exception_texts,
    full_error_details,
    page_links,
    tree_text,
)
from tests.browser_support import APP, start_server
from tests.cli_support import run_cli_inprocess
from tests.pg_support import table_locked
from tests.pgcluster import (
    NOLIMIT,
    NORLS,
    NOSELECT,
    READER,
    SENTINEL_PASSWORD,
    assert_no_secret,
    free_port,
)
from tests.rows import kst_today, sample_rows

CONFIG = ROOT / ".streamlit" / "config.toml"
EXPECTED_CONFIG = {
    "server.address": "127.0.0.1",
    "server.headless": True,
    "browser.gatherUsageStats": False,
    "client.showErrorDetails": "none",
    "client.toolbarMode": "viewer",
    "client.showSidebarNavigation": False,
}


# --------------------------------------------------------------------------- helpers


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextlib.contextmanager
def debug_logs() -> Iterator[_Capture]:
    """Every Python log record at DEBUG, from the libraries and our code."""
    handler = _Capture()
    names = ["", "streamlit", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "psycopg",
             "status_core", "ui", "urllib3", "asyncio"]
    saved = {}
    for name in names:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for name in names:
            logger = logging.getLogger(name)
            logger.removeHandler(handler)
            logger.setLevel(saved[name])


@contextlib.contextmanager
def fresh_streamlit_secrets() -> Iterator[None]:
    """Streamlit caches the parsed secrets.toml process-wide: start and end clean."""
    from streamlit.runtime.secrets import secrets_singleton

    secrets_singleton._reset()
    try:
        yield
    finally:
        secrets_singleton._reset()


def _encoded(password: str) -> str:
    return quote(password, safe="")


def cause_urls(pg_db, closed_port: int) -> dict[str, str]:  # noqa: ANN001
    """One configured URL per failure cause; each carries the sentinel password."""
    c = pg_db.cluster
    pw = _encoded(SENTINEL_PASSWORD)
    host = f"{c.host}:{c.port}"
    return {
        "ok": pg_db.reader_url,
        "collector_asyncpg_url": pg_db.url_for(READER, scheme="postgresql+asyncpg"),
        # The wrong password *contains* the sentinel: echoing it back would be caught.
        "wrong_password": f"postgresql://{READER}:{pw}x@{host}/{pg_db.name}",
        "wrong_database": f"postgresql://{READER}:{pw}@{host}/no_such_db",
        "refused": f"postgresql://{READER}:{pw}@127.0.0.1:{closed_port}/{pg_db.name}",
        "permission_denied": pg_db.url_for(NOSELECT),
        "rows_hidden_by_rls": pg_db.url_for(NORLS),
        "too_many_connections": pg_db.url_for(NOLIMIT),
        "query_timeout": pg_db.reader_url,  # with the races table locked
        "password_in_query": f"postgresql://{READER}@{host}/{pg_db.name}?password={pw}",
        # Pasted without encoding: does not parse as intended; still never shown.
        "unencoded_password": f"postgresql://{READER}:{SENTINEL_PASSWORD}@{host}/{pg_db.name}",
    }


def _closed_port() -> int:
    return free_port()  # bound and released: nothing listens there


# --------------------------------------------------------------------------- config


def test_config_toml_has_the_safe_serving_defaults():
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    flat = {f"{section}.{key}": value for section, table in data.items()
            for key, value in table.items()}
    for key, value in EXPECTED_CONFIG.items():
        assert flat.get(key) == value, key


def test_streamlit_reads_those_values():
    # A fresh interpreter in the project directory, as `streamlit run app.py` is started.
    code = (
        "import json\n"
        "from streamlit import config\n"
        "config.get_config_options(force_reparse=True)\n"
        f"print(json.dumps({{k: config.get_option(k) for k in {list(EXPECTED_CONFIG)!r}}}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == EXPECTED_CONFIG


def test_hidden_sidebar_navigation_is_replaced_by_links_to_every_page(tmp_path, monkeypatch):
    """``showSidebarNavigation = false`` is only safe because setup_page links every page."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing.sqlite'}")
    monkeypatch.delenv("KRA_DEMO_PATH", raising=False)
    with full_error_details():
        at = app("overview").run()
    links = set(page_links(at))  # Streamlit's URL path of each linked page
    for path in PAGE_FILES.values():
        assert (ROOT / path).is_file(), path
    # app.py is "", pages/1_race.py is "race" (Streamlit drops the number prefix)
    on_disk = {""} | {re.sub(r"^\d+_", "", p.stem) for p in (ROOT / "pages").glob("*.py")}
    assert len(on_disk) == len(PAGE_FILES)
    assert on_disk <= links, f"pages without a sidebar link: {on_disk - links}"


def test_secrets_toml_is_git_ignored_and_the_example_documents_everything():
    proc = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT)
    assert proc.returncode == 0, ".streamlit/secrets.toml is not git-ignored"
    proc = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml.example"],
                          cwd=ROOT)
    assert proc.returncode == 1, "the example must be committed"
    text = (ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    kra = data["connections"]["kra"]
    assert kra["url"].startswith("postgresql://") and "PASSWORD" in kra["url"]
    assert kra["connect_timeout"] == 5 and kra["statement_timeout"] == 10
    # [auth] and the allow-list are documented as comments (off unless filled in)
    for needle in ("[auth]", "redirect_uri", "cookie_secret", "client_id", "client_secret",
                   "server_metadata_url", "allowed_emails", "allowed_domains",
                   "KRA_ALLOWED_EMAILS", "%40", "%2F"):
        assert needle in text, needle
    assert "auth" not in data, "the example must not switch the login on by itself"


# --------------------------------------------------------------------------- never shown


# Causes checked on every page (the rest: on the overview and the check page), and the
# causes also configured through .streamlit/secrets.toml instead of DATABASE_URL.
ALL_PAGES = {"ok", "wrong_password", "unencoded_password"}
FROM_FILE = {"ok", "wrong_password", "unencoded_password", "password_in_query"}


@pytest.mark.postgres
def test_the_password_never_appears_for_any_failure_cause(pg_db, tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.runtime.secrets import secrets_singleton

    races, jobs = sample_rows(1)
    pg_db.load(races=races, jobs=jobs)
    urls = cause_urls(pg_db, _closed_port())
    today = kst_today().strftime("%Y%m%d")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    monkeypatch.setenv("KRA_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("KRA_STATEMENT_TIMEOUT", "1")
    secrets_file = tmp_path / ".streamlit" / "secrets.toml"
    secrets_file.parent.mkdir()
    runs = [(cause, "env") for cause in urls] + [(c, "secrets.toml") for c in sorted(FROM_FILE)]
    with fresh_streamlit_secrets(), full_error_details(), debug_logs() as logs:
        for cause, source in runs:
            url = urls[cause]
            if source == "env":
                monkeypatch.setenv("DATABASE_URL", url)
                secrets_file.unlink(missing_ok=True)
            else:
                monkeypatch.delenv("DATABASE_URL", raising=False)
                secrets_file.write_text(f"[connections.kra]\nurl = {json.dumps(url)}\n",
                                        encoding="utf-8")
            secrets_singleton._reset()
            st.cache_data.clear()
            lock = table_locked(pg_db) if cause == "query_timeout" else contextlib.nullcontext()
            with lock:
                every = cause in ALL_PAGES and source == "env"
                for page in PAGE_FILES if every else ("overview", "check"):
                    query = {"date": today, "meet": "1"} if page == "race" else None
                    at = app(page, query).run()
                    if page == "check":
                        at.button(key="check.run").click().run()
                    assert not at.exception, (cause, source, page, exception_texts(at))
                    assert_no_secret(tree_text(at))
                for argv in (["status", "--date", today, "--meet", "1"],
                             ["check", "--timeout", "5", "--lang", "en"],
                             ["check", "--json", "--timeout", "5"]):
                    if argv[1] == "--json" and cause not in ALL_PAGES:
                        continue
                    code, out, err = run_cli_inprocess(*argv)
                    assert_no_secret(out + err)
                    assert "Traceback" not in err and code in (0, 1, 2), (cause, argv, err)
        assert len(logs.lines) > 50, "the log capture caught nothing"
        assert_no_secret(logs.text)


@pytest.mark.postgres
def test_what_a_browser_receives_never_contains_the_password(pg_db, tmp_path):
    """A real ``streamlit run`` server reading the password from .streamlit/secrets.toml:
    the HTTP responses of every page, the websocket stream of a view of each page (with
    the right password: data; then, the file edited while the server runs, with a wrong
    one: errors), and Streamlit's own log at debug level."""
    races, jobs = sample_rows(1)
    pg_db.load(races=races, jobs=jobs)
    urls = cause_urls(pg_db, _closed_port())
    home = tmp_path / "home"
    home.mkdir()
    secrets_file = tmp_path / ".streamlit" / "secrets.toml"
    secrets_file.parent.mkdir()

    def configure(url: str) -> None:
        secrets_file.write_text(f"[connections.kra]\nurl = {json.dumps(url)}\n",
                                encoding="utf-8")

    configure(urls["ok"])
    pages = {"": "", "race": f"date={kst_today():%Y%m%d}&meet=1", "jobs": "", "check": ""}
    server = start_server({"KRA_DEMO_PATH": str(tmp_path / "d.sqlite")}, home,
                          main=str(ROOT / APP), cwd=tmp_path, args=("--logger.level", "debug"))
    try:
        for path in ("/", "/race", "/jobs", "/check", "/_stcore/health",
                     "/_stcore/host-config", "/?date=20260214&meet=1"):
            status, headers, body = server.http(path)
            assert status == 200, (path, status)
            assert_no_secret(body)
            assert_no_secret(json.dumps(headers))
        # The shipped config.toml applies to a server started from another directory
        # (Streamlit reads the .streamlit/ next to the main script): what browsers get.
        _raw, msgs = server.session("")
        config = next(m.new_session.config for m in msgs
                      if m.WhichOneof("type") == "new_session")
        assert config.toolbar_mode == config.VIEWER
        assert config.hide_sidebar_nav is True
        assert config.gather_usage_stats is False
        for cause in ("ok", "wrong_password"):
            configure(urls[cause])
            received = 0
            for page, query in pages.items():
                raw, msgs = server.session(page, query, clear_cache=True)
                received += len(raw)
                assert_no_secret(raw)
                assert_no_secret("\n".join(str(m) for m in msgs))
                if cause == "ok" and page == "":
                    assert "dataframe" in str(msgs), "the overview showed no data"
                if cause == "wrong_password" and page == "":
                    assert "password authentication failed" in str(msgs)
            assert received > 10_000, "the sessions received (almost) nothing"
    finally:
        server.stop()
    log = server.log()
    assert "Runtime state:" in log  # a debug-level message: the log is at debug
    assert_no_secret(log)
    assert "Traceback" not in log


def test_the_leak_detectors_do_detect(tmp_path, monkeypatch):
    """tree_text sees every element (here: a code block in the sidebar), so the checks
    above could fail."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KRA_LEAK_PROBE", SENTINEL_PASSWORD)
    at = AppTest.from_string(
        "import os\nimport streamlit as st\n"
        "with st.sidebar:\n    st.code(os.environ['KRA_LEAK_PROBE'])\n"
    ).run()
    with pytest.raises(AssertionError, match="secret leaked"):
        assert_no_secret(tree_text(at))
    with debug_logs() as logs:
        logging.getLogger("status_core.probe").debug("url %s", _encoded(SENTINEL_PASSWORD))
    with pytest.raises(AssertionError, match="secret leaked"):
        assert_no_secret(logs.text)
