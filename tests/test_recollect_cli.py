"""``kra-status recollect`` end to end: the real test collector (HTTP) writes the job into
the real PostgreSQL, and the dashboard's own query then shows it; confirmation on a
terminal, exit codes, both languages, and the API key in no output."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from status_core import cli
from status_core.engine import make_engine, read
from status_core.queries import jobs_frame
from status_core.settings import parse_url, resolve_timeouts
from tests.collector_server import INACTIVE_KEY, OPERATOR_KEY, READONLY_KEY
from tests.pgcluster import SENTINEL_PASSWORD, assert_no_secret

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[1]
ASYNC = "/api/v2/collection/async"
DAY = "20261101"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def clean(*texts: str) -> None:
    for text in texts:
        for secret in (OPERATOR_KEY, INACTIVE_KEY, READONLY_KEY, SENTINEL_PASSWORD):
            assert_no_secret(text, secret)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["recollect", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def spawn(*args: str, stdin: int | None = None, extra: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(extra or {})}
    return subprocess.Popen([sys.executable, "-m", "status_core", "recollect", *args],
                            stdin=stdin if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=os.getcwd())


def dashboard_jobs(pg_db) -> list[dict]:
    """What the dashboard reads (read-only role, its own query)."""
    target = parse_url(pg_db.reader_url, source="test")
    engine = make_engine(target, resolve_timeouts({}, []))
    try:
        with read(engine, target) as conn:
            return jobs_frame(conn, race_date=DAY, meet=1).to_dict("records")
    finally:
        engine.dispose()


def test_recollect_end_to_end_then_duplicate_then_force(collector_env, pg_db):
    extra = {"KRA_DASHBOARD_URL": "https://status.kra.test/"}
    proc = spawn("--date", "2026-11-01", "--meet", "1", "--races", "2,1", "--yes", extra=extra)
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    job_id = re.search(rf"작업 ({UUID})", out).group(1)
    assert f"https://status.kra.test/jobs?job={job_id}" in out
    assert "POST " + collector_env.url + ASYNC in out and '"race_numbers": [1, 2]' in out
    audit = [line for line in err.splitlines() if line.startswith("kra-audit ")]
    assert len(audit) == 1 and re.search(
        rf"actor=cli:\S+ action=recollect date={DAY} meet=1 races=1,2 force=no "
        rf"outcome=accepted http=202 job={job_id} ", audit[0])
    (job,) = dashboard_jobs(pg_db)
    assert (job["job_id"], job["type"], job["status"]) == (job_id, "batch", "queued")
    assert (job["race_date"], int(job["meet"]), job["created_by"]) == (DAY, 1, "ops-team")
    assert json.loads(job["parameters"])["race_numbers"] == [1, 2]

    again = spawn("--date", DAY, "--meet", "1", "--yes", "--lang", "en")
    out2, err2 = again.communicate(timeout=90)
    assert again.returncode == 1
    assert f"Not sent: job {job_id} (queued) already covers" in out2 and "--force" in out2
    assert len(collector_env.posts(ASYNC)) == 1

    forced = spawn("--date", DAY, "--meet", "1", "--yes", "--force")
    out3, err3 = forced.communicate(timeout=90)
    assert forced.returncode == 0 and "force=yes" in err3
    assert len(dashboard_jobs(pg_db)) == 2
    clean(out, err, out2, err2, out3, err3)


@pytest.mark.parametrize("answer,code,expected,posts", [
    ("y\n", 0, "재수집 요청을 받았습니다", 1),
    ("n\n", 1, "보내지 않았습니다", 0),
    ("\n", 1, "보내지 않았습니다", 0),
], ids=["yes", "no", "empty"])
def test_confirmation_on_a_terminal(collector_env, answer, code, expected, posts):
    leader, follower = pty.openpty()
    try:
        proc = spawn("--date", DAY, "--meet", "1", stdin=follower)
        os.write(leader, answer.encode())
        out, err = proc.communicate(timeout=90)
    finally:
        os.close(leader)
        os.close(follower)
    assert proc.returncode == code, err
    assert "이 요청을 보낼까요? [y/N]" in out and expected in out
    assert len(collector_env.posts(ASYNC)) == posts
    clean(out, err)


def test_no_terminal_and_no_yes_sends_nothing(collector_env):
    code, out, err = run("--date", DAY, "--meet", "1")
    assert code == 2 and "not a terminal" in err and "--yes" in err
    assert collector_env.seen == []


def _tomorrow() -> str:
    return (dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).date()
            + dt.timedelta(days=1)).strftime("%Y%m%d")


@pytest.mark.parametrize("args,message", [
    (("--date", "20261301", "--meet", "1"), "not a real calendar date"),
    (("--date", "yesterday", "--meet", "1"), "not a date"),
    (("--date", "TOMORROW", "--meet", "1"), "미래"),
    (("--date", DAY, "--meet", "4"), "not a racecourse"),
    (("--date", DAY, "--meet", "1", "--races", "1,x"), "not a list of race numbers"),
    (("--date", DAY, "--meet", "1", "--races", "0"), "1~20"),
    (("--date", DAY, "--meet", "1", "--races", "3,21", "--lang", "en"), "1 to 20"),
])
def test_bad_arguments_exit_2_and_send_nothing(collector_env, args, message):
    args = tuple(_tomorrow() if a == "TOMORROW" else a for a in args)
    code, out, err = run(*args, "--yes")
    assert code == 2 and message in err and "Traceback" not in err
    assert collector_env.seen == []
    clean(out, err)


@pytest.mark.parametrize("env,message", [
    ({"KRA_COLLECTOR_API_URL": None, "KRA_COLLECTOR_API_KEY": None}, "not configured"),
    ({"KRA_COLLECTOR_API_KEY": None}, "no API key"),
    ({"KRA_COLLECTOR_API_URL": f"http://127.0.0.1:9/?api_key={OPERATOR_KEY}"},
     "must not carry credentials"),
    ({"KRA_COLLECTOR_TIMEOUT": "-1"}, "(0, 120]"),
])
def test_configuration_errors_exit_2_without_the_key(collector_env, monkeypatch, env, message):
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    code, out, err = run("--date", DAY, "--meet", "1", "--yes")
    assert code == 2 and message in err
    assert collector_env.seen == []
    clean(out, err)


@pytest.mark.parametrize("key,lang,kind,text", [
    (INACTIVE_KEY, "ko", "unauthorized", "API 키를 거부했습니다"),
    (INACTIVE_KEY, "en", "unauthorized", "refused the API key"),
    (READONLY_KEY, "en", "forbidden", "not allowed"),
])
def test_refusals_exit_1_in_both_languages(collector_env, monkeypatch, caplog, key, lang,
                                           kind, text):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("KRA_COLLECTOR_API_KEY", key)
    code, out, err = run("--date", DAY, "--meet", "1", "--yes", "--lang", lang)
    assert code == 1 and text in out
    code_json, out_json, _ = run("--date", DAY, "--meet", "2", "--yes", "--json")
    payload = json.loads(out_json)
    assert code_json == 1 and payload["outcome"] == kind and payload["job_id"] is None
    assert len(collector_env.posts(ASYNC)) == 2  # each sent once, nothing retried
    clean(out, err, out_json, caplog.text)


def test_timeout_is_reported_once_and_not_retried(collector_env, monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    collector_env.hang = 2.5
    monkeypatch.setenv("KRA_COLLECTOR_TIMEOUT", "0.5")
    code, out, err = run("--date", DAY, "--meet", "1", "--yes", "--lang", "en")
    assert code == 1 and "did not answer within 0.5 s" in out and "not retried" in out
    assert len(collector_env.posts(ASYNC)) == 1
    assert "outcome=timeout http=-" in caplog.text
    clean(out, err, caplog.text)


def test_json_outcome_of_an_accepted_request(collector_env):
    code, out, err = run("--date", DAY, "--meet", "3", "--yes", "--json", "--lang", "en")
    payload = json.loads(out)
    assert code == 0 and payload["outcome"] == "accepted" and payload["http_status"] == 202
    assert re.fullmatch(UUID, payload["job_id"]) and payload["job_id"] in payload["text"]
    clean(out, err)
