"""The collector client against the real test collector (HTTP on loopback) and the real
throwaway PostgreSQL: outcomes in both languages, no retries, the duplicate guard, the rate
limit, the audit line, configuration, who may act, and the key kept out of everything."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
from pathlib import Path

import pytest

from status_core.actions import access, rules
from status_core.actions.audit import FIELDS, PREFIX
from status_core.actions.config import resolve_collector
from status_core.actions.guards import RateLimiter
from status_core.errors import ConfigError
from tests.collector_server import (
    INACTIVE_KEY,
    LIMITED_KEY,
    OPERATOR_KEY,
    READONLY_KEY,
)
from tests.pgcluster import assert_no_secret
from tests.rows import make_job, make_race

pytestmark = pytest.mark.postgres
ASYNC = "/api/v2/collection/async"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
DAY = "20261101"
KEYS = (OPERATOR_KEY, READONLY_KEY, LIMITED_KEY, INACTIVE_KEY)


def no_key_anywhere(*texts: str) -> None:
    for text in texts:
        for key in KEYS:
            assert_no_secret(text, key)


def audit_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "kra_status.audit"]


# --------------------------------------------------------------------------- outcomes


def _inactive(c):
    return {"key": INACTIVE_KEY}


def _unknown(c):
    return {"key": "kra_live_NotAKey$1/2=3"}


def _readonly(c):
    return {"key": READONLY_KEY}


def _limited(c):
    return {"key": LIMITED_KEY}


def _backend_down(c):
    c.unavailable = True
    return {}


def _error_500(c):
    c.fail(500, {"detail": "database is locked"})
    return {}


def _error_502(c):
    c.fail(502, {"detail": {"message": "KRA API request failed",
                            "errors": ["429 Too Many Requests"]}})
    return {}


def _server_says_future(c):
    c.today = dt.date(2026, 10, 1)  # the collector's clock is behind ours
    return {}


def _slow(c):
    c.hang = 2.5
    return {"timeout": 0.5}


def _closed_port(c):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return {"url": f"http://127.0.0.1:{port}"}


FAILURES = [
    # setup, kind, http, Korean fragment, English fragment, collector's words
    (_inactive, "unauthorized", 401, "API 키를 거부", "refused the API key", "Invalid API key"),
    (_unknown, "unauthorized", 401, "아무 작업도 시작되지", "Nothing was started",
     "Invalid API key"),
    (_readonly, "forbidden", 403, "권한이 없습니다", "not allowed", "Insufficient permissions"),
    (_limited, "rate_limited", 429, "하루 요청 한도", "daily request limit",
     "Daily request limit exceeded"),
    (_backend_down, "collector_error", 503, "수집기 내부 오류", "collector failed (HTTP 503)",
     "Authentication backend unavailable"),
    (_error_500, "collector_error", 500, "작업 페이지에서", "Check the jobs page",
     "database is locked"),
    (_error_502, "collector_error", 502, "HTTP 502", "HTTP 502", "429 Too Many Requests"),
    (_server_says_future, "invalid", 422, "요청 내용을 거부", "refused the request's content",
     "validation error: 미래 날짜는"),
    (_slow, "timeout", None, "0.5초 안에 응답하지", "did not answer within 0.5 s", None),
    (_closed_port, "refused", None, "연결할 수 없습니다", "Cannot connect", None),
]


@pytest.mark.parametrize("setup,kind,http,ko,en,said", FAILURES,
                         ids=[f[1] + "-" + f[0].__name__ for f in FAILURES])
def test_each_failure_is_explained_in_both_languages_and_never_retried(
        collector, make_client, caplog, setup, kind, http, ko, en, said):
    caplog.set_level(logging.DEBUG)
    outcome = make_client(**setup(collector)).recollect(DAY, 1, [1, 2], actor="ops@kra.test")
    assert (outcome.kind, outcome.status, outcome.ok) == (kind, http, False)
    text_ko, text_en = outcome.text("ko"), outcome.text("en")
    assert ko in text_ko and HANGUL.search(text_ko)
    assert en in text_en
    if said:
        assert said in text_ko and said in text_en
    if kind != "invalid":
        assert not HANGUL.search(text_en)
    sent = 0 if kind == "refused" else 1
    assert len(collector.posts(ASYNC)) == sent  # one request, no retry
    if kind == "timeout":  # the collector did the work; the answer came too late
        assert outcome.maybe_started and len(collector.jobs()) == 1
        assert "다시 보내기 전에" in text_ko and "not retried" in text_en
    else:
        assert collector.jobs() == []
    lines = audit_lines(caplog)
    assert len(lines) == 1 and f"outcome={kind}" in lines[0]
    no_key_anywhere(text_ko, text_en, caplog.text, repr(outcome))


def test_accepted_request_sends_the_key_in_the_header_only_and_creates_the_job(
        collector, make_client, caplog, pg_db):
    caplog.set_level(logging.DEBUG)
    outcome = make_client().recollect(DAY, 3, [5, 2, 2], actor="ops@kra.test")
    assert outcome.ok and outcome.status == 202 and outcome.job_id
    (seen,) = collector.posts(ASYNC)
    assert seen.headers["X-API-Key"] == OPERATOR_KEY
    assert "api_key" not in seen.query and OPERATOR_KEY not in seen.body.decode()
    assert json.loads(seen.body) == {"date": DAY, "meet": 3, "race_numbers": [2, 5]}
    (job,) = collector.jobs()
    assert job["job_id"] == outcome.job_id and job["type"] == "batch"
    assert job["status"] == "queued" and job["started_at"] is not None
    assert job["parameters"] == {"race_date": DAY, "meet": 3, "race_numbers": [2, 5]}
    assert job["created_by"] == "ops-team"
    assert outcome.job_id in outcome.text("ko") and outcome.job_id in outcome.text("en")
    no_key_anywhere(caplog.text, outcome.text("ko"), repr(outcome), repr(make_client().config))


# --------------------------------------------------------------------------- pre-checks

TODAY = dt.date(2026, 12, 2)
REJECTED = [
    ("20261203", 1, None, "미래", "future"),
    ("20260230", 1, None, "달력에 없는", "not a real calendar date"),
    ("2026-02-14", 1, None, "YYYYMMDD", "YYYYMMDD"),
    (20260214, 1, None, "YYYYMMDD", "YYYYMMDD"),
    ("20260214", 0, None, "1 (서울)", "must be 1 (Seoul)"),
    ("20260214", 4, None, "1 (서울)", "must be 1 (Seoul)"),
    ("20260214", "1", None, "1 (서울)", "must be 1 (Seoul)"),
    ("20260214", True, None, "1 (서울)", "must be 1 (Seoul)"),
    ("20260214", 1, [0], "1~20", "1 to 20"),
    ("20260214", 1, [3, 21], "1~20", "1 to 20"),
    ("20260214", 1, ["3"], "1~20", "1 to 20"),
    ("20260214", 1, [], "비어 있습니다", "empty"),
]


@pytest.mark.parametrize("race_date,meet,races,ko,en", REJECTED)
def test_the_collectors_rules_are_checked_before_sending(
        collector, make_client, caplog, race_date, meet, races, ko, en):
    caplog.set_level(logging.INFO)
    client = make_client(today=lambda: TODAY)
    outcome = client.recollect(race_date, meet, races, actor="ops@kra.test")
    assert outcome.kind == "rejected" and not outcome.sent
    assert ko in outcome.text("ko") and en in outcome.text("en")
    assert collector.seen == []
    assert "outcome=rejected" in audit_lines(caplog)[0]


@pytest.mark.parametrize("job_id", ["", "a/b", "x" * 101, " padded", "tab\there"])
def test_a_bad_job_id_is_not_sent(collector, make_client, job_id):
    outcome = make_client().cancel_job(job_id, actor="ops@kra.test")
    assert outcome.kind == "rejected" and "작업 ID" in outcome.text("ko")
    assert "not a valid job id" in outcome.text("en") and collector.seen == []


def test_today_is_korean_time():
    # 23:30 UTC on 1 December is already 2 December in Korea.
    assert rules.today_kst(dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)) == TODAY
    assert rules.check_date("20261202", TODAY) is None
    assert rules.check_date("20261203", TODAY) is not None


# --------------------------------------------------------------------------- guards


@pytest.mark.parametrize("status,blocks", [
    ("pending", True), ("queued", True), ("processing", True), ("running", True),
    ("retrying", True), ("completed", False), ("failed", False), ("cancelled", False),
])
def test_duplicate_guard_holds_for_open_jobs_only(collector, make_client, pg_db, status,
                                                  blocks):
    pg_db.load(jobs=[make_job("old-1", type="batch", status=status,
                              parameters={"race_date": DAY, "meet": 1, "race_numbers": None}),
                     make_job("other-meet", status="queued",
                              parameters={"race_date": DAY, "meet": 2})])
    outcome = make_client().recollect(DAY, 1, None, actor="ops@kra.test")
    if blocks:
        assert outcome.kind == "duplicate" and outcome.existing["job_id"] == "old-1"
        assert "old-1" in outcome.text("ko") and "--force" in outcome.text("en")
        assert collector.seen == []
        forced = make_client().recollect(DAY, 1, None, actor="ops@kra.test", force=True)
        assert forced.ok
    else:
        assert outcome.ok
    assert len(collector.posts(ASYNC)) == 1


def test_without_a_database_check_nothing_is_sent_unless_forced(collector, make_client):
    outcome = make_client(guard=False).recollect(DAY, 1, None, actor="ops@kra.test")
    assert outcome.kind == "unchecked" and collector.seen == []
    assert "데이터베이스" in outcome.text("ko") and "could not check" in outcome.text("en")
    assert make_client(guard=False).recollect(DAY, 1, None, actor="x", force=True).ok


def test_rate_limit_two_clicks(collector, make_client):
    first = make_client().recollect(DAY, 1, None, actor="a@kra.test")
    second = make_client().recollect(DAY, 1, [3], actor="b@kra.test", force=True)
    other_meet = make_client().recollect(DAY, 2, None, actor="a@kra.test")
    assert first.ok and other_meet.ok
    assert second.kind == "throttled" and 55 <= second.retry_after <= 60
    assert "1분에 한 번" in second.text("ko") and "per minute" in second.text("en")
    assert len(collector.posts(ASYNC)) == 2 and len(collector.jobs()) == 2


@pytest.mark.parametrize("force", [False, True])
def test_rate_limit_and_guard_hold_for_two_sessions_at_once(collector, make_client, force):
    barrier = threading.Barrier(2)
    outcomes = []

    def click(actor: str) -> None:
        client = make_client()
        barrier.wait()
        outcomes.append(client.recollect(DAY, 1, None, actor=actor, force=force))

    threads = [threading.Thread(target=click, args=(f"user{i}@kra.test",)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    kinds = sorted(o.kind for o in outcomes)
    assert kinds[0] == "accepted" and kinds[1] in ("duplicate", "throttled")
    assert len(collector.posts(ASYNC)) == 1 and len(collector.jobs()) == 1


def test_a_refused_key_gives_the_rate_limit_slot_back(collector, make_client):
    assert make_client(INACTIVE_KEY).recollect(DAY, 1, None, actor="a").kind == "unauthorized"
    assert make_client().recollect(DAY, 1, None, actor="a").ok  # not throttled
    assert len(collector.posts(ASYNC)) == 2


def test_rate_limiter_window():
    now = [100.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert limiter.acquire(("day", DAY, 1)) == (True, 0.0)
    assert limiter.acquire(("day", DAY, 1)) == (False, 60.0)
    now[0] += 59.5
    assert limiter.acquire(("day", DAY, 1))[0] is False
    now[0] += 0.5
    assert limiter.acquire(("day", DAY, 1))[0] is True


# --------------------------------------------------------------------------- results, jobs


def test_results_for_missing_races_one_call_per_race(collector, make_client, pg_db):
    pg_db.load(races=[make_race(DAY, 1, n, collection_status="collected") for n in (1, 2, 3)])
    outcomes = make_client().collect_results(DAY, 1, [1, 3], actor="ops@kra.test")
    assert [o.kind for o in outcomes] == ["accepted", "accepted"]
    assert "결과를 수집" in outcomes[0].text("ko") and "race 1" in outcomes[0].text("en")
    rows = pg_db.fetch("SELECT race_number, result_status::text FROM races ORDER BY 1")
    assert rows == [(1, "collected"), (2, "pending"), (3, "collected")]
    again = make_client().collect_result(DAY, 1, 2, actor="ops@kra.test")
    assert again.kind == "throttled"  # one slot per date x meet for the whole batch
    assert len(collector.posts("/api/v2/collection/result")) == 2


def test_cancel_own_open_job_then_404_for_ended_foreign_or_missing(collector, make_client,
                                                                   pg_db):
    pg_db.load(jobs=[make_job("foreign", status="processing", created_by="someone-else")])
    job = make_client().recollect(DAY, 1, None, actor="ops@kra.test").job_id
    seen = make_client().get_job(job, actor="ops@kra.test")
    assert seen.ok and seen.data["status"] == "queued" and "queued" in seen.text("en")
    cancelled = make_client().cancel_job(job, actor="ops@kra.test")
    assert cancelled.ok and "취소했습니다" in cancelled.text("ko")
    assert [j["status"] for j in collector.jobs() if j["job_id"] == job] == ["cancelled"]
    for job_id in (job, "foreign", "no-such-job"):
        outcome = make_client().cancel_job(job_id, actor="ops@kra.test")
        assert outcome.kind == "not_found" and outcome.status == 404
        assert "이미 끝난" in outcome.text("ko") and "already ended" in outcome.text("en")
    assert [j["status"] for j in collector.jobs() if j["job_id"] == "foreign"] == ["processing"]


# --------------------------------------------------------------------------- audit


def test_audit_line_format_and_quoting(collector, make_client, caplog):
    caplog.set_level(logging.INFO)
    actor = f'evil\nkra-audit actor=forged {OPERATOR_KEY}'
    make_client().recollect(DAY, 2, [1], actor=actor)
    (line,) = audit_lines(caplog)
    assert "\n" not in line and line.startswith(PREFIX + " ")
    keys = re.findall(r" (\w+)=", re.sub(r'"(?:[^"\\]|\\.)*"', '""', line))
    assert tuple(keys) == FIELDS
    assert re.search(r" action=recollect date=20261101 meet=2 races=1 force=no "
                     r"outcome=accepted http=202 job=[0-9a-f-]{36} elapsed_ms=\d+$", line)
    no_key_anywhere(line)


# --------------------------------------------------------------------------- configuration


def _secrets(tmp: Path, text: str) -> list[Path]:
    path = tmp / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    return [path]


CONFIGS = [
    ({}, "", None),
    ({"KRA_COLLECTOR_API_URL": "http://c.test:8000/", "KRA_COLLECTOR_API_KEY": OPERATOR_KEY},
     "", ("http://c.test:8000", 10.0)),
    ({"KRA_COLLECTOR_API_URL": "https://c.test/base/api/v2", "KRA_COLLECTOR_API_KEY": "k1",
      "KRA_COLLECTOR_TIMEOUT": "2.5"}, "", ("https://c.test/base", 2.5)),
    ({}, f'[collector]\nurl = "http://file.test"\napi_key = "{OPERATOR_KEY}"\ntimeout = 3\n',
     ("http://file.test", 3.0)),
    ({"KRA_COLLECTOR_API_URL": "http://env.test"},
     f'[collector]\nurl = "http://file.test"\napi_key = "{OPERATOR_KEY}"\n',
     ("http://env.test", 10.0)),
]


@pytest.mark.parametrize("env,toml,expected", CONFIGS)
def test_configuration_sources(tmp_path, env, toml, expected):
    config = resolve_collector(env, _secrets(tmp_path, toml))
    if expected is None:
        assert config is None
    else:
        assert (config.url, config.timeout) == expected
        assert config.api_key not in repr(config)


BAD_CONFIGS = [
    ({"KRA_COLLECTOR_API_URL": "http://c.test"}, "no API key"),
    ({"KRA_COLLECTOR_API_KEY": OPERATOR_KEY}, "no collector URL"),
    ({"KRA_COLLECTOR_API_URL": "ftp://c.test", "KRA_COLLECTOR_API_KEY": OPERATOR_KEY},
     "not an http(s) URL"),
    ({"KRA_COLLECTOR_API_URL": f"http://c.test/?api_key={OPERATOR_KEY}",
      "KRA_COLLECTOR_API_KEY": OPERATOR_KEY}, "must not carry credentials"),
    ({"KRA_COLLECTOR_API_URL": f"http://u:{OPERATOR_KEY}@c.test",
      "KRA_COLLECTOR_API_KEY": OPERATOR_KEY}, "must not carry credentials"),
    ({"KRA_COLLECTOR_API_URL": f"http://c.test/{OPERATOR_KEY} x",
      "KRA_COLLECTOR_API_KEY": OPERATOR_KEY}, "not an http(s) URL"),
    ({"KRA_COLLECTOR_API_URL": "http://c.test", "KRA_COLLECTOR_API_KEY": "two words"},
     "characters an HTTP header cannot carry"),
    ({"KRA_COLLECTOR_API_URL": "http://c.test", "KRA_COLLECTOR_API_KEY": OPERATOR_KEY,
      "KRA_COLLECTOR_TIMEOUT": "0"}, "(0, 120]"),
]


@pytest.mark.parametrize("env,message", BAD_CONFIGS)
def test_bad_configuration_is_explained_without_the_key(tmp_path, env, message):
    with pytest.raises(ConfigError) as info:
        resolve_collector(env, [tmp_path / "none.toml"])
    assert message in info.value.message
    no_key_anywhere(info.value.message, info.value.hint, "two words")


# --------------------------------------------------------------------------- who may act

OPS = ({"ops@kra.test"}, {"kra.example"})
ACCESS = [
    # api, login, email, lists, address, local flag -> allowed, reason
    (False, True, "ops@kra.test", OPS, "127.0.0.1", True, False, "api_not_configured"),
    (True, True, "", OPS, "127.0.0.1", True, False, "signed_out"),
    (True, True, "ops@kra.test", (set(), set()), "127.0.0.1", False, False, "no_operators"),
    (True, True, "viewer@kra.test", OPS, "0.0.0.0", False, False, "not_operator"),
    (True, True, "someone@sub.kra.example", OPS, None, False, False, "not_operator"),
    (True, True, "OPS@kra.test", OPS, "0.0.0.0", False, True, "operator"),
    (True, True, "a@kra.example", OPS, "0.0.0.0", False, True, "operator"),
    (True, False, None, OPS, "127.0.0.1", False, False, "no_login"),
    (True, False, None, OPS, "0.0.0.0", True, False, "not_loopback"),
    (True, False, None, OPS, "", True, False, "not_loopback"),
    (True, False, None, OPS, None, True, False, "not_loopback"),
    (True, False, None, OPS, "192.168.1.5", True, False, "not_loopback"),
    (True, False, None, OPS, "127.0.0.1", True, True, "local_operator"),
    (True, False, None, OPS, "localhost", True, True, "local_operator"),
    (True, False, None, OPS, "::1", True, True, "local_operator"),
]


@pytest.mark.parametrize("api,login,email,lists,address,local,allowed,reason", ACCESS)
def test_who_may_act_fails_closed(api, login, email, lists, address, local, allowed, reason):
    decision = access.may_act(api_configured=api, login_configured=login, email=email,
                              operator_emails=lists[0], operator_domains=lists[1],
                              server_address=address, local_operator=local)
    assert (decision.allowed, decision.reason) == (allowed, reason)
    assert (decision.actor is not None) == allowed


def test_operator_lists_merge_environment_and_secrets():
    emails, domains = access.operator_lists(
        {"kra": {"operator_emails": ["A@kra.test"], "operator_domains": "@ops.test"}},
        {"KRA_OPERATOR_EMAILS": "b@kra.test, c@kra.test", "KRA_OPERATOR_DOMAINS": "x.test"})
    assert emails == {"a@kra.test", "b@kra.test", "c@kra.test"}
    assert domains == {"ops.test", "x.test"}
    assert access.local_operator_flag({"KRA_LOCAL_OPERATOR": "1"})
    assert not access.local_operator_flag({"KRA_LOCAL_OPERATOR": "0"})
