"""Links in a real browser (issue 12): the URL names the view on a first visit and after the
overview's "latest" shortcut, and "링크 복사" puts the absolute URL of the view on the
clipboard, pressed by keyboard; the copied link opens the same view in a new page.

One server on the embedded demo for the module; Chromium with clipboard permissions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from status_core import attention, demo
from status_core import reliability as rel
from status_core.text import t
from tests import browser_support
from tests.browser_support import (
    BROWSER_TIMEZONE,
    StreamlitServer,
    start_server,
)
from tests.rows import ymd

pytestmark = pytest.mark.browser

LANG = "ko"
TIMEOUT_MS = 90_000
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path) -> Iterator[StreamlitServer]:  # noqa: ANN001, ARG001
    home = tmp_path_factory.mktemp("links")
    path = home / "demo.sqlite"
    demo.build_demo_file(path, now=NOW)
    running = start_server({"KRA_DEMO_PATH": str(path)}, home, timeout=120)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def context(browser, server):  # noqa: ANN001, ANN201
    """A fresh browser context that may read and write the clipboard."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR",
                              timezone_id=BROWSER_TIMEZONE)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


def settle(page, *selectors: str) -> None:  # noqa: ANN001
    """The page's own content, then an idle script, twice; no exception drawn."""
    browser_support.settle(page, *selectors, no_exception=True)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def open_page(context, url: str, wanted: str):  # noqa: ANN001, ANN201
    """A new tab on ``url``, once its URL has the parameter ``wanted`` written."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(f"() => location.search.includes('{wanted}=')")
    settle(page, '[data-testid="stMain"] h1')
    return page


def copy_link(page) -> str:  # noqa: ANN001
    """Press "링크 복사" with the keyboard (focus, Enter) and read the clipboard."""
    page.evaluate("() => navigator.clipboard.writeText('')")
    button = page.get_by_role("button", name=t("share.copy", LANG))
    button.focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text=t("share.copied", LANG)).wait_for()
    return page.evaluate("() => navigator.clipboard.readText()")


def range_shown(page) -> str:  # noqa: ANN001
    """The range picker's text (its start and end fields)."""
    return " ~ ".join(page.locator(".st-key-w_range input").evaluate_all(
        "els => els.map(e => e.value)"))


@pytest.mark.parametrize(("path", "wanted"), [
    ("/", {"start": None, "end": None, "meet": ["1", "2", "3"]}),
    ("/reliability", {"start": None, "end": None, "meet": ["1", "2", "3"]}),
    ("/race", {"date": None, "meet": None}),
])
def test_first_visit_writes_the_view_and_the_copied_link_reopens_it(
        context, server, path, wanted) -> None:  # noqa: ANN001
    page = open_page(context, server.url(path), next(iter(wanted)))
    got = query(page.url)
    if path == "/":
        start, end = attention.default_range(NOW)
        wanted = {**wanted, "start": [start], "end": [end]}
    elif path == "/reliability":
        start, end = rel.default_range(NOW)
        wanted = {**wanted, "start": [start], "end": [end]}
    else:
        race_date, meet = got["date"][0], got["meet"][0]
        wanted = {"date": [race_date], "meet": [meet]}
    assert {k: got.get(k) for k in wanted} == wanted, page.url

    copied = copy_link(page)
    parts = urlsplit(copied)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", f"127.0.0.1:{server.port}",
                                                        path)
    assert query(copied) == query(page.url)
    shown = range_shown(page) if path != "/race" else None

    again = open_page(context, copied, next(iter(wanted)))
    assert query(again.url) == query(copied)
    if shown is not None:
        assert range_shown(again) == shown
        first, last = wanted["start"][0], wanted["end"][0]
        assert f"{first[:4]}-{first[4:6]}-{first[6:]}" in shown
        assert f"{last[:4]}-{last[4:6]}-{last[6:]}" in shown


def test_the_latest_shortcut_writes_its_range_and_a_reload_keeps_it(context, server) -> None:  # noqa: ANN001
    later = NOW + dt.timedelta(days=60)
    empty = (ymd(later.date()), ymd((later + dt.timedelta(days=10)).date()))
    page = open_page(context, server.url("/", [("start", empty[0]), ("end", empty[1]),
                                              ("meet", 1)]), "start")
    page.get_by_role("link", name=t("overview.show_latest", LANG)).click()
    page.wait_for_function(f"() => !location.search.includes('start={empty[0]}')")
    settle(page)
    got = query(page.url)
    assert got["start"] != [empty[0]] and got["meet"] == ["1"], page.url
    shown = range_shown(page)
    page.reload()
    page.wait_for_function("() => location.search.includes('start=')")
    settle(page, '[data-testid="stMain"] h1')
    assert query(page.url) == got
    assert range_shown(page) == shown


def test_a_threshold_in_the_url_is_kept_and_copied(context, server) -> None:  # noqa: ANN001
    page = open_page(context, server.url("/jobs", [("stalled", 45)]), "start")
    assert query(page.url)["stalled"] == ["45"]
    copied = copy_link(page)
    assert query(copied)["stalled"] == ["45"]
    bad = open_page(context, server.url("/", [("stuck", "soon")]), "start")
    assert "stuck" not in query(bad.url)
    assert bad.locator('[data-testid="stAlert"]').filter(has_text="stuck 'soon'").count() == 1
