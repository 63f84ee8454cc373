"""Jobs: counts by status, stuck jobs, recent runs on a timeline, frequent errors."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from status_core import attention
from status_core.actions.guards import OPEN_JOB_STATUSES
from status_core.actions.rules import check_job_id
from status_core.domain import (
    ACTIVE_JOB_STATUSES,
    JOB_STATUSES,
    JOB_TYPES,
    MEETS,
    format_age,
    format_date,
    job_progress,
)
from status_core.errors import StatusError
from status_core.failures import widened_range
from status_core.queries import ERROR_PREVIEW
from status_core.text import STRINGS
from ui import actions, charts
from ui.cells import date_shown, job_type_shown, pattern_shown, time_column, times
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
from ui.filters import resolve_choices, resolve_optional_date
from ui.pages import page
from ui.style import pairs
from ui.tables import job_columns, job_detail, jobs_for_csv, jobs_for_display
from ui.text import cell, md_plain

JOB_LIMIT = 500
#: Seconds between two reads of the one job shown by ``?job=``, until it ends.
JOB_REFRESH = 3
W_TYPES, W_STATUSES, W_RACE_DATE = "w_job_types", "w_job_statuses", "w_job_race_date"

ctx = setup_page("jobs", range_filters=True, live=True)
st.title(f"{page('jobs').icon} {ctx.t('nav.jobs')}")
who = actions.access(ctx)


def job_open(job) -> bool:  # noqa: ANN001
    return not job.empty and job["status"].iloc[0] in OPEN_JOB_STATUSES


def one_job(job_id: str) -> None:
    """The job of ``?job=``, refreshed every few seconds until it ends."""
    st.subheader(ctx.t("jobs.one_job"))
    st.code(job_id, language=None)
    page_link(ctx, "jobs", label=ctx.t("jobs.all_jobs"))
    try:
        was_open = job_open(Data(ctx).job(job_id))
    except StatusError as exc:
        show_error(ctx, exc)
        return

    @st.fragment(run_every=f"{JOB_REFRESH}s" if was_open else None)
    def follow() -> None:
        fresh = Data(ctx)
        try:
            job = fresh.job(job_id)
        except StatusError as exc:
            show_error(ctx, exc)
            return
        if job.empty:
            st.info(ctx.t("jobs.one_job_missing"))
            return
        if was_open and not job_open(job):
            st.rerun()  # ended: draw it once more, without the timer
        as_of(ctx, fresh.as_of)
        st.metric(ctx.t("col.status"), status_badge(job["status"].iloc[0], ctx.lang))
        # completed: 100 (the collector leaves 0 in some); not started or unknown: "-"
        progress = job_progress(job["status"].iloc[0], job["progress"].iloc[0])
        st.progress(int(progress or 0), text="-" if progress is None else f"{progress:.0f}%")
        shown = jobs_for_display(ctx, job)
        st.dataframe(shown, hide_index=True, width="stretch", key="one_job_table",
                     column_order=["race_date", "meet", "status_label", "type", "progress",
                                   "job_id", "created_at", "started_at", "completed_at",
                                   "duration_min", "current_step",
                                   "retry_count", "error_message"],
                     column_config=job_columns(ctx, shown))
        job_detail(ctx, job, fresh.job_text, key="one_job_detail")
        st.caption(ctx.t("jobs.one_job_live", seconds=JOB_REFRESH) if job_open(job)
                   else ctx.t("jobs.one_job_ended"))
        if job_open(job):
            actions.cancel_action(ctx, who, "jobs", [job_id], key="one_job_action")

    follow()


wanted_job = st.query_params.get("job")
if wanted_job is not None:
    problem = check_job_id(wanted_job)
    if problem is None:
        one_job(wanted_job)
        actions.show_dialog(ctx, who, "jobs")
        st.stop()
    input_warning(problem.text(ctx.lang), ctx.lang)

warnings: list[str] = []
types = resolve_choices("job_types", "type", JOB_TYPES, W_TYPES, warnings)
statuses = resolve_choices("job_statuses", "status", JOB_STATUSES, W_STATUSES,
                           warnings)
race_date = resolve_optional_date("job_race_date", "race_date", W_RACE_DATE, warnings)
for message in warnings:
    input_warning(message, ctx.lang)

with st.container(border=True):
    cols = st.columns([2, 2, 1])
    cols[0].multiselect(ctx.t("jobs.types"), list(JOB_TYPES), key=W_TYPES,
                        format_func=lambda s: job_type_shown(s, ctx.lang),
                        placeholder=ctx.t("widget.choose_many"))
    cols[1].multiselect(ctx.t("jobs.statuses"), list(JOB_STATUSES), key=W_STATUSES,
                        placeholder=ctx.t("widget.choose_many"),
                        format_func=lambda s: ctx.t(f"job.{s}"))
    cols[2].date_input(ctx.t("jobs.race_date"), key=W_RACE_DATE, format="YYYY-MM-DD")
    st.caption(ctx.t("jobs.range_caption", start=date_shown(ctx.start, ctx.lang),
                     end=date_shown(ctx.end, ctx.lang), limit=JOB_LIMIT))


def counts_section(counts: dict[str, int]) -> None:
    st.subheader(ctx.t("jobs.counts"))
    frame = attention.status_counts_frame(counts)
    cols = pairs("job_counts").columns(len(frame))  # two abreast on a phone
    for col, row in zip(cols, frame.itertuples(index=False), strict=True):
        # A status the collector does not define is stored text: a label is Markdown.
        known = f"job.{row.status}" in STRINGS
        label = ctx.t(f"job.{row.status}") if known else (md_plain(row.status) or "-")
        if row.legacy:
            label += f" · {ctx.t('jobs.legacy')}"
        col.metric(label, row.count)
    st.caption(ctx.t("jobs.legacy_note"))
    left, right = st.columns([2, 1])
    left.altair_chart(charts.job_status_chart(frame, ctx.lang), width="stretch")
    with right:
        csv_download(ctx, frame, "job_status_counts", key="csv_counts")


def stuck_section(active, now: dt.datetime) -> None:  # noqa: ANN001
    minutes = ctx.settings.stuck_minutes
    stuck = attention.stuck_jobs(active, now, minutes)
    st.subheader(f"{ctx.t('jobs.stuck')} ({len(stuck)})")
    st.caption(ctx.t("jobs.stuck_caption", minutes=minutes))
    if stuck.empty:
        st.success(ctx.t("jobs.no_stuck"))
        return
    shown = jobs_for_display(ctx, stuck).assign(
        running_for=[format_age(m * 60, ctx.lang) for m in stuck["running_minutes"]])
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["race_date", "meet", "status_label", "type", "progress", "running_for",
                      "job_id", "started_at", "current_step", "retry_count",
                      "error_message"],
        column_config=job_columns(ctx, shown),
        key="stuck_table",
    )
    csv_download(ctx, jobs_for_csv(stuck), "stuck_jobs", key="csv_stuck")
    actions.cancel_action(ctx, who, "jobs", [str(j) for j in stuck["job_id"]],
                          key="stuck_action")


def recent_section(jobs, data: Data) -> None:  # noqa: ANN001
    st.subheader(f"{ctx.t('jobs.recent')} ({len(jobs)})")
    if jobs.empty:
        st.info(ctx.t("jobs.no_jobs"))
        return
    shown = jobs_for_display(ctx, jobs)
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["race_date", "meet", "status_label", "type", "progress", "job_id",
                      "created_at", "started_at", "completed_at", "duration_min",
                      "retry_count", "error_message"],
        column_config=job_columns(ctx, shown), key="jobs_table",
    )
    csv_download(ctx, jobs_for_csv(jobs), f"jobs_{ctx.start}_{ctx.end}", key="csv_jobs")
    job_detail(ctx, jobs, data.job_text, key="job_detail")


def timeline_section(jobs, now: dt.datetime) -> None:  # noqa: ANN001
    st.subheader(ctx.t("jobs.timeline"))
    timeline = attention.job_timeline(jobs, now)
    if timeline.empty:
        st.caption(ctx.t("jobs.no_timeline"))
        return
    st.altair_chart(charts.timeline_chart(timeline, ctx.lang), width="stretch")


def _day(text: str) -> str:
    return date_shown(text, ctx.lang)


def errors_section(jobs, outside: dict) -> None:  # noqa: ANN001
    """Errors grouped, for the range shown (said so), and the failed jobs the range leaves
    out, so that an empty table never reads as "no errors" when some exist."""
    st.subheader(ctx.t("jobs.errors"))
    st.caption(ctx.t("jobs.errors_range", start=_day(ctx.start), end=_day(ctx.end)) + " · "
               + ctx.t("jobs.errors_caption"))
    groups = attention.error_groups(jobs)
    if outside["count"]:
        outside_note(outside)
    if groups.empty:
        failed_here = int((jobs["status"] == "failed").sum()) if not jobs.empty else 0
        if failed_here:
            st.warning(ctx.t("jobs.failed_without_error", n=failed_here))
        elif not outside["count"]:  # only then is "no errors" true
            st.success(ctx.t("jobs.no_errors_in_range", start=_day(ctx.start),
                             end=_day(ctx.end)))
        return
    errors_table(groups)


def outside_note(outside: dict) -> None:
    """"N failed jobs outside the range" with a link to the range widened to them."""
    start, end = widened_range(ctx.start, ctx.end, outside["first"], outside["last"])
    st.warning(ctx.t("jobs.failed_outside", n=outside["count"],
                     first=format_date(outside["first"], ctx.lang),
                     last=format_date(outside["last"], ctx.lang)))
    chosen_meets = ([str(m) for m in ctx.meets]
                    if ctx.meets and set(ctx.meets) != set(MEETS) else None)
    page_link(ctx, "jobs", label=ctx.t("jobs.widen", start=_day(start), end=_day(end)),
              icon="↔️", start=start, end=end, meet=chosen_meets, type=types or None,
              status=statuses or None, race_date=race_date)


def errors_table(groups) -> None:  # noqa: ANN001
    shown = times(groups, ["last_seen"]).assign(
        example=[cell(e, ERROR_PREVIEW) for e in groups["example"]],
        pattern=[pattern_shown(p, ctx.lang) for p in groups["pattern"]])
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_config={
            "pattern": st.column_config.TextColumn(ctx.t("col.pattern"), width="large"),
            "count": st.column_config.NumberColumn(ctx.t("col.count")),
            "last_seen": time_column(shown, "last_seen", ctx.t("col.last_seen"),
                                     "YYYY-MM-DD HH:mm:ss"),
            "example": st.column_config.TextColumn(ctx.t("col.example"), width="large"),
            "job_ids": st.column_config.TextColumn(ctx.t("col.job_ids")),
            "types": st.column_config.TextColumn(ctx.t("col.types")),
        },
        key="errors_table",
    )
    csv_download(ctx, shown, "job_errors", key="csv_errors")


@st.fragment(run_every=ctx.run_every)
def body() -> None:
    data = Data(ctx, ctx.interval)
    now = dt.datetime.now(dt.UTC)
    created_from, created_to = attention.day_window(ctx.start, ctx.end)
    try:
        counts, active, jobs, outside = data.together(
            lambda d: d.job_counts(),
            lambda d: d.jobs(statuses=list(ACTIVE_JOB_STATUSES), limit=JOB_LIMIT),
            lambda d: d.jobs(since=created_from, types=types or None,
                             statuses=statuses or None, race_date=race_date, limit=JOB_LIMIT),
            lambda d: d.failed_jobs_outside(created_from, created_to, types=types or None,
                                            race_date=race_date, meets=ctx.meets or None))
    except StatusError as exc:
        show_error(ctx, exc)
        return
    jobs = attention.filter_jobs(jobs, meets=ctx.meets, created_to=created_to)
    as_of(ctx, data.as_of)
    counts_section(counts)
    stuck_section(active, now)
    recent_section(jobs, data)
    timeline_section(jobs, now)
    errors_section(jobs, outside)


body()
actions.show_dialog(ctx, who, "jobs")
