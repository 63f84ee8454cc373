"""``kra-status check`` as a real subprocess: cause, exit code, JSON, no password anywhere.

The cases are the ones of ``tests/test_diagnose.py`` (one per cause); here the URL goes in
through ``DATABASE_URL`` and the process runs in an empty temp directory (no secrets).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pgcluster import READER, SENTINEL_PASSWORD, assert_no_secret
from tests.test_diagnose import CASE_IDS, CASES, DATE, MEET, Case, pw_url

ROOT = Path(__file__).resolve().parents[1]




def run_check(*args: str, url: str | None, cwd: Path, env: dict[str, str] | None = None,
              timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    """``python -m status_core check ...`` with ``DATABASE_URL`` set; returns (proc, secs)."""
    full_env = {k: v for k, v in os.environ.items()
                if k != "DATABASE_URL" and not k.startswith(("KRA_", "PG"))}
    full_env["PYTHONPATH"] = str(ROOT)
    if url is not None:
        full_env["DATABASE_URL"] = url
    full_env.update(env or {})
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "status_core", "check", *args], capture_output=True,
        text=True, env=full_env, cwd=cwd, timeout=timeout,
    )
    return proc, time.monotonic() - started


def cli_startup_seconds(cwd: Path) -> float:
    """Wall time of starting Python and importing what ``kra-status check`` imports."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import status_core.cli, status_core.diagnose"],
                   capture_output=True, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)},
                   timeout=60, check=True)
    return time.monotonic() - started


@pytest.mark.postgres
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_check_json_cause_and_exit_code(case: Case, request, pg_cluster, isolated_env):  # noqa: ANN001
    url = case.build(request, pg_cluster)
    args = ["--json", "--timeout", f"{case.timeout:g}"]
    if case.date_meet:
        args += ["--date", DATE, "--meet", str(MEET)]
    proc, _secs = run_check(*args, url=url, cwd=isolated_env, env=case.env)
    assert_no_secret(proc.stdout)
    assert_no_secret(proc.stderr)
    assert proc.returncode == case.exit_code, proc.stdout[-2000:] + proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["cause"] == case.cause
    assert payload["ok"] is (case.cause == "ok")
    assert payload["exit_code"] == case.exit_code
    assert [s["name"] for s in payload["steps"]][0] == "config"
    failed = [s for s in payload["steps"] if s["outcome"] == "fail"]
    assert (failed[0]["name"] if failed else None) == case.step
    assert proc.stderr == ""


@pytest.mark.postgres
@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("case", [c for c in CASES if c.id in (
    "ok", "auth_password", "rows_hidden_by_rls", "config")], ids=lambda c: c.id)
def test_check_text_report(case: Case, lang: str, request, pg_cluster, isolated_env):  # noqa: ANN001
    url = case.build(request, pg_cluster)
    proc, _secs = run_check("--lang", lang, url=url, cwd=isolated_env)
    assert_no_secret(proc.stdout + proc.stderr)
    assert proc.returncode == case.exit_code
    lines = proc.stdout.strip().splitlines()
    verdict = lines[-1]
    assert verdict.startswith("결과:" if lang == "ko" else "Verdict:")
    assert case.cause in verdict
    assert any(line.startswith(("✔", "⚠", "✘", "–")) for line in lines)
    if case.cause != "ok":
        assert "→" in proc.stdout  # the hint below the failing step


@pytest.mark.postgres
def test_check_json_against_a_silent_socket_returns_within_3_seconds(silent_port,
                                                                     isolated_env):
    url = pw_url("127.0.0.1", silent_port)
    proc, secs = run_check("--json", "--timeout", "2", url=url, cwd=isolated_env)
    # --timeout bounds the whole command, imports included: the check gets what is left.
    # Only when the interpreter alone needs more than ~2 s to start (a machine far busier
    # than CI) is the bound that startup (measured just now) plus the 0.5 s floor and 1 s.
    startup = cli_startup_seconds(isolated_env)
    limit = max(3.0, startup + 1.5)
    assert secs < limit, f"kra-status check took {secs:.2f}s (CLI startup {startup:.2f}s)"
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["cause"] == "timeout"
    assert_no_secret(proc.stdout + proc.stderr)


def test_check_demo_when_nothing_is_configured(isolated_env):
    proc, _secs = run_check("--json", url=None, cwd=isolated_env,
                            env={"KRA_DEMO_PATH": str(isolated_env / "demo.sqlite")})
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["cause"] == "ok"
    assert payload["steps"][0]["outcome"] == "warn"


@pytest.mark.parametrize(
    "args",
    [["--timeout", "0"], ["--timeout", "abc"], ["--date", "20260214"], ["--meet", "9",
                                                                         "--date", "20260214"]],
)
def test_bad_arguments_exit_2_without_a_traceback(args, isolated_env):
    url = f"postgresql://{READER}:{SENTINEL_PASSWORD}@127.0.0.1:1/db"
    proc, _secs = run_check(*args, url=url, cwd=isolated_env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert_no_secret(proc.stdout + proc.stderr)
