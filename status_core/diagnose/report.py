"""The diagnosis as text for people and as JSON-safe values."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..causes import cause_label
from ..domain import KST, format_ms
from ..text import t
from ..timestamps import kst_iso

if TYPE_CHECKING:
    from .model import Diagnosis


def format_text(diagnosis: Diagnosis, lang: str = "ko") -> str:
    """A plain-text report: one line per step, its hint below it, then the verdict."""
    lang = lang if lang in ("ko", "en") else "ko"
    when = diagnosis.checked_at.astimezone(KST).strftime("%Y-%m-%d %H:%M:%S KST")
    lines = [f"{t('report.head', lang)} · {diagnosis.database_url or '-'} · {when}"]
    shown: set[str] = set()
    for step in diagnosis.steps:
        elapsed = "" if step.outcome == "skipped" else format_ms(step.elapsed_ms)
        detail = step.detail_in(lang)
        line = f"{step.mark} {elapsed:>8}  {step.title_in(lang)}"
        if detail:
            line += f" — {detail}"
        lines.append(line)
        hint = step.hint_in(lang)
        if hint and step.outcome != "skipped":
            # the same advice under a later step would only repeat itself
            lines.append(f"{'':11}→ {hint}" if hint not in shown else f"{'':11}→ ↑")
            shown.add(hint)
    lines.append(_verdict(diagnosis, lang))
    return "\n".join(lines)


def _verdict(diagnosis: Diagnosis, lang: str) -> str:
    if diagnosis.ok:
        warns = sum(s.outcome == "warn" for s in diagnosis.steps)
        return t("report.ok", lang) + (t("report.warns", lang, n=warns) if warns else "")
    cause = diagnosis.cause
    failed = diagnosis.failed_step
    where = failed.title_in(lang) if failed else "-"
    return t("report.fail", lang, cause=cause, label=cause_label(cause, lang), step=where)


def jsonable(value: Any) -> Any:
    """``value`` with every part turned into what JSON can hold: datetimes as ISO 8601 in
    Korean time, dates as ISO, non-finite floats as ``None``, anything else as text."""
    if isinstance(value, dt.datetime):
        return kst_iso(value)  # never overflows: "infinity", UTC past 9999-12-31 15:00
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value
    if hasattr(value, "item"):  # numpy scalars
        try:
            return jsonable(value.item())
        except Exception:  # noqa: BLE001
            pass
    return str(value)
