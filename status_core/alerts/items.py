"""Attention items and the changes between two evaluations, as pure functions.

An *item* is one thing that needs a human: a date x meet cell whose honest state
(:func:`status_core.states.cell_states`) is ``failed``, ``stalled``, ``incomplete`` or
``not_started``; an old cell collected and enriched whose results are still missing
(``results_missing``); a usual race day with no races (``missing``); a stuck job
(``stuck_job``); or the database being unusable (``db_down``). Its key is stable (kind, date,
meet or job id), so two evaluations can be compared; ``worse`` is a number that grows when
the same item gets worse (more failed races, more results missing).

A *change* is what is posted: ``new``, ``worse``, ``resolved``, ``db_down``, ``db_up``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..timestamps import as_utc

#: Item kinds, most urgent first.
KINDS = ("db_down", "failed", "not_started", "stuck_job", "stalled", "incomplete",
         "results_missing", "missing")
KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
CRITICAL = frozenset({"db_down", "failed", "not_started", "stuck_job"})
CELL_KINDS = ("failed", "stalled", "incomplete", "not_started")
DB_DOWN_KEY = "db_down"
COUNT_FIELDS = ("total_races", "collected_races", "enriched_races", "result_collected",
           "collection_failed", "enrichment_failed", "result_failed", "failed_races")


@dataclass(frozen=True)
class Item:
    """One attention item. ``data`` carries what the message shows (counts, ages, job)."""

    kind: str
    date: str | None = None
    meet: int | None = None
    job_id: str | None = None
    worse: float = 0.0
    data: Mapping = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        if self.kind == "db_down":
            return DB_DOWN_KEY
        if self.kind == "stuck_job":
            return f"stuck_job:{self.job_id}"
        return f"{self.kind}:{self.date}:{self.meet}"

    @property
    def severity(self) -> str:
        return "critical" if self.kind in CRITICAL else "warning"

    @property
    def cell(self) -> tuple[str, int] | None:
        """The date x meet this item is about, for items of a cell (not jobs, not the DB)."""
        if self.kind in ("db_down", "stuck_job") or self.date is None or self.meet is None:
            return None
        return self.date, self.meet

    def to_json(self) -> dict:
        return {"kind": self.kind, "date": self.date, "meet": self.meet,
                "job_id": self.job_id, "worse": self.worse, "data": dict(self.data)}

    @classmethod
    def from_json(cls, obj: Mapping) -> Item:
        meet = obj.get("meet")
        return cls(kind=str(obj["kind"]), date=obj.get("date"),
                   meet=None if meet is None else int(meet), job_id=obj.get("job_id"),
                   worse=float(obj.get("worse") or 0), data=dict(obj.get("data") or {}))


@dataclass(frozen=True)
class Change:
    """One message to send. ``previous`` is the item as last reported (``worse``), or the
    item of the same cell it replaces (``new`` with another kind); ``id`` is given when
    the change is recorded and never changes afterwards."""

    type: str
    item: Item
    previous: Item | None = None
    detected_at: str = ""
    id: str = ""

    def to_json(self) -> dict:
        return {"type": self.type, "item": self.item.to_json(),
                "previous": self.previous.to_json() if self.previous else None,
                "detected_at": self.detected_at}

    @classmethod
    def from_json(cls, obj: Mapping, change_id: str = "") -> Change:
        prev = obj.get("previous")
        return cls(type=str(obj["type"]), item=Item.from_json(obj["item"]),
                   previous=Item.from_json(prev) if prev else None,
                   detected_at=str(obj.get("detected_at") or ""), id=change_id)


@dataclass(frozen=True)
class Scope:
    """What one evaluation looked at: ``start..end`` (``YYYYMMDD``) and the meets."""

    start: str
    end: str
    meets: tuple[int, ...] | None = None

    def covers(self, item: Item) -> bool:
        """True when this evaluation would have found ``item`` if it still held."""
        if item.kind == "db_down":
            return True
        if self.meets is not None and item.meet is not None and item.meet not in self.meets:
            return False
        if item.kind == "stuck_job":
            return True
        return item.date is not None and self.start <= item.date <= self.end

    def aged_out(self, item: Item) -> bool:
        """A day item whose date fell behind the window: forgotten, not "resolved"."""
        return item.cell is not None and str(item.date) < self.start


def _int(value: object) -> int:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    return 0 if math.isnan(number) else int(number)


def _iso(value: object) -> str | None:
    if value is None or pd.isna(value):
        return None
    return as_utc(pd.Timestamp(value)).isoformat()


def _cell_item(row: Mapping) -> Item | None:
    state = row.get("state")
    if state not in CELL_KINDS:
        return None
    counts = {name: _int(row.get(name)) for name in COUNT_FIELDS}
    total = counts["total_races"]
    kind, worse = str(state), 0.0
    if state == "failed":
        worse = counts["failed_races"]
    elif state == "incomplete" and row.get("collection_state") == "done" and row.get(
            "enrichment_state") == "done":
        kind, worse = "results_missing", total - counts["result_collected"]
    elif state == "incomplete":
        worse = 3 * total - counts["collected_races"] - counts["enriched_races"] - counts[
            "result_collected"]
    data = {**counts, "last_updated": _iso(row.get("last_updated")),
            "stages": {s: str(row.get(f"{s}_state")) for s in
                       ("collection", "enrichment", "result")}}
    return Item(kind, str(row["date"]), _int(row["meet"]), worse=float(worse), data=data)


def _job_item(row: Mapping) -> Item:
    meet = row.get("meet")
    began = row.get("started_at")
    if began is None or pd.isna(began):
        began = row.get("created_at")
    date = row.get("race_date")
    data = {"type": str(row.get("type") or ""), "status": str(row.get("status") or ""),
            "started_at": _iso(began), "running_minutes": _int(row.get("running_minutes"))}
    # A job naming no race day has NA there (NaN in a string column), not an empty text.
    known = date is not None and not pd.isna(date) and str(date) != ""
    return Item("stuck_job", str(date) if known else None,
                None if meet is None or pd.isna(meet) else int(meet),
                job_id=str(row["job_id"]), data=data)


def db_down_item(cause: str, message: str) -> Item:
    """The database-unusable item; ``message`` must already be free of secrets."""
    return Item("db_down", data={"cause": cause, "message": message})


def build_items(
    states: pd.DataFrame | None, missing: pd.DataFrame | None, stuck: pd.DataFrame | None,
    db_error: Item | None = None,
) -> list[Item]:
    """The attention items, most urgent first.

    ``states`` is a :func:`status_core.states.cell_states` frame, ``missing`` the
    :func:`status_core.attention.missing_days` frame, ``stuck`` the
    :func:`status_core.attention.stuck_jobs` frame. When ``db_error`` (a
    :func:`db_down_item`) is given, it is the only item: nothing else can be known.
    """
    if db_error is not None:
        return [db_error]
    items: list[Item] = []
    for frame, make in ((states, _cell_item), (stuck, _job_item)):
        if frame is not None and not frame.empty:
            items.extend(filter(None, (make(row) for row in frame.to_dict("records"))))
    if missing is not None and not missing.empty:
        items.extend(Item("missing", str(r["date"]), _int(r["meet"]),
                          data={"weekday": _int(r.get("weekday"))})
                     for r in missing.to_dict("records"))
    return sort_items(items)


def sort_items(items: list[Item]) -> list[Item]:
    """Most urgent kind first, newest date first within a kind, then meet and job."""
    def key(item: Item) -> tuple:
        date = str(item.date or "")
        return (KIND_RANK.get(item.kind, len(KINDS)), [-ord(c) for c in date],
                item.meet or 0, item.job_id or "")
    return sorted(items, key=key)


def diff(
    stored: Mapping[str, Item], current: list[Item], scope: Scope, *,
    now: dt.datetime | None = None,
) -> tuple[list[Change], dict[str, Item]]:
    """Changes between the reported items and the current ones, and the new baseline.

    - the database unusable: one ``db_down`` the first time; everything else stays as it
      was reported (an outage resolves nothing);
    - back: ``db_up``, then the ordinary comparison;
    - an item not reported before: ``new`` (when it replaces another kind on the same
      cell, that one is named as ``previous`` and gets no "resolved" of its own);
    - an item whose ``worse`` grew: ``worse``;
    - a reported item this evaluation covered and did not find: ``resolved``.
    Reported items outside the scope are kept; day items older than the window are
    dropped without a message.
    """
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat()
    down = next((i for i in current if i.kind == "db_down"), None)
    if down is not None:
        baseline = dict(stored)
        baseline[DB_DOWN_KEY] = stored.get(DB_DOWN_KEY, down)
        changes = [] if DB_DOWN_KEY in stored else [Change("db_down", down, detected_at=stamp)]
        return changes, baseline
    changes: list[Change] = []
    if DB_DOWN_KEY in stored:
        changes.append(Change("db_up", stored[DB_DOWN_KEY], detected_at=stamp))
    now_keys = {i.key for i in current}
    others = {k: i for k, i in stored.items() if k != DB_DOWN_KEY and k not in now_keys}
    gone = {k: i for k, i in others.items() if scope.covers(i)}
    baseline = {k: i for k, i in others.items() if not scope.covers(i) and not scope.aged_out(i)}
    gone_cells = {i.cell: i for i in sort_items(list(gone.values()))[::-1] if i.cell}
    for item in current:
        old = stored.get(item.key)
        if old is None:
            replaced = gone_cells.pop(item.cell, None) if item.cell else None
            if replaced is not None:
                gone.pop(replaced.key, None)
            changes.append(Change("new", item, replaced, detected_at=stamp))
        elif item.worse > old.worse:
            changes.append(Change("worse", item, old, detected_at=stamp))
        baseline[item.key] = item
    changes.extend(Change("resolved", i, detected_at=stamp)
                   for i in sort_items(list(gone.values())))
    return changes, baseline
