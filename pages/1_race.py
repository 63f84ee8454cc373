"""Race detail: one date x racecourse, race by race, and the jobs that worked on it."""

from __future__ import annotations

import datetime as dt
import shlex

import pandas as pd
import streamlit as st

from status_core import attention
from status_core.domain import KST, MEETS, format_age, meet_label
from status_core.errors import StatusError
from status_core.failures import race_causes
from status_core.inputs import is_valid_date_text, to_date
from status_core.queries import ERROR_PREVIEW, cell_summary
from status_core.states import (
    STAGE_COUNTS,
    STAGE_WORDS,
    STAGES,
    cell_states,
    stage_state_label,
    stage_text,
    state_label,
)
from status_core.timestamps import kst_iso, kst_safe, kst_text
from ui import actions
from ui.cells import date_shown, plain, time_column, time_shown, times
from ui.common import (
    as_of,
    csv_download,
    input_warning,
    page_link,
    setup_page,
    show_error,
    status_badge,
)
from ui.data import Data
from ui.filters import W_DAY, W_DAY_MEET, resolve_day
from ui.pages import page
from ui.style import pairs
from ui.tables import (
    badge_columns,
    job_columns,
    job_detail,
    jobs_for_csv,
    jobs_for_display,
    with_badges,
)
from ui.text import ELLIPSIS, cell, md_inline

#: Table cells carry this much of a stored text; the whole is shown on demand.
NAME_CELL = 120
WARNING_CELL = 100
WARNINGS_SHOWN = 3
ERROR_CELL = ERROR_PREVIEW
#: Up to this many races the failed ones are painted red (a pandas Styler, slow per row).
STYLED_ROWS = 300
RACE_TABLE = ("flag", "race_number", "race_name", "distance", "collection_status_badge",
              "enrichment_status_badge", "result_status_badge", "collected_at", "enriched_at",
              "result_collected_at", "updated_at", "horse_count", "data_quality_score",
              "warning_count")

RACE_TIMES = ("collected_at", "enriched_at", "result_collected_at", "updated_at")
ctx = setup_page("race", live=True)
st.title(f"{page('race').icon} {ctx.t('nav.race')}")
now = dt.datetime.now(dt.UTC)
today = f"{attention.today_kst(now):%Y%m%d}"
data = Data(ctx, ctx.interval)


extent_error: list[StatusError] = []


def latest_day() -> tuple[str, int] | None:
    """The latest race day with data (read only when the URL names none)."""
    try:
        return attention.default_race_day(data.extent(today), attention.today_kst(now))
    except StatusError as exc:
        # Kept, not retried: against a hung server every retry costs a connect timeout.
        extent_error.append(exc)
        return None


warnings: list[str] = []
read_as: list[tuple[str, str]] = []
day = resolve_day(warnings, latest_day, read_as)
for message in warnings:
    input_warning(message, ctx.lang)
for typed, read in read_as:  # typed matched YYYY-MM-DD: digits and dashes only
    st.caption(ctx.t("race.date_read_as", typed=typed, date=read))
if day is None:
    if extent_error:
        show_error(ctx, extent_error[0])
        st.stop()
    st.info(ctx.t("race.empty_db"))
    fallback = (today, 1)
    st.session_state[W_DAY] = attention.today_kst(now)
    st.session_state[W_DAY_MEET] = 1
    day = fallback

left, right, _ = pairs("race_pick").columns([1, 1, 2])
left.date_input(ctx.t("race.date"), key=W_DAY, format="YYYY-MM-DD")
right.selectbox(ctx.t("race.meet"), list(MEETS), key=W_DAY_MEET,
                placeholder=ctx.t("widget.choose_one"),
                format_func=lambda m: meet_label(m, ctx.lang))
race_date, meet = day
is_day = is_valid_date_text(race_date)  # else a stored text opened as it is (?stored=)
if not is_day:
    st.info(ctx.t("race.stored_cell", text=plain(date_shown(race_date, ctx.lang))))
who = actions.access(ctx)


def action_section() -> None:
    """Re-collect the day or some of its races, or collect missing results (operators)."""
    if not who.allowed or not is_day:
        return
    try:
        races = data.races(race_date, meet)
    except StatusError:
        races = pd.DataFrame()  # the page below says what is wrong; the whole day still works
    with st.container(border=True):
        st.markdown(f"**{ctx.t('action.section')}**")
        actions.caption(ctx, who)
        actions.day_actions(ctx, who, "race", race_date, meet, races, key="race_action")


action_section()


def honest_summary(progress: pd.DataFrame, now: dt.datetime) -> None:
    """The dashboard's own state of the day and x/N per stage with its failures."""
    row = cell_states(progress, now=now,
                      stalled_minutes=ctx.settings.stalled_minutes).iloc[0]
    st.subheader(ctx.t("race.state_title"))
    cols = pairs("race_state").columns(5)  # two abreast on a phone
    cols[0].metric(ctx.t("race.state"), state_label(row["state"], ctx.lang))
    for col, stage in zip(cols[1:4], STAGES, strict=True):
        done, failed = STAGE_COUNTS[stage]
        col.metric(STAGE_WORDS[stage][ctx.lang],
                   stage_text(row[done], row["total_races"], row[failed], ctx.lang))
        col.caption(stage_state_label(row[f"{stage}_state"], ctx.lang))
    updated = row["last_updated"]
    cols[4].metric(ctx.t("summary.last_updated"),
                   time_shown(updated, ctx.lang), help=kst_text(updated))
    if updated is not None and not pd.isna(updated) and kst_safe(updated):
        age = (now - pd.Timestamp(updated).to_pydatetime()).total_seconds()
        cols[4].caption(ctx.t("race.updated_ago", age=format_age(age, ctx.lang)))
    st.caption(ctx.t("race.state_caption"))


def api_block(status: dict) -> None:
    """The collector API's values, raw and labelled as such: the same JSON as
    ``kra-status status --json``."""
    with st.container(border=True):
        st.markdown(f"**{ctx.t('race.summary')}**")
        st.caption(ctx.t("race.api_caption"))
        flag = "--date" if is_day else "--stored-date"
        st.code(f"kra-status status {flag} {shlex.quote(race_date)} --meet {meet} --json",
                language="bash")
        st.json({**status, "last_updated": kst_iso(status["last_updated"])})


def races_table(races: pd.DataFrame, jobs: pd.DataFrame) -> None:
    st.subheader(ctx.t("race.races"))
    # Only the columns shown are sent (a cell may hold thousands of races); the warnings'
    # text is in the table of flagged races below.
    shown = times(with_badges(ctx, races), RACE_TIMES).assign(
        race_name=[cell(n, NAME_CELL) for n in races["race_name"]],
        flag=["❌" if f else ("⚠️" if w else "") for f, w in
              zip(races["failed"], races["warning_count"], strict=True)],
    )[list(RACE_TABLE)].pipe(repeated_as_category)

    def when(key: str) -> st.column_config.Column:
        return time_column(shown, key.removeprefix("col."), ctx.t(key), "MM-DD HH:mm:ss")

    failed = races["failed"]

    def highlight(row: pd.Series) -> list[str]:
        colour = "background-color: rgba(229, 57, 53, 0.15)" if failed[row.name] else ""
        return [colour] * len(row)

    # A Styler costs ~2 ms a row to send (every cell's style and display text): the ❌
    # column marks failed races in a big cell, the red rows in a normal one.
    st.dataframe(
        shown.style.apply(highlight, axis=1) if len(shown) <= STYLED_ROWS else shown,
        hide_index=True, width="stretch",
        column_config=badge_columns(ctx) | {
            "flag": st.column_config.TextColumn(ctx.t("col.flag"), width="small"),
            "race_number": st.column_config.NumberColumn(ctx.t("col.race_number"),
                                                         width="small"),
            "race_name": st.column_config.TextColumn(ctx.t("col.race_name")),
            "distance": st.column_config.NumberColumn(ctx.t("col.distance"), format="%d"),
            "collected_at": when("col.collected_at"),
            "enriched_at": when("col.enriched_at"),
            "result_collected_at": when("col.result_collected_at"),
            "updated_at": when("col.updated_at"),
            "horse_count": st.column_config.NumberColumn(ctx.t("col.horse_count")),
            "data_quality_score": st.column_config.ProgressColumn(
                ctx.t("col.quality"), min_value=0.0, max_value=1.0, format="%.2f"),
            "warning_count": st.column_config.NumberColumn(ctx.t("col.warning_count")),
        },
        key="races_table",
    )
    csv_download(ctx, times(races, RACE_TIMES).assign(
        warnings=races["warnings"].map(" | ".join)),
        f"races_{race_date}_{meet}", key="csv_races")
    flagged_section(races, jobs)


#: Columns whose values repeat from race to race (one job's error covers many races).
REPEATED = ("flag", "states", "failed_stage", "cause_error", "cause_time", "cause_job")


def repeated_as_category(frame: pd.DataFrame) -> pd.DataFrame:
    """The flag, status and cause columns as categories: Arrow then sends each distinct
    value (a badge, a job's error) once, not once per race."""
    cols = [c for c in frame if c in REPEATED or c.endswith("_badge")]
    return frame.astype(dict.fromkeys(cols, "category"))


def warning_cells(warnings: list[str]) -> list[str]:
    """A race's warnings for a table cell: the first few, each cut."""
    items = [cell(w, WARNING_CELL) for w in warnings[:WARNINGS_SHOWN]]
    if len(warnings) > WARNINGS_SHOWN:
        items.append(ctx.t("race.more_warnings", n=len(warnings) - WARNINGS_SHOWN))
    return items


FAILED_AT = {"collection": "race.failed_at.collection",
             "enrichment": "race.failed_at.enrichment", "result": "race.failed_at.result"}


def stage_cells(stages: tuple[str, ...]) -> str | None:
    return " · ".join(ctx.t(FAILED_AT[s]) for s in stages) or None


def cause_cells(flagged: pd.DataFrame) -> tuple[list, list]:
    """The cause columns of the flagged table: the job's error (cut, ``…`` when the
    stored one is longer) or why there is none, and the job's time in Korean time."""
    errors, when = [], []
    for failed, text, length, moment in zip(
            flagged["failed"], flagged["job_error"], flagged["job_error_length"],
            flagged["job_time"], strict=True):
        if not failed:
            errors.append(None)
            when.append(None)
            continue
        shown = cell(text, ERROR_CELL)
        if shown is not None and length is not None and int(length) > len(shown):
            shown += ELLIPSIS
        errors.append(shown or ctx.t("race.no_job_error"))
        when.append(None if moment is None else time_shown(moment, ctx.lang))
    return errors, when


def flagged_section(races: pd.DataFrame, jobs: pd.DataFrame) -> None:
    """Failed and warned races as one table (a cell of thousands of them stays one
    element) with each failed race's cause: the stage, its warnings and the error of the
    latest job that covered it. One race's whole texts on demand."""
    flagged = races[races["failed"] | (races["warning_count"] > 0)].reset_index(drop=True)
    if flagged.empty:
        return
    flagged = race_causes(flagged, jobs, race_date=race_date, meet=meet)
    failed = bool(flagged["failed"].any())
    title = ctx.t("race.failed_title") if failed else ctx.t("race.warnings_title")
    with st.expander(f"{title} ({len(flagged)})", expanded=failed):
        states = zip(flagged["collection_status"], flagged["enrichment_status"],
                     flagged["result_status"], strict=True)
        errors, when = cause_cells(flagged)
        table = pd.DataFrame({
            "flag": ["❌" if f else "⚠️" for f in flagged["failed"]],
            "race_number": flagged["race_number"],
            "race_name": [cell(n, NAME_CELL) for n in flagged["race_name"]],
            "failed_stage": [stage_cells(s) for s in flagged["failed_stages"]],
            "warning_count": flagged["warning_count"],
            "warnings": [warning_cells(w) for w in flagged["warnings"]],
            "cause_error": errors,
            "cause_time": when,
            "cause_job": flagged["job_id"],
            "states": [" · ".join(status_badge(s, ctx.lang) for s in trio) for trio in states],
        }).pipe(repeated_as_category)
        text = st.column_config.TextColumn
        st.dataframe(table, hide_index=True, width="stretch", key="flagged_table",
                     column_config={
                         "flag": text(ctx.t("col.flag"), width="small"),
                         "race_number": st.column_config.NumberColumn(
                             ctx.t("col.race_number"), width="small"),
                         "race_name": text(ctx.t("col.race_name")),
                         "failed_stage": text(ctx.t("col.failed_stage")),
                         "warning_count": st.column_config.NumberColumn(
                             ctx.t("col.warning_count")),
                         "warnings": st.column_config.ListColumn(ctx.t("col.warnings"),
                                                                 width="large"),
                         "cause_error": text(ctx.t("col.cause_error"), width="large"),
                         "cause_time": text(ctx.t("col.cause_time")),
                         "cause_job": text(ctx.t("col.cause_job")),
                         "states": text(ctx.t("col.states")),
                     })
        race_detail(flagged)


def race_detail(flagged: pd.DataFrame) -> None:
    """The whole name, every warning and the cause's whole error of the race picked, as
    text (never Markdown); the error is read when a race is picked."""
    labels = [
        f"{'❌' if failed else '⚠️'} "
        + ctx.t("race.failed_line", n="-" if pd.isna(n) else int(n), name="").strip()
        for failed, n in zip(flagged["failed"], flagged["race_number"], strict=True)]
    chosen = st.selectbox(ctx.t("race.detail"), range(len(flagged)), index=None,
                          format_func=labels.__getitem__, key="race_detail",
                          placeholder=ctx.t("race.detail_placeholder"))
    if chosen is None:
        return
    row = flagged.iloc[chosen]
    st.caption(ctx.t("col.race_name"))
    st.text(row["race_name"] if isinstance(row["race_name"], str) else "-")
    if row["failed_stages"]:
        st.caption(ctx.t("col.failed_stage"))
        st.text(stage_cells(row["failed_stages"]))
    st.caption(ctx.t("col.warnings") + f" ({len(row['warnings'])})")
    st.code("\n".join(row["warnings"]) or ctx.t("race.no_warnings"), language=None,
            wrap_lines=True)
    if row["job_id"] is not None:
        found = data.job_text(row["job_id"])
        st.caption(ctx.t("race.job_error_of", job=md_inline(row["job_id"]),
                         time=time_shown(row["job_time"], ctx.lang, zone=True)))
        whole = found["error_message"] if found else None
        st.code(whole if whole is not None else row["job_error"], language=None,
                wrap_lines=True)


def jobs_table(jobs: pd.DataFrame) -> None:
    st.subheader(ctx.t("race.jobs"))
    if jobs.empty:
        st.caption(ctx.t("race.no_jobs"))
        return
    shown = jobs_for_display(ctx, jobs)
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["status_label", "type", "progress", "job_id", "created_at", "started_at",
                      "completed_at", "duration_min", "retry_count",
                      "error_message"],
        column_config=job_columns(ctx, shown),
        key="race_jobs_table",
    )
    csv_download(ctx, jobs_for_csv(jobs), f"jobs_{race_date}_{meet}", key="csv_race_jobs")
    job_detail(ctx, jobs, data.job_text, key="race_job_detail")


@st.fragment(run_every=ctx.run_every)
def body() -> None:
    fresh = Data(ctx, ctx.interval)
    try:
        progress, races, jobs = fresh.together(
            lambda d: d.cell(race_date, meet),
            lambda d: d.races(race_date, meet),
            lambda d: d.jobs(race_date=race_date, meet=meet, stored=True))
    except StatusError as exc:
        show_error(ctx, exc)
        return
    as_of(ctx, fresh.as_of)
    if not progress.empty:
        honest_summary(progress, dt.datetime.now(dt.UTC))
    api_block(cell_summary(progress, race_date, meet))
    if races.empty:
        st.info(ctx.t("race.no_races", date=plain(date_shown(race_date, ctx.lang)),
                      meet=meet_label(meet, ctx.lang)))
    else:
        races_table(races, jobs)
    jobs_table(jobs)
    links = st.columns(3)
    # A stored text that is no day has no range around it and no ?race_date= form.
    around, day_param = {}, {}
    if is_day:
        start, end = attention.default_range(
            dt.datetime.combine(to_date(race_date), dt.time(12), KST))
        around, day_param = {"start": start, "end": end}, {"race_date": race_date}
    page_link(ctx, "overview", label=ctx.t("race.overview_link"), where=links[0],
              **around, meet=str(meet))
    page_link(ctx, "jobs", label=ctx.t("race.jobs_link"), where=links[1],
              **day_param, meet=str(meet))


body()
actions.show_dialog(ctx, who, "race")
