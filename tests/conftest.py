"""The tests' fixtures live in plugins (modules that are not test modules); this file
registers them and keeps the one fixture every kind of test uses, ``isolated_env``.

===========================  ==================================================================
plugin                       what it gives
===========================  ==================================================================
``tests.pg_support``         the throwaway PostgreSQL cluster (``pg_cluster``, ``pg_db``, ...),
                             ``backend_db`` (SQLite and PostgreSQL), the server's statement log
``tests.apptest_support``    the one AppTest driver (``app``, ``tree_text``, ...),
                             ``fresh_caches``, ``demo_file``, ``db_path``
``tests.faults``             the silent server, the frozen relay, ``SIGSTOP``-ped cluster
``tests.browser_support``    Chromium (``chromium_path``, ``browser``) and real Streamlit servers
``tests.oidc_provider``      a real OpenID Connect provider (``idp``)
``tests.alerts_support``     a webhook receiver (``receiver``) and alert data
``tests.injection_support``  hostile text and how to tell whether a page rendered it
``tests.check_support``      the DB check's cases, one per cause
``tests.demo_support``       the demo library's generated stories (``story``, ``saturday``)
``tests.collector_server``   a real test collector API writing jobs into ``pg_db``
                             (``collector``, ``collector_env``, ``make_client``)
``tests.latency_support``    the database behind a latency proxy that counts round trips
                             (``proxied``)
===========================  ==================================================================

Plain helper modules: ``tests.pgcluster`` (the cluster; ``bench/`` uses it too),
``tests.rows`` (test rows), ``tests.cli_support`` (the CLI driver), ``tests.skips``.

Missing system programs make the tests that need them *skip* with a clear reason, except
when the matching ``REQUIRE_*=1`` variable is set (CI), where they *fail* instead:

- ``REQUIRE_POSTGRES=1``  PostgreSQL server programs (also implies pgbouncer is required)
- ``REQUIRE_BROWSER=1``   Chromium
- ``REQUIRE_PGBOUNCER=1`` pgbouncer
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = (
    "tests.pg_support",
    "tests.apptest_support",
    "tests.faults",
    "tests.browser_support",
    "tests.oidc_provider",
    "tests.alerts_support",
    "tests.injection_support",
    "tests.check_support",
    "tests.demo_support",
    "tests.collector_server",
    "tests.latency_support",
)

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
