"""``kra-status check`` as a real subprocess: cause, exit code, JSON, no password anywhere.

The cases are the ones of ``tests/test_diagnose.py`` (one per cause, from
``tests/check_support.py``); here the URL goes in through ``DATABASE_URL`` and the process
runs in an empty temp directory (no secrets).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.check_support import CASE_IDS, CASES, DATE, MEET, Case, load_day, pw_url
from tests.cli_support import cli_env, run_cli
from tests.faults import Relay, relay_url
from tests.pgcluster import READER, SENTINEL_PASSWORD, assert_no_secret


def run_check(*args: str, url: str | None, cwd: Path, env: dict[str, str] | None = None,
              timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    """``python -m status_core check ...`` with ``DATABASE_URL`` set; returns (proc, secs)."""
    env = {**({"DATABASE_URL": url} if url is not None else {}), **(env or {})}
    started = time.monotonic()
    proc = run_cli("check", *args, env=env, cwd=cwd, timeout=timeout)
    return proc, time.monotonic() - started


def cli_startup_seconds(cwd: Path) -> float:
    """Wall time of starting Python and importing what ``kra-status check`` imports."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import status_core.cli, status_core.diagnose"],
                   capture_output=True, cwd=cwd, env=cli_env(), timeout=60, check=True)
    return time.monotonic() - started


@pytest.mark.postgres
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_check_json_cause_and_exit_code(case: Case, request, pg_cluster, isolated_env):  # noqa: ANN001
    url = case.build(request, pg_cluster)
    # Only the timeout case is about time; the others get a budget no machine load eats
    # (the date x meet step waits for pandas to load, inside the budget).
    seconds = case.timeout if case.cause == "timeout" else max(case.timeout, 15.0)
    args = ["--json", "--timeout", f"{seconds:g}"]
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


# --------------------------------------------------------------------------- the whole command


@contextlib.contextmanager
def frozen_after_login(request, with_date: bool) -> Iterator[tuple[str, str]]:  # noqa: ANN001
    """(URL, the step that freezes): the date x meet step's query with a date, else the
    data step's count."""
    db = request.getfixturevalue("pg_db")
    load_day(db)
    marker, step = (b"total_races", "status") if with_date else (
        b"GROUP BY collection_status", "data")
    relay = Relay(db.cluster.host, db.cluster.port)
    relay.freeze_on(marker)  # a server frozen after the login, from that query on
    try:
        yield relay_url(db.reader_url, relay.port), step
    finally:
        relay.close()


@pytest.mark.postgres
@pytest.mark.parametrize("server", ["silent", "frozen_after_login"])
@pytest.mark.parametrize("with_date", [False, True], ids=["no_date", "date"])
@pytest.mark.parametrize("seconds", [2, 3])
def test_timeout_bounds_the_whole_command(seconds, with_date, server, request,
                                          isolated_env):  # noqa: ANN001
    with contextlib.ExitStack() as stack:
        if server == "silent":
            url, frozen_step = pw_url("127.0.0.1", request.getfixturevalue("silent_port")), None
        else:
            url, frozen_step = stack.enter_context(frozen_after_login(request, with_date))
        args = ["--json", "--timeout", str(seconds)]
        if with_date:
            args += ["--date", DATE, "--meet", str(MEET)]
        proc, secs = run_check(*args, url=url, cwd=isolated_env)
    # As in the silent-socket test above: only an interpreter that alone needs more than
    # the budget to start (a machine far busier than CI) is allowed its startup + 1.5 s.
    startup = cli_startup_seconds(isolated_env)
    limit = max(seconds + 1.0, startup + 1.5)
    assert secs < limit, f"took {secs:.2f}s (CLI startup {startup:.2f}s)\n{proc.stdout}"
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr == ""
    assert_no_secret(proc.stdout)
    payload = json.loads(proc.stdout)
    failed = next(s for s in payload["steps"] if s["outcome"] == "fail")
    if server == "silent":
        assert (payload["cause"], failed["name"]) == ("timeout", "login")
    else:
        # the frozen query is cut by the budget; on a loaded machine an earlier step (or
        # the import the date step waits for) may already have spent it
        order = [s["name"] for s in payload["steps"]]
        assert order.index(failed["name"]) <= order.index(frozen_step), failed
        assert payload["cause"] in ("query_timeout", "timeout"), failed
        if failed["name"] == frozen_step:
            assert payload["cause"] == "query_timeout"
