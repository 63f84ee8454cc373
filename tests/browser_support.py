"""Browser plugin: Chromium for Playwright, and the dashboard as a real Streamlit server.

    server = start_server({"KRA_DEMO_PATH": "/tmp/x/demo.sqlite"}, home=tmp_dir)
    try:
        page.goto(server.url("/race", date="20260214", meet=1))
        raw, msgs = server.session("race", "date=20260214&meet=1")   # or without a browser
    finally:
        server.stop()

The server runs ``streamlit run app.py`` with the repo root as cwd (so
``.streamlit/config.toml`` applies; ``cwd`` and ``main`` may say otherwise), headless, on
127.0.0.1 and a free port, with an environment stripped of every
``DATABASE_URL``/``KRA_*``/``PG*`` variable of the caller and a private ``HOME`` (Streamlit
also reads ``~/.streamlit/secrets.toml``). :func:`start_servers` starts several at once:
start-up is mostly imports, so two cores overlap them well. :meth:`StreamlitServer.session`
is what a browser tab does over the websocket, without a browser.

Registered in ``tests/conftest.py`` (``pytest_plugins``). Fixtures: ``chromium_path`` (the
system Chromium, else skip/fail with ``REQUIRE_BROWSER=1``) and ``browser`` (one headless
Chromium per test module). ``bench/`` uses the server functions too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.pgcluster import free_port
from tests.skips import missing

ROOT = Path(__file__).resolve().parent.parent
APP = "app.py"
#: The time zone the browser runs in: Korean time, as the dashboard's users have it.
BROWSER_TIMEZONE = "Asia/Seoul"

# What the page must reach before a test looks at it (see wait_ready).
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

#: What the tests' servers run with besides headless/address/port.
SERVER_ARGS = (
    "--browser.gatherUsageStats", "false",
    "--server.fileWatcherType", "none",
    "--server.runOnSave", "false",
)

_STRIPPED_PREFIXES = ("KRA_", "PG", "STREAMLIT_")
_STRIPPED = {"DATABASE_URL"}


def server_env(extra: Mapping[str, str], home: Path) -> dict[str, str]:
    """The caller's environment without database/Streamlit settings, plus ``extra``."""
    env = {
        k: v for k, v in os.environ.items()
        if k not in _STRIPPED and not k.startswith(_STRIPPED_PREFIXES)
    }
    home.mkdir(parents=True, exist_ok=True)
    env["HOME"] = str(home)
    env.setdefault("XDG_CACHE_HOME", str(home / ".cache"))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class StreamlitServer:
    """A running ``streamlit run app.py``; :meth:`stop` it (always)."""

    proc: subprocess.Popen
    port: int
    log_path: Path
    env: dict[str, str] = field(repr=False, default_factory=dict)
    #: set by the tests when a page has been requested (first-request checks use it)
    visited: bool = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/", params: Sequence[tuple[str, object]] | None = None,
            **kw: object) -> str:
        """``path`` with query parameters (``params`` keeps repeats such as meet=1&meet=3)."""
        pairs = list(params or []) + [(k, v) for k, v in kw.items() if v is not None]
        query = urlencode([(k, str(v)) for k, v in pairs])
        path = path if path.startswith("/") else "/" + path
        return f"{self.base_url}{path}" + (f"?{query}" if query else "")

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/_stcore/health", timeout=2) as resp:
                return resp.status == 200 and resp.read().strip() == b"ok"
        except (urllib.error.URLError, OSError):
            return False

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with {self.proc.returncode} before it was healthy:\n"
                    f"{self.log()[-3000:]}"
                )
            if self.healthy():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"streamlit not healthy after {timeout:g} s:\n{self.log()[-3000:]}")

    def http(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """``GET path``: ``(status, headers, body)``."""
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def session(self, page: str = "", query: str = "", *, clear_cache: bool = False,
                timeout: float = 90) -> tuple[bytes, list]:
        """One browser-less page view: ``(raw bytes received, ForwardMsgs)``.

        What a browser tab does: open the ``/_stcore/stream`` websocket, ask for a script
        run of ``page`` with ``query``, and receive the ForwardMsg stream (page config,
        deltas, ...) until ``script_finished``.
        """
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.sync.client import connect

        raw, msgs = [], []
        with connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                     max_size=None, open_timeout=30) as ws:
            if clear_cache:
                back = BackMsg()
                back.clear_cache = True
                ws.send(back.SerializeToString())
            back = BackMsg()
            back.rerun_script.query_string = query
            back.rerun_script.page_name = page
            ws.send(back.SerializeToString())
            deadline = time.monotonic() + timeout
            while True:
                data = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                raw.append(data if isinstance(data, bytes) else data.encode())
                msg = ForwardMsg()
                msg.ParseFromString(raw[-1])
                msgs.append(msg)
                if msg.WhichOneof("type") == "script_finished":
                    break
        return b"".join(raw), msgs

    def stop(self) -> None:
        """Terminate the server (its own process group), kill it if it lingers."""
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def launch(env_extra: Mapping[str, str], home: Path, *, log_dir: Path | None = None,
           port: int | None = None, main: str = APP, cwd: Path = ROOT,
           args: Sequence[str] = SERVER_ARGS) -> StreamlitServer:
    """Start ``streamlit run main ARGS`` in ``cwd`` without waiting for it (see
    :func:`start_server`)."""
    port = port or free_port()
    log_dir = log_dir or home
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"streamlit-{port}.log"
    env = server_env(env_extra, home)
    cmd = [
        sys.executable, "-m", "streamlit", "run", main,
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        *args,
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
    return StreamlitServer(proc, port, log_path, env)


def start_server(env_extra: Mapping[str, str], home: Path, *, timeout: float = 60.0,
                 log_dir: Path | None = None, **options: object) -> StreamlitServer:
    """Start a server (see :func:`launch` for ``options``) and wait until
    ``/_stcore/health`` says ok."""
    server = launch(env_extra, home, log_dir=log_dir, **options)
    try:
        server.wait_healthy(timeout)
    except BaseException:
        server.stop()
        raise
    return server


def start_servers(envs: Sequence[Mapping[str, str]], home: Path, *,
                  timeout: float = 90.0,
                  while_starting: Callable[[], object] | None = None) -> list[StreamlitServer]:
    """Start one server per environment in parallel; all healthy, or none left running.

    ``while_starting`` runs after the processes are launched and before waiting for them
    (e.g. loading the database they will read: nothing is read before the first request).
    """
    servers: list[StreamlitServer] = []
    try:
        for env in envs:
            servers.append(launch(env, home))
        if while_starting is not None:
            while_starting()
        for server in servers:
            server.wait_healthy(timeout)
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def delta_elements(msgs: list) -> list:
    """The elements (protobufs) a session received, in order."""
    out = []
    for msg in msgs:
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            out.append(msg.delta.new_element)
    return out


def stream_problems(msgs: list) -> list[str]:
    """Exceptions and error boxes in a session's stream."""
    problems = []
    for element in delta_elements(msgs):
        kind = element.WhichOneof("type")
        if kind == "exception":
            problems.append(f"exception: {element.exception.type} {element.exception.message}")
        elif kind == "alert" and element.alert.format == element.alert.ERROR:
            problems.append(f"error: {element.alert.body[:200]}")
    return problems


# --------------------------------------------------------------------------- fixtures


def settle(page, *selectors: str, timeout: float | None = None,  # noqa: ANN001
           no_exception: bool = False) -> None:
    """Wait for ``selectors``, then for the script to be idle, twice (a rerun may start
    right after the first idle); ``no_exception``: and no exception element drawn."""
    for selector in selectors:
        page.wait_for_selector(selector, timeout=timeout)
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    if no_exception:
        assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the system Chromium (Debian package ``chromium``)."""
    for candidate in (
        os.environ.get("KRA_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    missing("Chromium not found (/usr/bin/chromium; apt-get install chromium)", "REQUIRE_BROWSER")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[object]:
    """A headless Chromium (Playwright) for the test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium_path, args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # noqa: ANN001
    """A page in a fresh browser context per test (no cookie of an earlier test), 1400 px
    wide, with a 60 s default timeout for the slow first run of a server."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    try:
        yield context.new_page()
    finally:
        context.close()
