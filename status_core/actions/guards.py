"""Guards in front of a collection request.

* the duplicate guard: a job that is still waiting or working on the same date and meet
  (``jobs.parameters``) means a new request would start a second collection of that day;
* the rate limit: at most one request per date x meet per minute in this process, shared
  by every session and thread (the KRA API rate-limits the collector; bursts make it worse).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from ..domain import ACTIVE_JOB_STATUSES
from ..engine import run_read
from ..queries import jobs_frame
from ..settings import DatabaseTarget

#: Statuses of a job that is not over yet: waiting, or working (``running``/``retrying``
#: are what older collectors wrote for ``processing``).
OPEN_JOB_STATUSES = ("pending", "queued", *ACTIVE_JOB_STATUSES)
DEFAULT_WINDOW_S = 60.0

JobsLookup = Callable[[str, int], list[dict]]


def _plain(value: object) -> object:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return None
    except (TypeError, ValueError):
        pass
    return value


def _parameters(value: object) -> dict:
    """``jobs.parameters`` as a dict, whether the query gave JSON text or a dict."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def open_jobs(conn: Connection, race_date: str, meet: int) -> list[dict]:
    """Jobs not over yet whose parameters name ``race_date`` and ``meet``, newest first:
    ``job_id, type, status, created_at, started_at, created_by, race_numbers``."""
    frame = jobs_frame(conn, race_date=race_date, meet=meet, statuses=OPEN_JOB_STATUSES,
                       limit=20)
    out = []
    for row in frame.to_dict("records"):
        params = _parameters(row.get("parameters"))
        out.append({
            "job_id": str(row["job_id"]), "type": _plain(row.get("type")),
            "status": _plain(row.get("status")), "created_at": _plain(row.get("created_at")),
            "started_at": _plain(row.get("started_at")),
            "created_by": _plain(row.get("created_by")),
            "race_numbers": params.get("race_numbers"),
        })
    return out


def jobs_lookup(engine: Engine, target: DatabaseTarget | None = None) -> JobsLookup:
    """A duplicate-guard lookup reading ``jobs`` fresh (never cached) through ``engine``,
    bounded in wall time; a database error leaves as
    :class:`~status_core.errors.StatusError`."""
    def lookup(race_date: str, meet: int) -> list[dict]:
        return run_read(engine, target, open_jobs, race_date, meet)
    return lookup


class RateLimiter:
    """At most one request per key per ``window`` seconds; thread-safe.

    :meth:`acquire` checks and takes a slot in one step, so two sessions clicking at the
    same moment cannot both pass. :meth:`release` gives a slot back when the collector
    certainly started nothing (the key was refused, the request never left).
    """

    def __init__(self, window: float = DEFAULT_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._taken: dict[tuple, float] = {}

    def acquire(self, key: tuple) -> tuple[bool, float]:
        """``(True, 0)`` and the slot is taken, or ``(False, seconds to wait)``."""
        with self._lock:
            now = self._clock()
            last = self._taken.get(key)
            if last is not None and now - last < self.window:
                return False, self.window - (now - last)
            # Forget old slots so a long-running server does not grow the dict forever.
            for old in [k for k, t in self._taken.items() if now - t >= self.window]:
                del self._taken[old]
            self._taken[key] = now
            return True, 0.0

    def release(self, key: tuple) -> None:
        with self._lock:
            self._taken.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._taken.clear()


#: The process-wide limiter: every session of one Streamlit server shares it.
LIMITER = RateLimiter()
