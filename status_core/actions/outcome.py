"""What is asked of the collector (:class:`Request`) and what came of it (:class:`Outcome`),
each explained in Korean and English.

Every outcome is data, never an exception: the pages and the CLI show ``outcome.text(lang)``
as plain text. Texts quoted from the collector are already free of the API key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..domain import meet_name
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
            return (f"job {self.job_id}" if lang == "en" else f"작업 {self.job_id}")
        day = f"{self.date} {meet_name(self.meet, lang)}({self.meet})"
        if self.action == RESULT and self.race_numbers:
            return (f"{day} race {self.race_numbers[0]}" if lang == "en"
                    else f"{day} {self.race_numbers[0]}경주")
        if self.race_numbers is None:
            return f"{day}, all races" if lang == "en" else f"{day} 전체 경주"
        races = ", ".join(str(n) for n in self.race_numbers)
        return f"{day}, races {races}" if lang == "en" else f"{day} {races}경주"


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


_ACCEPTED = {
    RECOLLECT: ("수집기가 {subject} 재수집 요청을 받았습니다: 작업 {job_id}.",
                "The collector accepted re-collecting {subject}: job {job_id}."),
    RESULT: ("수집기가 {subject} 결과를 수집했습니다.",
             "The collector collected the result of {subject}."),
    CANCEL: ("{subject}을(를) 취소했습니다.", "{subject} was cancelled."),
    GET_JOB: ("{subject}: {job_status}.", "{subject}: {job_status}."),
}
_NOTHING_STARTED = (" 아무 작업도 시작되지 않았습니다.", " Nothing was started.")
_KINDS = {
    "unauthorized": (
        "수집기가 API 키를 거부했습니다 (HTTP 401: 키가 없거나 틀렸거나 비활성입니다). "
        "KRA_COLLECTOR_API_KEY (또는 [collector] api_key)를 확인하세요.",
        "The collector refused the API key (HTTP 401: missing, wrong or inactive). "
        "Check KRA_COLLECTOR_API_KEY (or [collector] api_key)."),
    "forbidden": (
        "이 API 키에는 이 작업을 할 권한이 없습니다 (HTTP 403). 수집기 관리자에게 권한을 "
        "요청하세요.",
        "This API key is not allowed to do this (HTTP 403). Ask the collector's "
        "administrator for the permission."),
    "invalid": ("수집기가 요청 내용을 거부했습니다 (HTTP 422).",
                "The collector refused the request's content (HTTP 422)."),
    "rate_limited": (
        "이 API 키의 하루 요청 한도를 넘었습니다 (HTTP 429). 내일 다시 하거나 관리자에게 "
        "한도를 늘려 달라고 하세요.",
        "This API key is over its daily request limit (HTTP 429). Try again tomorrow or "
        "ask the administrator to raise the limit."),
    "collector_error": (
        "수집기 내부 오류입니다 (HTTP {status}). 작업 페이지에서 작업이 생겼는지 확인한 뒤 "
        "다시 시도하세요.",
        "The collector failed (HTTP {status}). Check the jobs page for a new job before "
        "trying again."),
    "unexpected": ("수집기가 예상하지 못한 응답을 했습니다 (HTTP {status}).",
                   "The collector answered unexpectedly (HTTP {status})."),
    "timeout": (
        "수집기가 {timeout:g}초 안에 응답하지 않았습니다. 요청이 도착해 작업이 시작됐을 수 "
        "있으니, 다시 보내기 전에 작업 페이지를 확인하세요. 자동으로 다시 보내지 않습니다.",
        "The collector did not answer within {timeout:g} s. The request may have arrived "
        "and started a job: check the jobs page before sending it again. It is not "
        "retried automatically."),
    "connect_timeout": (
        "수집기에 {timeout:g}초 안에 연결하지 못했습니다: 주소(KRA_COLLECTOR_API_URL)와 "
        "네트워크를 확인하세요. 요청은 보내지지 않았습니다.",
        "Could not connect to the collector within {timeout:g} s: check the address "
        "(KRA_COLLECTOR_API_URL) and the network. The request was not sent."),
    "no_answer": (
        "수집기와의 연결이 응답 전에 끊겼습니다. 요청이 도착해 작업이 시작됐을 수 있으니, "
        "다시 보내기 전에 작업 페이지를 확인하세요. 자동으로 다시 보내지 않습니다.",
        "The connection to the collector broke before an answer came. The request may "
        "have arrived and started a job: check the jobs page before sending it again. It "
        "is not retried automatically."),
    "refused": (
        "수집기에 연결할 수 없습니다: 주소(KRA_COLLECTOR_API_URL)와 수집기가 실행 중인지 "
        "확인하세요. 요청은 보내지지 않았습니다.",
        "Cannot connect to the collector: check the address (KRA_COLLECTOR_API_URL) and "
        "that the collector is running. The request was not sent."),
    "rejected": ("요청을 보내지 않았습니다.", "The request was not sent."),
    "duplicate": (
        "이 날짜와 경마장을 다루는 작업 {existing_id} ({existing_status})이(가) 이미 "
        "진행 중이라 보내지 않았습니다. 그래도 보내려면 한 번 더 확인하세요 (CLI: --force).",
        "Not sent: job {existing_id} ({existing_status}) already covers this date and "
        "meet. To send anyway, confirm a second time (CLI: --force)."),
    "throttled": (
        "같은 날짜와 경마장에는 1분에 한 번만 요청합니다 (KRA API 부하 방지): {wait}초 뒤에 "
        "다시 하세요. 요청은 보내지지 않았습니다.",
        "One request per date and meet per minute (to spare the KRA API): try again in "
        "{wait} s. The request was not sent."),
    "unchecked": (
        "진행 중인 작업이 있는지 데이터베이스에서 확인하지 못해 보내지 않았습니다. "
        "그래도 보내려면 한 번 더 확인하세요 (CLI: --force).",
        "Not sent: could not check the database for a job already covering this date and "
        "meet. To send anyway, confirm a second time (CLI: --force)."),
}
_NOT_FOUND = {
    CANCEL: ("{subject}을(를) 취소할 수 없습니다 (HTTP 404): 없는 작업이거나, 이 API 키 "
             "소유자의 작업이 아니거나, 이미 끝난(완료/실패/취소) 작업입니다.",
             "{subject} cannot be cancelled (HTTP 404): it does not exist, belongs to "
             "another key owner, or has already ended (completed, failed or cancelled)."),
    GET_JOB: ("{subject}을(를) 찾을 수 없습니다 (HTTP 404): 없는 작업이거나 이 API 키 "
              "소유자의 작업이 아닙니다.",
              "{subject} was not found (HTTP 404): it does not exist or belongs to another "
              "key owner."),
}
_GENERIC_NOT_FOUND = ("수집기가 이 주소를 모릅니다 (HTTP 404): KRA_COLLECTOR_API_URL을 "
                      "확인하세요.",
                      "The collector does not know this address (HTTP 404): check "
                      "KRA_COLLECTOR_API_URL.")
_SAID = ("수집기의 설명", "The collector said")


def _template(outcome: Outcome, index: int) -> str:
    kind, action = outcome.kind, outcome.request.action
    if kind == "accepted":
        return _ACCEPTED[action][index]
    if kind == "not_found":
        return _NOT_FOUND.get(action, _GENERIC_NOT_FOUND)[index]
    if kind == "timeout" and not outcome.maybe_started:
        return _KINDS["connect_timeout"][index]
    text = _KINDS[kind][index]
    if kind in ("unauthorized", "forbidden", "invalid", "rate_limited"):
        text += _NOTHING_STARTED[index]
    return text


def explain(outcome: Outcome, lang: str) -> str:
    """``outcome`` in words: the headline for its kind, then the collector's own messages
    or the broken rules."""
    index = 1 if lang == "en" else 0
    existing = outcome.existing or {}
    job_status = (outcome.data or {}).get("status") if outcome.data else None
    text = _template(outcome, index).format(
        subject=outcome.request.subject(lang), job_id=outcome.job_id or "-",
        status=outcome.status or "-", timeout=outcome.timeout or 0,
        existing_id=existing.get("job_id", "-"), existing_status=existing.get("status", "-"),
        wait=max(1, round(outcome.retry_after or 0)), job_status=job_status or "-")
    text = text[:1].upper() + text[1:]
    details = [p.text(lang) for p in outcome.request.problems] or list(outcome.messages)
    if details and outcome.kind == "rejected":
        text += " " + " ".join(details)
    elif details:
        text += f" {_SAID[index]}: " + " / ".join(details)
    return text
