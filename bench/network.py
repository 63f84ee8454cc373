"""The dashboard across a network: every read and every page at 0, 10 and 30 ms round trip.

    uv run python -m bench.network                   # writes its section of bench/RESULTS.md
    uv run python -m bench.network --size 10000 --repeat 3 --out /tmp/r.md

The database is usually 5-30 ms away (a Supabase project in another region). Here that
distance is real, not projected: a :class:`bench.latency.ProxyProcess` relays every byte
between the driver and a throwaway PostgreSQL (tests/pgcluster.py, the ``--size`` races of
bench/datagen.py), holding each direction for half the round trip, and counts round trips.
"0 ms" is the direct loopback connection.

Measured, each the median of ``--repeat`` after a warm-up, as the read-only role:

* each core read the pages make, through ``run_read`` with the dashboard's engine (its
  pool warm), and its round trips;
* each page's server-side script time (``AppTest``, a warm process, ``st.cache_data``
  cleared before every run so the reads really happen; bench/apptest_child.py) and the
  round trips of one run;
* the collector's own method (bench/naive.py: eight queries per date x meet) for one race
  day and for the overview's default 14 days, through the same proxy, beside ours.

Target (issue 16): at 30 ms the overview's script time for one year is within 180 ms (six
round trips) of its loopback time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.sections import replace_section

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- network:start -->", "<!-- network:end -->"
RTTS = (0.0, 0.010, 0.030)
DEFAULT_SIZE = 1_000_000
TARGET_EXTRA_S = 0.180
DAY, MEET = "20260214", 1


def ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def windows() -> dict[str, tuple[str, str]]:
    from bench import datagen

    today = datagen.TODAY
    return {
        "year": (ymd(today - dt.timedelta(days=364)), ymd(today)),
        "14d": (ymd(today - dt.timedelta(days=13)), ymd(today)),
        "12w": (ymd(today - dt.timedelta(days=83)), ymd(today)),
    }


def core_reads() -> dict[str, tuple[Callable, tuple, dict]]:
    """The reads the pages make, by name: (function, args, keywords)."""
    from status_core import queries, reliability

    w = windows()
    since = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    return {
        "progress_frame, 1 year (overview)": (queries.progress_frame, w["year"], {}),
        "progress_frame, 14 days (overview's latest day)": (queries.progress_frame, w["14d"], {}),
        "latest_writes (overview)": (queries.latest_writes, (), {}),
        "active jobs (overview, jobs)": (
            queries.jobs_frame, (), {"statuses": ["processing", "running", "retrying"],
                                     "limit": 1000}),
        "collection_status (race)": (queries.collection_status, (DAY, MEET), {"stored": True}),
        "cell_progress (race)": (queries.cell_progress, (DAY, MEET), {"stored": True}),
        "races_frame (race)": (queries.races_frame, (DAY, MEET), {"stored": True}),
        "jobs_frame, 2 weeks (jobs)": (queries.jobs_frame, (), {"since": since, "limit": 500}),
        "job_status_counts (jobs)": (queries.job_status_counts, (), {}),
        "reliability completion, 12 weeks": (reliability.completion, w["12w"], {}),
        "reliability jobs_by_type, 12 weeks": (reliability.jobs_by_type, w["12w"], {}),
    }


def pages() -> dict[str, tuple[str, dict[str, str]]]:
    w = windows()
    return {
        "overview, 1 year": ("app.py", {"start": w["year"][0], "end": w["year"][1]}),
        "race day": ("pages/1_race.py", {"date": DAY, "meet": str(MEET)}),
        "jobs": ("pages/2_jobs.py", {}),
        "reliability, 12 weeks": ("pages/4_reliability.py",
                                  {"start": w["12w"][0], "end": w["12w"][1]}),
    }


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@contextlib.contextmanager
def _reading(url: str, rtt: float, statement: float) -> Iterator[Callable[..., dict]]:
    """A dashboard engine at ``rtt`` (through a :class:`ProxyProcess` unless 0); yields
    ``timed(fn, *args, runs=n)``: ``{"s": median seconds, "round_trips": n}`` of
    ``run_read(fn, *args)`` (round trips counted through the proxy only)."""
    from sqlalchemy.engine import make_url

    from bench.latency import ProxyProcess
    from status_core.engine import make_engine, run_read
    from status_core.settings import Timeouts, parse_url

    proxy = None
    if rtt:
        parsed = make_url(url)
        proxy = ProxyProcess(parsed.host or "127.0.0.1", parsed.port or 5432, rtt=rtt)
        url = parsed.set(port=proxy.port).render_as_string(hide_password=False)
    target = parse_url(url)
    engine = make_engine(target, Timeouts(connect=10, statement=statement))

    def timed(fn: Callable, *args: object, runs: int, **kwargs: object) -> dict:
        times = []
        for _ in range(max(1, runs)):
            t0 = time.perf_counter()
            run_read(engine, target, fn, *args, **kwargs)
            times.append(time.perf_counter() - t0)
        row: dict = {"s": _median(times)}
        if proxy is not None:
            with proxy.counting() as seen:
                run_read(engine, target, fn, *args, **kwargs)
            row["round_trips"] = seen["round_trips"]
        return row

    try:
        yield timed
    finally:
        engine.dispose()
        if proxy is not None:
            proxy.close()


def measure_reads(url: str, rtt: float, repeat: int) -> dict[str, dict]:
    """Each core read through ``run_read`` at ``rtt``: median seconds and round trips."""
    out: dict[str, dict] = {}
    with _reading(url, rtt, 120) as timed:
        for name, (fn, args, kwargs) in core_reads().items():
            timed(fn, *args, runs=1, **kwargs)  # warm-up: the pool, the plan
            out[name] = timed(fn, *args, runs=repeat, **kwargs)
    return out


def measure_naive(url: str, rtt: float, repeat: int) -> dict[str, dict]:
    """The collector's per-date x meet method against ours, one day and 14 days."""
    from bench.naive import naive_range
    from status_core.queries import progress_frame

    cases = {
        "one race day (3 meets)": ((DAY, DAY), repeat),
        "14 days, 3 meets": (windows()["14d"], 1 if rtt else repeat),
    }
    out: dict[str, dict] = {}
    with _reading(url, rtt, 600) as timed:
        timed(progress_frame, DAY, DAY, runs=1)  # warm-up
        for name, ((start, end), runs) in cases.items():
            row: dict = {}
            for who, fn, n in (("collector", naive_range, runs),
                               ("ours", progress_frame, repeat)):
                got = timed(fn, start, end, runs=n)
                row[f"{who}_s"] = got["s"]
                if "round_trips" in got:
                    row[f"{who}_round_trips"] = got["round_trips"]
            out[name] = row
    return out


def measure_page(url: str, page: str, params: dict[str, str], rtt: float,
                 repeat: int) -> dict:
    """One page's script time in a fresh AppTest process reading through the proxy."""
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("KRA_DEMO_PATH", None)
    cmd = [sys.executable, "-m", "bench.apptest_child", "--page", page,
           "--repeat", str(repeat + 1)]
    for key, value in params.items():
        cmd += ["--param", f"{key}={value}"]
    if rtt:
        cmd += ["--rtt", str(rtt)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"exit {proc.returncode}: {(proc.stderr or proc.stdout)[-600:]}"}
    data = json.loads(lines[-1])
    runs, trips = data["runs_s"][1:], data["round_trips"][1:]  # the first opens the pool
    return {"s": _median(runs), "first_s": data["runs_s"][0],
            "round_trips": max(trips) if trips else None,
            "exceptions": len(data["exceptions"]), "errors": len(data["errors"])}


def run(size: int = DEFAULT_SIZE, repeat: int = 5, *, out: Path | None = RESULTS,
        command: str = "", log: Callable[[str], None] = print, cluster=None,  # noqa: ANN001
        rtts: tuple[float, ...] = RTTS, page_names: tuple[str, ...] | None = None) -> dict:
    """Generate, measure at every RTT, write the section; returns the raw results
    (``rtts`` and ``page_names`` narrow it for the smoke test)."""
    from bench import datagen
    from tests.pgcluster import start_cluster

    began = time.perf_counter()
    own = cluster is None
    cluster = cluster or start_cluster()
    res: dict = {"size": size, "repeat": repeat, "rtts": list(rtts), "reads": {},
                 "pages": {}, "naive": {}, "load": os.getloadavg()}
    try:
        db = cluster.database()
        with db.connect() as conn:
            datagen.generate(conn, size)
        log(f"generated {size:,} races")
        chosen = {k: v for k, v in pages().items() if page_names is None or k in page_names}
        for rtt in rtts:
            key = f"{rtt * 1000:g}"
            res["reads"][key] = measure_reads(db.reader_url, rtt, repeat)
            res["naive"][key] = measure_naive(db.reader_url, rtt, repeat)
            res["pages"][key] = {name: measure_page(db.reader_url, page, params, rtt, repeat)
                                 for name, (page, params) in chosen.items()}
            log(f"rtt {key} ms: " + json.dumps(res["pages"][key])[:400])
        db.drop()
    finally:
        if own:
            cluster.destroy()
    res["wall_s"] = time.perf_counter() - began
    res["verdict"] = verdict(res)
    if out is not None:
        from bench.report_network import render

        write_section(out, render(res, command))
        log(f"wrote {out}")
    return res


def verdict(res: dict) -> dict:
    """The overview at 30 ms against loopback + 180 ms."""
    name = "overview, 1 year"
    base = res["pages"].get("0", {}).get(name, {}).get("s")
    far = res["pages"].get("30", {}).get(name, {}).get("s")
    if "30" not in res["pages"]:
        return {"ok": False, "extra_s": None}
    if base is None or far is None:
        return {"ok": False, "extra_s": None}
    return {"ok": far - base <= TARGET_EXTRA_S, "extra_s": far - base, "base_s": base,
            "far_s": far}


def write_section(path: Path, section: str) -> None:
    """Put ``section`` in ``path`` in place of the previous one (or at the end)."""
    replace_section(path, section, START, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.network",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    command = "uv run python -m bench.network" + (
        " " + " ".join(sys.argv[1:]) if argv is None and sys.argv[1:] else "")
    res = run(args.size, max(1, args.repeat), out=args.out, command=command)
    print(json.dumps(res["verdict"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
