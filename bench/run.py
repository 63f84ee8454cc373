"""Benchmark of the dashboard's queries on a throwaway PostgreSQL, written to RESULTS.md.

    uv run python bench/run.py                          # 10k, 100k, 1M races, 5 repeats
    uv run python bench/run.py --sizes 10000 --repeat 3 --no-apptest --out /tmp/r.md

Starts its own cluster (tests/pgcluster.py), generates each size server-side
(bench/datagen.py), and measures, each figure the median of ``--repeat`` runs after a
warm-up, as the dashboard's read-only role (RLS policy applies, like on Supabase):

* ``progress_frame`` for one year and for the whole history, against the bare SQL's
  server execution time (``EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)``) as the floor;
* 90 days the collector's way (bench/naive.py: eight queries per day x meet) against
  ``progress_frame`` for the same 90 days, with the round trips counted;
* one year loaded into pandas and grouped there, against ``progress_frame``;
* the overview page (``AppTest.from_file("app.py")``, ``?start=&end=`` of one year), each
  size in a fresh subprocess for its peak RSS;
* ``diagnose`` against a healthy database, a refused port and a silent host.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench import datagen  # noqa: E402
from bench.naive import days, naive_range  # noqa: E402
from status_core.engine import make_engine, read  # noqa: E402
from status_core.queries import progress_frame, summary_records  # noqa: E402
from status_core.rules import derive_statuses  # noqa: E402
from status_core.settings import Timeouts, parse_url  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
RESULTS = ROOT / "bench" / "RESULTS.md"
RTTS_MS = (1.0, 20.0)
# Round trips around the statements of one read() block: the pool's pre-ping, BEGIN READ
# ONLY, ROLLBACK. (SET LOCAL statement_timeout is a statement and is counted as one.)
FIXED_ROUND_TRIPS = 3
DIAG_TIMEOUT = 2.0

TARGETS = {
    "pf_year": 3.0,  # progress_frame one year within 3x bare SQL
    "pf_all": 2.0,  # whole history within 2x
    "naive_speedup": 50.0,  # 90 days at least 50x faster than the naive counting
    "apptest_s": 2.0,  # overview one year under 2 s at 1M
    "refused_s": 0.2,
    "silent_extra_s": 0.5,  # silent host under timeout + 0.5 s
}


# --------------------------------------------------------------------------- helpers


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def interleaved(fns: dict[str, Callable[[], object]], repeat: int, *,
                warmup: int = 1) -> dict[str, tuple[float, list]]:
    """Run the functions in rounds (a, b, c, a, b, c, ...) so that a burst of load from
    elsewhere on the machine hits all of them alike. Returns, per name, the median wall time
    of the ``repeat`` measured rounds (after ``warmup`` rounds) and every result."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    results: dict[str, list] = {name: [] for name in fns}
    for _ in range(max(1, repeat)):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            results[name].append(fn())
            times[name].append(time.perf_counter() - t0)
    return {name: (median(times[name]), results[name]) for name in fns}


class StatementCounter:
    """Counts the statements an engine sends and remembers the last one."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.count = 0
        self.last: tuple[str, object] | None = None
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        self.count += 1
        if not statement.lstrip().upper().startswith("SET"):
            self.last = (statement, parameters)

    @contextlib.contextmanager
    def measure(self) -> Iterator[dict]:
        box: dict = {}
        before = self.count
        yield box
        box["statements"] = self.count - before
        box["round_trips"] = box["statements"] + FIXED_ROUND_TRIPS


def machine_info(pg_version: str) -> dict:
    mem_gb = float("nan")
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import streamlit

    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0
    return {
        "nproc": nproc,
        "ram_gb": mem_gb,
        "cpu": cpu,
        "loadavg": os.getloadavg(),
        "postgres": pg_version,
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
        "pandas": pd.__version__,
        "sqlalchemy": sa.__version__,
    }


# --------------------------------------------------------------------------- measurements


def explain_ms(engine: sa.engine.Engine, statement: str, parameters: object) -> float:
    """Server execution time (ms) of ``statement`` as the dashboard's role."""
    with read(engine) as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + statement, parameters
        ).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Execution Time"])


def progress_vs_floor(
    engine: sa.engine.Engine, counter: StatementCounter, start: str, end: str, repeat: int
) -> dict:
    def call() -> pd.DataFrame:
        with read(engine) as conn:
            return progress_frame(conn, start, end)

    with counter.measure() as rt:
        call()
    statement, parameters = counter.last

    def fetch_only() -> list:
        with read(engine) as conn:
            return conn.exec_driver_sql(statement, parameters).all()

    got = interleaved({"pf": call, "fetch": fetch_only,
                       "explain": lambda: explain_ms(engine, statement, parameters)}, repeat)
    wall, frame = got["pf"][0], got["pf"][1][-1]
    fetch_s = got["fetch"][0]
    floor_ms = median(got["explain"][1])
    return {
        "start": start,
        "end": end,
        "groups": len(frame),
        "races": int(frame["total_races"].sum()),
        "pf_ms": wall * 1000,
        "fetch_ms": fetch_s * 1000,
        "sql_ms": floor_ms,
        "ratio": wall * 1000 / floor_ms if floor_ms else float("inf"),
        "round_trips": rt["round_trips"],
    }


_PANDAS_SQL = sa.text(
    "SELECT date, meet, CAST(collection_status AS TEXT) AS cs, "
    "CAST(enrichment_status AS TEXT) AS es, CAST(result_status AS TEXT) AS rs, updated_at "
    "FROM races WHERE date BETWEEN :start AND :end"
)


def pandas_progress(conn: sa.engine.Connection, start: str, end: str) -> pd.DataFrame:
    """The same counts computed the other way: every row into pandas, grouped there."""
    rows = conn.execute(_PANDAS_SQL, {"start": start, "end": end}).all()
    raw = pd.DataFrame(rows, columns=["date", "meet", "cs", "es", "rs", "updated_at"])
    for col in ("cs", "es", "rs"):
        raw[col] = raw[col].fillna("pending")
    flags = pd.DataFrame(
        {
            "date": raw["date"],
            "meet": raw["meet"],
            "total_races": 1,
            "collected_races": raw["cs"].isin(["collected", "enriched"]).astype("int64"),
            "enriched_races": (raw["es"] == "enriched").astype("int64"),
            "collection_failed": (raw["cs"] == "failed").astype("int64"),
            "enrichment_failed": (raw["es"] == "failed").astype("int64"),
            "result_collected": (raw["rs"] == "collected").astype("int64"),
            "result_failed": (raw["rs"] == "failed").astype("int64"),
        }
    )
    counts = flags.groupby(["date", "meet"], as_index=False).sum()
    last = raw.groupby(["date", "meet"], as_index=False)["updated_at"].max()
    out = counts.merge(last, on=["date", "meet"]).rename(columns={"updated_at": "last_updated"})
    return derive_statuses(out).sort_values(["date", "meet"]).reset_index(drop=True)


_CHECK_KEYS = ("date", "meet", "total_races", "collected_races", "enriched_races", "status",
               "collection_status", "enrichment_status", "result_status")


def _same(a: list[dict], b: list[dict]) -> bool:
    def key(r: dict) -> tuple:
        return tuple(str(r[k]) for k in _CHECK_KEYS)

    return sorted(map(key, a)) == sorted(map(key, b))


def naive_vs_progress(
    engine: sa.engine.Engine, counter: StatementCounter, start: str, end: str, repeat: int
) -> dict:
    def naive() -> list[dict]:
        with read(engine) as conn:
            return naive_range(conn, start, end)

    def ours() -> pd.DataFrame:
        with read(engine) as conn:
            return progress_frame(conn, start, end)

    with counter.measure() as naive_rt:
        naive()
    with counter.measure() as ours_rt:
        ours()
    statement, parameters = counter.last
    got = interleaved({"naive": naive, "pf": ours,
                       "explain": lambda: explain_ms(engine, statement, parameters)}, repeat)
    (naive_s, naive_all), (ours_s, ours_all) = got["naive"], got["pf"]
    naive_rows, frame = naive_all[-1], ours_all[-1]
    return {
        "start": start,
        "end": end,
        "day_meets": len(days(start, end)) * 3,
        "groups": len(frame),
        "races": int(frame["total_races"].sum()),
        "naive_ms": naive_s * 1000,
        "pf_ms": ours_s * 1000,
        "sql_ms": median(got["explain"][1]),
        "speedup": naive_s / ours_s if ours_s else float("inf"),
        "naive_round_trips": naive_rt["round_trips"],
        "pf_round_trips": ours_rt["round_trips"],
        "same_answer": _same(naive_rows, summary_records(frame)),
    }


def pandas_vs_progress(engine: sa.engine.Engine, start: str, end: str, repeat: int) -> dict:
    def in_pandas() -> pd.DataFrame:
        with read(engine) as conn:
            return pandas_progress(conn, start, end)

    def ours() -> pd.DataFrame:
        with read(engine) as conn:
            return progress_frame(conn, start, end)

    got = interleaved({"pandas": in_pandas, "pf": ours}, repeat)
    (pandas_s, pandas_all), (ours_s, ours_all) = got["pandas"], got["pf"]
    pframe, frame = pandas_all[-1], ours_all[-1]
    cols = ["total_races", "collected_races", "enriched_races", "status"]
    same = len(pframe) == len(frame) and all(
        (pframe[c].to_numpy() == frame[c].to_numpy()).all() for c in cols
    )
    return {
        "pandas_ms": pandas_s * 1000,
        "pf_ms": ours_s * 1000,
        "speedup": pandas_s / ours_s if ours_s else float("inf"),
        "same_answer": bool(same),
    }


def apptest_overview(url: str, start: str, end: str, repeat: int) -> dict:
    """The overview page in a fresh subprocess (its own peak RSS)."""
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("KRA_DEMO_PATH", None)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "apptest_child.py"), "--start", start,
         "--end", end, "--repeat", str(repeat)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout)[-800:]
        return {"error": f"AppTest child exit {proc.returncode}: {tail}"}
    data = json.loads(lines[-1])
    runs = data["runs_s"]
    data["cold_s"] = runs[0]
    data["warm_s"] = median(runs[1:]) if len(runs) > 1 else runs[0]
    return data


# --------------------------------------------------------------------------- diagnose


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: connects are refused


def bench_diagnose(healthy_url: str, repeat: int) -> dict:
    try:
        from status_core.diagnose import diagnose
    except ImportError as exc:
        return {"error": f"status_core.diagnose is not importable: {exc}"}
    from tests.faults import SilentServer
    from tests.pgcluster import SENTINEL_PASSWORD

    silent = SilentServer()
    pw = SENTINEL_PASSWORD.replace("@", "%40").replace("/", "%2F").replace("$", "%24")
    cases = {
        "healthy": healthy_url,
        "refused": f"postgresql://kra_reader:{pw}@127.0.0.1:{closed_port()}/kra",
        "silent": f"postgresql://kra_reader:{pw}@127.0.0.1:{silent.port}/kra",
    }
    out: dict = {"timeout_s": DIAG_TIMEOUT}
    try:
        for name, url in cases.items():
            times, causes, oks = [], set(), set()
            for _ in range(max(1, repeat if name != "silent" else min(repeat, 3))):
                t0 = time.perf_counter()
                result = diagnose(url, timeout=DIAG_TIMEOUT)
                times.append(time.perf_counter() - t0)
                causes.add(str(getattr(result, "cause", "?")))
                oks.add(bool(getattr(result, "ok", False)))
            out[name] = {"s": median(times), "max_s": max(times), "causes": sorted(causes),
                         "ok": sorted(oks)}
    finally:
        silent.close()
    return out


# --------------------------------------------------------------------------- one size


@dataclass
class SizeResult:
    size: int
    data: dict = field(default_factory=dict)
    year: dict = field(default_factory=dict)
    whole: dict = field(default_factory=dict)
    naive90: dict = field(default_factory=dict)
    pandas_year: dict = field(default_factory=dict)
    apptest: dict | None = None


def ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def bench_size(cluster, size: int, repeat: int, *, apptest: bool = True,  # noqa: ANN001
               log: Callable[[str], None] = print) -> tuple[SizeResult, str, object]:
    """Generate ``size`` races in a fresh database and measure. Returns the result, the
    reader URL and the database (the caller drops it)."""
    db = cluster.database()
    res = SizeResult(size)
    with db.connect() as conn:
        res.data = datagen.generate(conn, size)
    log(f"  generated {size:,} races / {res.data['jobs']:,} jobs in {res.data['load_s']:.1f} s "
        f"(+ANALYZE {res.data['load_analyze_s']:.1f} s), {res.data['races_per_group']:.1f} "
        "races per date x meet")
    target = parse_url(db.reader_url)
    engine = make_engine(target, Timeouts(connect=10, statement=120))
    counter = StatementCounter(engine)
    today = datagen.TODAY
    year = (ymd(today - dt.timedelta(days=364)), ymd(today))
    whole = (ymd(datagen.history_start(size)), ymd(today))
    ninety = (ymd(today - dt.timedelta(days=89)), ymd(today))
    try:
        res.year = progress_vs_floor(engine, counter, *year, repeat)
        log(f"  progress_frame 1 year: {res.year['pf_ms']:.1f} ms vs SQL {res.year['sql_ms']:.1f}")
        res.whole = progress_vs_floor(engine, counter, *whole, repeat)
        log(f"  progress_frame whole: {res.whole['pf_ms']:.1f} ms vs SQL "
            f"{res.whole['sql_ms']:.1f}")
        res.naive90 = naive_vs_progress(engine, counter, *ninety, repeat)
        log(f"  90 days naive {res.naive90['naive_ms']:.0f} ms vs {res.naive90['pf_ms']:.1f} ms")
        res.pandas_year = pandas_vs_progress(engine, *year, repeat)
        log(f"  1 year in pandas {res.pandas_year['pandas_ms']:.1f} ms")
    finally:
        engine.dispose()
    if apptest:
        res.apptest = apptest_overview(db.reader_url, *year, repeat)
        if "error" in res.apptest:
            log(f"  AppTest: {res.apptest['error']}")
        else:
            log(f"  AppTest overview: imports {res.apptest['imports_s']:.2f} s, first "
                f"{res.apptest['cold_s']:.2f} s, later "
                f"{res.apptest['warm_s']:.2f} s, peak RSS {res.apptest['maxrss_mb']:.0f} MB")
    return res, db.reader_url, db


# --------------------------------------------------------------------------- report


def _fmt_n(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return f"{n:,}"


def _ms(v: float) -> str:
    if v != v:  # nan
        return "-"
    return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms" if v < 100 else f"{v:,.0f} ms"


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def evaluate(results: list[SizeResult], diag: dict | None) -> list[dict]:
    """Each target, per size where it applies: met or missed, by how much, why."""
    out = []
    for r in results:
        n = _fmt_n(r.size)
        y, w, nv = r.year, r.whole, r.naive90
        out.append({
            "target": f"progress_frame, one year, within {TARGETS['pf_year']:g}x bare SQL",
            "size": n, "ok": y["ratio"] <= TARGETS["pf_year"],
            "value": f"{y['ratio']:.2f}x ({_ms(y['pf_ms'])} vs {_ms(y['sql_ms'])})",
            "why": _why_pf(y),
        })
        out.append({
            "target": f"progress_frame, whole history, within {TARGETS['pf_all']:g}x bare SQL",
            "size": n, "ok": w["ratio"] <= TARGETS["pf_all"],
            "value": f"{w['ratio']:.2f}x ({_ms(w['pf_ms'])} vs {_ms(w['sql_ms'])})",
            "why": _why_pf(w),
        })
        out.append({
            "target": "90 days: one round trip per range instead of 8 per date x meet",
            "size": n, "ok": nv["pf_round_trips"] - FIXED_ROUND_TRIPS <= 2
            and nv["naive_round_trips"] >= 8 * nv["day_meets"],
            "value": f"{nv['pf_round_trips']} vs {nv['naive_round_trips']} round trips "
                     f"(each incl. {FIXED_ROUND_TRIPS} for pre-ping/BEGIN/ROLLBACK and 1 SET "
                     "LOCAL)",
            "why": "",
        })
        out.append({
            "target": f"90 days: at least {TARGETS['naive_speedup']:g}x faster than the "
                      "naive counting (loopback)",
            "size": n, "ok": nv["speedup"] >= TARGETS["naive_speedup"] and nv["same_answer"],
            "value": f"{nv['speedup']:.0f}x ({_ms(nv['naive_ms'])} vs {_ms(nv['pf_ms'])})"
                     + ("" if nv["same_answer"] else "; ANSWERS DIFFER"),
            "why": "on loopback one small query costs ~"
                   f"{nv['naive_ms'] / nv['naive_round_trips']:.2f} ms, so the naive way's "
                   f"{nv['naive_round_trips']:,} of them take only "
                   f"{_ms(nv['naive_ms'])}, while `progress_frame` needs {_ms(nv['pf_ms'])}, "
                   f"{_ms(nv['sql_ms'])} of it the server aggregating the range's "
                   f"{nv['races']:,} races (at 1M races 90 days are 30x a real quarter); "
                   "at 1 ms RTT the gap is already "
                   f"{_rtt_speedup(nv, 1.0):.0f}x, at 20 ms {_rtt_speedup(nv, 20.0):.0f}x",
        })
        if r.apptest is not None and r.size >= 1_000_000:
            a = r.apptest
            ok = "error" not in a and a["cold_s"] < TARGETS["apptest_s"] and not a["exceptions"]
            out.append({
                "target": f"overview AppTest, one year, under {TARGETS['apptest_s']:g} s "
                          "(first run after the library imports; cache cleared each run)",
                "size": n, "ok": ok,
                "value": a.get("error") or f"first {a['cold_s']:.2f} s, later "
                         f"{a['warm_s']:.2f} s (+ {a['imports_s']:.2f} s library imports once "
                         "per process)",
                "why": "see the AppTest rows: the page's own work (queries, attention list, "
                       "two Altair charts, tables) on a one-year range",
            })
    if diag and "error" not in diag:
        to = diag["timeout_s"]
        ref, sil = diag["refused"], diag["silent"]
        out.append({
            "target": f"diagnose, refused port, under {TARGETS['refused_s']:g} s",
            "size": "-", "ok": ref["max_s"] < TARGETS["refused_s"],
            "value": f"median {ref['s']:.3f} s, max {ref['max_s']:.3f} s", "why": "",
        })
        out.append({
            "target": f"diagnose, silent host, under its timeout + {TARGETS['silent_extra_s']:g}"
                      f" s ({to + TARGETS['silent_extra_s']:g} s)",
            "size": "-", "ok": sil["max_s"] < to + TARGETS["silent_extra_s"],
            "value": f"median {sil['s']:.2f} s, max {sil['max_s']:.2f} s", "why": "",
        })
    return out


def render(machine: dict, command: str, results: list[SizeResult], diag: dict | None,
           wall_s: float, repeat: int) -> str:
    cols = [_fmt_n(r.size) for r in results]
    head = "| measure | " + " | ".join(f"{c} races" for c in cols) + " |"
    sep = "| --- | " + " | ".join("---:" for _ in cols) + " |"
    rows: list[tuple[str, Callable[[SizeResult], str]]] = [
        ("history (years, race days x meets, races per date x meet)",
         lambda r: f"{r.data['years']} y, {r.data['groups']:,}, {r.data['races_per_group']:.0f}"),
        ("jobs rows", lambda r: f"{r.data['jobs']:,}"),
        ("generate + ANALYZE (s)", lambda r: f"{r.data['load_analyze_s']:.1f}"),
        ("**1 year**: races / date x meet rows", lambda r: f"{r.year['races']:,} / "
                                                         f"{r.year['groups']:,}"),
        ("1 year: bare SQL (server execution)", lambda r: _ms(r.year["sql_ms"])),
        ("1 year: same statement in a read() block, rows fetched, no pandas",
         lambda r: _ms(r.year["fetch_ms"])),
        ("1 year: `progress_frame` (read() block)", lambda r: _ms(r.year["pf_ms"])),
        ("1 year: ratio to bare SQL", lambda r: f"{r.year['ratio']:.2f}x"),
        ("1 year: rows into pandas, grouped there", lambda r: _ms(r.pandas_year["pandas_ms"])),
        ("1 year: pandas way / `progress_frame`",
         lambda r: f"{r.pandas_year['speedup']:.1f}x"
         + ("" if r.pandas_year["same_answer"] else " (DIFFERS)")),
        ("**whole history**: races / date x meet rows",
         lambda r: f"{r.whole['races']:,} / {r.whole['groups']:,}"),
        ("whole: bare SQL (server execution)", lambda r: _ms(r.whole["sql_ms"])),
        ("whole: same statement, rows fetched, no pandas", lambda r: _ms(r.whole["fetch_ms"])),
        ("whole: `progress_frame`", lambda r: _ms(r.whole["pf_ms"])),
        ("whole: ratio to bare SQL", lambda r: f"{r.whole['ratio']:.2f}x"),
        ("**90 days**: collector's way (8 counts per day x meet)",
         lambda r: _ms(r.naive90["naive_ms"])),
        ("90 days: `progress_frame`", lambda r: _ms(r.naive90["pf_ms"])),
        ("90 days: speed-up on loopback", lambda r: f"{r.naive90['speedup']:.0f}x"
         + ("" if r.naive90["same_answer"] else " (ANSWERS DIFFER)")),
        ("90 days: round trips, collector's way / ours",
         lambda r: f"{r.naive90['naive_round_trips']:,} / {r.naive90['pf_round_trips']}"),
    ]
    for rtt in RTTS_MS:
        rows.append((
            f"90 days at {rtt:g} ms RTT (projected): collector's way / ours / speed-up",
            lambda r, rtt=rtt: _rtt_cell(r.naive90, rtt),
        ))
    if any(r.apptest is not None for r in results):
        rows += [
            ("overview AppTest: library imports, once per process (s)",
             lambda r: _app(r, "imports_s", "{:.2f}")),
            ("overview AppTest, 1 year: first run (engine, first connection) (s)",
             lambda r: _app(r, "cold_s", "{:.2f}")),
            ("overview AppTest, 1 year: later runs, median (s)",
             lambda r: _app(r, "warm_s", "{:.2f}")),
            ("overview AppTest: progress table rows / exceptions",
             lambda r: "-" if not r.apptest or "error" in r.apptest
             else f"{r.apptest['rows']} / {len(r.apptest['exceptions'])}"),
            ("overview process peak RSS (MB; after imports)",
             lambda r: "-" if not r.apptest or "error" in r.apptest
             else f"{r.apptest['maxrss_mb']:.0f} ({r.apptest['baseline_rss_mb']:.0f})"),
        ]
    table = [head, sep] + [f"| {label} | " + " | ".join(fn(r) for r in results) + " |"
                           for label, fn in rows]

    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run.py` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; "
        f"the whole run took {wall_s / 60:.1f} min. Do not edit by hand: rerun the command.",
        "",
        "## Machine",
        "",
        f"- CPUs (nproc): {machine['nproc']} ({machine['cpu'] or 'unknown CPU'}); "
        f"RAM: {machine['ram_gb']:.1f} GB; load average at start: "
        + ", ".join(f"{x:.2f}" for x in machine["loadavg"]),
        f"- PostgreSQL: {machine['postgres']} (throwaway cluster from tests/pgcluster.py, "
        "fsync off, shared_buffers 128MB, loopback TCP, scram auth)",
        f"- Python {machine['python']}, Streamlit {machine['streamlit']}, pandas "
        f"{machine['pandas']}, SQLAlchemy {machine['sqlalchemy']}, psycopg 3",
        "",
        "## Command",
        "",
        "```",
        command,
        "```",
        "",
        f"Each figure is the median of {repeat} runs after one warm-up run, measured as the "
        "dashboard's read-only role `kra_reader` (through the Supabase-like RLS policy) with "
        "the dashboard's own engine (`status_core.engine.make_engine`) and `read()` block. "
        "Bare SQL is `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)` of the exact statement "
        "`progress_frame` sent, its `Execution Time`. Projected RTT rows add "
        "(round trips x RTT) to the loopback time.",
        "",
        "## Data",
        "",
        "Generated server-side (`INSERT ... SELECT generate_series`, `bench/datagen.py`). Race "
        "days follow the real weekly pattern (Seoul Sat/Sun, Jeju Fri/Sat, Busan-Gyeongnam "
        "Fri/Sun: ~313 date x meet a year) ending "
        f"{datagen.TODAY:%Y-%m-%d}. The history is ~3,300 races a year until it reaches ten "
        "years, then stays ten years and the races per date x meet grow instead: the "
        "dashboard accepts ranges of at most ten years within 1990-2100, so 300 years of "
        "synthetic dates could not be shown as one history. At 1M races a \"year\" is ~100,000 "
        "races (30x a real year), so the one-year figures are pessimistic. Old days are ~93% "
        "enriched with a few failed/pending races, the last two weeks are in progress, ~1% of "
        "days failed as a whole; `jobs` has a tenth as many rows.",
        "",
        "## Results",
        "",
        *table,
        "",
    ]
    if diag is not None:
        lines += ["## `diagnose` wall time", ""]
        if "error" in diag:
            lines += [f"Not measured: {diag['error']}", ""]
        else:
            lines += [
                f"Timeout {diag['timeout_s']:g} s. Silent host: a loopback socket that accepts "
                "and never answers.",
                "",
                "| case | median | max | cause(s) | ok |",
                "| --- | ---: | ---: | --- | --- |",
            ]
            for name in ("healthy", "refused", "silent"):
                d = diag[name]
                lines.append(f"| {name} | {d['s']:.3f} s | {d['max_s']:.3f} s | "
                             f"{', '.join(d['causes'])} | {', '.join(map(str, d['ok']))} |")
            lines.append("")
    lines += ["## Targets", "", "| target | size | result | verdict |", "| --- | --- | --- | --- |"]
    verdicts = evaluate(results, diag)
    for v in verdicts:
        lines.append(f"| {v['target']} | {v['size']} | {v['value']} | {_verdict(v['ok'])} |")
    missed = [v for v in verdicts if not v["ok"]]
    lines += ["", "### Missed targets", ""]
    if not missed:
        lines.append("None.")
    for v in missed:
        why = v["why"] or "see above"
        lines.append(f"- {v['target']} at {v['size']}: {v['value']}. Why: {why}.")
    lines.append("")
    return "\n".join(lines)


def _why_pf(m: dict) -> str:
    above = m["pf_ms"] - m["sql_ms"]
    wire = m["fetch_ms"] - m["sql_ms"]
    frame = m["pf_ms"] - m["fetch_ms"]
    text = (f"{_ms(above)} above the SQL's {_ms(m['sql_ms'])}: the same statement alone, rows "
            f"fetched and no frame built, already takes {_ms(m['fetch_ms'])} ({_ms(wire)} for "
            f"the {m['round_trips']} round trips of a read() block: pool pre-ping, BEGIN READ "
            "ONLY, SET LOCAL statement_timeout, the query, ROLLBACK, and the fetch)")
    if frame > 0:
        text += (f"; building the frame and the status rules add {_ms(frame)}. A fixed cost "
                 "of a few ms, which only shows as a ratio where the SQL itself takes ~1-5 ms")
    else:
        text += "; building the frame is within the run-to-run noise"
    return text


def _rtt_speedup(nv: dict, rtt_ms: float) -> float:
    naive = nv["naive_ms"] + nv["naive_round_trips"] * rtt_ms
    ours = nv["pf_ms"] + nv["pf_round_trips"] * rtt_ms
    return naive / ours


def _rtt_cell(nv: dict, rtt_ms: float) -> str:
    naive = nv["naive_ms"] + nv["naive_round_trips"] * rtt_ms
    ours = nv["pf_ms"] + nv["pf_round_trips"] * rtt_ms
    return f"{naive / 1000:,.1f} s / {_ms(ours)} / {naive / ours:,.0f}x"


def _app(r: SizeResult, key: str, fmt: str) -> str:
    if not r.apptest or "error" in r.apptest:
        return "-" if not r.apptest else "error"
    return fmt.format(r.apptest[key])


# --------------------------------------------------------------------------- main


def run(sizes: list[int], repeat: int, *, apptest: bool = True, diagnose: bool = True,
        out: Path | None = RESULTS, command: str = "", log: Callable[[str], None] = print,
        cluster=None) -> dict:  # noqa: ANN001
    """The whole benchmark; returns the raw results and writes ``out`` (unless None)."""
    from tests.pgcluster import start_cluster

    t_start = time.perf_counter()
    own = cluster is None
    if own:
        log("starting a throwaway PostgreSQL cluster ...")
        cluster = start_cluster()
    results: list[SizeResult] = []
    diag = None
    try:
        pg_version = cluster.fetch("SHOW server_version")[0][0]
        machine = machine_info(pg_version)
        for size in sizes:
            log(f"size {size:,}:")
            res, url, db = bench_size(cluster, size, repeat, apptest=apptest, log=log)
            results.append(res)
            if diagnose and diag is None:
                diag = bench_diagnose(url, repeat)
                log(f"  diagnose: {json.dumps(diag)[:300]}")
            db.drop()
    finally:
        if own:
            cluster.destroy()
    wall = time.perf_counter() - t_start
    text = render(machine, command, results, diag, wall, repeat)
    if out is not None:
        out.write_text(text + _kept_section(out), encoding="utf-8")
        log(f"wrote {out} ({wall / 60:.1f} min)")
    return {"results": results, "diagnose": diag, "text": text, "wall_s": wall,
            "verdicts": evaluate(results, diag)}


def _kept_section(path: Path) -> str:
    """The section ``bench/bigcells.py`` wrote into the same file, kept as it is."""
    from bench.bigcells import END, START

    try:
        old = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    if START not in old or END not in old:
        return ""
    return "\n" + START + old.split(START, 1)[1].split(END, 1)[0] + END + "\n"


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes {text!r}: comma-separated integers") from None
    if not sizes or any(s < 100 for s in sizes):
        raise argparse.ArgumentTypeError("--sizes: each at least 100")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES),
                        help="races per size, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--no-apptest", action="store_true", help="skip the overview AppTest")
    parser.add_argument("--no-diagnose", action="store_true", help="skip the diagnose timings")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args(argv)
    command = "uv run python bench/run.py" + (
        " " + shlex.join(sys.argv[1:]) if argv is None and sys.argv[1:] else ""
    )
    result = run(args.sizes, max(1, args.repeat), apptest=not args.no_apptest,
                 diagnose=not args.no_diagnose, out=args.out, command=command)
    missed = [v for v in result["verdicts"] if not v["ok"]]
    print(f"{len(result['verdicts']) - len(missed)} targets met, {len(missed)} missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
