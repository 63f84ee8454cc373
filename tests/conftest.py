"""Shared fixtures: a throwaway PostgreSQL cluster, browser/pgbouncer lookups, isolation.

Missing system programs make the tests that need them *skip* with a clear reason, except
when the matching ``REQUIRE_*=1`` variable is set (CI), where they *fail* instead:

- ``REQUIRE_POSTGRES=1``  PostgreSQL server programs (also implies pgbouncer is required)
- ``REQUIRE_BROWSER=1``   Chromium
- ``REQUIRE_PGBOUNCER=1`` pgbouncer
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.pgcluster import (  # noqa: E402
    SENTINEL_PASSWORD,
    PgCluster,
    PgDatabase,
    PgUnavailable,
    start_cluster,
)

# Fixture plugins (shared fixtures that are not test modules).
pytest_plugins = ("tests.faults",)

_ISOLATED_PREFIXES = ("KRA_",)
_ISOLATED_VARS = (
    "DATABASE_URL",
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGPASSFILE",
    "PGSSLMODE",
    "PGOPTIONS",
    "PGAPPNAME",
    "PGCONNECT_TIMEOUT",
)


def _required(*names: str) -> bool:
    return any(os.environ.get(n, "").strip().lower() in ("1", "true", "yes") for n in names)


def _missing(reason: str, *require_vars: str) -> None:
    """Skip with ``reason``, or fail when one of ``require_vars`` is set."""
    if _required(*require_vars):
        pytest.fail(f"{reason} [{'/'.join(require_vars)}=1 makes this a failure]", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One throwaway cluster for the whole session (scram auth, test roles created)."""
    problem = None
    try:
        cluster = start_cluster(cleanup_at_exit=True)
    except PgUnavailable as exc:
        problem = f"PostgreSQL 15 server programs not found (pg_config --bindir): {exc}"
    except Exception as exc:  # initdb/start failed
        problem = f"PostgreSQL test cluster could not start: {exc}"
    if problem is not None:
        _missing(problem, "REQUIRE_POSTGRES")  # outside except: no chained traceback
    try:
        yield cluster
    finally:
        cluster.destroy()


def _database(cluster: PgCluster, schema: str) -> Iterator[PgDatabase]:
    db = cluster.database(schema=schema)
    try:
        yield db
    finally:
        if cluster.running:
            db.drop()


@pytest.fixture
def pg_db(pg_cluster: PgCluster) -> Iterator[PgDatabase]:
    """A fresh database with the current collector schema (dropped afterwards)."""
    yield from _database(pg_cluster, "current")


@pytest.fixture
def pg_legacy_db(pg_cluster: PgCluster) -> Iterator[PgDatabase]:
    """A fresh database with the very old (legacy) schema."""
    yield from _database(pg_cluster, "legacy")


@pytest.fixture
def pg_empty_db(pg_cluster: PgCluster) -> Iterator[PgDatabase]:
    """A fresh database with no tables at all."""
    yield from _database(pg_cluster, "empty")


# --------------------------------------------------------------------------- programs


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
    _missing("Chromium not found (/usr/bin/chromium; apt-get install chromium)", "REQUIRE_BROWSER")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def pgbouncer_path() -> str:
    """Path of Debian's pgbouncer binary."""
    for candidate in (shutil.which("pgbouncer"), "/usr/sbin/pgbouncer"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    _missing(
        "pgbouncer not found (/usr/sbin/pgbouncer; apt-get install pgbouncer)",
        "REQUIRE_PGBOUNCER",
        "REQUIRE_POSTGRES",
    )
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- isolation


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No DATABASE_URL / KRA_* / PG* variables, no real secrets.toml; returns tmp_path.

    cwd becomes ``tmp_path`` and HOME ``tmp_path/home`` (Streamlit also reads
    ``~/.streamlit/secrets.toml``); caches keep pointing at the real cache dir.
    ``KRA_DEMO_PATH`` is set to ``tmp_path/demo.sqlite`` (not created).
    """
    real_cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for name in list(os.environ):
        if name in _ISOLATED_VARS or name.startswith(_ISOLATED_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", real_cache)
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def sentinel() -> str:
    """The password of every test role; must never appear in any output."""
    return SENTINEL_PASSWORD


# --------------------------------------------------------------------------- pages


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Streamlit's caches are process-wide, like a server's: page tests start empty."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo_file(isolated_env: Path) -> Path:
    """The embedded demo (KRA_DEMO_PATH), built as the app would build it."""
    from status_core import demo

    path = isolated_env / "demo.sqlite"
    demo.ensure_demo(path)
    return path


@pytest.fixture
def db_path(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where a test builds its collector database; ``DATABASE_URL`` points at it."""
    path = isolated_env / "collector.sqlite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port whose kernel completes the TCP handshake and then nothing speaks:
    the shape of a firewall that swallows packets or a hung server."""
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(32)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
