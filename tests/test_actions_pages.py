"""The action buttons on the pages (AppTest), against the real test collector and the real
PostgreSQL: who sees them, the confirmation dialog showing exactly what is sent, the job
id and its link, the jobs page following one job, cancel, the guards across two sessions,
and the API key in no element."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Iterator

import pytest
from streamlit import config

from status_core.domain import format_date
from tests.apptest_support import app, full_error_details, ok, tree_text, walk
from tests.collector_server import OPERATOR_KEY
from tests.pgcluster import SENTINEL_PASSWORD, assert_no_secret
from tests.rows import make_job, make_race

pytestmark = pytest.mark.postgres
DAY = "20261101"
DAY_QUERY = {"date": DAY, "meet": "1"}
RANGE_QUERY = {"start": "20261025", "end": "20261107"}
OPEN_BUTTONS = {"race": "race_action_day", "overview": "attention_action_day",
                "jobs": "stuck_action_cancel"}
QUERIES = {"race": DAY_QUERY, "overview": RANGE_QUERY, "jobs": RANGE_QUERY}
AUTH = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "cookie-secret-never-shown-0815"
client_id = "kra-dashboard"
client_secret = "client-secret-never-shown-4711"
server_metadata_url = "https://accounts.example.org/.well-known/openid-configuration"

[kra]
operator_emails = ["ops@kra.test"]
"""


@contextlib.contextmanager
def listening_on(address: str | None) -> Iterator[None]:
    old = config.get_option("server.address")
    config.set_option("server.address", address)
    try:
        yield
    finally:
        config.set_option("server.address", old)


@pytest.fixture
def site(collector_env, pg_db, monkeypatch, fresh_caches):
    """A failed race day (race 2 failed, 3 pending, no results), a stuck job of the key's
    owner and one of someone else; a local operator on loopback unless a test changes it."""
    from streamlit.runtime.secrets import secrets_singleton

    two_hours_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    pg_db.load(
        races=[make_race(DAY, 1, 1, collection_status="collected", enrichment_status="enriched"),
               make_race(DAY, 1, 2, collection_status="failed"),
               make_race(DAY, 1, 3)],
        jobs=[make_job("stuck-own", type="batch", status="processing", created_by="ops-team",
                       created_at=two_hours_ago, started_at=two_hours_ago,
                       parameters={"race_date": "20261024", "meet": 3}),
              make_job("stuck-foreign", status="processing", created_by="someone-else",
                       created_at=two_hours_ago, started_at=two_hours_ago)])
    monkeypatch.setenv("KRA_LOCAL_OPERATOR", "1")
    secrets_singleton._reset()
    with full_error_details(), listening_on("127.0.0.1"):
        yield collector_env
    secrets_singleton._reset()


def open_page(name: str, user: dict | None = None, **query: str):
    at = app(name, {**QUERIES[name], **query})
    if user is not None:
        at.user = user
    return ok(at.run())


def keys(at) -> set[str]:  # noqa: ANN001
    return {b.key for b in at.button if b.key}


def links(at) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(n.proto.page, n.proto.query_string) for n in walk(at._tree)
            if getattr(n, "type", None) == "page_link"]


def no_secret(at) -> None:  # noqa: ANN001
    text = tree_text(at)
    assert_no_secret(text, OPERATOR_KEY)
    assert_no_secret(text, SENTINEL_PASSWORD)


def _write_secrets(path, text: str) -> None:  # noqa: ANN001
    from streamlit.runtime.secrets import secrets_singleton

    path.mkdir(exist_ok=True)
    (path / "secrets.toml").write_text(text, encoding="utf-8")
    secrets_singleton._reset()


VISIBILITY = [
    # case, what to change, buttons shown
    ("local operator on loopback", {}, True),
    ("API not configured", {"env": {"KRA_COLLECTOR_API_URL": None,
                                    "KRA_COLLECTOR_API_KEY": None}}, False),
    ("no KRA_LOCAL_OPERATOR", {"env": {"KRA_LOCAL_OPERATOR": None}}, False),
    ("listening on every interface", {"address": "0.0.0.0"}, False),
    ("signed out", {"secrets": AUTH, "user": {"is_logged_in": False}}, False),
    ("signed in, not an operator", {"secrets": AUTH, "user": {
        "is_logged_in": True, "email": "viewer@kra.test", "email_verified": True}}, False),
    ("signed in operator", {"secrets": AUTH, "user": {
        "is_logged_in": True, "email": "ops@kra.test", "email_verified": True}}, True),
]


@pytest.mark.parametrize("page", ["race", "overview", "jobs"])
@pytest.mark.parametrize("case,change,shown", VISIBILITY, ids=[v[0] for v in VISIBILITY])
def test_buttons_only_for_operators(site, monkeypatch, isolated_env, page, case, change, shown):
    for name, value in change.get("env", {}).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    if "secrets" in change:
        _write_secrets(isolated_env / ".streamlit", change["secrets"])
    with listening_on(change.get("address", "127.0.0.1")):
        at = open_page(page, change.get("user"))
    assert (OPEN_BUTTONS[page] in keys(at)) is shown, sorted(keys(at))
    if not shown:
        assert not any(k.startswith(("race_action", "attention_action", "stuck_action"))
                       for k in keys(at))
    no_secret(at)


def test_race_page_recollects_the_day_and_links_the_job(site, caplog):
    caplog.set_level(logging.INFO)
    at = open_page("race")
    at.button(key="race_action_day").click().run()
    ok(at)
    codes = [c.value for c in at.code]
    assert f'POST /api/v2/collection/async {{"date": "{DAY}", "meet": 1}}' in codes
    assert site.seen == []  # the dialog alone sends nothing
    at.button(key="kra_action_send").click().run()
    ok(at)
    (job,) = [j for j in site.jobs() if j["job_id"] != "stuck-own" and j["job_id"] !=
              "stuck-foreign"]
    assert job["parameters"] == {"race_date": DAY, "meet": 1, "race_numbers": None}
    assert any(job["job_id"] in s.value for s in at.success)
    assert ("jobs", f"job={job['job_id']}") in links(at)
    assert "kra_action_send" not in keys(at)  # one send per dialog
    assert "actor=local-operator action=recollect" in caplog.text
    no_secret(at)
    assert_no_secret(caplog.text, OPERATOR_KEY)


@pytest.mark.parametrize("button,path,bodies", [
    ("race_action_unfinished", "/api/v2/collection/async",
     [{"date": DAY, "meet": 1, "race_numbers": [2, 3]}]),
    ("race_action_results", "/api/v2/collection/result",
     [{"date": DAY, "meet": 1, "race_number": n} for n in (1, 2, 3)]),
])
def test_race_page_partial_actions_send_exactly_what_the_dialog_shows(site, pg_db, button,
                                                                       path, bodies):
    at = open_page("race")
    at.button(key=button).click().run()
    shown = "\n".join(c.value for c in ok(at).code)
    for body in bodies:
        assert f"POST {path} {json.dumps(body, ensure_ascii=False)}" in shown
    at.button(key="kra_action_send").click().run()
    assert [json.loads(s.body) for s in site.posts(path)] == bodies
    if path.endswith("result"):
        rows = pg_db.fetch("SELECT DISTINCT result_status::text FROM races")
        assert rows == [("collected",)]
    no_secret(ok(at))


def test_two_sessions_the_second_is_stopped_then_throttled(site):
    first = open_page("race")
    second = open_page("race")
    first.button(key="race_action_day").click().run()
    second.button(key="race_action_day").click().run()
    first.button(key="kra_action_send").click().run()
    second.button(key="kra_action_send").click().run()
    warning = " ".join(w.value for w in ok(second).warning)
    assert "이미" in warning and "kra_action_force" in keys(second)
    second.button(key="kra_action_force").click().run()
    assert any("1분에 한 번" in w.value for w in ok(second).warning)
    assert len(site.posts("/api/v2/collection/async")) == 1


def test_attention_row_action(site):
    at = open_page("overview")
    labels = at.selectbox(key="attention_action_pick").options
    assert any(format_date(DAY) in label for label in labels), labels
    at.button(key="attention_action_day").click().run()
    at.button(key="kra_action_send").click().run()
    assert any("작업" in s.value for s in ok(at).success)
    assert json.loads(site.posts("/api/v2/collection/async")[0].body)["date"] == DAY


def test_jobs_page_follows_one_job_and_cancels_it(site):
    at = open_page("race")
    at.button(key="race_action_day").click().run()
    at.button(key="kra_action_send").click().run()
    job_id = next(q for p, q in links(at) if p == "jobs" and q.startswith("job="))[4:]
    jobs = open_page("jobs", job=job_id)
    text = tree_text(jobs)
    assert job_id in text and "3초마다" in text and "stuck_action_cancel" not in keys(jobs)
    jobs.button(key="one_job_action_cancel").click().run()
    assert f"POST /api/v2/jobs/{job_id}/cancel" in [c.value for c in ok(jobs).code]
    jobs.button(key="kra_action_send").click().run()
    assert any("취소했습니다" in s.value for s in ok(jobs).success)
    assert [j["status"] for j in site.jobs() if j["job_id"] == job_id] == ["cancelled"]
    again = open_page("jobs", job=job_id)
    assert "작업이 끝났습니다" in tree_text(again) and "one_job_action_cancel" not in keys(again)


@pytest.mark.parametrize("job,expected", [
    ("stuck-own", "취소했습니다"),
    ("stuck-foreign", "취소할 수 없습니다"),
])
def test_cancel_a_stuck_job(site, job, expected):
    at = open_page("jobs")
    at.selectbox(key="stuck_action_pick").set_value(job).run()
    at.button(key="stuck_action_cancel").click().run()
    at.button(key="kra_action_send").click().run()
    shown = " ".join(e.value for kind in ("success", "error") for e in getattr(ok(at), kind))
    assert expected in shown
    status = [j["status"] for j in site.jobs() if j["job_id"] == job]
    assert status == (["cancelled"] if job == "stuck-own" else ["processing"])


def test_a_failure_is_shown_as_text_and_the_dialog_closes(site):
    site.fail(500, {"detail": "**boom** <b>x</b> [link](http://evil.test)"})
    at = open_page("race")
    at.button(key="race_action_day").click().run()
    at.button(key="kra_action_send").click().run()
    (error,) = ok(at).error
    assert "500" in error.value and "수집기 내부 오류" in error.value and "\\*\\*boom\\*\\*" in error.value
    at.button(key="kra_action_close").click().run()
    assert "kra_action_close" not in keys(ok(at)) and "race_action_day" in keys(at)


@pytest.mark.parametrize("value", ["a/b", "x" * 101])
def test_a_bad_job_id_in_the_url_is_explained(site, value):
    at = open_page("jobs", job=value)
    assert any("job" in w.value.lower() or "작업" in w.value for w in at.warning)
    assert "one_job_action_cancel" not in keys(at) and "stuck_action_cancel" in keys(at)


@pytest.mark.parametrize("url", [
    f"http://127.0.0.1:9/?api_key={OPERATOR_KEY}",
    f"http://ops:{OPERATOR_KEY}@127.0.0.1:9",
])
def test_a_broken_collector_configuration_is_told_to_operators_without_the_key(
        site, monkeypatch, url):
    monkeypatch.setenv("KRA_COLLECTOR_API_URL", url)
    at = open_page("race")
    assert any("must not carry credentials" in w.value for w in at.warning)
    assert "race_action_day" not in keys(at)
    no_secret(at)
    monkeypatch.delenv("KRA_LOCAL_OPERATOR")
    assert not any("credentials" in w.value for w in open_page("race").warning)
