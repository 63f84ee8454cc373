"""Reading the collector's database for the alerts and the exporter: one function reads,
the rest is the core's pure functions.

The thresholds are the dashboard's (:func:`status_core.settings.read_thresholds`:
``KRA_STALLED_MINUTES``, ``KRA_STUCK_MINUTES`` and ``KRA_USUAL_WEEKDAYS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from .. import attention
from ..domain import ACTIVE_JOB_STATUSES
from ..engine import run_read
from ..errors import ConfigError, InputError, StatusError
from ..inputs import parse_meets, parse_range
from ..redact import redact
from ..settings import DatabaseTarget, Thresholds, read_thresholds
from .items import Item, Scope, build_items, db_down_item

DEFAULT_WINDOW_DAYS = 7
#: Active jobs read per evaluation: far more than a collector ever runs at once.
ACTIVE_JOBS_LIMIT = 1000


def thresholds_from_env(environ: Mapping[str, str] | None = None) -> Thresholds:
    """:func:`status_core.settings.read_thresholds`, strictly: a bad value raises its
    :class:`ConfigError` naming the variable (exit code 2) instead of falling back."""
    thresholds, errors = read_thresholds(environ)
    if errors:
        raise errors[0]
    return thresholds


def window_scope(
    start: str | None, end: str | None, meets: Sequence[object] | None, *,
    now: dt.datetime | None = None, days: int = DEFAULT_WINDOW_DAYS,
) -> Scope:
    """The dates and meets to watch: ``start..end`` when both are given, else the last
    ``days`` days through today (KST). Raises :class:`InputError` on bad values."""
    if bool(start) != bool(end):
        raise InputError("a range needs both --start and --end",
                         hint="kra-status watch --start 20260201 --end 20260228")
    if start and end:
        start, end = parse_range(start, end)
    else:
        start, end = attention.default_range(now, days=days)
    chosen = parse_meets(meets)
    return Scope(start, end, tuple(chosen) if chosen else None)


@dataclass
class Frames:
    """What one read of the database gives: the cells with their states, the missing days,
    the stuck jobs and (for the exporter) the jobs per status."""

    states: pd.DataFrame
    missing: pd.DataFrame
    stuck: pd.DataFrame
    job_counts: dict[str, int] | None = None
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def read_frames(
    engine: Engine, target: DatabaseTarget | None, scope: Scope, thresholds: Thresholds,
    now: dt.datetime, *, job_counts: bool = False,
) -> Frames:
    """The one place the alerts and the exporter read the database (a
    :class:`StatusError` when it cannot be used)."""
    from ..queries import job_status_counts, jobs_frame, progress_frame

    def frames(conn: Connection) -> tuple:
        return (progress_frame(conn, scope.start, scope.end, scope.meets),
                jobs_frame(conn, statuses=ACTIVE_JOB_STATUSES, limit=ACTIVE_JOBS_LIMIT),
                job_status_counts(conn) if job_counts else None)

    # Bounded in wall time like every page read: a frozen server costs one deadline.
    progress, active, counts = run_read(engine, target, frames)
    states, missing, stuck = attention.item_frames(
        progress, active, start=scope.start, end=scope.end, now=now, meets=scope.meets,
        thresholds=thresholds)
    return Frames(states, missing, stuck, counts, now)


def unusable(exc: StatusError, target: DatabaseTarget | None) -> Item:
    """The ``db_down`` item for a database error, its message free of the password."""
    secrets = target.secrets if target is not None else ()
    return db_down_item(exc.cause, redact(exc.message, secrets))


def evaluate(
    engine: Engine, target: DatabaseTarget | None, scope: Scope, thresholds: Thresholds,
    now: dt.datetime | None = None, *, job_counts: bool = False,
) -> tuple[list[Item], Frames | None]:
    """The attention items now, and the frames they came from (``None`` when the database
    cannot be used: the only item is then ``db_down``)."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        frames = read_frames(engine, target, scope, thresholds, now, job_counts=job_counts)
    except (ConfigError, InputError):
        raise
    except StatusError as exc:
        return build_items(None, None, None, unusable(exc, target)), None
    return build_items(frames.states, frames.missing, frames.stuck), frames
