"""One page's AppTest runs, in their own process (its peak memory and its own pool).

Run by :mod:`bench.run` and :mod:`bench.network` (``DATABASE_URL`` in the environment
points at the bench database), from the repository root::

    python -m bench.apptest_child --start 20250215 --end 20260214 --repeat 5
    python -m bench.apptest_child --page pages/1_race.py --param date=20260214 \\
        --param meet=1 --rtt 0.03 --repeat 5

The libraries (Streamlit, pandas, Altair, SQLAlchemy, psycopg) are imported first and timed
separately: a running server has paid that once. Before every run ``st.cache_data`` is
cleared, so each run really queries the database (as when the page's cache has expired);
the first run also creates the engine and its first connections. With ``--rtt`` the page
reads through a :class:`bench.latency.ProxyProcess` adding that round-trip time, which also
counts each run's round trips. Prints one JSON object: the import time, every run's wall
time (and round trips), what the page showed (table rows, exceptions, errors) and
``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _maxrss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _proxied(rtt: float):  # noqa: ANN202 - a ProxyProcess
    """Point DATABASE_URL at a latency proxy in front of its server."""
    from sqlalchemy.engine import make_url

    from bench.latency import ProxyProcess

    url = make_url(os.environ["DATABASE_URL"])
    proxy = ProxyProcess(url.host or "127.0.0.1", url.port or 5432, rtt=rtt)
    os.environ["DATABASE_URL"] = url.set(host="127.0.0.1", port=proxy.port).render_as_string(
        hide_password=False)
    return proxy


def _shown(at) -> dict:  # noqa: ANN001
    frames = [df.value for df in at.dataframe]
    return {
        "exceptions": [str(e.value)[:300] for e in at.exception],
        "errors": [str(e.value)[:300] for e in at.error],
        "dataframes": len(frames),
        # The overview draws its progress table (one row per date x meet) last.
        "rows": len(frames[-1]) if frames else 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", default="app.py")
    parser.add_argument("--start")
    parser.add_argument("--end")
    parser.add_argument("--param", action="append", default=[], help="KEY=VALUE")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rtt", type=float, default=None,
                        help="read through a latency proxy adding this round trip (s)")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    params = dict(p.split("=", 1) for p in args.param)
    if args.start:
        params["start"] = args.start
    if args.end:
        params["end"] = args.end
    proxy = _proxied(args.rtt) if args.rtt is not None else None

    t0 = time.perf_counter()
    import altair  # noqa: F401
    import pandas  # noqa: F401
    import psycopg  # noqa: F401
    import sqlalchemy  # noqa: F401
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    imports_s = time.perf_counter() - t0
    baseline = _maxrss_mb()
    runs, trips, shown = [], [], {}
    try:
        for _ in range(max(1, args.repeat)):
            st.cache_data.clear()
            # A page of the multipage app opens as a user reaches it: the entry point, then
            # that page (AppTest needs the entry point to know the other pages' links).
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=args.timeout)
            if args.page != "app.py":
                at.switch_page(args.page)
            for key, value in params.items():
                at.query_params[key] = value
            if proxy is not None:
                proxy.reset()
            t0 = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - t0)
            if proxy is not None:
                time.sleep(args.rtt / 2 + 0.01)  # the last reply may still be in the relay
                trips.append(proxy.round_trips)
            shown = _shown(at)
    finally:
        if proxy is not None:
            proxy.close()
    print(json.dumps({"imports_s": imports_s, "runs_s": runs, "round_trips": trips,
                      "baseline_rss_mb": baseline, "maxrss_mb": _maxrss_mb(), **shown}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
