"""What is asked of the collector (:class:`Request`) and what came of it (:class:`Outcome`),
each explained in Korean and English (the sentences are in ``status_core.text.actions``).

Every outcome is data, never an exception: the pages and the CLI show ``outcome.text(lang)``
as plain text. Texts quoted from the collector are already free of the API key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..domain import meet_name
from ..text import t
from .rules import Problem

RECOLLECT, RESULT, CANCEL, GET_JOB = "recollect", "result", "cancel", "get_job"
#: Kinds that answer the HTTP request, then the ones decided before sending.
SENT_KINDS = ("accepted", "unauthorized", "forbidden", "not_found", "invalid",
              "rate_limited", "collector_error", "unexpected", "timeout", "no_answer",
              "refused")
NOT_SENT_KINDS = ("rejected", "duplicate", "throttled", "unchecked")


@dataclass(frozen=True)
class Request:
    """One call to the collector, exactly as it will be sent (minus the key header)."""

    action: str
    method: str
    path: str
    body: dict | None = None
    date: str | None = None
    meet: int | None = None
    race_numbers: tuple[int, ...] | None = None
    job_id: str | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        """``POST /api/v2/collection/async {"date": ...}``: what the confirmation shows."""
        body = f" {json.dumps(self.body, ensure_ascii=False)}" if self.body is not None else ""
        return f"{self.method} {self.path}{body}"

    def subject(self, lang: str = "ko") -> str:
        """The race day or job the request is about, in words."""
        if self.job_id is not None:
            return t("action.subject.job", lang, job_id=self.job_id)
        day = f"{self.date} {meet_name(self.meet, lang)}({self.meet})"
        if self.action == RESULT and self.race_numbers:
            return t("action.subject.race", lang, day=day, race=self.race_numbers[0])
        if self.race_numbers is None:
            return t("action.subject.day_all", lang, day=day)
        races = ", ".join(str(n) for n in self.race_numbers)
        return t("action.subject.day_races", lang, day=day, races=races)


@dataclass(frozen=True)
class Outcome:
    """The result of one request. ``kind`` is one of :data:`SENT_KINDS` or
    :data:`NOT_SENT_KINDS`; ``status`` the HTTP status when an answer came."""

    kind: str
    request: Request
    status: int | None = None
    job_id: str | None = None
    messages: tuple[str, ...] = ()
    existing: dict | None = None
    retry_after: float | None = None
    timeout: float | None = None
    maybe_started: bool = False
    data: dict | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.kind == "accepted"

    @property
    def sent(self) -> bool:
        return self.kind in SENT_KINDS

    def text(self, lang: str = "ko") -> str:
        """The outcome explained in ``lang`` (``ko`` or ``en``), plain text."""
        return explain(self, "en" if lang == "en" else "ko")


_ACCEPTED = {RECOLLECT: "action.accepted.recollect", RESULT: "action.accepted.result",
             CANCEL: "action.accepted.cancel", GET_JOB: "action.accepted.get_job"}
_NOT_FOUND = {CANCEL: "action.not_found.cancel", GET_JOB: "action.not_found.get_job"}
_KINDS = {
    "unauthorized": "action.unauthorized", "forbidden": "action.forbidden",
    "invalid": "action.invalid", "rate_limited": "action.rate_limited",
    "collector_error": "action.collector_error", "unexpected": "action.unexpected",
    "timeout": "action.timeout", "no_answer": "action.no_answer", "refused": "action.refused",
    "rejected": "action.rejected", "duplicate": "action.duplicate",
    "throttled": "action.throttled", "unchecked": "action.unchecked",
}
# Refusals that prove the collector started nothing say so.
_SAY_NOTHING_STARTED = ("unauthorized", "forbidden", "invalid", "rate_limited")


def _key(outcome: Outcome) -> str:
    kind, action = outcome.kind, outcome.request.action
    if kind == "accepted":
        return _ACCEPTED[action]
    if kind == "not_found":
        return _NOT_FOUND.get(action, "action.not_found")
    if kind == "timeout" and not outcome.maybe_started:
        return "action.connect_timeout"
    return _KINDS[kind]


def explain(outcome: Outcome, lang: str) -> str:
    """``outcome`` in words: the sentence for its kind, then the collector's own messages
    or the broken rules."""
    existing = outcome.existing or {}
    job_status = (outcome.data or {}).get("status") if outcome.data else None
    text = t(_key(outcome), lang,
             subject=outcome.request.subject(lang), job_id=outcome.job_id or "-",
             status=outcome.status or "-", timeout=outcome.timeout or 0,
             existing_id=existing.get("job_id", "-"),
             existing_status=existing.get("status", "-"),
             wait=max(1, round(outcome.retry_after or 0)), job_status=job_status or "-")
    if outcome.kind in _SAY_NOTHING_STARTED:
        text += " " + t("action.nothing_started", lang)
    text = text[:1].upper() + text[1:]
    details = [p.text(lang) for p in outcome.request.problems] or list(outcome.messages)
    if details and outcome.kind == "rejected":
        text += " " + " ".join(details)
    elif details:
        text += f" {t('action.said', lang)}: " + " / ".join(details)
    return text
