"""``kra-status watch``: evaluate the attention items, compare them with what was reported,
post one message per change.

Delivery is at-least-once, and exactly once whenever the receiver either accepts a post or
visibly refuses it:

1. the changes of a run and the new baseline are committed to the state file in one
   transaction *before* anything is posted (a crash before that commit loses nothing: the
   next run finds the same changes again);
2. each change is posted with its id (``Idempotency-Key`` header, ``id`` in the JSON);
   every attempt is counted before the request, and the change is marked delivered in
   its own transaction right after a 2xx. Refused connections, timeouts and 5xx leave it
   pending; it is retried with backoff, then on the next run, oldest first;
3. so a receiver that fails twice then answers 2xx gets it exactly once. A duplicate is
   possible only when the receiver accepted a post whose answer never arrived (it
   answered after the timeout, or the process died between the 2xx and the commit);
   receivers that de-duplicate on ``id`` make that exactly-once too. Marking before
   posting would make it at-most-once instead, and could lose an alert: never chosen.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import Engine

from ..settings import DatabaseTarget
from .evaluate import Thresholds, evaluate, window_scope
from .items import Change, Item, diff
from .messages import item_line, message_text, payload
from .store import StateStore
from .webhook import Webhook, client, guard_logs, post

OUTPUT = {
    "sent": {"ko": "보냄", "en": "sent"},
    "failed": {"ko": "보내지 못함 (다음 실행에서 다시 보냄)",
               "en": "not delivered (retried on the next run)"},
    "would_send": {"ko": "보낼 내용 (dry-run: 보내지 않음)",
                   "en": "would send (dry run: not sent)"},
    "nothing": {"ko": "주의할 항목 없음", "en": "nothing needs attention"},
    "items": {"ko": "주의 항목 {n}개", "en": "{n} item(s) need attention"},
    "no_webhook": {"ko": "웹훅이 설정되지 않아 아무것도 보내지 않습니다 (KRA_ALERT_WEBHOOK_URL)",
                   "en": "no webhook configured: nothing is sent (KRA_ALERT_WEBHOOK_URL)"},
    "webhook": {"ko": "웹훅: {url} ({fmt})", "en": "webhook: {url} ({fmt})"},
    "no_changes": {"ko": "보낼 변경 없음", "en": "no changes to send"},
    "watching": {"ko": "{every:g}초마다 확인합니다 (상태 파일: {state})",
                 "en": "checking every {every:g} s (state file: {state})"},
}


def say(key: str, lang: str, **values: object) -> str:
    return OUTPUT[key]["en" if lang == "en" else "ko"].format(**values)


@dataclass
class WatchConfig:
    """Everything a watch run needs besides the database."""

    start: str | None
    end: str | None
    meets: list[str] | None
    lang: str
    dry_run: bool
    state_path: Path
    thresholds: Thresholds
    webhook: Webhook | None
    dashboard: str | None
    verbose: bool = True  # --once lists the items; --every prints only what it sends


class Watcher:
    """One watcher: ``cycle()`` once for ``--once``, repeatedly for ``--every``."""

    def __init__(self, cfg: WatchConfig, engine: Engine, target: DatabaseTarget | None,
                 out: TextIO, err: TextIO, stop: threading.Event | None = None) -> None:
        self.cfg, self.engine, self.target = cfg, engine, target
        self.out, self.err = out, err
        self.stop = stop or threading.Event()
        self.store: StateStore | None = None
        if cfg.dry_run or cfg.webhook is not None:
            self.store = StateStore(cfg.state_path, readonly=cfg.dry_run)
        if cfg.webhook is not None:
            guard_logs(cfg.webhook.secrets)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def cycle(self) -> int:
        """Evaluate, record, deliver. Returns 0 when nothing needs attention, else 1
        (an item holds, the database is unusable, or a change could not be delivered)."""
        now = dt.datetime.now(dt.UTC)
        cfg = self.cfg
        scope = window_scope(cfg.start, cfg.end, cfg.meets, now=now)
        items, _frames = evaluate(self.engine, self.target, scope, cfg.thresholds, now)
        if cfg.verbose:
            self._list(items, now)
        if self.store is None:
            self._line(say("no_webhook", cfg.lang), err=True)
            return 1 if items else 0
        if cfg.dry_run:
            changes, _ = diff(self.store.baseline(), items, scope, now=now)
            self._dry_run(self.store.pending() + changes, now)
            return 1 if items else 0
        with self.store.exclusive():
            changes, baseline = diff(self.store.baseline(), items, scope, now=now)
            self.store.record(changes, baseline)
            undelivered = self._deliver(self.store.pending(), now)
        return 1 if items or undelivered else 0

    def _line(self, text: str, *, err: bool = False) -> None:
        stream = self.err if err else self.out
        stream.write(text + "\n")
        stream.flush()

    def _list(self, items: list[Item], now: dt.datetime) -> None:
        lang = self.cfg.lang
        if not items:
            self._line(say("nothing", lang))
            return
        self._line(say("items", lang, n=len(items)))
        for item in items:
            self._line(f"  {item_line(item, lang, now=now)}")

    def _body(self, change: Change, now: dt.datetime) -> dict:
        fmt = self.cfg.webhook.format if self.cfg.webhook else "slack"
        return payload(change, fmt, self.cfg.lang, base=self.cfg.dashboard, now=now)

    def _dry_run(self, changes: list[Change], now: dt.datetime) -> None:
        lang, hook = self.cfg.lang, self.cfg.webhook
        if hook is not None:
            self._line(say("webhook", lang, url=hook.masked, fmt=hook.format))
        if not changes:
            self._line(say("no_changes", lang))
        for change in changes:
            self._line(f"{say('would_send', lang)}: {message_text(change, lang, now=now)}")
            self._line(json.dumps(self._body(change, now), ensure_ascii=False))

    def _deliver(self, pending: list[Change], now: dt.datetime) -> int:
        """Post the pending changes oldest first; stop at the first one that fails (the
        receiver is the same for all). Returns how many are still pending."""
        assert self.store is not None and self.cfg.webhook is not None
        if not pending:
            return 0
        hook, lang = self.cfg.webhook, self.cfg.lang
        with client(hook) as http:
            for index, change in enumerate(pending):
                if self.stop.is_set():
                    return len(pending) - index
                result = post(http, hook, self._body(change, now), key=change.id,
                              stop=self.stop,
                              before_each=functools.partial(self.store.mark_attempt, change.id))
                text = message_text(change, lang, now=now)
                if result.ok:
                    self.store.mark_delivered(change.id)
                    self._line(f"{say('sent', lang)}: {text}")
                    continue
                self.store.mark_failed(change.id, result.error)
                self._line(f"{say('failed', lang)}: {text} — {result.error}", err=True)
                return len(pending) - index
        return 0
