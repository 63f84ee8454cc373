"""Stored and typed text in a real browser: shown literally, never fetched, never linked.

A local HTTP listener counts every request it gets. A race on PostgreSQL is named with an
image pointing at it (and carries it in a warning, a job error and a job id); the race page,
its detail, the overview, the jobs page and a URL echo are opened in Chromium against a real
``streamlit run`` server. The listener must count zero requests, and the text must be on
the page exactly as stored. A second test renders :func:`ui.text.md_plain` of a corpus of
Markdown / HTML / LaTeX / Streamlit-directive strings in a real server and reads back what
the browser shows.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from tests.browser_support import APP_IDLE, EXCEPTION, launch, start_server
from tests.rows import make_job, make_race

pytestmark = pytest.mark.browser
DAY = "20260214"
TIMEOUT_MS = 60_000
JOINER = "\u2060"  # md_plain's invisible word joiner inside bare URLs


class Listener:
    """An HTTP server on loopback that answers 200 and counts every request."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        paths = self.paths

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    try:
        yield lst
    finally:
        lst.close()


def settle(page, *selectors: str) -> None:  # noqa: ANN001
    """Wait for the page's own content, then for the script to be idle (twice: a rerun
    may start right after the first idle)."""
    for selector in selectors:
        page.wait_for_selector(selector, timeout=TIMEOUT_MS)
    page.wait_for_selector(APP_IDLE, timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_IDLE, timeout=TIMEOUT_MS)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()


def choose(page, key: str, *, expect: str | None = None) -> None:  # noqa: ANN001
    """Open the selectbox ``key`` and pick its first option (whose text must contain
    ``expect``)."""
    option = page.get_by_role("option").first
    for _ in range(5):
        box = page.locator(f'.st-key-{key} input[role="combobox"]')
        box.scroll_into_view_if_needed()
        box.click()
        box.press("ArrowDown")
        try:
            option.wait_for(timeout=3000)
            break
        except Exception:  # noqa: BLE001 - not open yet: a rerun redrew the widget
            page.keyboard.press("Escape")
    if expect is not None:
        assert expect in option.inner_text()
    option.click()
    settle(page)


def shown(page) -> str:  # noqa: ANN001
    return page.locator('[data-testid="stMain"]').inner_text().replace(JOINER, "")


@pytest.mark.postgres
def test_an_image_in_stored_text_is_never_fetched(pg_db, browser, listener, tmp_path):  # noqa: ANN001
    image = f"![x](http://127.0.0.1:{listener.port}/img.png)"
    html = f"<img src=http://127.0.0.1:{listener.port}/html.png>"
    now = dt.datetime.now(dt.UTC)
    pg_db.load(
        races=[make_race(DAY, 1, 1, race_name=image, collection_status="failed",
                         warnings=[image, html]),
               make_race(DAY, 1, 2, collection_status="collected")],
        jobs=[make_job(image, status="failed", error_message=f"{html} {image}",
                       created_at=now, started_at=now,
                       parameters={"race_date": DAY, "meet": 1})],
    )
    server = start_server({"DATABASE_URL": pg_db.reader_url}, tmp_path / "home")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(server.url("/race", date=DAY, meet=1))
        settle(page, ".st-key-race_detail")
        choose(page, "race_detail")
        main = page.locator('[data-testid="stMain"]')
        assert main.locator('[data-testid="stText"]').first.inner_text() == image
        # The page has more than one code element (the API block's command comes first).
        codes = main.locator('[data-testid="stCode"]').all_inner_texts()
        assert any(f"{image}\n{html}" in code for code in codes), codes

        page.goto(server.url("/", start=DAY, end=DAY))
        settle(page, '[data-testid="stDataFrame"]')

        # typed into the URL: echoed as text (Python's repr quotes it)
        page.goto(server.url("/race", date=image, meet=1))
        settle(page, '[data-testid="stAlertContentWarning"]')
        assert repr(image) in shown(page)

        page.goto(server.url("/jobs"))
        settle(page, ".st-key-job_detail")
        # the option shows the stored job id as it is
        choose(page, "job_detail", expect=image)
        main = page.locator('[data-testid="stMain"]')
        assert f"{html} {image}" in main.locator('[data-testid="stCode"]').last.inner_text()
        # nothing the page drew is an image or a link to the listener
        port = str(listener.port)
        for selector in ("img", "a"):
            for attr in ("src", "href"):
                values = page.locator(f'[data-testid="stMain"] {selector}').evaluate_all(
                    f"els => els.map(e => e.getAttribute('{attr}') || '')")
                assert not [v for v in values if port in v], (selector, attr, values)
        page.wait_for_timeout(500)
    finally:
        context.close()
        server.stop()
    assert listener.paths == [], f"the browser fetched {listener.paths}"


# --------------------------------------------------------------------------- md_plain

CORPUS = [
    "![x](http://127.0.0.1:9/img.png)", "[session expired](http://evil)", "# Heading",
    "$$\\int$$", "$x^2$ and $ 5", ":red[x] :blue-badge[y] :red-background[z]",
    "<img src=x onerror=alert(1)>", "**bold** *em* _u_ __b__ a_b_c", "~~strike~~ H~2~O",
    ":smile: ::smile:: :+1: :material/home:", "a\\b \\* c \\", "&amp; &lt; &#65;",
    "1. list", "2026) x", "- item", "+ plus", "> quote", "---", "x\n===\ny",
    "`code` ``x``", "http://auto.link/x www.evil.com mail user@example.com",
    "<http://x.y>", "[a]: http://x.y", "a | b\n--- | ---\nc | d", "제1경주 <b>서울</b> (1,200m)",
    "    indented", "race_date KRA_STALLED_MINUTES: 30", "!!! [x] {y} ^z",
]

_SCRIPT = """
import json
import streamlit as st
from ui.text import md_plain
for i, text in enumerate(json.loads({corpus!r})):
    with st.container(key=f"case{{i}}"):
        st.warning("**x** " + md_plain(text))
"""


def test_md_plain_shows_every_string_literally(browser, tmp_path):  # noqa: ANN001
    script = tmp_path / "corpus_app.py"
    script.write_text(_SCRIPT.format(corpus=json.dumps(CORPUS)), encoding="utf-8")
    server = launch({}, tmp_path / "home", main=str(script), cwd=tmp_path)
    context = browser.new_context()
    try:
        server.wait_healthy()
        page = context.new_page()
        page.goto(server.url("/"))
        settle(page, f".st-key-case{len(CORPUS) - 1}")
        for i, text in enumerate(CORPUS):
            box = page.locator(f".st-key-case{i} [data-testid='stMarkdownContainer']").first
            got = box.inner_text().replace(JOINER, "")
            want = "x " + "\n".join(line.strip() for line in text.splitlines() if line.strip())
            assert got.strip() == want, (text, got)
            inner = box.inner_html()
            for tag in ("<img", "<a ", "<h1", "<h2", "katex", "<em", "<del", "<li", "<code",
                        "<blockquote", "<table", "<hr", "color:"):
                assert tag not in inner, (text, tag, inner)
            assert inner.count("<strong") == 1, (text, inner)  # only our own "**x**"
    finally:
        context.close()
        server.stop()
