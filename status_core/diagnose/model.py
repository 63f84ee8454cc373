"""What a diagnosis is made of: its steps, their outcomes, and the whole result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..causes import cause_label
from ..domain import KST
from ..text import LANGS, t
from .report import jsonable

MARKS = {"ok": "✔", "warn": "⚠", "fail": "✘", "skipped": "–"}
STEP_NAMES = ("config", "dns", "tcp", "login", "server", "schema", "privileges", "data",
              "status")
#: Each step's title in both languages (the catalogue's ``step.<name>``).
TITLES: dict[str, dict[str, str]] = {
    name: {lang: t(f"step.{name}", lang) for lang in LANGS} for name in STEP_NAMES
}


@dataclass
class Step:
    """One finished step of a diagnosis.

    ``name`` is a stable id (:data:`STEP_NAMES`), ``outcome`` one of ``ok``, ``warn``,
    ``fail``, ``skipped``. ``detail`` (English, with the server's own message where there
    is one) and ``detail_ko`` are secret-free facts; ``hint`` holds ``{"ko", "en"}``
    advice; ``cause`` is a word of :data:`status_core.causes.CAUSES` (set on failures
    and on warnings that have one) or ``None``.
    """

    name: str
    outcome: str
    elapsed_ms: float = 0.0
    detail: str = ""
    detail_ko: str = ""
    cause: str | None = None
    hint: dict[str, str] = field(default_factory=lambda: {"ko": "", "en": ""})
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> dict[str, str]:
        return dict(TITLES.get(self.name, {"ko": self.name, "en": self.name}))

    def title_in(self, lang: str = "ko") -> str:
        return self.title.get(lang) or self.title["en"]

    def detail_in(self, lang: str = "ko") -> str:
        return (self.detail_ko or self.detail) if lang == "ko" else self.detail

    def hint_in(self, lang: str = "ko") -> str:
        return self.hint.get(lang) or self.hint.get("en", "")

    @property
    def hint_ko(self) -> str:
        return self.hint.get("ko", "")

    @property
    def hint_en(self) -> str:
        return self.hint.get("en", "")

    @property
    def mark(self) -> str:
        return MARKS.get(self.outcome, "?")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "outcome": self.outcome,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "detail": self.detail,
            "detail_ko": self.detail_ko or self.detail,
            "cause": self.cause,
            "hint": {"ko": self.hint_ko, "en": self.hint_en},
            "facts": jsonable(self.facts),
        }


@dataclass
class Diagnosis:
    """The whole diagnosis; build it with :func:`diagnose` (or :meth:`from_steps`)."""

    steps: list[Step]
    database_url: str
    checked_at: dt.datetime
    server: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)
    job_status_counts: dict[str, int] = field(default_factory=dict)
    collection_status: dict[str, Any] | None = None
    source: str = ""

    @property
    def ok(self) -> bool:
        """True when no step failed (warnings allowed)."""
        return not any(s.outcome == "fail" for s in self.steps)

    @property
    def failed_step(self) -> Step | None:
        return next((s for s in self.steps if s.outcome == "fail"), None)

    @property
    def cause(self) -> str:
        """The first failing step's cause, ``ok`` when nothing failed."""
        step = self.failed_step
        return (step.cause or "unknown") if step is not None else "ok"

    @property
    def exit_code(self) -> int:
        """0 usable (warnings included), 1 a step failed, 2 configuration failure."""
        if self.ok:
            return 0
        if any(s.outcome == "fail" and s.cause == "config" for s in self.steps):
            return 2
        return 1

    @property
    def elapsed_ms(self) -> float:
        return sum(s.elapsed_ms for s in self.steps)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def hint_in(self, lang: str = "ko") -> str:
        step = self.failed_step
        return step.hint_in(lang) if step is not None else ""

    @classmethod
    def from_steps(cls, steps: list[Step]) -> Diagnosis:
        """Assemble a diagnosis from the steps :func:`iter_diagnose` yielded."""
        by_name = {s.name: s for s in steps}

        def facts(name: str) -> dict[str, Any]:
            step = by_name.get(name)
            return step.facts if step else {}

        cfg = facts("config")
        checked = cfg.get("checked_at")
        if not isinstance(checked, dt.datetime):
            checked = dt.datetime.now(KST)
        tables: dict[str, Any] = {}
        for name in ("schema", "privileges", "data"):
            for table, info in (facts(name).get("tables") or {}).items():
                tables.setdefault(table, {}).update(info)
        status = by_name.get("status")
        return cls(
            steps=list(steps),
            database_url=cfg.get("database_url", ""),
            checked_at=checked,
            server=dict(facts("server")),
            tables=tables,
            job_status_counts=dict(facts("data").get("job_status_counts") or {}),
            collection_status=status.facts.get("collection_status") if status else None,
            source=cfg.get("source", ""),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict; timestamps are ISO 8601 with their UTC offset."""
        step = self.failed_step
        return {
            "ok": self.ok,
            "cause": self.cause,
            "cause_label": {"ko": cause_label(self.cause, "ko"),
                            "en": cause_label(self.cause, "en")},
            "failed_step": step.name if step else None,
            "hint": {"ko": self.hint_in("ko"), "en": self.hint_in("en")},
            "exit_code": self.exit_code,
            "database_url": self.database_url,
            "source": self.source,
            "checked_at": self.checked_at.isoformat(),
            "elapsed_ms": round(self.elapsed_ms, 1),
            "steps": [s.to_json() for s in self.steps],
            "server": jsonable(self.server),
            "tables": jsonable(self.tables),
            "job_status_counts": jsonable(self.job_status_counts),
            "collection_status": jsonable(self.collection_status),
        }
