"""``kra-status watch``: one post per change to a real local HTTP receiver, retries,
restarts, exit codes, secrets; against SQLite files and the real throwaway PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from status_core import cli
from tests.alerts_support import (
    TOKEN,
    WEBHOOK_PATH,
    days_ago,
    races,
    sqlite_url,
    stuck_job,
)
from tests.cli_support import run_cli, start_cli
from tests.pgcluster import SENTINEL_PASSWORD, free_port, secret_forms

C, E, P, F = "collected", "enriched", "pending", "failed"
NO_USUAL_DAYS = "1=;2=;3="
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def env(isolated_env, monkeypatch, receiver):
    """In-process runs: JSON webhook at the receiver, no usual race days, short timeouts."""
    for name, value in {"KRA_ALERT_WEBHOOK_URL": receiver.url, "KRA_ALERT_FORMAT": "json",
                        "KRA_USUAL_WEEKDAYS": NO_USUAL_DAYS, "KRA_ALERT_TIMEOUT": "2",
                        "KRA_CONNECT_TIMEOUT": "2"}.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def watch(*args: str, state: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["watch", "--once", "--state", str(state), *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def closed_postgres() -> str:
    return f"postgresql://kra:{SENTINEL_PASSWORD.replace('@', '%40').replace('/', '%2F')}" \
           f"@127.0.0.1:{free_port()}/kra"


TODAY, OLD = days_ago(0), days_ago(3)
FAILED_DAY = races(TODAY, 1, [(C, E, C)] * 10 + [(F, P, P)] * 2)
SCENARIOS = {
    # name: (before rows, after rows, usual weekdays, change, kind, ko words, en words)
    "new failed": ({}, {"races": FAILED_DAY}, None, "new", "failed",
                   ["🚨 새 알림", "❌ 실패", "서울", "수집 10/12 · 실패 2"],
                   ["🚨 New", "❌ failed", "Seoul", "Collected 10/12 · 2 failed"]),
    "new stalled": ({}, {"races": races(TODAY, 1, [(C, P, P)] * 4 + [(P, P, P)] * 4, 125)},
                    None, "new", "stalled", ["⏳ 정체", "마지막 갱신 2시간 전"],
                    ["⏳ stalled", "last update 2 h ago"]),
    "new not started": ({}, {"races": races(TODAY, 1, [(P, P, P)] * 8, 125)}, None, "new",
                        "not_started", ["⏸️ 시작 안 됨", "수집 0/8"],
                        ["⏸️ not started", "Collected 0/8"]),
    "new incomplete": ({}, {"races": races(OLD, 3, [(C, P, P)] * 8, 4000)}, None, "new",
                       "incomplete", ["⚠️ 미완료", "부산경남"], ["⚠️ incomplete", "Busan"]),
    "new results missing": ({}, {"races": races(OLD, 1, [(C, E, P)] * 8, 4000)}, None, "new",
                            "results_missing", ["🏁 결과 누락", "결과 0/8"],
                            ["🏁 no results", "Results 0/8"]),
    "new missing day": ({}, {}, "missing", "new", "missing", ["📭 경주일 누락", "평소 경주일"],
                        ["📭 missing race day", "usual race day"]),
    "new stuck job": ({}, {"jobs": [stuck_job("job-stuck-1", TODAY, 2)]}, None, "new",
                      "stuck_job", ["🧊 멈춘 작업", "job-stuck-1", "3시간 전 시작"],
                      ["🧊 stuck job", "job-stuck-1", "started 3 h ago"]),
    "worse": ({"races": races(TODAY, 1, [(C, E, C)] * 11 + [(F, P, P)])},
              {"races": FAILED_DAY}, None, "worse", "failed", ["📈 악화", "실패 경주 1 → 2"],
              ["📈 Worse", "failed races 1 → 2"]),
    "resolved": ({"races": FAILED_DAY}, {"races": races(TODAY, 1, [(C, E, C)] * 12)}, None,
                 "resolved", "failed", ["✅ 해결", "❌ 실패"], ["✅ Resolved", "❌ failed"]),
    "stalled then failed": ({"races": races(TODAY, 1, [(C, P, P)] * 4 + [(P, P, P)] * 8, 125)},
                            {"races": FAILED_DAY}, None, "new", "failed", ["이전: ⏳ 정체"],
                            ["was: ⏳ stalled"]),
    "db down": ({"races": FAILED_DAY}, "down", None, "db_down", "db_down",
                ["🔴 DB 사용 불가", "Cannot use the database"], ["🔴 Database unusable"]),
    "db back": ("down", {}, None, "db_up", "db_down", ["🟢 DB 복구"], ["🟢 Database back"]),
}


def _url(rows, path: Path) -> str:  # noqa: ANN001
    if rows == "down":
        return closed_postgres()
    return sqlite_url(path, rows.get("races", ()), rows.get("jobs", ()))


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_each_kind_of_change_is_exactly_one_post(name, lang, env, receiver, tmp_path):
    before, after, usual, change, kind, ko, en = SCENARIOS[name]
    state = tmp_path / "watch.sqlite"
    env.setenv("DATABASE_URL", _url(before, tmp_path / "before.sqlite"))
    watch("--lang", lang, state=state)
    first = len(receiver.accepted)
    if usual == "missing":  # from now on, OLD's weekday is a usual race day of Seoul
        weekday = WEEKDAYS[dt.datetime.strptime(OLD, "%Y%m%d").weekday()]
        env.setenv("KRA_USUAL_WEEKDAYS", f"1={weekday};2=;3=")
    env.setenv("DATABASE_URL", _url(after, tmp_path / "after.sqlite"))
    code, out, err = watch("--lang", lang, state=state)
    posts = receiver.accepted[first:]
    assert len(posts) == 1, (out, err, posts)
    body = posts[0]
    assert (body["change"], body["kind"], body["lang"]) == (change, kind, lang)
    for word in ko if lang == "ko" else en:
        assert word in body["text"], (word, body["text"])
    assert ("보냄" if lang == "ko" else "sent") in out
    again = watch("--lang", lang, state=state)
    assert len(receiver.accepted) == first + 1, again  # nothing changed: nothing posted
    assert code == (0 if change in ("resolved", "db_up") else 1)


def test_a_receiver_that_fails_twice_then_recovers_gets_it_once(env, receiver, tmp_path):
    env.setenv("DATABASE_URL", sqlite_url(tmp_path / "c.sqlite", FAILED_DAY))
    receiver.fail(2)
    code, out, err = watch(state=tmp_path / "s.sqlite")
    assert code == 1
    assert [p.status for p in receiver.posts] == [500, 500, 200]
    assert len(receiver.accepted) == 1 and receiver.accepted[0]["kind"] == "failed"
    ids = {p.headers.get("Idempotency-Key") for p in receiver.posts}
    assert ids == {receiver.accepted[0]["id"]}  # the same change each time
    watch(state=tmp_path / "s.sqlite")
    assert len(receiver.posts) == 3


@pytest.mark.parametrize("outage", ["500 four times", "hang", "refused"])
def test_a_change_not_delivered_is_sent_on_the_next_run_once(outage, env, receiver, tmp_path):
    env.setenv("DATABASE_URL", sqlite_url(tmp_path / "c.sqlite", FAILED_DAY))
    state = tmp_path / "s.sqlite"
    if outage == "refused":
        env.setenv("KRA_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{free_port()}{WEBHOOK_PATH}")
    elif outage == "hang":
        receiver.hang(3, 3.0)  # longer than KRA_ALERT_TIMEOUT=2, every attempt of the run
    else:
        receiver.fail(4)
    t0 = time.monotonic()
    code, out, err = watch(state=state)
    assert time.monotonic() - t0 < 20
    assert code == 1 and receiver.accepted == []
    assert "보내지 못함" in err
    pending = sqlite3.connect(state).execute(
        "SELECT attempts, last_error FROM outbox WHERE delivered_at IS NULL").fetchall()
    assert len(pending) == 1 and pending[0][0] == 3
    env.setenv("KRA_ALERT_WEBHOOK_URL", receiver.url)
    watch(state=state)
    watch(state=state)
    assert len(receiver.accepted) == 1 and receiver.accepted[0]["kind"] == "failed"


def test_restart_between_runs_sends_nothing_twice(receiver, tmp_path):
    url = sqlite_url(tmp_path / "c.sqlite", FAILED_DAY,
                       [stuck_job("job-a", TODAY, 1)])
    env = {"DATABASE_URL": url, "KRA_ALERT_WEBHOOK_URL": receiver.url, "KRA_ALERT_FORMAT": "json",
           "KRA_USUAL_WEEKDAYS": NO_USUAL_DAYS, "KRA_DASHBOARD_URL": "https://dash.example.com"}
    state = str(tmp_path / "s.sqlite")
    first = run_cli("watch", "--once", "--state", state, env=env, cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    assert sorted(b["kind"] for b in receiver.accepted) == ["failed", "stuck_job"]
    assert {b["link"] for b in receiver.accepted} == {
        f"https://dash.example.com/race?date={TODAY}&meet=1"}
    second = run_cli("watch", "--once", "--state", state, env=env, cwd=tmp_path)
    assert second.returncode == 1 and len(receiver.accepted) == 2, second.stdout

    proc = start_cli("watch", "--every", "1", "--state", state, env=env, cwd=tmp_path)
    try:
        assert "초마다 확인합니다" in proc.stdout.readline()  # the loop has started
        time.sleep(2.5)  # a few runs of the loop
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert len(receiver.accepted) == 2  # the loop found nothing new either


@pytest.mark.parametrize(
    ("args", "env_extra", "message"),
    [
        (["--every", "0"], {}, "--every '0' must be a number between 1"),
        (["--once", "--every", "5"], {}, "not allowed with argument"),
        (["--start", "20260230", "--end", "20260301"], {}, "not a real calendar date"),
        (["--start", "20260201"], {}, "both --start and --end"),
        (["--meet", "4"], {}, "expected 1 (서울), 2 (제주) or 3"),
        ([], {"KRA_ALERT_FORMAT": "xml"}, "KRA_ALERT_FORMAT must be slack or json"),
        ([], {"KRA_ALERT_WEBHOOK_URL": f"ftp://x/{TOKEN}"}, "is not an http(s) URL"),
        ([], {"KRA_STALLED_MINUTES": "soon"}, "KRA_STALLED_MINUTES"),
        ([], {"KRA_ALERT_TIMEOUT": "-1"}, "KRA_ALERT_TIMEOUT"),
        ([], {"KRA_DASHBOARD_URL": "dash"}, "KRA_DASHBOARD_URL is not an http(s) URL"),
        (["--state", "COLLECTOR"], {}, "is the database being watched"),
        (["--state", "DEMO_COPY"], {}, "another program's database"),
    ],
)
def test_bad_arguments_and_configuration_exit_2(args, env_extra, message, env, tmp_path,
                                               capsys):
    url = sqlite_url(tmp_path / "c.sqlite", FAILED_DAY)
    sqlite_url(tmp_path / "other.sqlite")
    env.setenv("DATABASE_URL", url)
    for name, value in env_extra.items():
        env.setenv(name, value)
    args = [{"COLLECTOR": str(tmp_path / "c.sqlite"), "DEMO_COPY": str(tmp_path / "other.sqlite")
             }.get(a, a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    try:
        code = cli.main(["watch", "--state", str(tmp_path / "s.sqlite"), *args], out=out, err=err)
    except SystemExit as exc:  # argparse
        code = exc.code
    text = err.getvalue() + capsys.readouterr().err
    assert code == 2, text
    assert message in text
    assert "Traceback" not in text and TOKEN not in text


def test_without_a_webhook_it_is_a_plain_check(env, tmp_path):
    env.delenv("KRA_ALERT_WEBHOOK_URL")
    env.setenv("DATABASE_URL", sqlite_url(tmp_path / "ok.sqlite",
                                            races(TODAY, 1, [(C, E, C)] * 12)))
    code, out, err = watch(state=tmp_path / "s.sqlite")
    assert (code, "주의할 항목 없음" in out) == (0, True), out + err
    env.setenv("DATABASE_URL", sqlite_url(tmp_path / "bad.sqlite", FAILED_DAY))
    code, out, err = watch("--lang", "en", state=tmp_path / "s.sqlite")
    assert code == 1 and "1 item(s) need attention" in out and "❌ failed" in out
    assert not (tmp_path / "s.sqlite").exists()  # a check keeps no state


@pytest.mark.parametrize(("fmt", "expected"), [("json", None), ("xml", "[alerts] format")])
def test_webhook_from_secrets_toml(fmt, expected, env, receiver, tmp_path):
    env.delenv("KRA_ALERT_WEBHOOK_URL")
    env.delenv("KRA_ALERT_FORMAT")
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'[alerts]\nwebhook_url = "{receiver.url}"\nformat = "{fmt}"\n')
    env.setenv("DATABASE_URL", sqlite_url(tmp_path / "c.sqlite", FAILED_DAY))
    code, out, err = watch(state=tmp_path / "s.sqlite")
    if expected is None:
        assert code == 1 and [b["kind"] for b in receiver.accepted] == ["failed"]
    else:
        assert code == 2 and expected in err and receiver.posts == []
    assert TOKEN not in out + err


def test_dry_run_prints_and_sends_nothing(env, receiver, tmp_path):
    env.setenv("KRA_ALERT_FORMAT", "slack")
    env.setenv("DATABASE_URL", sqlite_url(tmp_path / "c.sqlite", FAILED_DAY))
    code, out, err = watch("--dry-run", state=tmp_path / "s.sqlite")
    assert code == 1 and receiver.posts == []
    assert "보낼 내용 (dry-run" in out
    slack = json.loads(out.splitlines()[-1])
    assert slack["mrkdwn"] is False and slack["blocks"][0]["text"]["type"] == "plain_text"
    assert "http://127.0.0.1:" in out and "/***" in out and TOKEN not in out
    assert not (tmp_path / "s.sqlite").exists()


def _everything(receiver, out: str, err: str, logs: str, state: Path) -> str:  # noqa: ANN001
    posts = json.dumps([p.body for p in receiver.posts], ensure_ascii=False)
    headers = json.dumps([p.headers for p in receiver.posts])
    return "\n".join([out, err, logs, posts, headers, state.read_bytes().decode("latin-1")])


@pytest.mark.postgres
def test_secrets_appear_nowhere(env, receiver, pg_db, tmp_path, caplog):
    pg_db.load(races=FAILED_DAY)
    caplog.set_level(logging.DEBUG)
    state = tmp_path / "s.sqlite"
    env.setenv("DATABASE_URL", pg_db.reader_url)
    env.setenv("KRA_ALERT_FORMAT", "slack")
    receiver.fail(3)  # errors quoting the receiver's answer, which names the path
    outputs = [watch("--dry-run", state=state), watch(state=state)]
    env.setenv("DATABASE_URL", closed_postgres())
    outputs += [watch(state=state), watch("--lang", "en", state=state)]
    out = "".join(o[1] for o in outputs)
    err = "".join(o[2] for o in outputs)
    assert "HTTP Request: POST http://127.0.0.1" in caplog.text  # httpx did log the posts
    assert len(receiver.accepted) == 2  # the failed day (second run), the database down
    assert all(b["blocks"][0]["text"]["type"] == "plain_text" for b in receiver.accepted)
    everything = _everything(receiver, out, err, caplog.text, state)
    assert "/***" in everything
    for secret in (TOKEN, WEBHOOK_PATH, *secret_forms(SENTINEL_PASSWORD)):
        assert secret not in everything, secret


@pytest.mark.postgres
@pytest.mark.parametrize("what", ["failed day", "stuck job"])
def test_postgres_failed_day_and_stuck_job_appear(what, receiver, pg_db, tmp_path):
    if what == "failed day":
        pg_db.load(races=FAILED_DAY)
    else:
        pg_db.load(jobs=[stuck_job("job-pg-1", TODAY, 3, hours=5)])
    env = {"DATABASE_URL": pg_db.reader_url, "KRA_ALERT_WEBHOOK_URL": receiver.url,
           "KRA_ALERT_FORMAT": "json", "KRA_USUAL_WEEKDAYS": NO_USUAL_DAYS}
    proc = run_cli("watch", "--once", "--lang", "en", "--state", str(tmp_path / "s.sqlite"),
                   env=env, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    [body] = receiver.accepted
    if what == "failed day":
        assert (body["kind"], body["date"], body["meet"]) == ("failed", TODAY, 1)
        assert body["counts"]["failed_races"] == 2 and body["counts"]["total_races"] == 12
    else:
        assert (body["kind"], body["job_id"], body["meet"]) == ("stuck_job", "job-pg-1", 3)
        assert "started 5 h ago" in body["text"]


@pytest.mark.postgres
def test_postgres_stopped_gives_one_down_and_one_up(env, receiver, pg_db, pg_cluster, tmp_path):
    pg_db.load(races=FAILED_DAY)
    env.setenv("DATABASE_URL", pg_db.reader_url)
    state = tmp_path / "s.sqlite"
    assert watch(state=state)[0] == 1
    pg_cluster.stop()
    try:
        down = [watch(state=state), watch(state=state)]
    finally:
        pg_cluster.start()
    assert [c for c, _o, _e in down] == [1, 1]
    watch(state=state)
    watch(state=state)
    assert [b["change"] for b in receiver.accepted] == ["new", "db_down", "db_up"]
    assert "refused" in receiver.accepted[1]["detail"]
