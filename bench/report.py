"""The benchmark's report: the targets, met or missed and why, and ``RESULTS.md``'s text.

:mod:`bench.run` measures and fills one :class:`SizeResult` per size; :func:`evaluate`
judges them against :data:`TARGETS` and :func:`render` writes the file's text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from bench import datagen

TARGETS = {
    "pf_year": 3.0,  # progress_frame one year within 3x bare SQL
    "pf_all": 2.0,  # whole history within 2x
    "pf_bare": 1.5,  # issue 16: within 1.5x the bare psycopg fetch, 1 year and whole, at 1M
    "read_round_trips": 2,  # issue 16: at most 2 round trips per read
    "naive_speedup": 50.0,  # 90 days at least 50x faster than the naive counting
    "apptest_s": 2.0,  # overview one year under 2 s at 1M
    "refused_s": 0.2,
    "silent_extra_s": 0.5,  # silent host under timeout + 0.5 s
}


@dataclass
class SizeResult:
    size: int
    data: dict = field(default_factory=dict)
    year: dict = field(default_factory=dict)
    whole: dict = field(default_factory=dict)
    naive90: dict = field(default_factory=dict)
    pandas_year: dict = field(default_factory=dict)
    apptest: dict | None = None


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
    out = [v for r in results for v in _size_targets(r)]
    if diag and "error" not in diag:
        out += _diagnose_targets(diag)
    return out


def _size_targets(r: SizeResult) -> list[dict]:
    n = _fmt_n(r.size)
    y, w, nv = r.year, r.whole, r.naive90
    out = [
        {
            "target": f"progress_frame, one year, within {TARGETS['pf_year']:g}x bare SQL",
            "size": n, "ok": y["ratio"] <= TARGETS["pf_year"],
            "value": f"{y['ratio']:.2f}x ({_ms(y['pf_ms'])} vs {_ms(y['sql_ms'])})",
            "why": _why_pf(y),
        },
        {
            "target": f"progress_frame, whole history, within {TARGETS['pf_all']:g}x bare SQL",
            "size": n, "ok": w["ratio"] <= TARGETS["pf_all"],
            "value": f"{w['ratio']:.2f}x ({_ms(w['pf_ms'])} vs {_ms(w['sql_ms'])})",
            "why": _why_pf(w),
        },
        {
            "target": f"one read in at most {TARGETS['read_round_trips']} round trips "
                      "(90 days; the collector's way: 8 per date x meet)",
            "size": n, "ok": nv["pf_round_trips"] <= TARGETS["read_round_trips"]
            and nv["naive_round_trips"] >= 8 * nv["day_meets"],
            "value": f"{nv['pf_round_trips']} vs {nv['naive_round_trips']} round trips "
                     "(counted by bench/latency.py)",
            "why": "",
        },
        _naive_target(n, nv),
    ]
    if r.size >= 1_000_000:
        out += [_bare_target(n, "one year", y), _bare_target(n, "whole history", w)]
    if r.apptest is not None and r.size >= 1_000_000:
        out.append(_apptest_target(n, r.apptest))
    return out


def _bare_target(n: str, what: str, m: dict) -> dict:
    return {
        "target": f"progress_frame, {what}, within {TARGETS['pf_bare']:g}x the bare psycopg "
                  "fetch of the same statement",
        "size": n, "ok": m["bare_ratio"] <= TARGETS["pf_bare"],
        "value": f"{m['bare_ratio']:.2f}x ({_ms(m['pf_ms'])} vs {_ms(m['bare_ms'])})",
        "why": f"{_ms(m['pf_ms'] - m['bare_ms'])} above the driver alone: "
               f"{m['round_trips']} round trips of a read (the fetch has none around it) "
               "and building the frame",
    }


def _naive_target(n: str, nv: dict) -> dict:
    return {
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
               "across a network every one of the naive way's round trips costs the RTT: "
               "see \"Across a network\" below, measured through bench/latency.py",
    }


def _apptest_target(n: str, a: dict) -> dict:
    ok = "error" not in a and a["cold_s"] < TARGETS["apptest_s"] and not a["exceptions"]
    return {
        "target": f"overview AppTest, one year, under {TARGETS['apptest_s']:g} s "
                  "(first run after the library imports; cache cleared each run)",
        "size": n, "ok": ok,
        "value": a.get("error") or f"first {a['cold_s']:.2f} s, later "
                 f"{a['warm_s']:.2f} s (+ {a['imports_s']:.2f} s library imports once "
                 "per process)",
        "why": "see the AppTest rows: the page's own work (queries, attention list, "
               "two Altair charts, tables) on a one-year range",
    }


def _diagnose_targets(diag: dict) -> list[dict]:
    to = diag["timeout_s"]
    ref, sil = diag["refused"], diag["silent"]
    return [
        {
            "target": f"diagnose, refused port, under {TARGETS['refused_s']:g} s",
            "size": "-", "ok": ref["max_s"] < TARGETS["refused_s"],
            "value": f"median {ref['s']:.3f} s, max {ref['max_s']:.3f} s", "why": "",
        },
        {
            "target": f"diagnose, silent host, under its timeout + {TARGETS['silent_extra_s']:g}"
                      f" s ({to + TARGETS['silent_extra_s']:g} s)",
            "size": "-", "ok": sil["max_s"] < to + TARGETS["silent_extra_s"],
            "value": f"median {sil['s']:.2f} s, max {sil['max_s']:.2f} s", "why": "",
        },
    ]


def render(machine: dict, command: str, results: list[SizeResult], diag: dict | None,
           wall_s: float, repeat: int) -> str:
    """The whole of ``RESULTS.md`` (except the section ``bigcells.py`` writes)."""
    lines = [
        *_preamble(machine, command, wall_s, repeat),
        "## Results",
        "",
        *_results_table(results),
        "",
        *_diagnose_lines(diag),
        *_target_lines(results, diag),
    ]
    return "\n".join(lines)


def _rows(results: list[SizeResult]) -> list[tuple[str, Callable[[SizeResult], str]]]:
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
        ("1 year: bare psycopg fetch of the same statement (driver alone)",
         lambda r: _ms(r.year["bare_ms"])),
        ("1 year: `progress_frame` (read() block)", lambda r: _ms(r.year["pf_ms"])),
        ("1 year: ratio to bare SQL", lambda r: f"{r.year['ratio']:.2f}x"),
        ("1 year: ratio to the bare psycopg fetch", lambda r: f"{r.year['bare_ratio']:.2f}x"),
        ("1 year: round trips of the read", lambda r: str(r.year["round_trips"])),
        ("1 year: rows into pandas, grouped there", lambda r: _ms(r.pandas_year["pandas_ms"])),
        ("1 year: pandas way / `progress_frame`",
         lambda r: f"{r.pandas_year['speedup']:.1f}x"
         + ("" if r.pandas_year["same_answer"] else " (DIFFERS)")),
        ("**whole history**: races / date x meet rows",
         lambda r: f"{r.whole['races']:,} / {r.whole['groups']:,}"),
        ("whole: bare SQL (server execution)", lambda r: _ms(r.whole["sql_ms"])),
        ("whole: same statement, rows fetched, no pandas", lambda r: _ms(r.whole["fetch_ms"])),
        ("whole: bare psycopg fetch", lambda r: _ms(r.whole["bare_ms"])),
        ("whole: `progress_frame`", lambda r: _ms(r.whole["pf_ms"])),
        ("whole: ratio to bare SQL", lambda r: f"{r.whole['ratio']:.2f}x"),
        ("whole: ratio to the bare psycopg fetch", lambda r: f"{r.whole['bare_ratio']:.2f}x"),
        ("**90 days**: collector's way (8 counts per day x meet)",
         lambda r: _ms(r.naive90["naive_ms"])),
        ("90 days: `progress_frame`", lambda r: _ms(r.naive90["pf_ms"])),
        ("90 days: speed-up on loopback", lambda r: f"{r.naive90['speedup']:.0f}x"
         + ("" if r.naive90["same_answer"] else " (ANSWERS DIFFER)")),
        ("90 days: round trips, collector's way / ours",
         lambda r: f"{r.naive90['naive_round_trips']:,} / {r.naive90['pf_round_trips']}"),
    ]
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
    return rows


def _results_table(results: list[SizeResult]) -> list[str]:
    cols = [_fmt_n(r.size) for r in results]
    head = "| measure | " + " | ".join(f"{c} races" for c in cols) + " |"
    sep = "| --- | " + " | ".join("---:" for _ in cols) + " |"
    return [head, sep] + [f"| {label} | " + " | ".join(fn(r) for r in results) + " |"
                          for label, fn in _rows(results)]


def _preamble(machine: dict, command: str, wall_s: float, repeat: int) -> list[str]:
    return [
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
        "`progress_frame` sent, its `Execution Time`; the bare psycopg fetch is the same "
        "statement and parameters on an open psycopg connection (autocommit, no SQLAlchemy, "
        "no frame). Round trips are counted by `bench/latency.py` (a relay without delay in "
        "front of the same database); figures at 10 and 30 ms round trip are measured through "
        "it in \"Across a network\" (`bench/network.py`).",
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
    ]


def _diagnose_lines(diag: dict | None) -> list[str]:
    if diag is None:
        return []
    lines = ["## `diagnose` wall time", ""]
    if "error" in diag:
        return [*lines, f"Not measured: {diag['error']}", ""]
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
    return lines


def _target_lines(results: list[SizeResult], diag: dict | None) -> list[str]:
    lines = ["## Targets", "", "| target | size | result | verdict |", "| --- | --- | --- | --- |"]
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
    return lines


def _why_pf(m: dict) -> str:
    above = m["pf_ms"] - m["sql_ms"]
    wire = m["fetch_ms"] - m["sql_ms"]
    frame = m["pf_ms"] - m["fetch_ms"]
    text = (f"{_ms(above)} above the SQL's {_ms(m['sql_ms'])}: the same statement alone, rows "
            f"fetched and no frame built, already takes {_ms(m['fetch_ms'])} ({_ms(wire)} for "
            f"the {m['round_trips']} round trips of a read() block, BEGIN READ ONLY, SET "
            "LOCAL statement_timeout, the query, ROLLBACK, and the fetch)")
    if frame > 0:
        text += (f"; building the frame and the status rules add {_ms(frame)}. A fixed cost "
                 "of a few ms, which only shows as a ratio where the SQL itself takes ~1-5 ms")
    else:
        text += "; building the frame is within the run-to-run noise"
    return text


def _app(r: SizeResult, key: str, fmt: str) -> str:
    if not r.apptest or "error" in r.apptest:
        return "-" if not r.apptest else "error"
    return fmt.format(r.apptest[key])
