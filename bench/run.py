"""Benchmark of the dashboard's queries on a throwaway PostgreSQL, written to RESULTS.md.

    uv run python -m bench.run                          # 10k, 100k, 1M races, 5 repeats
    uv run python -m bench.run --sizes 10000 --repeat 3 --no-apptest --out /tmp/r.md

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
from pathlib import Path

import pandas as pd
import psycopg
import sqlalchemy as sa
from sqlalchemy import event

from bench import datagen
from bench.naive import days, naive_range
from bench.report import SizeResult, evaluate, render
from status_core.engine import make_engine, read
from status_core.queries import progress_frame, summary_records
from status_core.rules import derive_statuses
from status_core.settings import Timeouts, parse_url

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
RESULTS = ROOT / "bench" / "RESULTS.md"
DIAG_TIMEOUT = 2.0

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
    """Remembers the last query an engine sent, and counts round trips for real: a second
    engine on the same database reads through a :class:`bench.latency.LatencyProxy`
    (no delay), which counts every wait for the server."""

    def __init__(self, engine: sa.engine.Engine, url: str | None = None) -> None:
        from bench.latency import LatencyProxy

        self.count = 0
        self.last: tuple[str, object] | None = None
        event.listen(engine, "before_cursor_execute", self._seen)
        self.proxy = self.counted = None
        if url is None:  # statements only
            return
        parsed = sa.engine.make_url(url)
        self.proxy = LatencyProxy(parsed.host or "127.0.0.1", parsed.port or 5432).start()
        self.counted = make_engine(
            parse_url(parsed.set(port=self.proxy.port).render_as_string(hide_password=False)),
            Timeouts(connect=10, statement=120))

    def _seen(self, conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if not statement.lstrip().upper().startswith("SET"):
            self.count += 1
            self.last = (statement, parameters)

    @contextlib.contextmanager
    def measure(self) -> Iterator[dict]:
        """``box["statements"]``: the queries sent in the block (not the SET LOCAL)."""
        box: dict = {}
        before = self.count
        yield box
        box["statements"] = self.count - before

    def round_trips(self, fn: Callable[[sa.engine.Engine], object]) -> int:
        """Round trips of ``fn(engine)`` on the counted engine (its pool warmed first)."""
        fn(self.counted)
        with self.proxy.counting() as seen:
            fn(self.counted)
        return seen["round_trips"]

    def close(self) -> None:
        if self.counted is not None:
            self.counted.dispose()
            self.proxy.close()


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


def _progress(engine: sa.engine.Engine, start: str, end: str) -> pd.DataFrame:
    with read(engine) as conn:
        return progress_frame(conn, start, end)


def progress_vs_floor(
    engine: sa.engine.Engine, counter: StatementCounter, start: str, end: str, repeat: int,
    bare: psycopg.Connection,
) -> dict:
    def call() -> pd.DataFrame:
        return _progress(engine, start, end)

    trips = counter.round_trips(lambda e: _progress(e, start, end))
    call()
    statement, parameters = counter.last

    def fetch_only() -> list:
        with read(engine) as conn:
            return conn.exec_driver_sql(statement, parameters).all()

    def bare_fetch() -> list:
        # The floor of issue 16: the driver alone, its connection open, no transaction
        # block, no SQLAlchemy, no frame.
        with bare.cursor() as cur:
            cur.execute(statement, parameters)
            return cur.fetchall()

    got = interleaved({"pf": call, "fetch": fetch_only, "bare": bare_fetch,
                       "explain": lambda: explain_ms(engine, statement, parameters)}, repeat)
    wall, frame = got["pf"][0], got["pf"][1][-1]
    fetch_s = got["fetch"][0]
    bare_s = got["bare"][0]
    floor_ms = median(got["explain"][1])
    return {
        "start": start,
        "end": end,
        "groups": len(frame),
        "races": int(frame["total_races"].sum()),
        "pf_ms": wall * 1000,
        "fetch_ms": fetch_s * 1000,
        "bare_ms": bare_s * 1000,
        "bare_ratio": wall / bare_s if bare_s else float("inf"),
        "sql_ms": floor_ms,
        "ratio": wall * 1000 / floor_ms if floor_ms else float("inf"),
        "round_trips": trips,
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

    def naive_on(e: sa.engine.Engine) -> list[dict]:
        with read(e) as conn:
            return naive_range(conn, start, end)

    naive_trips = counter.round_trips(naive_on)
    ours_trips = counter.round_trips(lambda e: _progress(e, start, end))
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
        "naive_round_trips": naive_trips,
        "pf_round_trips": ours_trips,
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
        [sys.executable, "-m", "bench.apptest_child", "--start", start, "--end", end,
         "--repeat", str(repeat)],
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
    counter = StatementCounter(engine, db.reader_url)
    # prepare_threshold=None: psycopg would prepare the statement on its sixth run, and the
    # generic plan PostgreSQL then picks for `date BETWEEN $1 AND $2` is not the plan the
    # dashboard's reads get (bench/frames.py measured it 2x slower on the whole history).
    bare = psycopg.connect(db.reader_url.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True, prepare_threshold=None)
    today = datagen.TODAY
    year = (ymd(today - dt.timedelta(days=364)), ymd(today))
    whole = (ymd(datagen.history_start(size)), ymd(today))
    ninety = (ymd(today - dt.timedelta(days=89)), ymd(today))
    try:
        res.year = progress_vs_floor(engine, counter, *year, repeat, bare)
        log(f"  progress_frame 1 year: {res.year['pf_ms']:.1f} ms vs SQL {res.year['sql_ms']:.1f}")
        res.whole = progress_vs_floor(engine, counter, *whole, repeat, bare)
        log(f"  progress_frame whole: {res.whole['pf_ms']:.1f} ms vs SQL "
            f"{res.whole['sql_ms']:.1f}")
        res.naive90 = naive_vs_progress(engine, counter, *ninety, repeat)
        log(f"  90 days naive {res.naive90['naive_ms']:.0f} ms vs {res.naive90['pf_ms']:.1f} ms")
        res.pandas_year = pandas_vs_progress(engine, *year, repeat)
        log(f"  1 year in pandas {res.pandas_year['pandas_ms']:.1f} ms")
    finally:
        engine.dispose()
        counter.close()
        bare.close()
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
    """The sections ``bench/bigcells.py``, ``bench/reliability.py``, ``bench/network.py``
    and ``bench/firstscreen.py`` wrote into the same file, kept as they are."""
    from bench import bigcells, firstscreen, network, reliability

    try:
        old = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    kept = ""
    for start, end in ((bigcells.START, bigcells.END), (reliability.BEGIN, reliability.END),
                       (network.START, network.END), (firstscreen.START, firstscreen.END)):
        if start in old and end in old:
            kept += "\n" + start + old.split(start, 1)[1].split(end, 1)[0] + end + "\n"
    return kept


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes {text!r}: comma-separated integers") from None
    if not sizes or any(s < 100 for s in sizes):
        raise argparse.ArgumentTypeError("--sizes: each at least 100")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=None,
                        help="races per size, comma-separated (default 10000,100000,1000000; "
                             "with --only reliability 1000000)")
    parser.add_argument("--only", choices=["reliability"], default=None,
                        help="run one part alone: reliability = the reliability page's "
                             "queries (bench/reliability.py), its own section of --out")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--no-apptest", action="store_true", help="skip the overview AppTest")
    parser.add_argument("--no-diagnose", action="store_true", help="skip the diagnose timings")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args(argv)
    command = "uv run python -m bench.run" + (
        " " + shlex.join(sys.argv[1:]) if argv is None and sys.argv[1:] else ""
    )
    if args.only == "reliability":
        from bench import reliability

        reliability.run(args.sizes or [reliability.DEFAULT_SIZE], max(1, args.repeat),
                        out=args.out, command=command)
        return 0
    result = run(args.sizes or list(DEFAULT_SIZES), max(1, args.repeat),
                 apptest=not args.no_apptest,
                 diagnose=not args.no_diagnose, out=args.out, command=command)
    missed = [v for v in result["verdicts"] if not v["ok"]]
    print(f"{len(result['verdicts']) - len(missed)} targets met, {len(missed)} missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
