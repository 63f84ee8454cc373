"""The frame builders against a bare psycopg fetch of the very statement they send.

    uv run python -m bench.frames                        # own cluster, 10k/100k/1M races
    uv run python -m bench.frames --urls urls.json       # {"size": reader_url} of ready dbs

For each size and for one year (ending ``datagen.TODAY``) and the whole history: (a) the
statement the builder sends (captured from the engine), run with bare psycopg on an open
autocommit connection (``cursor.execute(sql, params)`` + ``fetchall``, no pandas), and
(b) the builder inside :func:`status_core.engine.read` with the dashboard's engine. Each
figure is the median of ``--repeat`` interleaved rounds after a warm-up; the ratio is b/a.

The bare connection has ``prepare_threshold=None``: the engine's reads are never prepared
on the server (each ends in a ROLLBACK), while psycopg's default prepares a statement on
its sixth run, and the generic plan PostgreSQL then picks for ``date BETWEEN $1 AND $2``
made the whole-history fetch 2x slower; both sides must run the same plan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy import event

from bench import datagen
from bench.run import interleaved, ymd
from status_core import reliability
from status_core.engine import make_engine, read
from status_core.queries import jobs_frame, progress_frame, races_frame
from status_core.settings import Timeouts, parse_url


def _cases(size: int) -> dict[str, Callable]:
    today = datagen.TODAY
    year = (ymd(today - dt.timedelta(days=364)), ymd(today))
    whole = (ymd(datagen.history_start(size)), ymd(today))
    return {
        "progress_frame 1 year": lambda c: progress_frame(c, *year),
        "progress_frame whole": lambda c: progress_frame(c, *whole),
        "races_frame 1 cell": lambda c: races_frame(c, "20260214", 1),
        "jobs_frame 500": lambda c: jobs_frame(c, limit=500),
        "failures 1 year": lambda c: reliability.failures(c, *year),
        "timeliness 1 year": lambda c: reliability.timeliness_days(c, *year),
    }


def measure(url: str, size: int, repeat: int) -> list[dict]:
    """One row per case: bare fetch ms, builder ms, ratio."""
    engine = make_engine(parse_url(url), Timeouts(connect=10, statement=120))
    sent: list = []

    def seen(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if not statement.lstrip().upper().startswith("SET"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    bare = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True,
                           prepare_threshold=None)
    out = []
    try:
        for name, fn in _cases(size).items():
            with read(engine) as conn:
                fn(conn)
            statement, parameters = sent[-1]

            def built(fn=fn):  # noqa: ANN001, ANN202
                with read(engine) as conn:
                    return fn(conn)

            def fetched(statement=statement, parameters=parameters):  # noqa: ANN202
                with bare.cursor() as cur:
                    cur.execute(statement, parameters)
                    return cur.fetchall()

            got = interleaved({"bare": fetched, "built": built}, repeat, warmup=2)
            a, b = got["bare"][0] * 1000, got["built"][0] * 1000
            out.append({"size": size, "case": name, "rows": len(got["bare"][1][-1]),
                        "bare_ms": a, "built_ms": b, "ratio": b / a})
    finally:
        bare.close()
        engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--urls", type=Path)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    cluster = None
    if args.urls:
        urls = {int(k): v for k, v in json.loads(args.urls.read_text()).items()}
    else:
        from tests.pgcluster import start_cluster

        cluster, urls = start_cluster(), {}
        for size in sizes:
            db = cluster.database()
            with db.connect() as conn:
                datagen.generate(conn, size)
            urls[size] = db.reader_url
    try:
        print("| races | case | rows | bare psycopg ms | builder ms | ratio |")
        print("|---:|---|---:|---:|---:|---:|")
        for size in sizes:
            for r in measure(urls[size], size, args.repeat):
                print(f"| {r['size']:,} | {r['case']} | {r['rows']:,} | {r['bare_ms']:.1f} "
                      f"| {r['built_ms']:.1f} | {r['ratio']:.2f} |", flush=True)
    finally:
        if cluster is not None:
            cluster.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
