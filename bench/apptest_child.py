"""One size's overview AppTest, in its own process so its peak memory is its own.

Run by :mod:`bench.run` (``DATABASE_URL`` in the environment points at the bench
database), from the repository root::

    python -m bench.apptest_child --start 20250215 --end 20260214 --repeat 5

The libraries (Streamlit, pandas, Altair, SQLAlchemy, psycopg) are imported first and timed
separately: a running server has paid that once. Before every run ``st.cache_data`` is
cleared, so each run really queries the database (as when the page's cache has expired);
the first run also creates the engine and its first connection. Prints one JSON object:
the import time, every run's wall time, what the page showed (table rows, exceptions,
errors) and ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _maxrss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    import altair  # noqa: F401
    import pandas  # noqa: F401
    import psycopg  # noqa: F401
    import sqlalchemy  # noqa: F401
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    imports_s = time.perf_counter() - t0
    baseline = _maxrss_mb()
    runs, shown = [], {}
    for _ in range(max(1, args.repeat)):
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=args.timeout)
        at.query_params["start"] = args.start
        at.query_params["end"] = args.end
        t0 = time.perf_counter()
        at.run()
        runs.append(time.perf_counter() - t0)
        frames = [df.value for df in at.dataframe]
        shown = {
            "exceptions": [str(e.value)[:300] for e in at.exception],
            "errors": [str(e.value)[:300] for e in at.error],
            "dataframes": len(frames),
            # The overview draws its progress table (one row per date x meet) last.
            "rows": len(frames[-1]) if frames else 0,
        }
    print(json.dumps({"imports_s": imports_s, "runs_s": runs, "baseline_rss_mb": baseline,
                      "maxrss_mb": _maxrss_mb(),
                      **shown}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
