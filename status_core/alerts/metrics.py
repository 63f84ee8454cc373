"""``kra-status metrics``: a Prometheus exporter of collection progress.

Low-cardinality gauges only (labels: meet, kind, stage, state, status; never a date). The
database is aggregated at most once per ``min_interval`` whatever the scrape rate: a
snapshot is cached, concurrent scrapes wait for the one refresh in flight, and a scrape
waits for it at most ``wait_s`` (the connect timeout plus a little) before answering
``kra_db_up 0``.
"""

from __future__ import annotations

import datetime as dt
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

import pandas as pd
from sqlalchemy.engine import Engine

from .. import attention
from ..domain import KST
from ..errors import ConfigError
from ..settings import DatabaseTarget
from .evaluate import Frames, Thresholds, evaluate, window_scope
from .items import KINDS, Item

STAGES = {"collection": ("collected_races", "collection_failed"),
          "enrichment": ("enriched_races", "enrichment_failed"),
          "result": ("result_collected", "result_failed")}
MEET_LABELS = ("1", "2", "3")
#: A refresh still running after this long is abandoned (a later one may start), so one
#: connection that hangs forever cannot freeze the exporter.
ABANDON_AFTER_S = 60.0


@dataclass
class Snapshot:
    """The numbers of one aggregation (``db_up`` False: only the up gauge is meaningful)."""

    db_up: bool
    duration_s: float = 0.0
    taken_at: float = field(default_factory=time.monotonic)
    items: list[Item] = field(default_factory=list)
    races: dict[tuple[str, str, str], int] = field(default_factory=dict)
    latest_states: dict[str, str] = field(default_factory=dict)
    latest_day: str | None = None
    last_write_s: dict[str, float] = field(default_factory=dict)
    jobs: dict[str, int] = field(default_factory=dict)
    stuck: int = 0
    oldest_stuck_s: float = 0.0


def _latest_day(frames: Frames) -> tuple[str | None, dict, dict]:
    """The latest race day on or before today (KST): races per meet x stage x state, and
    each meet's cell state that day."""
    states = frames.states
    today = frames.now.astimezone(KST).date()
    found = attention.default_race_day(states, today)
    if found is None:
        return None, {}, {}
    day = states[states["date"] == found[0]]
    races: dict[tuple[str, str, str], int] = {}
    cell: dict[str, str] = {}
    for row in day.to_dict("records"):
        meet, total = str(int(row["meet"])), int(row["total_races"])
        cell[meet] = str(row["state"])
        for stage, (done_col, failed_col) in STAGES.items():
            done, failed = int(row[done_col]), int(row[failed_col])
            races[(meet, stage, "done")] = done
            races[(meet, stage, "failed")] = failed
            races[(meet, stage, "pending")] = max(total - done - failed, 0)
    return found[0], races, cell


def build_snapshot(items: list[Item], frames: Frames | None, duration_s: float) -> Snapshot:
    """The snapshot of one evaluation (pure)."""
    if frames is None:
        return Snapshot(False, duration_s, items=items)
    day, races, cell = _latest_day(frames)
    last_write: dict[str, float] = {}
    if not frames.states.empty:
        newest = frames.states.groupby("meet")["last_updated"].max()
        for meet, stamp in newest.items():
            if pd.notna(stamp):
                last_write[str(int(meet))] = (frames.now - stamp.to_pydatetime()).total_seconds()
    counts = attention.status_counts_frame(frames.job_counts or {})
    stuck = frames.stuck
    oldest = float(stuck["running_minutes"].max()) * 60 if not stuck.empty else 0.0
    return Snapshot(True, duration_s, items=items, races=races, latest_states=cell,
                    latest_day=day, last_write_s=last_write,
                    jobs=dict(zip(counts["status"], counts["count"].astype(int), strict=True)),
                    stuck=len(stuck), oldest_stuck_s=oldest)


class SnapshotCache:
    """At most one refresh per ``min_interval``; concurrent callers share it and wait for
    it at most ``wait_s``."""

    def __init__(self, refresh: Callable[[], Snapshot], *, min_interval: float,
                 wait_s: float) -> None:
        self._refresh, self.min_interval, self.wait_s = refresh, min_interval, wait_s
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._started = -math.inf
        self._inflight: threading.Event | None = None
        self._generation = 0
        self.refreshes = 0

    def get(self) -> Snapshot:
        with self._lock:
            now = time.monotonic()
            if self._inflight is not None and now - self._started > ABANDON_AFTER_S:
                self._inflight = None  # hung: let a new refresh start, ignore its result
            if self._inflight is None and now - self._started >= self.min_interval:
                self._start(now)
            inflight = self._inflight
        if inflight is not None:
            inflight.wait(self.wait_s)
        with self._lock:
            snapshot = self._snapshot
            waiting = inflight is not None and not inflight.is_set()
        if waiting or snapshot is None:
            return Snapshot(False, duration_s=self.wait_s)
        return snapshot

    def _start(self, now: float) -> None:
        self._started = now
        self._generation += 1
        self.refreshes += 1
        done = threading.Event()
        self._inflight = done
        threading.Thread(target=self._run, args=(self._generation, done), daemon=True,
                         name="kra-metrics-refresh").start()

    def _run(self, generation: int, done: threading.Event) -> None:
        t0 = time.perf_counter()
        try:
            snapshot = self._refresh()
        except Exception:  # noqa: BLE001 - an exporter answers "down", it does not crash
            snapshot = Snapshot(False, time.perf_counter() - t0)
        with self._lock:
            if generation == self._generation:
                self._snapshot = snapshot
                self._inflight = None
        done.set()


def _gauge(name: str, doc: str, labels: list[str] | None = None):  # noqa: ANN202
    from prometheus_client.core import GaugeMetricFamily

    return GaugeMetricFamily(name, doc, labels=labels)


def families(snapshot: Snapshot, scrape_started: float) -> Iterator:
    """The metric families of one scrape."""
    up = _gauge("kra_db_up", "1 when the collector's database could be read, else 0")
    up.add_metric([], 1.0 if snapshot.db_up else 0.0)
    yield up
    if snapshot.db_up:
        yield from _data_families(snapshot)
    aggregation = _gauge("kra_aggregation_duration_seconds",
                         "Seconds the last database aggregation took")
    aggregation.add_metric([], snapshot.duration_s)
    yield aggregation
    age = _gauge("kra_snapshot_age_seconds", "Seconds since the numbers were aggregated")
    age.add_metric([], max(0.0, time.monotonic() - snapshot.taken_at))
    yield age
    scrape = _gauge("kra_scrape_duration_seconds", "Seconds this scrape took")
    scrape.add_metric([], time.perf_counter() - scrape_started)
    yield scrape


def _data_families(snap: Snapshot) -> Iterator:
    items = _gauge("kra_attention_items", "Attention items (last 7 days, KST) by kind and meet",
                   ["kind", "meet"])
    counts: dict[tuple[str, str], int] = {(k, m): 0 for k in KINDS if k != "db_down"
                                          for m in MEET_LABELS}
    for item in snap.items:
        key = (item.kind, str(item.meet) if item.meet is not None else "none")
        counts[key] = counts.get(key, 0) + 1
    for (kind, meet), n in sorted(counts.items()):
        items.add_metric([kind, meet], n)
    yield items
    races = _gauge("kra_latest_race_day_races",
                   "Races of the latest race day by meet, stage and state (done/failed/pending)",
                   ["meet", "stage", "state"])
    for (meet, stage, state), n in sorted(snap.races.items()):
        races.add_metric([meet, stage, state], n)
    yield races
    cell = _gauge("kra_latest_race_day_state",
                  "1 for the honest state of each meet's latest race day", ["meet", "state"])
    from ..states import STATES

    for meet, state in sorted(snap.latest_states.items()):
        for name in STATES:
            cell.add_metric([meet, name], 1.0 if name == state else 0.0)
    yield cell
    yield from _day_and_jobs(snap)


def _day_and_jobs(snap: Snapshot) -> Iterator:
    day = _gauge("kra_latest_race_day_timestamp_seconds",
                 "The latest race day (00:00 KST) as a Unix time")
    if snap.latest_day:
        midnight = dt.datetime.strptime(snap.latest_day, "%Y%m%d").replace(tzinfo=KST)
        day.add_metric([], midnight.timestamp())
    yield day
    write = _gauge("kra_seconds_since_last_write",
                   "Seconds since the newest races.updated_at of each meet (last 7 days)",
                   ["meet"])
    for meet, seconds in sorted(snap.last_write_s.items()):
        write.add_metric([meet], seconds)
    yield write
    jobs = _gauge("kra_jobs", "Jobs by status", ["status"])
    for status, n in snap.jobs.items():
        jobs.add_metric([status], n)
    yield jobs
    stuck = _gauge("kra_stuck_jobs", "Jobs processing for longer than KRA_STUCK_MINUTES")
    stuck.add_metric([], snap.stuck)
    yield stuck
    oldest = _gauge("kra_oldest_stuck_job_age_seconds",
                    "Seconds the longest-stuck job has been running (0 when none)")
    oldest.add_metric([], snap.oldest_stuck_s)
    yield oldest


class KraCollector:
    """A prometheus_client custom collector over a :class:`SnapshotCache`."""

    def __init__(self, cache: SnapshotCache) -> None:
        self.cache = cache

    def collect(self) -> Iterator:
        started = time.perf_counter()
        yield from families(self.cache.get(), started)


def refresher(engine: Engine, target: DatabaseTarget | None,
              thresholds: Thresholds) -> Callable[[], Snapshot]:
    """The refresh function: one evaluation of the last 7 days through today (KST)."""
    def refresh() -> Snapshot:
        t0 = time.perf_counter()
        now = dt.datetime.now(dt.UTC)
        scope = window_scope(None, None, None, now=now)
        items, frames = evaluate(engine, target, scope, thresholds, now, job_counts=True)
        return build_snapshot(items, frames, time.perf_counter() - t0)
    return refresh


def _http_server(address: str, port: int, registry):  # noqa: ANN001, ANN202
    """prometheus_client's WSGI app on a threading server with a listen backlog that takes
    a burst of scrapes (the standard library's 5 makes the sixth wait for a SYN retry)."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from prometheus_client.exposition import ThreadingWSGIServer, make_wsgi_app

    family = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM,
                                flags=socket.AI_PASSIVE)[0][0]

    class Server(ThreadingWSGIServer):
        address_family = family
        request_queue_size = 128

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Scrapes are not logged."""

    return make_server(address, port, make_wsgi_app(registry), Server,
                       handler_class=QuietHandler)


def serve(engine: Engine, target: DatabaseTarget | None, thresholds: Thresholds, *,
          address: str, port: int, min_interval: float, wait_s: float, out: TextIO,
          stop: threading.Event) -> int:
    """Serve ``/metrics`` until ``stop`` is set; returns the exit code."""
    from prometheus_client import CollectorRegistry

    cache = SnapshotCache(refresher(engine, target, thresholds), min_interval=min_interval,
                          wait_s=wait_s)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(KraCollector(cache))  # type: ignore[arg-type]
    try:
        server = _http_server(address, port, registry)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"cannot listen on {address}:{port}: {reason}",
                          hint="Choose another --port or --address.") from None
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="kra-metrics-http")
    thread.start()
    out.write(f"serving http://{address}:{port}/metrics (one aggregation per "
              f"{min_interval:g} s at most)\n")
    out.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    return 0
