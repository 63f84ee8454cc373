"""Column set-ups shared by the pages' tables: jobs (race detail and jobs page), the
dashboard's honest state columns (overview), the collector API's status badges (race
detail, where the API is the subject), and the long texts behind a cut cell.

Text from the database goes into dataframe cells (never Markdown), cut to a length a
page can ship for hundreds of rows; the whole text of one row is shown on demand with
``st.code``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from status_core.domain import LEGACY_JOB_STATUSES, job_progress, meet_label
from status_core.queries import ERROR_PREVIEW, STEP_PREVIEW
from status_core.states import STAGES, stage_texts, state_label

from .cells import date_shown, job_type_shown, present, time_column, times
from .common import status_badge
from .context import PageContext
from .text import ELLIPSIS, cell

STATUS_COLUMNS = ("status", "collection_status", "enrichment_status", "result_status")
#: The honest columns :func:`with_states` adds: the cell's state and each stage as x/N.
STATE_TEXT_COLUMNS = ("state_label", *(f"{stage}_text" for stage in STAGES))
#: Progress bars in one neutral colour: a column cannot colour each row by its state, so
#: the state column next to it says (icon and word) what the bar means; never red at 100%.
PROGRESS_BAR_COLOUR = "#56B4E9"


def with_states(ctx: PageContext, frame: pd.DataFrame) -> pd.DataFrame:
    """``state_label`` (icon + word of :func:`status_core.states.cell_states`'s ``state``)
    and ``<stage>_text`` (``8/12 · 실패 2``) for each stage, for a cell-states frame."""
    return frame.assign(
        state_label=[state_label(s, ctx.lang) for s in frame["state"]],
        **{f"{stage}_text": stage_texts(frame, stage, ctx.lang) for stage in STAGES},
    )


def state_columns(ctx: PageContext) -> dict:
    """Column set-ups of :data:`STATE_TEXT_COLUMNS`."""
    return {
        "state_label": st.column_config.TextColumn(ctx.t("col.state"),
                                                   help=ctx.t("col.state_help")),
        **{f"{stage}_text": st.column_config.TextColumn(ctx.t(f"col.{stage}_stage"))
           for stage in STAGES},
    }


def progress_bar(ctx: PageContext, key: str) -> st.column_config.Column:
    """A percentage bar (0-100) in :data:`PROGRESS_BAR_COLOUR`."""
    return st.column_config.ProgressColumn(ctx.t(key), min_value=0, max_value=100,
                                           format="%.1f%%", color=PROGRESS_BAR_COLOUR)


def with_badges(ctx: PageContext, frame: pd.DataFrame) -> pd.DataFrame:
    """``<column>_badge`` (emoji + word) for each status column the frame has."""
    return frame.assign(**{
        f"{col}_badge": [status_badge(s, ctx.lang) for s in frame[col]]
        for col in STATUS_COLUMNS if col in frame
    })


def badge_columns(ctx: PageContext) -> dict:
    """Column set-ups of :func:`with_badges`' columns: the collector API's values."""
    return {f"{col}_badge": st.column_config.TextColumn(ctx.t(f"col.{col}"))
            for col in STATUS_COLUMNS}


def _cut_errors(jobs: pd.DataFrame) -> list[str | None]:
    """The error previews of :func:`status_core.queries.jobs_frame`, with ``…`` where
    the stored error is longer than the preview."""
    lengths = jobs["error_length"] if "error_length" in jobs else [None] * len(jobs)
    out = []
    for text, length in zip(jobs["error_message"], lengths, strict=True):
        text = cell(text, ERROR_PREVIEW)
        cut = text is not None and not pd.isna(length) and int(length) > len(text)
        out.append(text + ELLIPSIS if cut else text)
    return out


def jobs_for_display(ctx: PageContext, jobs: pd.DataFrame) -> pd.DataFrame:
    """Jobs with a translated status (legacy ones marked), KST times, minutes, long texts
    cut (``…``)."""
    return jobs_for_csv(jobs).assign(
        error_message=_cut_errors(jobs),
        current_step=[cell(s, STEP_PREVIEW) for s in jobs["current_step"]],
        status_label=[ctx.t(f"job.{s if isinstance(s, str) else 'none'}")
                      + (f" ({ctx.t('jobs.legacy')})"
                         if s in LEGACY_JOB_STATUSES else "")
                      for s in jobs["status"]],
        duration_min=(jobs["duration_s"] / 60).round(1),
        # i12 text: meets by name, dates in the one format, honest progress
        meet=[meet_label(m, ctx.lang) if present(m) else "-" for m in jobs["meet"]],
        type=[job_type_shown(s, ctx.lang) for s in jobs["type"]],
        race_date=[date_shown(d, ctx.lang) if present(d) else "-" for d in jobs["race_date"]],
        progress=[job_progress(s, p) for s, p in zip(jobs["status"], jobs["progress"],
                                                      strict=True)],
    )


def jobs_for_csv(jobs: pd.DataFrame) -> pd.DataFrame:
    # times(): an infinite or year-9999 time becomes text ("∞") instead of failing.
    return times(jobs, ("created_at", "started_at", "completed_at"))


def job_columns(ctx: PageContext, shown: pd.DataFrame | None = None) -> dict:
    """Column set-ups of a jobs table; pass the ``shown`` frame so that a time column
    :func:`ui.cells.times` turned into text gets a text column."""
    def when(key: str) -> st.column_config.Column:
        col = key.removeprefix("col.")
        if shown is not None:
            return time_column(shown, col, ctx.t(key), "YYYY-MM-DD HH:mm:ss")
        return st.column_config.DatetimeColumn(ctx.t(key), format="YYYY-MM-DD HH:mm:ss")

    return {
        "job_id": st.column_config.TextColumn(ctx.t("col.job_id")),
        "type": st.column_config.TextColumn(ctx.t("col.type")),
        "status_label": st.column_config.TextColumn(ctx.t("col.status")),
        "race_date": st.column_config.TextColumn(ctx.t("col.race_date")),
        "meet": st.column_config.TextColumn(ctx.t("col.meet")),
        "created_at": when("col.created_at"),
        "started_at": when("col.started_at"),
        "completed_at": when("col.completed_at"),
        "duration_min": st.column_config.NumberColumn(ctx.t("col.duration_min"),
                                                      format="%.1f"),
        "running_for": st.column_config.TextColumn(ctx.t("col.running_for")),
        "progress": st.column_config.ProgressColumn(ctx.t("col.progress"), min_value=0,
                                                    max_value=100, format="%d%%"),
        "current_step": st.column_config.TextColumn(ctx.t("col.current_step")),
        "retry_count": st.column_config.NumberColumn(ctx.t("col.retry_count")),
        "error_message": st.column_config.TextColumn(ctx.t("col.error"), width="large"),
    }


def job_detail(ctx: PageContext, jobs: pd.DataFrame, read_text, *, key: str) -> None:  # noqa: ANN001
    """A picker over the jobs with an error; the chosen one's whole error (read on demand
    by ``read_text(job_id)``) and step, as text."""
    has_error = jobs[jobs["error_message"].notna()] if not jobs.empty else jobs
    if has_error.empty:
        return
    lengths = dict(zip(has_error["job_id"], has_error["error_length"], strict=True))
    job_id = st.selectbox(
        ctx.t("jobs.detail"), list(lengths), index=None, key=key,
        placeholder=ctx.t("jobs.detail_placeholder"),
        format_func=lambda j: ctx.t("jobs.detail_option", job=j, n=_int(lengths.get(j))))
    if job_id is None:
        return
    found = read_text(job_id)
    if found is None:
        st.caption(ctx.t("jobs.detail_gone"))
        return
    if found["current_step"]:
        st.caption(ctx.t("col.current_step"))
        st.text(found["current_step"])
    text, total = found["error_message"], found["error_length"]
    if text is None:
        st.caption(ctx.t("jobs.detail_none"))
        return
    st.caption(ctx.t("col.error") + (" · " + ctx.t("jobs.detail_cut", shown=len(text),
                                                    total=total)
                                     if total and total > len(text) else ""))
    st.code(text, language=None, wrap_lines=True)


def _int(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)
