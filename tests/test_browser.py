"""The dashboard in a real browser: Playwright driving Debian's Chromium against
``streamlit run app.py``, once on the embedded demo and once on a throwaway PostgreSQL.

Per backend, five servers start at once: one per page whose FIRST request is a deep link
(overview with ``?start=&end=&meet=1``, ``/race?date=&meet=``, ``/jobs``, ``/check``) and one
whose ``DATABASE_URL`` is broken (demo: a refused port; PostgreSQL: a wrong password). The
pickers and the DB-check button are then tested on those already-open pages, so no server is
started twice. The runs write the screenshots in ``docs/screenshots/`` (overview, race and
jobs from the demo; the DB check, healthy and failing, from PostgreSQL).

Skips without Chromium (fails with ``REQUIRE_BROWSER=1``); the PostgreSQL half skips or fails
like every PostgreSQL test.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from status_core import demo
from status_core.diagnose import TITLES as STEP_TITLES
from status_core.domain import KST, meet_label
from status_core.text import t
from tests.browser_support import (
    APP_IDLE,
    BROWSER_TIMEZONE,
    EXCEPTION,
    ROOT,
    StreamlitServer,
    start_servers,
)
from tests.pgcluster import READER, free_port
from tests.rows import ymd

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 60_000
LANG = "ko"  # the dashboard's default language; every expected text comes from status_core.text

# One "now" for the module: the demo file, the PostgreSQL data and the expectations agree.
# (ensure_demo rebuilds a demo built for another Korean date, so this is the real now.)
NOW = dt.datetime.now(dt.UTC)

PAGE_TITLES = {
    "overview": t("app.title", LANG),
    "race": t("nav.race", LANG),
    "jobs": t("nav.jobs", LANG),
    "check": t("check.title", LANG),
}
# A subheader only that page draws.
PAGE_MARKERS = {
    "overview": t("overview.table", LANG),
    "race": t("race.races", LANG),
    "jobs": t("jobs.recent", LANG),
    "check": t("check.run", LANG),
}

# Grid CSV export falls back to a plain download when the File System Access API is absent.
NO_SAVE_PICKER = "delete window.showSaveFilePicker; window.showSaveFilePicker = undefined;"


def stored(shown: str) -> str:
    """A date as the tables show it (``2026-02-14 (토)``, checked) as stored (``20260214``)."""
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \(.\)", shown), shown
    return shown[:10].replace("-", "")


def previous_month(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """First and last day of the Korean month before ``now``'s (always fully in the past)."""
    first_this = now.astimezone(KST).date().replace(day=1)
    last = first_this - dt.timedelta(days=1)
    return last.replace(day=1), last


# --------------------------------------------------------------------------- page helpers


def settle(page, *selectors: str, timeout: int = TIMEOUT_MS) -> None:  # noqa: ANN001
    """Wait for the page's own content, then for the script to be idle, and once more
    shortly after (a rerun may start right after the first idle)."""
    for selector in selectors:
        page.wait_for_selector(selector, timeout=timeout)
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    page.wait_for_timeout(200)
    page.wait_for_selector(APP_IDLE, timeout=timeout)


def heading(text: str) -> str:
    """Selector of a Streamlit heading (title/subheader) in the main area containing text."""
    return f'[data-testid="stMain"] [data-testid="stHeading"]:has-text("{text}")'


def main_h1(page) -> str:  # noqa: ANN001
    return page.locator('[data-testid="stMain"] h1').first.inner_text()


def assert_no_exception(page) -> None:  # noqa: ANN001
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()


def table_after(page, text: str):  # noqa: ANN001, ANN201
    """The first dataframe after the heading containing ``text``."""
    return page.locator(
        f'xpath=//*[@data-testid="stMain"]//*[@data-testid="stHeading"][contains(., "{text}")]'
        '/following::*[@data-testid="stDataFrame"][1]'
    )


def read_table(page, grid) -> list[dict[str, str]]:  # noqa: ANN001
    """The rows a data grid shows, through its own "Download as CSV" (the grid is a canvas).

    The toolbar button only shows on hover and the sticky header may cover it, so the click
    is dispatched to the button itself rather than to a screen position.
    """
    grid.evaluate("e => e.scrollIntoView({block: 'center'})")
    button = grid.locator('button[aria-label="Download as CSV"]')
    with page.expect_download(timeout=20_000) as info:
        button.dispatch_event("click")
    path = info.value.path()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def screenshot(page, name: str) -> Path:  # noqa: ANN001
    """Full-page screenshot: Streamlit scrolls inside stMain, so grow the viewport to it."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(height, 1000), 7000)})
    page.wait_for_timeout(800)  # charts re-measure themselves
    page.wait_for_selector(APP_IDLE, timeout=TIMEOUT_MS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    return path


# Which backend's run writes which screenshot: the story pages from the demo, the DB check
# from PostgreSQL (all nine steps really run there; the broken one is a wrong password).
SHOT_BACKEND = {"overview": "demo", "race": "demo", "jobs": "demo",
                "check-ok": "postgres", "check-fail": "postgres"}


def screenshot_for(session, name: str, page) -> None:  # noqa: ANN001
    if SHOT_BACKEND[name] == session.backend.name:
        screenshot(page, f"{name}.png")


def query(page) -> dict[str, list[str]]:  # noqa: ANN001
    return parse_qs(urlsplit(page.url).query)


# --------------------------------------------------------------------------- fixtures


@dataclass
class Backend:
    name: str
    env: dict[str, str]
    broken_env: dict[str, str]
    broken_cause: str
    #: writes the data the servers will read; run while they start (they read nothing
    #: before their first request)
    prepare: Callable[[], None]
    data: demo.DemoData | None = None


@dataclass
class Opened:
    """One server and the browser page whose first request it served."""

    server: StreamlitServer
    page: object
    first_url: str


@dataclass
class Session:
    backend: Backend
    pages: dict[str, Opened] = field(default_factory=dict)
    range: tuple[dt.date, dt.date] | None = None
    race_day: tuple[str, int] | None = None


def _refused_url() -> str:
    port = free_port()  # bound and released: nothing listens there
    return f"postgresql://kra_reader:not-the-password@127.0.0.1:{port}/kra"


@pytest.fixture(scope="module", params=["demo", "postgres"])
def backend(request, tmp_path_factory, chromium_path) -> Iterator[Backend]:  # noqa: ANN001, ARG001
    tmp = tmp_path_factory.mktemp(f"browser-{request.param}")
    if request.param == "demo":
        if (ROOT / ".streamlit" / "secrets.toml").exists():
            pytest.skip("a .streamlit/secrets.toml in the repo would replace the demo")
        path = tmp / "demo.sqlite"

        def build_demo() -> None:
            backend.data = demo.build_demo_file(path, now=NOW)

        backend = Backend("demo", {"KRA_DEMO_PATH": str(path)},
                          {"DATABASE_URL": _refused_url()}, "refused", build_demo)
        yield backend
        return
    import sqlalchemy as sa

    cluster = request.getfixturevalue("pg_cluster")
    db = cluster.database()

    def load() -> None:
        data = demo.generate(now=NOW)
        engine = sa.create_engine(db.admin_url)
        try:
            with engine.begin() as conn:
                demo.load(conn, data)
        finally:
            engine.dispose()
        backend.data = data

    try:
        wrong = cluster.url(READER, "not-the-password", db.name, scheme="postgresql")
        backend = Backend("postgres", {"DATABASE_URL": db.reader_url},
                          {"DATABASE_URL": wrong}, "auth_password", load)
        yield backend
    finally:
        if cluster.running:
            db.drop()


@pytest.fixture(scope="module")
def session(backend, browser, tmp_path_factory) -> Iterator[Session]:  # noqa: ANN001
    """Five fresh servers; each one's first request is its page's deep link, all at once."""
    home = tmp_path_factory.mktemp(f"home-{backend.name}")
    keys = ("overview", "race", "jobs", "check", "broken")
    envs = [backend.broken_env if key == "broken" else backend.env for key in keys]
    servers = start_servers(envs, home, while_starting=backend.prepare)
    contexts = []
    try:
        first, last = previous_month(NOW)
        race_day = tuple(backend.data.facts["stalled_day"])
        links = {
            "overview": ("/", [("start", ymd(first)), ("end", ymd(last)), ("meet", 1)]),
            "race": ("/race", [("date", race_day[0]), ("meet", race_day[1])]),
            "jobs": ("/jobs", []),
            "check": ("/check", []),
            "broken": ("/check", []),
        }
        sess = Session(backend, range=(first, last), race_day=race_day)
        for (key, (path, params)), server in zip(links.items(), servers, strict=True):
            context = browser.new_context(viewport=VIEWPORT, accept_downloads=True,
                                          locale="ko-KR", timezone_id=BROWSER_TIMEZONE)
            context.add_init_script(NO_SAVE_PICKER)
            contexts.append(context)
            page = context.new_page()
            url = server.url(path, params)
            assert not server.visited
            server.visited = True
            page.goto(url, wait_until="commit")  # the servers work on their pages in parallel
            sess.pages[key] = Opened(server, page, url)
        for key, opened in sess.pages.items():
            marker = PAGE_MARKERS["check" if key == "broken" else key]
            settle(opened.page, f'[data-testid="stMain"] :text("{marker}")')
        yield sess
    finally:
        for context in contexts:
            context.close()
        for server in servers:
            server.stop()


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("key", ["overview", "race", "jobs", "check"])
def test_deep_link_as_first_request_renders_that_page(session, key):
    opened = session.pages[key]
    page = opened.page
    assert_no_exception(page)
    title = main_h1(page)
    assert PAGE_TITLES[key] in title
    for other, other_title in PAGE_TITLES.items():
        if other != key and other_title not in PAGE_TITLES[key]:
            assert other_title not in title
    for other, marker in PAGE_MARKERS.items():
        visible = page.locator(f'[data-testid="stMain"] :text("{marker}")').count() > 0
        assert visible == (other == key), f"{other} marker {marker!r} on the {key} page"
    # The page kept the link's choices.
    wanted = parse_qs(urlsplit(opened.first_url).query)
    got = query(page)
    for name, values in wanted.items():
        assert got.get(name) == values, (name, page.url)

    data = session.backend.data
    if key == "overview":
        first, last = session.range
        rows = read_table(page, table_after(page, PAGE_MARKERS["overview"]))
        expected = {(r["date"], r["meet"]) for r in data.races
                    if ymd(first) <= r["date"] <= ymd(last) and r["meet"] == 1}
        assert rows and {stored(r["date"]) for r in rows} == {d for d, _ in expected}
        assert {r["meet_name"] for r in rows} == {meet_label(1, LANG)}
    elif key == "race":
        race_date, meet = session.race_day
        rows = read_table(page, table_after(page, PAGE_MARKERS["race"]))
        numbers = sorted(r["race_number"] for r in data.races
                         if r["date"] == race_date and r["meet"] == meet)
        assert sorted(int(r["race_number"]) for r in rows) == numbers
    elif key == "jobs":
        rows = read_table(page, table_after(page, PAGE_MARKERS["jobs"]))
        assert rows and {r["job_id"] for r in rows} <= {j["job_id"] for j in data.jobs}
    else:
        assert page.get_by_role("button", name=t("check.run", LANG)).is_visible()

    if key != "check":
        screenshot_for(session, key, page)
    assert_no_exception(page)


def test_pickers_change_the_table_and_the_url(session):
    page = session.pages["overview"].page
    first, last = session.range
    grid = table_after(page, PAGE_MARKERS["overview"])
    before = read_table(page, grid)
    assert {r["meet_name"] for r in before} == {meet_label(1, LANG)}

    # Add 부산경남 (meet 3) in the racecourse picker.
    meets = page.locator(".st-key-w_meets")
    meets.locator('input[role="combobox"]').click()
    page.get_by_role("option", name=meet_label(3, LANG), exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => location.search.includes('meet=3')", timeout=TIMEOUT_MS)
    settle(page)
    assert query(page)["meet"] == ["1", "3"]
    both = read_table(page, grid)
    assert {r["meet_name"] for r in both} == {meet_label(1, LANG), meet_label(3, LANG)}
    assert len(both) > len(before)

    # Narrow the date range to the 10th..20th by typing the day segments.
    rng = page.locator(".st-key-w_range")
    rng.locator('[data-range-field="start"] [data-type="day"]').click()
    page.keyboard.type("10")
    rng.locator('[data-range-field="end"] [data-type="day"]').click()
    page.keyboard.type("20")
    page.locator('[data-testid="stMain"] h1').first.click()  # the field commits on blur
    start, end = ymd(first.replace(day=10)), ymd(first.replace(day=20))
    page.wait_for_function(f"() => location.search.includes('start={start}')",
                           timeout=TIMEOUT_MS)
    settle(page)
    got = query(page)
    assert (got["start"], got["end"], got["meet"]) == ([start], [end], ["1", "3"])
    narrowed = read_table(page, grid)
    assert narrowed and all(start <= stored(r["date"]) <= end for r in narrowed)
    assert len(narrowed) < len(both)
    expected = {(r["date"], r["meet"]) for r in session.backend.data.races
                if start <= r["date"] <= end and r["meet"] in (1, 3)}
    assert len(narrowed) == len(expected)
    assert_no_exception(page)


ROW_PX = 35  # the data grid's header and row height (Streamlit's default)


def click_row(page, grid, index: int) -> None:  # noqa: ANN001
    """Click the selection box of row ``index`` of a data grid (a canvas: by position)."""
    grid.evaluate("e => e.scrollIntoView({block: 'center'})")
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + ROW_PX * (index + 1) + ROW_PX / 2)


def calendar_cell(page, course: str, state_label: str | None = None):  # noqa: ANN001, ANN201
    """A calendar cell (an SVG rect whose aria-label carries its tooltip) of ``course``,
    of ``state_label`` when given; the first such cell."""
    cells = page.locator('[data-testid="stVegaLiteChart"]').first.locator("g.mark-rect path")
    wanted = [f"경마장: {course};"] + ([f"상태: {state_label};"] if state_label else [])
    for i in range(cells.count()):
        label = cells.nth(i).get_attribute("aria-label") or ""
        if all(w in label for w in wanted):
            return cells.nth(i), label
    raise AssertionError(f"no calendar cell of {course} {state_label}")


def opened_race_day(page) -> tuple[str, list[str], list[str]]:  # noqa: ANN001
    """After a click: the race page in this tab; its path, date and meet."""
    page.wait_for_url(re.compile(r".*/race\?.*"), timeout=TIMEOUT_MS)
    settle(page, heading(PAGE_MARKERS["race"]))
    assert PAGE_TITLES["race"] in main_h1(page)
    got = query(page)
    return urlsplit(page.url).path, got.get("date", []), got.get("meet", [])


def test_a_click_opens_the_race_day_in_the_same_tab(session):
    page = session.pages["overview"].page
    before = query(page)
    settle(page, heading(PAGE_MARKERS["overview"]))
    meets = {meet_label(m, LANG): str(m) for m in (1, 2, 3)}

    # A row of the table: the third one shown.
    grid = table_after(page, PAGE_MARKERS["overview"])
    row = read_table(page, grid)[2]
    click_row(page, grid, 2)
    assert opened_race_day(page) == ("/race", [stored(row["date"])],
                                     [meets[row["meet_name"]]])
    assert page.context.pages == [page]  # the same tab, no new one
    assert_no_exception(page)

    # Back: the overview with its own choices (not the race day's meet).
    page.go_back()
    settle(page, heading(PAGE_MARKERS["overview"]))
    assert query(page) == before

    # A calendar cell, clicked where a person clicks it: on its icon, in the middle.
    course = meet_label(int(before["meet"][0]), LANG)
    cell, label = calendar_cell(page, course)
    cell.evaluate("e => e.scrollIntoView({block: 'center'})")
    box = cell.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    day = re.search(r"\d{4}-\d{2}-\d{2}", label).group(0).replace("-", "")
    assert opened_race_day(page) == ("/race", [day], [before["meet"][0]])
    assert page.context.pages == [page]
    assert_no_exception(page)


def _run_check(page) -> None:  # noqa: ANN001
    page.get_by_role("button", name=t("check.run", LANG)).click()
    settle(page, heading(t("check.steps", LANG)), heading(t("check.report", LANG)))


def _step_lines(page) -> str:  # noqa: ANN001
    return page.locator('[data-testid="stMain"]').inner_text()


def test_check_button_on_a_healthy_database(session):
    page = session.pages["check"].page
    _run_check(page)
    text = _step_lines(page)
    assert "데이터베이스를 사용할 수 있습니다" in text  # check.banner_ok
    assert page.locator('[data-testid="stAlertContentSuccess"]').count() >= 1
    # Every step that ran passed (the demo's config step warns: "no database configured").
    for name in ("config", "server", "schema", "data"):
        assert re.search(rf"[✔⚠]\s*{re.escape(STEP_TITLES[name][LANG])}", text), name
    for name in ("schema", "data"):
        assert re.search(rf"✔\s*{re.escape(STEP_TITLES[name][LANG])}", text), name
    if session.backend.name == "postgres":
        for name in ("dns", "tcp", "login", "privileges"):
            assert re.search(rf"✔\s*{re.escape(STEP_TITLES[name][LANG])}", text), name
    assert "✘" not in text
    assert_no_exception(page)
    screenshot_for(session, "check-ok", page)


def test_check_button_on_a_broken_database(session):
    page = session.pages["broken"].page
    _run_check(page)
    text = _step_lines(page)
    cause = session.backend.broken_cause
    failed = "tcp" if cause == "refused" else "login"
    assert page.locator('[data-testid="stAlertContentError"]').count() >= 1
    assert f"원인: {cause}" in text or f"원인: `{cause}`" in text or cause in text
    assert re.search(rf"✘\s*{re.escape(STEP_TITLES[failed][LANG])}", text)
    assert "✔ 데이터베이스를 사용할 수 있습니다" not in text
    assert "not-the-password" not in page.content()
    assert_no_exception(page)
    screenshot_for(session, "check-fail", page)


def test_broken_database_pages_show_an_error_not_an_exception(session):
    page = session.pages["broken"].page
    server = session.pages["broken"].server
    page.goto(server.url("/", [("start", ymd(session.range[0])),
                               ("end", ymd(session.range[1]))]))
    settle(page, f'[data-testid="stMain"] :text("{t("error.database", LANG)}")')
    assert page.locator('[data-testid="stAlertContentError"]').count() >= 1
    assert "not-the-password" not in page.content()
    assert_no_exception(page)
