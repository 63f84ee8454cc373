"""Markdown for :mod:`bench.network`'s section of bench/RESULTS.md."""

from __future__ import annotations

import datetime as dt
import math


def _ms(seconds: float | None) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "-"
    ms = seconds * 1000
    return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:.1f} ms"


def _rt(value: object) -> str:
    return "-" if value is None else str(value)


def _reads(res: dict, keys: list[str]) -> list[str]:
    lines = ["| read | " + " | ".join(f"{k} ms RTT" for k in keys) + " | round trips |",
             "| --- |" + " ---: |" * (len(keys) + 1)]
    far = keys[-1]
    for name in res["reads"][keys[0]]:
        cells = [_ms(res["reads"][k][name]["s"]) for k in keys]
        trips = res["reads"][far][name].get("round_trips")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {_rt(trips)} |")
    return lines


def _pages(res: dict, keys: list[str]) -> list[str]:
    lines = ["| page (script time) | " + " | ".join(f"{k} ms RTT" for k in keys)
             + f" | {keys[-1]} ms minus loopback | round trips per run |",
             "| --- |" + " ---: |" * (len(keys) + 2)]
    far = keys[-1]
    for name in res["pages"][keys[0]]:
        rows = [res["pages"][k][name] for k in keys]
        if any("error" in r for r in rows):
            err = next(r["error"] for r in rows if "error" in r)
            lines.append(f"| {name} | error: {err[:200]!r} |" + " |" * (len(keys) + 1))
            continue
        extra = rows[-1]["s"] - rows[0]["s"]
        lines.append(f"| {name} | " + " | ".join(_ms(r["s"]) for r in rows)
                     + f" | {_ms(extra)} | {_rt(res['pages'][far][name].get('round_trips'))} |")
    return lines


def _naive(res: dict, keys: list[str]) -> list[str]:
    lines = ["| case | RTT | collector's way | ours | round trips (collector / ours) | speed-up |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name in res["naive"][keys[0]]:
        for k in keys:
            r = res["naive"][k][name]
            trips = (f"{_rt(r.get('collector_round_trips'))} / {_rt(r.get('ours_round_trips'))}"
                     if "collector_round_trips" in r else "-")
            speed = r["collector_s"] / r["ours_s"] if r["ours_s"] else float("inf")
            lines.append(f"| {name} | {k} ms | {_ms(r['collector_s'])} | {_ms(r['ours_s'])} "
                         f"| {trips} | {speed:,.0f}x |")
    return lines


def render(res: dict, command: str) -> str:
    keys = [f"{r * 1000:g}" for r in res["rtts"]]
    v = res["verdict"]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.2f}" for x in res["load"])
    if v.get("extra_s") is None:
        verdict = "**not measured** (a page run failed; see the table)"
    else:
        verdict = (f"loopback {_ms(v['base_s'])}, 30 ms {_ms(v['far_s'])}: "
                   f"+{_ms(v['extra_s'])} -> **{'met' if v['ok'] else 'missed'}**")
    parts = [
        "<!-- network:start -->",
        "## Across a network: 0, 10 and 30 ms round trip",
        "",
        f"Written by `bench/network.py` on {now} in {res['wall_s'] / 60:.1f} min (its own "
        "section; `bench/run.py` keeps it). Load average at start: " + load + ".",
        "",
        "```",
        command or "uv run python -m bench.network",
        "```",
        "",
        f"{res['size']:,} races (bench/datagen.py, as above). Every byte between the driver and "
        "PostgreSQL goes through `bench/latency.py` (a relay in its own process that holds each "
        "direction for half the round trip and counts round trips: a round trip is the client "
        "sending after it last heard from the server); 0 ms is the direct loopback connection. "
        f"Each figure is the median of {res['repeat']} runs after a warm-up, as the read-only "
        "role. Reads go through `run_read` with the dashboard's engine (its pool warm); pages "
        "are `AppTest` runs in a warm process with `st.cache_data` cleared before each run, so "
        "every read really happens (server-side script time, no browser).",
        "",
        "### Core reads",
        "",
        *_reads(res, keys),
        "",
        "### Pages",
        "",
        *_pages(res, keys),
        "",
        "### The collector's per-cell method through the same proxy",
        "",
        "The collector's status API answers one date x meet with eight queries "
        "(`bench/naive.py`); the overview's default view is 14 days x 3 racecourses. Over a "
        "network the collector's way at 10 and 30 ms is run once for 14 days (it takes seconds).",
        "",
        *_naive(res, keys),
        "",
        "| target | result |",
        "| --- | --- |",
        f"| overview, 1 year, at 30 ms within 180 ms (six round trips) of loopback | {verdict} |",
        "<!-- network:end -->",
    ]
    return "\n".join(parts)
