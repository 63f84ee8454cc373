"""The dashboard's own honest states of a date x meet cell, vectorised over a progress frame.

The collector API's values (``status``, ``collection_status``, ...) are coarse by design:
one enriched race makes a whole day ``enriched``. The states here never call partial work
done or a failure "running"; they sit next to the API's values, which stay untouched.

Per stage (``collection_state``, ``enrichment_state``, ``result_state``), one of
:data:`STAGE_STATES`: ``failed`` (at least one race failed at that stage), ``done`` (every
race done), ``partial`` (some done, none failed), ``pending`` (none done, none failed).

Per cell (``state``), the first that holds: ``failed`` (a race failed at any stage),
``done`` (every race collected, enriched and with a result), ``incomplete`` (a race date
before yesterday, Korean time, or a stored date that is not a ``YYYYMMDD`` date),
``in_progress`` (updated within the stalled threshold), ``stalled`` (something was done,
then the writes stopped), ``not_started``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .attention import now_kst, today_kst

#: Cell states, most urgent first: sort with ``frame["state"].map(STATE_RANK)``.
STATES = ("failed", "not_started", "stalled", "incomplete", "in_progress", "done")
STATE_RANK = {state: rank for rank, state in enumerate(STATES)}
STAGE_STATES = ("failed", "partial", "pending", "done")
STAGES = ("collection", "enrichment", "result")
STATE_COLUMNS = ("collection_state", "enrichment_state", "result_state", "state")

#: Per stage: the progress-frame columns of races done and races failed at that stage.
STAGE_COUNTS = {
    "collection": ("collected_races", "collection_failed"),
    "enrichment": ("enriched_races", "enrichment_failed"),
    "result": ("result_collected", "result_failed"),
}

#: Labels carry an icon of their own shape, so a state never rests on colour alone.
STATE_LABELS: dict[str, dict[str, str]] = {
    "failed": {"ko": "❌ 실패", "en": "❌ failed"},
    "not_started": {"ko": "⏸️ 시작 안 됨", "en": "⏸️ not started"},
    "stalled": {"ko": "⏳ 정체", "en": "⏳ stalled"},
    "incomplete": {"ko": "⚠️ 미완료", "en": "⚠️ incomplete"},
    "in_progress": {"ko": "🔄 진행 중", "en": "🔄 in progress"},
    "done": {"ko": "✅ 완료", "en": "✅ done"},
}
STAGE_STATE_LABELS: dict[str, dict[str, str]] = {
    "failed": {"ko": "❌ 실패 있음", "en": "❌ has failures"},
    "partial": {"ko": "◐ 일부", "en": "◐ partial"},
    "pending": {"ko": "⏸️ 대기", "en": "⏸️ pending"},
    "done": {"ko": "✅ 완료", "en": "✅ done"},
}
#: Okabe-Ito colours: failed (vermillion) and done (bluish green) stay apart for red-green
#: colour blindness; the labels' icons carry the meaning anyway.
STATE_COLOURS = {
    "failed": "#D55E00", "not_started": "#999999", "stalled": "#E69F00",
    "incomplete": "#CC79A7", "in_progress": "#0072B2", "done": "#009E73",
}
STAGE_WORDS: dict[str, dict[str, str]] = {
    "collection": {"ko": "수집", "en": "Collected"},
    "enrichment": {"ko": "보강", "en": "Enriched"},
    "result": {"ko": "결과", "en": "Results"},
}
_FAILED_WORDS = {"ko": " · 실패 {n}", "en": " · {n} failed"}
LANGS = ("ko", "en")


def _lang(lang: str) -> str:
    return lang if lang in LANGS else LANGS[0]


def _counts(progress: pd.DataFrame, column: str) -> np.ndarray:
    # Counts from either driver may arrive as objects or floats; missing means none.
    return pd.to_numeric(progress[column], errors="coerce").fillna(0).to_numpy(dtype=np.int64)


def _stage_state(done: np.ndarray, failed: np.ndarray, total: np.ndarray) -> np.ndarray:
    return np.select(
        [failed > 0, (total > 0) & (done >= total), done > 0],
        ["failed", "done", "partial"], default="pending",
    ).astype(object)


def _before_yesterday(dates: pd.Series, now: dt.datetime) -> np.ndarray:
    """True for dates before yesterday (KST) and for stored text that is not a date: an
    unreadable day cannot be "today", so it is judged like an old one."""
    text = dates.astype(str)
    valid = text.str.fullmatch(r"\d{8}") & pd.to_datetime(
        text, format="%Y%m%d", errors="coerce").notna()
    yesterday = f"{today_kst(now) - dt.timedelta(days=1):%Y%m%d}"
    return (~valid | (text < yesterday)).to_numpy(dtype=bool)


def cell_states(
    progress: pd.DataFrame, *, now: dt.datetime, stalled_minutes: float
) -> pd.DataFrame:
    """A copy of a :func:`status_core.queries.progress_frame` with the honest states added.

    Adds ``collection_state``, ``enrichment_state``, ``result_state`` (each one of
    :data:`STAGE_STATES`) and ``state`` (one of :data:`STATES`), decided as the module
    docstring says. ``now`` may be naive (read as UTC); a missing ``last_updated`` is
    never "recent". Every other column, the collector API's statuses included, is left as
    it was. An empty frame comes back empty, with the four columns.
    """
    if progress.empty:
        return progress.assign(**{c: pd.Series(dtype=object) for c in STATE_COLUMNS})
    out = progress.copy()
    total = _counts(progress, "total_races")
    done = {stage: _counts(progress, cols[0]) for stage, cols in STAGE_COUNTS.items()}
    failed = {stage: _counts(progress, cols[1]) for stage, cols in STAGE_COUNTS.items()}
    for stage in STAGES:
        out[f"{stage}_state"] = _stage_state(done[stage], failed[stage], total)
    any_failed = (sum(failed.values()) > 0) | (_counts(progress, "failed_races") > 0)
    all_done = (total > 0) & np.logical_and.reduce([d >= total for d in done.values()])
    updated = pd.to_datetime(progress["last_updated"], utc=True, errors="coerce")
    age = (pd.Timestamp(now_kst(now)) - updated).dt.total_seconds().to_numpy() / 60.0
    recent = ~np.isnan(age) & (age <= stalled_minutes)
    started = sum(done.values()) > 0
    out["state"] = np.select(
        [any_failed, all_done, _before_yesterday(progress["date"], now), recent, started],
        ["failed", "done", "incomplete", "in_progress", "stalled"], default="not_started",
    ).astype(object)
    return out


def stage_text(
    done: int, total: int, failed: int = 0, lang: str = "ko", *, stage: str | None = None
) -> str:
    """``x/N`` of one stage with its failures: ``보강 8/12 · 실패 2`` / ``Enriched 8/12 ·
    2 failed``. Without ``stage`` the word is left out (for a column that names it)."""
    lang = _lang(lang)
    text = f"{int(done)}/{int(total)}"
    if stage is not None:
        text = f"{STAGE_WORDS[stage][lang]} {text}"
    if failed:
        text += _FAILED_WORDS[lang].format(n=int(failed))
    return text


def stage_texts(progress: pd.DataFrame, stage: str, lang: str = "ko", *,
                with_word: bool = False) -> pd.Series:
    """:func:`stage_text` for every row of a progress frame (same index)."""
    done_col, failed_col = STAGE_COUNTS[stage]
    return pd.Series(
        [stage_text(d, n, f, lang, stage=stage if with_word else None)
         for d, n, f in zip(_counts(progress, done_col), _counts(progress, "total_races"),
                            _counts(progress, failed_col), strict=True)],
        index=progress.index, dtype=object,
    )


def state_label(state: str, lang: str = "ko") -> str:
    """Icon and word of a cell state; an unknown value is shown as itself, as text."""
    entry = STATE_LABELS.get(state)
    return entry[_lang(lang)] if entry else str(state)


def stage_state_label(state: str, lang: str = "ko") -> str:
    """Icon and word of a stage state; an unknown value is shown as itself, as text."""
    entry = STAGE_STATE_LABELS.get(state)
    return entry[_lang(lang)] if entry else str(state)
