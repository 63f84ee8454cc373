"""Start the dashboard as a real Streamlit server for the browser tests (no pytest here).

    server = start_server({"KRA_DEMO_PATH": "/tmp/x/demo.sqlite"}, home=tmp_dir)
    try:
        page.goto(server.url("/race", date="20260214", meet=1))
    finally:
        server.stop()

The server runs ``streamlit run app.py`` with the repo root as cwd (so
``.streamlit/config.toml`` applies), headless, on 127.0.0.1 and a free port, with an
environment stripped of every ``DATABASE_URL``/``KRA_*``/``PG*`` variable of the caller and
a private ``HOME`` (Streamlit also reads ``~/.streamlit/secrets.toml``). :func:`start_servers`
starts several at once: start-up is mostly imports, so two cores overlap them well.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
APP = "app.py"

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

_STRIPPED_PREFIXES = ("KRA_", "PG", "STREAMLIT_")
_STRIPPED = {"DATABASE_URL"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
           port: int | None = None) -> StreamlitServer:
    """Start a server without waiting for it (see :func:`start_server`)."""
    port = port or free_port()
    log_dir = log_dir or home
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"streamlit-{port}.log"
    env = server_env(env_extra, home)
    cmd = [
        sys.executable, "-m", "streamlit", "run", APP,
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
    return StreamlitServer(proc, port, log_path, env)


def start_server(env_extra: Mapping[str, str], home: Path, *, timeout: float = 60.0,
                 log_dir: Path | None = None) -> StreamlitServer:
    """Start ``streamlit run app.py`` and wait until ``/_stcore/health`` says ok."""
    server = launch(env_extra, home, log_dir=log_dir)
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
