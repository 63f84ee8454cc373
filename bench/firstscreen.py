"""Time to a useful first screen, per page, beside a bare Streamlit page, in a real browser.

    uv run python -m bench.firstscreen                  # writes its section of bench/RESULTS.md
    uv run python -m bench.firstscreen --loads 3 --pages check --out /tmp/r.md

On the embedded demo (built once in a temporary directory) a real ``streamlit run app.py``
(tests/browser_support.py) serves each page; a second server of the same Streamlit, with
the same ``.streamlit/config.toml``, serves a one-line ``st.write("hello")`` script: the
floor. Headless Chromium (Playwright) opens each page in a fresh browser context (no
cookies, no HTTP cache: a new visitor) and measures, from ``page.goto``:

* first screen: the page's heading and its first data element are drawn (the overview's
  latest-day card, the race page's state, the jobs' counts, the DB check's button, the
  reliability page's first chart; the bare page's "hello");
* complete: the script is idle (``data-test-script-state="notRunning"``).

Two kinds of visit:

* cold: the first request to a freshly started server (each page and the bare page get
  their own server): Python imports, the first engine, the queries, Streamlit's caches
  empty;
* new: a new visitor (fresh context: no HTTP cache) on a running server;
* returning: the same browser context again (static files cached), as staff who keep
  the dashboard open or come back.

New and returning: ``--loads`` rounds, pages interleaved with the bare page, median.

The result is one section of ``bench/RESULTS.md`` between two markers; ``bench/run.py``
keeps it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.sections import replace_section

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- firstscreen:start -->", "<!-- firstscreen:end -->"
#: Slower than this many times the bare page is a finding (issue 12).
FLOOR_FACTOR = 1.5
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
MAIN = '[data-testid="stMain"]'
BARE = "bare"
#: The heading of the hand-written findings under the table; a rerun keeps them.
NOTES = "### Why"
BARE_SCRIPT = 'import streamlit as st\n\nst.write("hello")\n'

#: page -> (path, what its useful first screen shows besides the heading)
PAGES: dict[str, tuple[str, str]] = {
    "overview": ("/", f'{MAIN} [data-testid="stMetric"], {MAIN} [data-testid="stBadge"]'),
    "race": ("/race", f'{MAIN} [data-testid="stMetric"], {MAIN} [data-testid="stAlert"]'),
    "jobs": ("/jobs", f'{MAIN} [data-testid="stDataFrame"], {MAIN} [data-testid="stVegaLiteChart"]'),
    "check": ("/check", f"{MAIN} .st-key-check-run button"),
    "reliability": ("/reliability", f'{MAIN} [data-testid="stVegaLiteChart"], '
                                    f'{MAIN} [data-testid="stDataFrame"]'),
}
BARE_READY = f'{MAIN} [data-testid="stMarkdownContainer"] p:has-text("hello")'


def ready_selectors(name: str) -> tuple[str, ...]:
    if name == BARE:
        return (BARE_READY,)
    return (f"{MAIN} h1", PAGES[name][1])


# The JavaScript the page loaded (decoded size: what the browser parses, cached or not).
_JS_BYTES = """() => performance.getEntriesByType('resource')
    .filter(r => /\\.js($|\\?)/.test(r.name)).reduce((n, r) => n + r.decodedBodySize, 0)"""


def new_context(browser):  # noqa: ANN001, ANN201
    return browser.new_context(viewport={"width": 1400, "height": 1000},
                               timezone_id="Asia/Seoul")


def visit(context, url: str, ready: tuple[str, ...]) -> dict:  # noqa: ANN001
    """One visit in ``context``: ``goto``, the first screen, then the idle script."""
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit")
        for selector in ready:
            page.wait_for_selector(selector, timeout=180_000)
        first = time.perf_counter() - t0
        page.wait_for_selector(APP_IDLE, timeout=180_000)
        done = time.perf_counter() - t0
        elements = page.locator(f'{MAIN} [data-testid="stElementContainer"]').count()
        exceptions = page.locator(EXCEPTION).count()
        js = page.evaluate(_JS_BYTES)
    finally:
        page.close()
    return {"first_s": first, "done_s": done, "elements": elements, "exceptions": exceptions,
            "js_bytes": js}


def visit_new(browser, url: str, ready: tuple[str, ...]) -> dict:  # noqa: ANN001
    """A new visitor: a fresh context (no cookies, no HTTP cache)."""
    context = new_context(browser)
    try:
        return visit(context, url, ready)
    finally:
        context.close()


def _server(name: str, env: dict[str, str], home: Path):  # noqa: ANN202
    from tests.browser_support import start_server

    if name == BARE:
        script = home / "bare_app.py"
        script.write_text(BARE_SCRIPT, encoding="utf-8")
        # cwd stays the repository: the same .streamlit/config.toml as the dashboard's
        return start_server({}, home / "bare", main=str(script), timeout=120)
    return start_server(env, home / name, timeout=120)


def _url(server, name: str) -> str:  # noqa: ANN001
    return server.url("/" if name == BARE else PAGES[name][0])


KINDS = ("cold", "new", "returning")


def measure(names: list[str], env: dict[str, str], home: Path, chromium: str, loads: int,
            log: Callable[[str], None]) -> dict[str, dict[str, list[dict]]]:
    """Cold visits (a fresh server each), then ``loads`` rounds of new and returning
    visitors on one running server per kind (pages interleaved with the bare page)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM_ARGS

    out: dict[str, dict[str, list[dict]]] = {n: {k: [] for k in KINDS} for n in names}

    def note(name: str, kind: str, got: dict) -> None:
        out[name][kind].append(got)
        log(f"  {name} {kind}: first screen {got['first_s']:.2f} s, "
            f"complete {got['done_s']:.2f} s")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        try:
            for name in names:  # cold: the first request a server ever gets
                server = _server(name, env, home)
                try:
                    note(name, "cold", visit_new(browser, _url(server, name),
                                                 ready_selectors(name)))
                finally:
                    server.stop()
            app, bare = _server("app", env, home), _server(BARE, env, home)
            returning = new_context(browser)  # keeps its HTTP cache and cookies
            try:
                for name in names:  # unmeasured: imports and caches done, static files cached
                    visit(returning, _url(bare if name == BARE else app, name),
                          ready_selectors(name))
                for _ in range(loads):
                    for name in names:
                        url, ready = _url(bare if name == BARE else app, name), ready_selectors(name)
                        note(name, "new", visit_new(browser, url, ready))
                        note(name, "returning", visit(returning, url, ready))
            finally:
                returning.close()
                app.stop()
                bare.stop()
        finally:
            browser.close()
    return out


def run(pages: list[str] | None = None, loads: int = 5,
        log: Callable[[str], None] = print) -> dict:
    """The whole benchmark (own demo and servers); returns the raw figures."""
    from status_core import demo

    t_start = time.perf_counter()
    loadavg = os.getloadavg()
    chromium = os.environ.get("KRA_CHROMIUM", "/usr/bin/chromium")
    names = [*(pages or list(PAGES)), BARE]
    home = Path(tempfile.mkdtemp(prefix="kra-firstscreen-"))
    try:
        path = home / "demo.sqlite"
        demo.build_demo_file(path, now=dt.datetime.now(dt.UTC))
        figures = measure(names, {"KRA_DEMO_PATH": str(path)}, home, chromium, loads, log)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return {"pages": figures, "loads": loads, "wall_s": time.perf_counter() - t_start,
            "loadavg": loadavg}


# --------------------------------------------------------------------------- report


def _median(loads: list[dict], key: str) -> float:
    return statistics.median(x[key] for x in loads) if loads else float("nan")


def verdicts(res: dict) -> list[dict]:
    """Per page and kind of visit: its first screen against the bare page's (the floor)."""
    pages = res["pages"]
    out = []
    for kind in KINDS:
        floor = _median(pages[BARE][kind], "first_s")
        for name, loads in pages.items():
            if name == BARE or not loads.get(kind):
                continue
            first = _median(loads[kind], "first_s")
            factor = first / floor if floor > 0 else float("inf")
            out.append({"page": name, "kind": kind, "first_s": first,
                        "done_s": _median(loads[kind], "done_s"), "floor_s": floor,
                        "factor": factor, "ok": factor <= FLOOR_FACTOR,
                        "elements": loads[kind][-1]["elements"],
                        "js_bytes": loads[kind][-1].get("js_bytes", 0),
                        "exceptions": sum(x["exceptions"] for x in loads[kind])})
    return out


def render(res: dict, command: str, notes: str = "") -> str:
    pages = res["pages"]
    rows = verdicts(res)
    lines = [
        START,
        "## Time to a useful first screen",
        "",
        f"Written by `bench/firstscreen.py` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} "
        f"in {res['wall_s'] / 60:.1f} min (its own section; `bench/run.py` keeps it):",
        "",
        "```",
        command,
        "```",
        "",
        "The embedded demo; a real `streamlit run app.py` on loopback and, as the floor, the "
        "same Streamlit and config serving a one-line `st.write(\"hello\")` script; headless "
        "Chromium, a fresh browser context per visit (a new visitor: no cookies, no cache). "
        "First screen: from `goto` until the page's heading and its first data element are "
        "drawn; complete: until the script is idle. Cold: the first request a freshly "
        "started server gets (a fresh server per page); new: a visitor with an empty "
        "browser cache on a running server; returning: the same browser again (static files "
        f"cached). New and returning: median of {res['loads']} visits. Load "
        "average at start: " + ", ".join(f"{x:.2f}" for x in res.get("loadavg", ())) + ".",
        "",
        "| page | visit | first screen | complete | bare page | x bare | elements | JS | verdict |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for v in rows:
        verdict = "**within 1.5x**" if v["ok"] else "**slower than 1.5x**"
        lines.append(f"| {v['page']} | {v['kind']} | {v['first_s']:.2f} s | {v['done_s']:.2f} s "
                     f"| {v['floor_s']:.2f} s | {v['factor']:.1f} | {v['elements']} "
                     f"| {v['js_bytes'] / 1e6:.1f} MB | {verdict} |")
    bare = pages[BARE]
    bare_js = max((x.get("js_bytes", 0) for x in bare.get("new", [])), default=0)
    lines += ["", "Bare page: " + ", ".join(
        f"{kind} {_median(bare[kind], 'first_s'):.2f} s" for kind in KINDS if bare.get(kind))
        + f"; {bare_js / 1e6:.1f} MB of JavaScript (elements: the page's element containers; "
        "JS: the decoded JavaScript the page loaded, parsed even when cached)"
        + f". Exception elements on the pages: {sum(v['exceptions'] for v in rows)}."]
    if notes.strip():
        lines += ["", notes.strip()]
    lines.append(END)
    return "\n".join(lines) + "\n"


def old_notes(path: Path) -> str:
    """The hand-written findings under the table (kept when the figures are rewritten)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    if START not in text or END not in text:
        return ""
    section = text.split(START, 1)[1].split(END, 1)[0]
    return section.split(NOTES, 1)[1] if NOTES in section else ""


def write_section(path: Path, section: str) -> None:
    """Put ``section`` in ``path`` in place of the previous one (or at the end)."""
    replace_section(path, section, START, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.firstscreen",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES),
                        help=f"comma-separated, of {', '.join(PAGES)}")
    parser.add_argument("--loads", type=int, default=5,
                        help="new and returning visits per page")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = sorted(set(pages) - set(PAGES))
    if unknown:
        parser.error(f"--pages: unknown {', '.join(unknown)}")
    command = "uv run python -m bench.firstscreen" + (
        " " + " ".join(sys.argv[1:]) if argv is None and sys.argv[1:] else "")
    res = run(pages, max(1, args.loads))
    notes = old_notes(args.out)
    write_section(args.out, render(res, command, NOTES + notes if notes else ""))
    missed = [v for v in verdicts(res) if not v["ok"]]
    print(f"wrote {args.out} ({res['wall_s']:.0f} s); {len(missed)} slower than "
          f"{FLOOR_FACTOR:g}x the bare page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
