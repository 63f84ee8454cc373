"""The reliability page in a real browser: a deep link is a server's first request.

Two ``streamlit run app.py`` servers on the embedded demo start at once; the first request
of each is a ``/reliability?...`` deep link (Korean with every choice in the URL, English
with a few). Each page must render that view, keep the link's choices in its URL, and its
CSV download must hold the core's numbers for that view. The runs write
``docs/screenshots/reliability.png`` and ``reliability-en.png`` (the default twelve weeks,
all racecourses) for the README.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from status_core import demo
from status_core import reliability as rel
from status_core.engine import make_engine, read
from status_core.reliability.periods import default_range
from status_core.settings import parse_url
from status_core.text import t
from tests.browser_support import APP_IDLE, BROWSER_TIMEZONE, EXCEPTION, ROOT, start_servers

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 60_000
NOW = dt.datetime.now(dt.UTC)
START, END = rel.default_range(NOW)
LINKS = {
    "ko": [("start", START), ("end", END), ("meet", "1"), ("meet", "3"), ("group", "month"),
           ("step", "result"), ("deadline", "30")],
    "en": [("lang", "en"), ("meet", "2"), ("step", "collection")],
}
CHOICES = {  # what the core is asked for each link
    "ko": {"meets": [1, 3], "grouping": "month"},
    "en": {"meets": [2], "grouping": "week"},
}


def settle(page) -> None:  # noqa: ANN001
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=TIMEOUT_MS)
    page.wait_for_selector(APP_IDLE, timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_IDLE, timeout=TIMEOUT_MS)


def download_csv(page, index: int) -> list[dict[str, str]]:  # noqa: ANN001
    """The rows of the page's ``index``-th CSV download button (the first is completion)."""
    button = page.locator('[data-testid="stDownloadButton"] button').nth(index)
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=20_000) as info:
        button.click()
    with open(info.value.path(), encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def screenshot(page, name: str) -> Path:  # noqa: ANN001
    """Full page at 1400 px: Streamlit scrolls inside stMain, so grow the viewport to it."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(height, 1000), 9000)})
    page.wait_for_timeout(1000)  # charts re-measure themselves
    page.wait_for_selector(APP_IDLE, timeout=TIMEOUT_MS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    return path


@pytest.fixture(scope="module")
def opened(browser, tmp_path_factory, chromium_path) -> Iterator[dict]:  # noqa: ANN001, ARG001
    """One server per language, each first asked for its deep link; and the demo file."""
    if (ROOT / ".streamlit" / "secrets.toml").exists():
        pytest.skip("a .streamlit/secrets.toml in the repo would replace the demo")
    tmp = tmp_path_factory.mktemp("browser-reliability")
    path = tmp / "demo.sqlite"
    servers = start_servers([{"KRA_DEMO_PATH": str(path)}] * len(LINKS), tmp / "home",
                            while_starting=lambda: demo.build_demo_file(path, now=NOW))
    contexts, pages = [], {}
    try:
        for (lang, params), server in zip(LINKS.items(), servers, strict=True):
            context = browser.new_context(viewport=VIEWPORT, accept_downloads=True,
                                          locale="ko-KR", timezone_id=BROWSER_TIMEZONE)
            contexts.append(context)
            page = context.new_page()
            url = server.url("/reliability", params)
            page.goto(url, wait_until="commit")  # both servers work at once
            pages[lang] = (server, page, url)
        for _server, page, _url in pages.values():
            settle(page)
        yield {"pages": pages, "demo": path}
    finally:
        for context in contexts:
            context.close()
        for server in servers:
            server.stop()


@pytest.mark.parametrize("lang", list(LINKS))
def test_deep_link_as_first_request(opened, lang: str) -> None:  # noqa: ANN001
    server, page, url = opened["pages"][lang]
    assert page.locator(EXCEPTION).count() == 0
    assert t("nav.reliability", lang) in page.locator('[data-testid="stMain"] h1').inner_text()
    for key in ("rel.completion", "rel.timeliness", "rel.failures", "rel.jobs"):
        assert page.locator(f'[data-testid="stMain"] :text("{t(key, lang)}")').count()
    wanted = parse_qs(urlsplit(url).query)
    got = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path == "/reliability"
    for name, values in wanted.items():
        assert got.get(name) == values, (name, page.url)

    engine = make_engine(parse_url(f"sqlite:///{opened['demo']}"))
    try:
        with read(engine) as conn:
            expected = rel.completion(conn, START, END, **CHOICES[lang])
    finally:
        engine.dispose()
    rows = download_csv(page, 0)
    assert [(r["period"], int(r["meet"]), int(r["race_days"]), int(r["done"]),
             int(r["failed"]), int(r["incomplete"])) for r in rows] == list(zip(
        expected["period"], expected["meet"], expected["race_days"], expected["done"],
        expected["failed"], expected["incomplete"], strict=True))
    assert page.locator(EXCEPTION).count() == 0


@pytest.mark.parametrize(("lang", "name"), [("ko", "reliability.png"),
                                            ("en", "reliability-en.png")])
def test_screenshot_of_the_default_view(opened, lang: str, name: str) -> None:  # noqa: ANN001
    server, page, _url = opened["pages"][lang]
    page.goto(server.url("/reliability", [("lang", "en")] if lang == "en" else []))
    settle(page)
    assert page.locator(EXCEPTION).count() == 0
    # The resolved default view is written to the URL (a link that means the same tomorrow):
    # the last 12 weeks through today, every racecourse.
    query = parse_qs(urlsplit(page.url).query)
    start, end = default_range()
    assert query == {**({"lang": ["en"]} if lang == "en" else {}),
                     "start": [start], "end": [end], "meet": ["1", "2", "3"]}, query
    path = screenshot(page, name)
    assert path.stat().st_size > 50_000
