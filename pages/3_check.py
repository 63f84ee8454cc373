"""DB check: one button, a staged diagnosis of the configured database.

The steps appear as they finish (``iter_diagnose``); then the cause in a banner with the
fix, the server facts, the tables, the job counts and a plain-text report to paste into a
chat. Nothing here ever shows the password, and no exception reaches the page.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import streamlit as st

from status_core.diagnose import (
    Diagnosis,
    cause_label,
    format_text,
    iter_diagnose,
)
from status_core.domain import MEETS, format_ms, meet_name
from status_core.errors import StatusError
from status_core.inputs import parse_date, parse_meet, to_date
from status_core.redact import mask_url, redact, strip_secrets, url_secrets
from status_core.settings import configured_url
from status_core.text import STRINGS
from ui.cells import time_shown
from ui.common import setup_page
from ui.text import md_inline

RESULT_KEY = "check.diagnosis"

ctx = setup_page("check")
lang = ctx.lang
config_warning = None
try:
    raw, source = configured_url()
except StatusError as exc:  # an unreadable secrets.toml: the check reports it as config
    raw, source, config_warning = "", "secrets.toml", exc.message
secrets = url_secrets(raw)


def _safe(text: object) -> str:
    """Any text: URL passwords masked and every form of the configured password removed."""
    return redact(str(text), secrets)


def _plain(text: object) -> str:
    """Our own text (hints, the report): only the password values are removed, so the
    expected form postgresql://USER:PASSWORD@HOST stays readable."""
    return strip_secrets(str(text), secrets)


def _escape(text: str) -> str:
    """Plain text made safe for st.markdown (no bold, links, LaTeX, colour directives,
    emoji codes or bare-URL links): the dashboard's one escaping rule."""
    return md_inline(text)


def _md(text: object) -> str:
    return _escape(_safe(text))


def _md_code(text: object) -> str:
    """Our own text for st.markdown; `inline code` (the SQL of a hint) stays code."""
    parts = re.split(r"(`[^`\n]+`)", _plain(text))
    return "".join(part if i % 2 else _escape(part) for i, part in enumerate(parts))


def _meet_label(meet: int | None) -> str:
    if meet is None:
        return ctx.t("check.meet_none")
    return meet_name(meet, lang)


def _initial_date() -> dt.date | None:
    try:
        return to_date(parse_date(st.query_params.get("date")))
    except (StatusError, ValueError, TypeError):
        return None


def _initial_meet() -> int | None:
    try:
        return parse_meet(st.query_params.get("meet"))
    except StatusError:
        return None


def _step_line(step) -> str:  # noqa: ANN001 - status_core.diagnose.Step
    elapsed = "" if step.outcome == "skipped" else f" · `{format_ms(step.elapsed_ms)}`"
    return f"{step.mark} **{_md(step.title_in(lang))}**{elapsed}"


def _show_step(step, shown_hints: set[str]) -> None:  # noqa: ANN001
    st.markdown(_step_line(step))
    detail = step.detail_in(lang)
    if detail:
        st.caption(_md(detail))
    hint = step.hint_in(lang)
    if hint and step.outcome in ("fail", "warn") and hint not in shown_hints:
        shown_hints.add(hint)
        st.markdown(f"&nbsp;&nbsp;→ {_md_code(hint)}")


def _pairs(data: dict) -> pd.DataFrame:
    rows = [(str(k), "" if v is None else _safe(v)) for k, v in data.items()]
    return pd.DataFrame(rows, columns=[ctx.t("check.key"), ctx.t("check.value")])


def _tables_frame(tables: dict) -> pd.DataFrame:
    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "✓" if value else "✗"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return _safe(value)

    columns = ("present", "columns", "select", "rls", "rows_hidden_by_rls", "rows")
    rows = [[name, *(cell(info.get(c)) for c in columns)] for name, info in tables.items()]
    return pd.DataFrame(rows, columns=[ctx.t("check.table"),
                                       *(ctx.t(f"check.col.{c}") for c in columns)])


def _show_result(diagnosis: Diagnosis) -> None:
    when = time_shown(diagnosis.checked_at, lang, zone=True)
    st.caption(ctx.t("check.checked_at", when=when))
    failed = diagnosis.failed_step
    if failed is None:
        st.success(ctx.t("check.banner_ok"))
        warns = sum(s.outcome == "warn" for s in diagnosis.steps)
        if warns:
            st.warning(ctx.t("check.banner_warn", count=warns))
    else:
        cause = diagnosis.cause
        banner = ctx.t("check.banner_fail", step=_md(failed.title_in(lang)), cause=cause,
                       label=_md(cause_label(cause, lang)))
        text = f"{banner}\n\n{_md(failed.detail_in(lang))}"
        hint = failed.hint_in(lang)
        if hint:
            text += f"\n\n**{ctx.t('check.fix')}:** {_md_code(hint)}"
        st.error(text)

    st.subheader(ctx.t("check.steps"))
    shown_hints: set[str] = set()
    for step in diagnosis.steps:
        _show_step(step, shown_hints)

    left, right = st.columns(2)
    with left:
        if diagnosis.server:
            st.subheader(ctx.t("check.server"))
            st.dataframe(_pairs(diagnosis.server), hide_index=True, width="stretch")
        if diagnosis.job_status_counts:
            st.subheader(ctx.t("check.jobs"))
            jobs = pd.DataFrame(
                [(ctx.t(f"job.{s}") if f"job.{s}" in STRINGS else s, n)
                 for s, n in diagnosis.job_status_counts.items()],
                columns=[ctx.t("check.job_status"), ctx.t("check.count")],
            )
            st.dataframe(jobs, hide_index=True, width="stretch")
    with right:
        if diagnosis.tables:
            st.subheader(ctx.t("check.tables"))
            st.dataframe(_tables_frame(diagnosis.tables), hide_index=True,
                         width="stretch")
        if diagnosis.collection_status:
            st.subheader(ctx.t("check.status"))
            record = diagnosis.to_json()["collection_status"]
            st.dataframe(_pairs(record), hide_index=True, width="stretch")

    st.subheader(ctx.t("check.report"))
    st.caption(ctx.t("check.report_help"))
    st.code(_plain(format_text(diagnosis, lang=lang)), language=None)


st.title(ctx.t("check.title"))
st.caption(ctx.t("check.intro"))

if config_warning:
    st.warning(_md(config_warning))

st.markdown(f"**{ctx.t('check.target')}**")
if raw is None:
    st.info(ctx.t("check.target_demo"))
else:
    st.code(_safe(mask_url(raw)), language=None)
    st.caption(ctx.t("check.source", source=_safe(source)))

col_date, col_meet, col_timeout = st.columns([2, 2, 1])
with col_date:
    picked_date = st.date_input(ctx.t("check.date"), value=_initial_date(), format="YYYY-MM-DD",
                                key="check.date")
with col_meet:
    meet_options = [None, *MEETS]
    initial_meet = _initial_meet()
    picked_meet = st.selectbox(ctx.t("check.meet"), meet_options,
                               index=meet_options.index(initial_meet),
                               format_func=_meet_label, key="check.meet",
                               placeholder=ctx.t("widget.choose_one"))
with col_timeout:
    timeout = st.number_input(ctx.t("check.timeout"), min_value=1.0, max_value=120.0,
                              value=5.0, step=1.0, key="check.timeout")

run = st.button(ctx.t("check.run"), type="primary", key="check.run")

if run:
    race_date = picked_date.strftime("%Y%m%d") if isinstance(picked_date, dt.date) else None
    meet = picked_meet
    if (race_date is None) != (meet is None):
        st.info(ctx.t("check.pair"))
        race_date = meet = None
    st.session_state.pop(RESULT_KEY, None)
    steps = []
    try:
        with st.status(ctx.t("check.running"), expanded=True) as box:
            for step in iter_diagnose(raw, race_date=race_date, meet=meet,
                                      timeout=float(timeout)):
                steps.append(step)
                box.update(label=f"{ctx.t('check.running')} {step.mark} "
                                 f"{step.title_in(lang)}")
                st.markdown(_step_line(step))
            diagnosis = Diagnosis.from_steps(steps)
            failed = diagnosis.failed_step
            if failed is None:
                box.update(label=ctx.t("check.done_ok"), state="complete", expanded=False)
            else:
                box.update(label=ctx.t("check.done_fail", step=failed.title_in(lang)),
                           state="error", expanded=False)
        st.session_state[RESULT_KEY] = diagnosis
    except Exception as exc:  # noqa: BLE001 - the page never shows a traceback
        st.error(ctx.t("check.unexpected", message=_md(f"{type(exc).__name__}: {exc}")))

result = st.session_state.get(RESULT_KEY)
if isinstance(result, Diagnosis):
    try:
        _show_result(result)
    except Exception as exc:  # noqa: BLE001
        st.error(ctx.t("check.unexpected", message=_md(f"{type(exc).__name__}: {exc}")))
elif not run:
    st.info(ctx.t("check.idle"))
