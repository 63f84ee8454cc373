"""The CLI driver: ``kra-status`` as a subprocess in a clean environment, or in-process.

A subprocess never inherits the caller's ``DATABASE_URL``, ``KRA_*`` or ``PG*`` variables:
what it reads is what the test passes in ``env``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The installed console script (``[project.scripts]``), next to the interpreter.
KRA_STATUS = Path(sys.executable).with_name("kra-status")


def cli_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without database settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if k != "DATABASE_URL" and not k.startswith(("KRA_", "PG"))}
    env.update(extra or {})
    return env


def _argv(args: tuple[str, ...], script: bool) -> list[str]:
    if script:
        return [str(KRA_STATUS), *args]
    return [sys.executable, "-m", "status_core", *args]


def run_cli(*args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 90, script: bool = False) -> subprocess.CompletedProcess:
    """``python -m status_core ARGS`` (or, with ``script``, the ``kra-status`` console
    script) in a clean environment plus ``env``; ``cwd`` defaults to the repo root."""
    return subprocess.run(_argv(args, script), capture_output=True, text=True,
                          env=cli_env(env), cwd=cwd or ROOT, timeout=timeout)


def start_cli(*args: str, env: Mapping[str, str] | None = None,
              cwd: Path | None = None) -> subprocess.Popen:
    """Like :func:`run_cli`, without waiting (``watch --every``, the exporter)."""
    return subprocess.Popen(_argv(args, False), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=cli_env(env),
                            cwd=cwd or ROOT)


def run_cli_inprocess(*argv: str) -> tuple[int, str, str]:
    """``status_core.cli.main(argv)`` in this process: ``(exit code, stdout, stderr)``."""
    from status_core.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()
