"""The words of an alert (Korean by default, English) and the two payload shapes.

Text from the database (job ids, job types, error messages) is only ever put where the
receiver shows plain text: Slack's ``plain_text`` blocks and a ``text`` with ``mrkdwn``
off (``&``, ``<``, ``>`` escaped as Slack asks); the generic JSON carries plain strings.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pandas as pd

from ..domain import KST, format_age, meet_name
from ..states import STAGE_COUNTS, STAGES, stage_text, state_label
from .items import COUNT_FIELDS, Change, Item

LANGS = ("ko", "en")
PAYLOAD_VERSION = 1
_MAX_FIELD = 120  # database text is clipped in messages: a job id is not an essay

CHANGE_WORDS = {
    "new": {"ko": "🚨 새 알림", "en": "🚨 New"},
    "worse": {"ko": "📈 악화", "en": "📈 Worse"},
    "resolved": {"ko": "✅ 해결", "en": "✅ Resolved"},
    "db_down": {"ko": "🔴 DB 사용 불가", "en": "🔴 Database unusable"},
    "db_up": {"ko": "🟢 DB 복구", "en": "🟢 Database back"},
}
#: Kinds that are not a cell state of :mod:`status_core.states` have their own labels.
KIND_LABELS = {
    "missing": {"ko": "📭 경주일 누락", "en": "📭 missing race day"},
    "results_missing": {"ko": "🏁 결과 누락", "en": "🏁 no results"},
    "stuck_job": {"ko": "🧊 멈춘 작업", "en": "🧊 stuck job"},
    "db_down": {"ko": "🔴 DB 사용 불가", "en": "🔴 database unusable"},
}
WORDS = {
    "missing": {"ko": "평소 경주일인데 저장된 경주가 없습니다",
                "en": "a usual race day with no races stored"},
    "last_update": {"ko": "마지막 갱신 {age}", "en": "last update {age}"},
    "job": {"ko": "작업 {job}", "en": "job {job}"},
    "job_detail": {"ko": "{type} · {status} · {age} 시작",
                   "en": "{type} · {status} · started {age}"},
    "was": {"ko": "이전: {label}", "en": "was: {label}"},
    "worse_failed": {"ko": "실패 경주 {a} → {b}", "en": "failed races {a} → {b}"},
    "worse_results": {"ko": "결과 없는 경주 {a} → {b}", "en": "races without results {a} → {b}"},
    "worse_other": {"ko": "남은 단계 {a} → {b}", "en": "stages left {a} → {b}"},
    "db_up": {"ko": "다시 읽을 수 있습니다", "en": "readable again"},
    "open": {"ko": "대시보드에서 열기", "en": "Open in the dashboard"},
    "severity": {"ko": {"critical": "긴급", "warning": "주의"},
                 "en": {"critical": "critical", "warning": "warning"}},
}


def _lang(lang: str) -> str:
    return lang if lang in LANGS else LANGS[0]


def _clip(text: object, limit: int = _MAX_FIELD) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def kind_label(kind: str, lang: str = "ko") -> str:
    """The icon and word of an item kind: the cell states' own labels where they exist."""
    entry = KIND_LABELS.get(kind)
    return entry[_lang(lang)] if entry else state_label(kind, _lang(lang))


def _day(date: str | None) -> str:
    text = str(date or "")
    return f"{text[:4]}-{text[4:6]}-{text[6:]}" if len(text) == 8 and text.isdigit() else _clip(
        text)


def where(item: Item, lang: str = "ko") -> str:
    """``서울 2026-02-14``, ``작업 job-1`` (with its day when known), or empty for the DB."""
    lang = _lang(lang)
    day = ""
    if item.meet is not None and item.date:
        day = f"{meet_name(item.meet, lang)} {_day(item.date)}"
    if item.kind == "stuck_job":
        job = WORDS["job"][lang].format(job=_clip(item.job_id))
        return f"{job} ({day})" if day else job
    return day


def _age(stamp: object, now: dt.datetime, lang: str) -> str:
    if not stamp:
        return "-"
    seconds = (now - pd.Timestamp(str(stamp)).to_pydatetime()).total_seconds()
    return format_age(seconds, lang)


def _stages(item: Item, lang: str) -> str:
    data = item.data
    parts = []
    for stage in STAGES:
        done_col, failed_col = STAGE_COUNTS[stage]
        parts.append(stage_text(int(data.get(done_col, 0)), int(data.get("total_races", 0)),
                                int(data.get(failed_col, 0)), lang, stage=stage))
    return ", ".join(parts)


def detail(item: Item, lang: str = "ko", *, now: dt.datetime | None = None) -> str:
    """What the item is about, in a few words: stage counts, ages, the job, the cause."""
    lang, now = _lang(lang), now or dt.datetime.now(dt.UTC)
    data = item.data
    if item.kind == "db_down":
        return _clip(data.get("message") or data.get("cause") or "", 400)
    if item.kind == "missing":
        return WORDS["missing"][lang]
    if item.kind == "stuck_job":
        return WORDS["job_detail"][lang].format(
            type=_clip(data.get("type", "")), status=_clip(data.get("status", "")),
            age=_age(data.get("started_at"), now, lang))
    text = _stages(item, lang)
    if item.kind == "stalled":
        text += " · " + WORDS["last_update"][lang].format(
            age=_age(data.get("last_updated"), now, lang))
    return text


def _worse_words(change: Change, lang: str) -> str:
    key = {"failed": "worse_failed", "results_missing": "worse_results"}.get(
        change.item.kind, "worse_other")
    before = change.previous.worse if change.previous else 0
    return WORDS[key][lang].format(a=int(before), b=int(change.item.worse))


def message_text(change: Change, lang: str = "ko", *, now: dt.datetime | None = None) -> str:
    """One line for a change, e.g. ``🚨 새 알림 · 서울 2026-02-14 · ❌ 실패 — 수집 10/12 ...``."""
    lang = _lang(lang)
    item = change.item
    head = CHANGE_WORDS[change.type][lang]
    if change.type == "db_up":
        return f"{head} — {WORDS['db_up'][lang]}"
    if change.type == "db_down":
        return f"{head} — {detail(item, lang, now=now)}"
    place = where(item, lang)
    text = f"{head} · {place} · {kind_label(item.kind, lang)}" if place else (
        f"{head} · {kind_label(item.kind, lang)}")
    if change.type == "resolved":
        return text
    text += f" — {detail(item, lang, now=now)}"
    if change.type == "worse":
        text += f" ({_worse_words(change, lang)})"
    elif change.previous is not None:
        text += f" ({WORDS['was'][lang].format(label=kind_label(change.previous.kind, lang))})"
    return text


def item_line(item: Item, lang: str = "ko", *, now: dt.datetime | None = None) -> str:
    """An item as one line of ``watch`` output (not a change)."""
    place = where(item, lang)
    head = f"{kind_label(item.kind, lang)} · {place}" if place else kind_label(item.kind, lang)
    return f"{head} — {detail(item, lang, now=now)}"


def link(item: Item, base: str | None) -> str | None:
    """The dashboard page of the item: its race day, the DB check for the database."""
    if not base:
        return None
    root = base.rstrip("/")
    if item.kind in ("db_down",):
        return f"{root}/check"
    date = str(item.date or "")
    if item.meet is None or not (len(date) == 8 and date.isdigit()):
        return f"{root}/jobs" if item.kind == "stuck_job" else None
    return f"{root}/race?{urlencode({'date': date, 'meet': int(item.meet)})}"


def _kst(stamp: str) -> str | None:
    if not stamp:
        return None
    return pd.Timestamp(stamp).tz_convert(KST).isoformat()


def json_payload(change: Change, lang: str = "ko", *, base: str | None = None,
                 now: dt.datetime | None = None) -> dict:
    """The generic JSON webhook's payload (the README documents every field)."""
    item, prev = change.item, change.previous
    counts = {k: int(item.data[k]) for k in COUNT_FIELDS if k in item.data}
    return {
        "version": PAYLOAD_VERSION,
        "id": change.id,
        "change": change.type,
        "kind": item.kind,
        "previous_kind": prev.kind if prev and change.type == "new" else None,
        "severity": item.severity,
        "date": item.date,
        "meet": item.meet,
        "meet_name": meet_name(item.meet, lang) if item.meet is not None else None,
        "job_id": item.job_id,
        "worse": item.worse,
        "previous_worse": prev.worse if prev and change.type == "worse" else None,
        "counts": counts or None,
        "detail": detail(item, lang, now=now) if change.type != "db_up" else None,
        "text": message_text(change, lang, now=now),
        "link": link(item, base),
        "detected_at": _kst(change.detected_at),
        "lang": _lang(lang),
    }


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(change: Change, lang: str = "ko", *, base: str | None = None,
                  now: dt.datetime | None = None) -> dict:
    """A Slack-compatible incoming-webhook payload: ``text`` plus blocks, all plain text."""
    lang = _lang(lang)
    text = message_text(change, lang, now=now)
    severity = WORDS["severity"][lang][change.item.severity]
    context = " · ".join(filter(None, [severity, _kst(change.detected_at), change.id[:8]]))
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "plain_text", "text": text[:3000], "emoji": True}},
        {"type": "context", "elements": [{"type": "plain_text", "text": context}]},
    ]
    target = link(change.item, base)
    if target:
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "url": target,
            "text": {"type": "plain_text", "text": WORDS["open"][lang]}}]})
    return {"text": _slack_escape(text), "mrkdwn": False, "blocks": blocks}


def payload(change: Change, fmt: str, lang: str = "ko", *, base: str | None = None,
            now: dt.datetime | None = None) -> dict:
    """The payload of ``change`` in format ``slack`` or ``json``."""
    build = slack_payload if fmt == "slack" else json_payload
    return build(change, lang, base=base, now=now)
