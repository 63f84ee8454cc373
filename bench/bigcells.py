"""Benchmark of the pages on big cells, in a real browser: page time and websocket bytes.

    uv run python -m bench.bigcells                 # writes its section of bench/RESULTS.md
    uv run python -m bench.bigcells --out /tmp/r.md --loads 2

On a throwaway PostgreSQL (tests/pgcluster.py) it stores one race day x meet with 10,000
flagged races (all failed, each with two warnings, one of 300 characters) and 600 failed
jobs whose ``error_message`` is 100 KB each (naming another day, so the race page's own
jobs table stays small). A real ``streamlit run app.py`` (tests/browser_support.py) serves
``/race?date=&meet=`` of that cell and ``/jobs``; headless Chromium (Playwright) opens each
``--loads`` times and measures, per load:

* the page time: from ``page.goto`` until the page's last widget is drawn and the script
  is idle (``data-test-script-state="notRunning"``);
* the websocket: every frame the browser receives on the page's websocket
  (``framereceived`` payload sizes) and their count;

and, after all loads, the server's resident memory (``VmRSS``, peak ``VmHWM``). The first
load of each page runs with Streamlit's data cache empty (the queries run), the later ones
from the cache. The static files are loaded once before (``/check``), as in any browser
that has opened the dashboard before.

Targets: the race page under 3 s, the jobs page under 2 MB per load. The result is one
section of ``bench/RESULTS.md`` between two markers; ``bench/run.py`` keeps it.
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
START, END = "<!-- bigcells:start -->", "<!-- bigcells:end -->"
DAY, JOBS_DAY = "20260214", "20260215"
TARGET_RACE_S = 3.0
TARGET_JOBS_BYTES = 2 * 1024 * 1024
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'

_RACES_SQL = """
INSERT INTO races (race_id, date, meet, race_number, race_name, distance, collection_status,
                   enrichment_status, result_status, collected_at, updated_at, warnings,
                   horse_count, data_quality_score)
SELECT '{day}_1_' || i, '{day}', 1, i, '제' || i || '경주', 1200, 'failed', 'pending',
       'pending', NULL, now() - i * interval '1 second',
       jsonb_build_array('KRA API timeout after 3 retries (race ' || i || ')',
                         'payload check: ' || repeat('field missing; ', 20)),
       10, 0.5
FROM generate_series(1, {n}) AS i
"""
_JOBS_SQL = """
INSERT INTO jobs (job_id, type, status, created_at, started_at, completed_at, progress,
                  current_step, retry_count, error_message, parameters, created_by)
SELECT 'big-' || i, 'collection', 'failed', now() - i * interval '1 minute',
       now() - i * interval '1 minute', now() - i * interval '1 minute' + interval '5 s',
       40, 'fetching API214_1 race ' || (i % 12 + 1) || '/12', 3,
       rpad('Traceback (most recent call last): job ' || i || E'\\n', {size}, 'x'),
       jsonb_build_object('race_date', '{day}', 'meet', 1), 'bench'
FROM generate_series(1, {n}) AS i
"""


def generate(db, races: int, jobs: int, error_bytes: int) -> float:  # noqa: ANN001
    """Write the two big cells (server-side); returns the seconds it took."""
    t0 = time.perf_counter()
    db.execute(_RACES_SQL.format(day=DAY, n=int(races)))
    db.execute(_JOBS_SQL.format(day=JOBS_DAY, n=int(jobs), size=int(error_bytes)))
    db.execute("ANALYZE races")
    db.execute("ANALYZE jobs")
    return time.perf_counter() - t0


def _rss_mb(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def load(page, url: str, ready: str) -> dict:  # noqa: ANN001
    """Open ``url`` and wait for ``ready`` and an idle script; time and websocket bytes."""
    frames: list[int] = []

    def on_socket(ws) -> None:  # noqa: ANN001
        ws.on("framereceived", lambda payload: frames.append(len(payload)))

    page.on("websocket", on_socket)
    try:
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(ready, timeout=120_000)
        page.wait_for_selector(APP_IDLE, timeout=120_000)
        seconds = time.perf_counter() - t0
        page.wait_for_timeout(300)  # nothing may follow once idle; count it if it does
        page.wait_for_selector(APP_IDLE, timeout=120_000)
        exceptions = page.locator(EXCEPTION).count()
    finally:
        page.remove_listener("websocket", on_socket)
    return {"s": seconds, "bytes": sum(frames), "frames": len(frames),
            "exceptions": exceptions}


def measure(url_for: Callable[..., str], chromium_path: str, loads: int,
            log: Callable[[str], None]) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM_ARGS

    pages = {
        "race": (url_for("/race", date=DAY, meet=1), ".st-key-race_detail"),
        "jobs": (url_for("/jobs"), ".st-key-job_detail"),
    }
    out: dict[str, list[dict]] = {name: [] for name in pages}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            load(page, url_for("/check"), '[data-testid="stMain"] h1')  # static files
            for name, (url, ready) in pages.items():
                for i in range(loads):
                    got = load(page, url, ready)
                    out[name].append(got)
                    log(f"  {name} load {i + 1}: {got['s']:.2f} s, "
                        f"{got['bytes'] / 1024:,.0f} KB in {got['frames']} frames")
            context.close()
        finally:
            browser.close()
    return out


def run(races: int = 10_000, jobs: int = 600, error_bytes: int = 100_000, loads: int = 3,
        log: Callable[[str], None] = print) -> dict:
    """The whole benchmark (own cluster and server); returns the raw figures."""
    from tests.browser_support import start_server
    from tests.pgcluster import start_cluster

    t_start = time.perf_counter()
    loadavg = os.getloadavg()
    chromium = os.environ.get("KRA_CHROMIUM", "/usr/bin/chromium")
    cluster = start_cluster()
    try:
        db = cluster.database()
        gen_s = generate(db, races, jobs, error_bytes)
        log(f"generated {races:,} races in one cell and {jobs} jobs of {error_bytes:,} "
            f"characters in {gen_s:.1f} s")
        home = Path(tempfile.mkdtemp(prefix="kra-bigcells-"))
        server = start_server({"DATABASE_URL": db.reader_url}, home)
        try:
            before = _rss_mb(server.proc.pid)
            figures = measure(server.url, chromium, loads, log)
            after = _rss_mb(server.proc.pid)
        finally:
            server.stop()
            shutil.rmtree(home, ignore_errors=True)
    finally:
        cluster.destroy()
    return {"races": races, "jobs": jobs, "error_bytes": error_bytes, "loads": loads,
            "pages": figures, "rss_before": before, "rss_after": after,
            "wall_s": time.perf_counter() - t_start, "loadavg": loadavg}


# --------------------------------------------------------------------------- report


def _kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MB"


def render(res: dict, command: str) -> str:
    race, jobs = res["pages"]["race"], res["pages"]["jobs"]

    def row(label: str, loads: list[dict], key: str, fmt: Callable[[float], str]) -> str:
        warm = [x[key] for x in loads[1:]]
        later = fmt(statistics.median(warm)) if warm else "-"
        return f"| {label} | {fmt(loads[0][key])} | {later} | {fmt(max(x[key] for x in loads))} |"

    def secs(v: float) -> str:
        return f"{v:.2f} s"

    worst_race = max(x["s"] for x in race)
    worst_jobs = max(x["bytes"] for x in jobs)
    exceptions = sum(x["exceptions"] for x in race + jobs)
    rss = res["rss_after"]
    lines = [
        START,
        "## Big cells in a real browser",
        "",
        f"Written by `bench/bigcells.py` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} "
        f"in {res['wall_s'] / 60:.1f} min (its own section; `bench/run.py` keeps it):",
        "",
        "```",
        command,
        "```",
        "",
        f"One race day x meet with {res['races']:,} races, all failed, each with two warnings "
        f"(one of ~300 characters); {res['jobs']} failed jobs with a {res['error_bytes']:,}-"
        "character `error_message` each. A real `streamlit run app.py` on loopback, headless "
        "Chromium; page time is from `goto` until the page's last widget is drawn and the "
        "script is idle; bytes are the payloads of every websocket frame the browser "
        f"received for that load. {res['loads']} loads per page: the first with Streamlit's "
        "data cache empty (the queries run), the later ones from the cache. Load average at "
        "start: " + ", ".join(f"{x:.2f}" for x in res.get("loadavg", ())) + ".",
        "",
        "| measure | first load | later loads (median) | worst |",
        "| --- | ---: | ---: | ---: |",
        row(f"race page, {res['races']:,} flagged races: time", race, "s", secs),
        row("race page: websocket bytes", race, "bytes", _kb),
        row("race page: websocket frames", race, "frames", lambda v: f"{v:,.0f}"),
        row(f"jobs page, {res['jobs']} jobs of {res['error_bytes'] // 1000} KB errors: time",
            jobs, "s", secs),
        row("jobs page: websocket bytes", jobs, "bytes", _kb),
        row("jobs page: websocket frames", jobs, "frames", lambda v: f"{v:,.0f}"),
        "",
        f"Server memory (VmRSS): {res['rss_before'].get('VmRSS', 0):.0f} MB after start-up, "
        f"{rss.get('VmRSS', 0):.0f} MB after the loads (peak {rss.get('VmHWM', 0):.0f} MB). "
        f"Exception elements on the pages: {exceptions}.",
        "",
        "For comparison, the issue measured before this change: the race page took 27 s and "
        "sent ~10,000 websocket messages for 10,000 flagged races (one Markdown element per "
        "race), and `/jobs` sent 49 MB per load with the server at 0.9 GB.",
        "",
        "| target | result | verdict |",
        "| --- | --- | --- |",
        f"| race page, {res['races']:,} flagged races, under {TARGET_RACE_S:g} s | worst "
        f"{worst_race:.2f} s | {'**met**' if worst_race < TARGET_RACE_S else '**missed**'} |",
        f"| jobs page, {res['jobs']} jobs of {res['error_bytes'] // 1000} KB errors, under 2 MB "
        f"per load | worst {_kb(worst_jobs)} | "
        f"{'**met**' if worst_jobs < TARGET_JOBS_BYTES else '**missed**'} |",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Put ``section`` in ``path`` in place of the previous one (or at the end)."""
    replace_section(path, section, START, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bigcells",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--races", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=600)
    parser.add_argument("--error-bytes", type=int, default=100_000)
    parser.add_argument("--loads", type=int, default=3, help="loads per page")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    command = "uv run python -m bench.bigcells" + (
        " " + " ".join(sys.argv[1:]) if argv is None and sys.argv[1:] else "")
    res = run(args.races, args.jobs, args.error_bytes, max(1, args.loads))
    write_section(args.out, render(res, command))
    print(f"wrote {args.out} ({res['wall_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
