"""A database server that freezes after the connection was established.

The kernel of a stopped server (``SIGSTOP``, a hung VM) still acknowledges every packet, so
no TCP timeout fires and its own ``statement_timeout`` cannot: every read must still end
with a clear message within connect timeout + statement timeout + 1 s, give its pooled
connection up, and work again once the server runs again. Faults (tests/faults.py): a TCP
relay in front of the real cluster that stops relaying, and a real ``SIGSTOP`` of the
cluster's processes.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest

from status_core.engine import make_engine, read_deadline, run_read
from status_core.errors import DatabaseUnavailable
from status_core.settings import Timeouts, parse_url
from status_core.text import t
from tests.apptest_support import app, full_error_details, tree_text
from tests.browser_support import APP_IDLE, BROWSER_TIMEZONE, EXCEPTION, start_server
from tests.cli_support import run_cli, run_cli_inprocess
from tests.faults import BOUND, CONNECT, STATEMENT, Frozen, guarded, wait_until
from tests.pgcluster import assert_no_secret
from tests.rows import kst_today, make_job, make_race, ymd

pytestmark = pytest.mark.postgres

TODAY = ymd(kst_today())
RACES = 4
DEADLINE = CONNECT + STATEMENT + 0.25  # engine.READ_GRACE; checked against read_deadline
HANG = BOUND * 3  # the guard: a call still running then hangs


def load(frozen: Frozen) -> None:
    races = [make_race(TODAY, 1, n, collection_status="collected") for n in range(1, RACES + 1)]
    jobs = [make_job("job-frozen", status="completed",
                     parameters={"race_date": TODAY, "meet": 1, "race_numbers": [1, 2]},
                     created_at=dt.datetime.now(dt.UTC))]
    frozen.db.load(races=races, jobs=jobs)


def count_races(conn) -> int:  # noqa: ANN001
    return int(conn.exec_driver_sql("SELECT count(*) FROM races").scalar())


def kra_read_threads() -> list[threading.Thread]:
    return [th for th in threading.enumerate() if th.name == "kra-read"]


def assert_no_answer(error: BaseException | None) -> DatabaseUnavailable:
    assert isinstance(error, DatabaseUnavailable), repr(error)
    assert error.cause == "timeout", error.cause
    assert "timeout" in error.message and f"{DEADLINE:g}s" in error.message, error.message
    assert error.hint, "no hint"
    assert_no_secret(f"{error.message}\n{error.hint}")
    return error


# --------------------------------------------------------------------------- core


# Where the server stops answering: between two reads (the pool's pre-ping of an idle
# connection hangs), in the middle of a transaction, or during a fresh connection's
# first-connect queries.
CORE_CASES = [
    pytest.param("relay", None, True, id="relay-idle-pooled-connection"),
    pytest.param("relay", b"statement_timeout", True, id="relay-inside-a-transaction"),
    pytest.param("relay", b"current_schema()", False, id="relay-first-connect-queries"),
    pytest.param("sigstop", None, True, id="sigstop-idle-pooled-connection"),
]


@pytest.mark.parametrize(("frozen_server", "marker", "warm"), CORE_CASES,
                         indirect=["frozen_server"])
def test_a_read_against_a_frozen_server_ends_within_the_bound_then_recovers(
        frozen_server, marker, warm):
    load(frozen_server)
    target = parse_url(frozen_server.url)
    engine = make_engine(target, Timeouts(connect=CONNECT, statement=STATEMENT))
    try:
        assert read_deadline(engine) == pytest.approx(DEADLINE)
        if warm:
            assert run_read(engine, target, count_races) == RACES
        frozen_server.freeze(on=marker)

        got = guarded(lambda: run_read(engine, target, count_races), HANG)
        assert_no_answer(got.error)
        assert DEADLINE - 0.1 <= got.elapsed < BOUND, f"{got.elapsed:.2f}s"
        assert "accepted the connection" in got.error.message
        # The stuck checkout was given up, not kept: no slot of the pool is held, and the
        # abandoned call ends by itself (its socket was cut) within a connect timeout.
        assert engine.pool.checkedout() == 0
        assert wait_until(lambda: not kra_read_threads(), CONNECT + 2), kra_read_threads()

        frozen_server.thaw()
        again = guarded(lambda: run_read(engine, target, count_races), HANG)
        assert again.error is None, repr(again.error)
        assert again.value == RACES and again.elapsed < 1.5, again
    finally:
        frozen_server.thaw()
        engine.dispose()


def test_more_reads_than_the_pool_holds_all_end_then_the_pool_works(frozen_server):
    load(frozen_server)
    target = parse_url(frozen_server.url)
    engine = make_engine(target, Timeouts(connect=CONNECT, statement=STATEMENT))
    readers = 12  # pool_size 5 + max_overflow 5, and two more waiting for a slot
    try:
        assert run_read(engine, target, count_races) == RACES
        frozen_server.freeze()
        results: list = [None] * readers

        def one(i: int) -> None:
            results[i] = guarded(lambda: run_read(engine, target, count_races), HANG)

        workers = [threading.Thread(target=one, args=(i,)) for i in range(readers)]
        t0 = time.monotonic()
        for w in workers:
            w.start()
        for w in workers:
            w.join(HANG + 1)
        elapsed = time.monotonic() - t0
        assert all(r is not None for r in results), "a reader never returned"
        for r in results:
            assert isinstance(r.error, DatabaseUnavailable) and r.error.cause == "timeout", r
            assert r.elapsed < BOUND, f"{r.elapsed:.2f}s"
            assert_no_secret(r.error.message)
        assert elapsed < BOUND + 1, f"{elapsed:.2f}s"

        frozen_server.thaw()
        again = guarded(lambda: run_read(engine, target, count_races), HANG)
        assert again.error is None and again.value == RACES, again
    finally:
        frozen_server.thaw()
        engine.dispose()


# --------------------------------------------------------------------------- CLI


def _cli_subprocess(env: dict[str, str]) -> tuple[int, str, str]:
    proc = run_cli("status", "--date", TODAY, "--meet", "1", env=env, timeout=HANG + 30)
    return proc.returncode, proc.stdout, proc.stderr


def _cli_inprocess() -> tuple[int, str, str]:
    return run_cli_inprocess("status", "--date", TODAY, "--meet", "1")


# A subprocess also pays the interpreter start and imports (pandas, SQLAlchemy) before it
# reads: allowed on top of the bound, and it must still exit (no thread keeps it alive).
STARTUP_ALLOWANCE = 10.0


@pytest.mark.parametrize("how", ["in-process", "subprocess"])
def test_cli_status_against_a_frozen_server_exits_1_within_the_bound(frozen_env, how):
    load(frozen_env)
    # The CLI opens its own connection: the relay lets the login and the first-connect
    # queries through and freezes on the read's own transaction.
    frozen_env.freeze(on=b"statement_timeout")
    if how == "in-process":
        got = guarded(_cli_inprocess, HANG)
        limit = BOUND
    else:
        env = {k: os.environ[k] for k in ("DATABASE_URL", "KRA_CONNECT_TIMEOUT",
                                          "KRA_STATEMENT_TIMEOUT", "KRA_DEMO_PATH")}
        got = guarded(lambda: _cli_subprocess(env), HANG + 40)
        limit = BOUND + STARTUP_ALLOWANCE
    assert got.error is None, repr(got.error)
    code, out, err = got.value
    assert code == 1, (code, out, err)
    errors = [line for line in err.splitlines() if line.startswith("kra-status: error")]
    assert len(errors) == 1, err
    assert "timeout" in errors[0] and "accepted the connection" in errors[0], errors
    assert "Traceback" not in err and out == "", (out, err)
    assert sum(line.startswith("hint: ") for line in err.splitlines()) == 1, err
    assert_no_secret(out + err)
    assert got.elapsed < limit, f"{how}: {got.elapsed:.2f}s"

    frozen_env.thaw()
    code, out, err = _cli_inprocess()
    assert code == 0, err
    assert f"{RACES}" in out


# --------------------------------------------------------------------------- pages


PAGES = {
    "overview": ("app.py", {}),
    "race": ("pages/1_race.py", {"date": TODAY, "meet": "1"}),
    "race-default-day": ("pages/1_race.py", {}),
    "jobs": ("pages/2_jobs.py", {}),
}


def _refresh(at):  # noqa: ANN001, ANN202
    label = t("sidebar.refresh", "ko")
    buttons = [b for b in at.button if b.label == label]
    assert len(buttons) == 1, [b.label for b in at.button]
    return buttons[0].click()


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize("page", list(PAGES))
def test_refresh_on_a_frozen_server_shows_the_message_within_the_bound(frozen_env, page):
    load(frozen_env)
    path, params = PAGES[page]
    at = app(path, **params)
    with full_error_details():  # an exception would show whole
        at.run(timeout=HANG)
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        assert at.dataframe, f"{page}: no table before the freeze"

        frozen_env.freeze()
        t0 = time.monotonic()
        _refresh(at).run(timeout=HANG)
        elapsed = time.monotonic() - t0
        assert not at.exception, [e.value for e in at.exception]
        errors = [str(e.value) for e in at.error]
        assert len(errors) == 1, errors
        assert t("error.database", "ko") in errors[0], errors
        assert "timeout" in errors[0] and "accepted the connection" in errors[0], errors
        hints = [str(i.value) for i in at.info]
        assert any(t("error.hint", "ko") in h and "연결된 뒤 응답이 멈췄다면" in h
                   for h in hints), hints
        assert_no_secret(tree_text(at))
        print(f"TIMING {page}: refresh -> message {elapsed:.2f}s")
        assert elapsed < BOUND, f"{page}: {elapsed:.2f}s"

        frozen_env.thaw()
        _refresh(at).run(timeout=HANG)
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert at.dataframe, f"{page}: no table after the server came back"


# --------------------------------------------------------------------------- real browser


ERROR_ALERT = '[data-testid="stAlertContentError"]'

# Timed inside the page, on the browser's own clock: from the click event on the button to
# the moment the error alert is in the document (what the user sees), without the test
# driver's own latency.
STOPWATCH = """([label, alert, text]) => {
  window.__pressed = null; window.__shown = null;
  document.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (b && b.innerText.includes(label) && window.__pressed === null)
      window.__pressed = performance.now();
  }, true);
  new MutationObserver(() => {
    if (window.__pressed === null || window.__shown !== null) return;
    for (const el of document.querySelectorAll(alert))
      if (el.innerText.includes(text)) { window.__shown = performance.now(); return; }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _settle(page, selector: str) -> None:  # noqa: ANN001
    page.wait_for_selector(selector, timeout=60_000)
    page.wait_for_selector(APP_IDLE, timeout=60_000)


@pytest.mark.browser
def test_browser_refresh_on_a_frozen_server_shows_the_message_within_the_bound(
        frozen_server, browser, tmp_path):
    load(frozen_server)
    server = start_server({
        "DATABASE_URL": frozen_server.url,
        "KRA_CONNECT_TIMEOUT": f"{CONNECT:g}",
        "KRA_STATEMENT_TIMEOUT": f"{STATEMENT:g}",
        "KRA_DEMO_PATH": str(tmp_path / "demo.sqlite"),
    }, tmp_path / "home")
    label, title = t("sidebar.refresh", "ko"), t("error.database", "ko")
    table = f'[data-testid="stMain"] :text("{t("overview.table", "ko")}")'
    context = browser.new_context(locale="ko-KR", timezone_id=BROWSER_TIMEZONE)
    try:
        page = context.new_page()
        page.goto(server.url("/"))
        _settle(page, table)
        assert page.locator(ERROR_ALERT).count() == 0

        frozen_server.freeze()
        page.evaluate(STOPWATCH, [label, ERROR_ALERT, title])
        page.get_by_role("button", name=label).click()
        alert = page.locator(ERROR_ALERT, has_text=title)
        alert.wait_for(timeout=HANG * 1000)
        elapsed = page.evaluate("() => (window.__shown - window.__pressed) / 1000")
        text = alert.inner_text()
        assert "timeout" in text and "accepted the connection" in text, text
        _settle(page, ERROR_ALERT)
        assert page.locator(EXCEPTION).count() == 0
        assert_no_secret(page.content())
        print(f"TIMING browser: refresh -> message {elapsed:.2f}s")
        assert 0 < elapsed < BOUND, f"refresh -> message took {elapsed:.2f}s"

        frozen_server.thaw()
        page.get_by_role("button", name=label).click()
        _settle(page, table)
        assert page.locator(ERROR_ALERT).count() == 0
    finally:
        context.close()
        server.stop()
