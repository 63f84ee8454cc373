"""Every page on a phone (390 x 844, Chromium) in both languages, on the embedded demo.

One demo server serves all pages. Per page and language: no exception, no horizontal
scrolling of the page body (the document and Streamlit's own scroll containers), the
sidebar closed. The overview's latest-day cards fit on the first screen, its headline
metrics stand two abreast and the calendar is a per-date list; at 1400 px the same page
shows the heatmap and one row of metrics. The runs write the phone screenshots
(``docs/screenshots/phone/``: every page in Korean, the overview in English too).

Skips without Chromium (fails with ``REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from status_core import demo
from status_core.text import t
from tests.browser_support import (
    APP_IDLE,
    BROWSER_TIMEZONE,
    EXCEPTION,
    ROOT,
    StreamlitServer,
    start_servers,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}
TIMEOUT_MS = 90_000
SHOTS = ROOT / "docs" / "screenshots" / "phone"
PATHS = {"overview": "/", "race": "/race", "jobs": "/jobs", "check": "/check",
         "reliability": "/reliability"}
#: Screenshots: every page in Korean; the overview in English as well.
SHOT = {(key, "ko") for key in PATHS} | {("overview", "en")}
#: The scroll containers that must not scroll sideways: the document, Streamlit's main
#: area and its app view.
SCROLLERS = ("document.scrollingElement",
             "document.querySelector('[data-testid=\"stMain\"]')",
             "document.querySelector('[data-testid=\"stAppViewContainer\"]')")
CARDS = ".st-key-latest_cards"


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path) -> Iterator[StreamlitServer]:  # noqa: ARG001
    if (ROOT / ".streamlit" / "secrets.toml").exists():
        pytest.skip("a .streamlit/secrets.toml in the repo would replace the demo")
    tmp = tmp_path_factory.mktemp("phone")
    path = tmp / "demo.sqlite"
    (started,) = start_servers(
        [{"KRA_DEMO_PATH": str(path)}], tmp / "home",
        while_starting=lambda: demo.build_demo_file(path, now=dt.datetime.now(dt.UTC)))
    try:
        yield started
    finally:
        started.stop()


def open_page(browser, server: StreamlitServer, key: str, lang: str, viewport: dict):  # noqa: ANN001, ANN201
    """A fresh context at ``viewport``, the page ``key`` loaded and idle."""
    context = browser.new_context(viewport=viewport, locale="ko-KR",
                                  timezone_id=BROWSER_TIMEZONE, is_mobile=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(server.url(PATHS[key], lang=None if lang == "ko" else lang))
    page.wait_for_selector('[data-testid="stMain"] h1')
    if key == "overview":
        page.wait_for_selector(CARDS)
    page.wait_for_selector(APP_IDLE)
    page.wait_for_timeout(500)  # charts measure themselves; a rerun may follow
    page.wait_for_selector(APP_IDLE)
    return context, page


def overflow(page) -> dict[str, tuple[int, int]]:  # noqa: ANN001
    """``scrollWidth, clientWidth`` of each of :data:`SCROLLERS`."""
    return {
        name: tuple(page.evaluate(f"() => {{ const e = {name}; "
                                  "return [e.scrollWidth, e.clientWidth]; }"))
        for name in SCROLLERS
    }


def grid_headers(page) -> list[list[str]]:  # noqa: ANN001
    """The column headers each data grid renders (its accessible table), left to right."""
    return page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')].map(g =>"
        " [...g.querySelectorAll('th, [role=columnheader]')].map(h => h.textContent.trim()))")


def sidebar_open(page) -> bool:  # noqa: ANN001
    """Whether the sidebar is open: Streamlit's own flag, and on screen with a width."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    box = sidebar.bounding_box()
    on_screen = box is not None and box["width"] > 0 and box["x"] + box["width"] > 1
    assert on_screen == (sidebar.get_attribute("data-collapsed") == "false")
    return on_screen


def screenshot(page, key: str, lang: str) -> None:  # noqa: ANN001
    """The whole page at phone width (Streamlit scrolls inside stMain: grow the viewport)."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": PHONE["width"], "height": min(max(height, 844), 9000)})
    page.wait_for_timeout(800)
    page.wait_for_selector(APP_IDLE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = key if lang == "ko" else f"{key}-{lang}"
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("key", list(PATHS))
def test_every_page_fits_a_phone(browser, server, key, lang):
    context, page = open_page(browser, server, key, lang, PHONE)
    try:
        assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
        for name, (scroll, client) in overflow(page).items():
            assert client > 0 and scroll <= client, (name, scroll, client)
        assert not sidebar_open(page)
        if key == "check":  # its report (steps, tables, code) must fit as well
            page.get_by_role("button", name=t("check.run", lang)).click()
            page.wait_for_selector(f'[data-testid="stMain"] :text("{t("check.report", lang)}")')
            page.wait_for_selector(APP_IDLE)
            assert page.locator(EXCEPTION).count() == 0
            for name, (scroll, client) in overflow(page).items():
                assert scroll <= client, ("check report", name, scroll, client)
        if (key, lang) in SHOT:
            screenshot(page, key, lang)
            for name, (scroll, client) in overflow(page).items():
                assert scroll <= client, ("whole page", name, scroll, client)
    finally:
        context.close()


@pytest.mark.parametrize("key", ["overview", "jobs"])
def test_tables_start_with_date_and_racecourse(browser, server, key):
    """The race-day tables of the overview and the jobs page show the key columns first
    (the grid's first header is the date, then the racecourse), so a phone sees them."""
    context, page = open_page(browser, server, key, "ko", PHONE)
    try:
        date = t("col.date" if key == "overview" else "col.race_date", "ko")
        # a grid draws its header cells a moment after the script is done
        page.wait_for_selector('[data-testid="stDataFrame"] th, '
                               '[data-testid="stDataFrame"] [role=columnheader]',
                               state="attached")  # an accessible, hidden table
        page.wait_for_timeout(1000)  # the other grids of the page
        headers = [h for h in grid_headers(page) if len(h) >= 3]
        assert headers
        for row in headers:
            assert row[:2] == [date, t("col.meet", "ko")], row
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_overview_first_screen_on_a_phone(browser, server, lang):
    context, page = open_page(browser, server, "overview", lang, PHONE)
    try:
        cards = page.locator(CARDS)
        box = cards.bounding_box()
        assert box is not None and box["height"] > 100
        assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], box
        assert t("latest.open", lang) in cards.inner_text()
        # The headline metrics: two abreast, three rows.
        tops = [round(m["y"]) for m in (page.locator('[data-testid="stMetric"]').nth(i)
                                        .bounding_box() for i in range(6))]
        assert len(set(tops)) == 3 and all(tops.count(y) == 2 for y in set(tops)), tops
        # The calendar is a per-date list; the heatmap is hidden.
        assert page.locator(".st-key-narrow_calendar li").count() >= 1
        assert page.locator(".st-key-narrow_calendar").is_visible()
        assert not page.locator(".st-key-wide_calendar").is_visible()
    finally:
        context.close()


def test_overview_at_desktop_width_keeps_the_heatmap_and_one_row_of_metrics(browser, server):
    context, page = open_page(browser, server, "overview", "ko", DESKTOP)
    try:
        heatmap = page.locator(".st-key-wide_calendar [data-testid='stVegaLiteChart']")
        heatmap.scroll_into_view_if_needed()
        heatmap.locator("svg, canvas").first.wait_for(state="visible")
        assert not page.locator(".st-key-narrow_calendar").is_visible()
        tops = {round(page.locator('[data-testid="stMetric"]').nth(i).bounding_box()["y"])
                for i in range(6)}
        assert len(tops) == 1, tops
        assert sidebar_open(page)
        for name, (scroll, client) in overflow(page).items():
            assert scroll <= client, (name, scroll, client)
    finally:
        context.close()
