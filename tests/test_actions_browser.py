"""A real browser: an operator (``KRA_LOCAL_OPERATOR=1``, the server on loopback)
re-collects a failed race day through the real test collector, confirms in the dialog,
follows the link to the jobs page, and watches the job there until it ends."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from status_core.text import t
from tests.browser_support import APP_IDLE, EXCEPTION, StreamlitServer, start_server
from tests.collector_server import OPERATOR_KEY
from tests.pgcluster import SENTINEL_PASSWORD, secret_forms
from tests.rows import make_race

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
LANG = "ko"
DAY = "20261101"
MAIN = '[data-testid="stMain"]'
DIALOG = '[role="dialog"]'
TIMEOUT_MS = 60_000
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def server(collector, pg_db, tmp_path) -> Iterator[StreamlitServer]:
    pg_db.load(races=[make_race(DAY, 1, n, collection_status="failed") for n in (1, 2, 3)])
    running = start_server({
        "DATABASE_URL": pg_db.reader_url,
        "KRA_COLLECTOR_API_URL": collector.url,
        "KRA_COLLECTOR_API_KEY": OPERATOR_KEY,
        "KRA_LOCAL_OPERATOR": "1",
    }, tmp_path / "home")
    try:
        yield running
    finally:
        running.stop()


def settle(page) -> None:  # noqa: ANN001
    page.wait_for_selector(APP_IDLE)
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_IDLE)


def clean(page, server: StreamlitServer) -> None:  # noqa: ANN001
    assert page.locator(EXCEPTION).count() == 0
    for text in (page.content(), server.log()):
        for form in secret_forms(OPERATOR_KEY) + secret_forms(SENTINEL_PASSWORD):
            assert form not in text


def test_operator_recollects_a_failed_day_and_follows_the_job(server, collector, page):
    page.goto(server.url("/race", date=DAY, meet=1))
    button = page.locator(f'{MAIN} button:has-text("{t("action.recollect_day", LANG)}")')
    button.wait_for()
    settle(page)
    button.click()
    dialog = page.locator(DIALOG)
    dialog.wait_for()
    assert f'POST /api/v2/collection/async {{"date": "{DAY}", "meet": 1}}' in \
        dialog.inner_text()
    assert collector.posts("/api/v2/collection/async") == []  # nothing sent yet
    dialog.locator(f'button:has-text("{t("action.dialog.send", LANG)}")').click()
    success = dialog.locator('[data-testid="stAlert"]')
    success.wait_for()
    (job,) = collector.jobs()
    assert job["job_id"] in success.inner_text() and UUID.fullmatch(job["job_id"])
    assert job["parameters"] == {"race_date": DAY, "meet": 1, "race_numbers": None}

    dialog.locator(f'a:has-text("{t("action.job_link", LANG)}")').click()
    page.wait_for_url(re.compile(rf"/jobs\?job={job['job_id']}"))
    page.locator(f'{MAIN} :text("{t("jobs.one_job_live", LANG, seconds=3)}")').wait_for()
    assert job["job_id"] in page.locator(MAIN).inner_text()
    assert page.locator(DIALOG).count() == 0  # the dialog stayed on the race page

    collector.set_status(job["job_id"], "completed")  # the collector's worker finishes
    page.locator(f'{MAIN} :text("{t("jobs.one_job_ended", LANG)}")').wait_for(timeout=20_000)
    audit = [line for line in server.log().splitlines() if line.startswith("kra-audit ")]
    assert len(audit) == 1 and "actor=local-operator action=recollect" in audit[0]
    assert f"outcome=accepted http=202 job={job['job_id']}" in audit[0]
    clean(page, server)
