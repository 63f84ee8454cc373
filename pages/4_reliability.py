"""Reliability: is collection getting better or worse over weeks and months?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from status_core import reliability as rel
from status_core.domain import MEETS, meet_label
from status_core.errors import StatusError
from ui import reliability_charts as charts
from ui.cells import date_shown, pattern_shown, time_column, times
from ui.common import as_of, csv_download, input_warning, setup_page, show_error
from ui.data import Data
from ui.filters import day_params
from ui.pages import page
from ui.reliability import (
    GROUP_KEYS,
    STEP_KEYS,
    TIMELINESS_KEYS,
    W_DEADLINE,
    W_GROUP,
    W_STEP,
    jobs_links,
    overview_links,
    percent,
    resolve_deadline,
    resolve_grouping,
    resolve_step,
    with_labels,
)
from ui.style import narrow_only, wide_only

ctx = setup_page("reliability", range_filters=True, range_default=rel.default_range)
st.title(f"{page('reliability').icon} {ctx.t('nav.reliability')}")

warnings: list[str] = []
grouping = resolve_grouping(warnings)
deadline = resolve_deadline(warnings)
step = resolve_step(warnings)
for message in warnings:
    input_warning(message, ctx.lang)
deadline_text = rel.deadline_label(deadline)
# All three racecourses are "every job" for the jobs charts: batch and analysis jobs name
# no racecourse and would drop out of an explicit list of all three.
meets = ctx.meets if ctx.meets and set(ctx.meets) != set(MEETS) else None

with st.container(border=True):
    cols = st.columns([1, 1, 2])
    cols[0].radio(ctx.t("rel.grouping"), list(GROUP_KEYS), key=W_GROUP, horizontal=True,
                  format_func=lambda g: ctx.t(GROUP_KEYS[g]))
    cols[1].number_input(ctx.t("rel.deadline"), min_value=rel.periods.MIN_DEADLINE_HOURS,
                         max_value=rel.periods.MAX_DEADLINE_HOURS, step=1.0, key=W_DEADLINE,
                         format="%.1f",
                         help=ctx.t("rel.deadline_help"))
    cols[2].caption(ctx.t(
        "rel.caption", start=date_shown(ctx.start, ctx.lang),
        end=date_shown(ctx.end, ctx.lang), deadline=deadline_text,
        meets=", ".join(meet_label(m, ctx.lang) for m in ctx.meets or MEETS),
        grouping=ctx.t(GROUP_KEYS[grouping])))

common = {"start": ctx.start, "end": ctx.end, "meets": meets, "grouping": grouping}


def link_column(label_key: str = "col.link") -> st.column_config.LinkColumn:
    return st.column_config.LinkColumn(ctx.t(label_key), display_text="🔎", width="small")


def number(key: str, fmt: str | None = None) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(ctx.t(key), format=fmt)


def completion_section(data: Data) -> None:
    st.subheader(ctx.t("rel.completion"))
    st.caption(ctx.t("rel.completion_caption"))
    frame = data.reliability("completion", **common,
                             stalled_minutes=ctx.settings.stalled_minutes)
    shown = with_labels(ctx, frame, grouping)
    if int(frame["race_days"].sum()) == 0:
        st.info(ctx.t("rel.no_races"))
    else:
        st.altair_chart(charts.completion_chart(shown, ctx.lang), width="stretch")
    shown = shown.assign(link=overview_links(ctx, frame, meets),
                         **{f"{b}_pct": percent(frame[f"{b}_share"])
                            for b in rel.COMPLETION_BUCKETS})
    st.dataframe(
        shown, hide_index=True, width="stretch", key="completion_table",
        column_order=["period_label", "meet_name", "link", "race_days", "done", "failed",
                      "incomplete", "open", "done_pct", "failed_pct", "incomplete_pct",
                      "open_pct"],
        column_config={
            "link": link_column(), "period_label": st.column_config.TextColumn(
                ctx.t("rel.col.period")),
            "meet_name": st.column_config.TextColumn(ctx.t("col.meet")),
            "race_days": number("rel.col.race_days"), "done": number("rel.col.done"),
            "failed": number("rel.col.failed"), "incomplete": number("rel.col.incomplete"),
            "open": number("rel.col.open"), "done_pct": number("rel.col.done_pct", "%.1f%%"),
            "failed_pct": number("rel.col.failed_pct", "%.1f%%"),
            "incomplete_pct": number("rel.col.incomplete_pct", "%.1f%%"),
            "open_pct": number("rel.col.open_pct", "%.1f%%"),
        })
    csv_download(ctx, frame, f"completion_{grouping}_{ctx.start}_{ctx.end}",
                 key="csv_completion")


def timeliness_section(data: Data) -> None:
    st.subheader(ctx.t("rel.timeliness"))
    st.caption(ctx.t("rel.timeliness_caption", deadline=deadline_text))
    days = data.reliability("timeliness", **common, deadline_hours=deadline)
    summary = with_labels(ctx, rel.summarise_timeliness(days, ctx.start, ctx.end, grouping),
                          grouping)
    st.radio(ctx.t("rel.step"), list(STEP_KEYS), key=W_STEP, horizontal=True,
             format_func=lambda s: ctx.t(STEP_KEYS[s]))
    if not days.empty:
        st.altair_chart(charts.timeliness_chart(summary, step, deadline, deadline_text,
                                                ctx.lang), width="stretch")
        st.altair_chart(charts.on_time_chart(summary, step, ctx.lang), width="stretch")
    rows = summary[summary["step"] == step]
    shown = rows.assign(link=overview_links(ctx, rows, meets),
                        on_time_pct=percent(rows["on_time_share"]))
    st.dataframe(
        shown, hide_index=True, width="stretch", key="timeliness_table",
        column_order=["period_label", "link", "race_days", "complete_days", "median_hours",
                      "p90_hours", "on_time_days", "late_days", "open_days", "on_time_pct"],
        column_config={
            "link": link_column(), "period_label": st.column_config.TextColumn(
                ctx.t("rel.col.period")),
            "race_days": number("rel.col.race_days"),
            "complete_days": number("rel.col.complete_days"),
            "median_hours": number("rel.median", "%.1f"), "p90_hours": number("rel.p90", "%.1f"),
            "on_time_days": number("rel.on_time"), "late_days": number("rel.late"),
            "open_days": number("rel.open_step"),
            "on_time_pct": number("rel.on_time_share", "%.1f%%"),
        })
    csv_download(ctx, summary.drop(columns=["period_label"]),
                 f"timeliness_{grouping}_{ctx.start}_{ctx.end}", key="csv_timeliness")
    race_days_table(days)


def race_days_table(days: pd.DataFrame) -> None:
    with st.expander(ctx.t("rel.per_day", n=len(days))):
        shown = times(days, ["deadline", f"{step}_last"]).assign(
            meet_name=[meet_label(m, ctx.lang) for m in days["meet"]],
            state=[ctx.t(TIMELINESS_KEYS[s]) for s in days[f"{step}_state"]],
            link=[ctx.link("race", **day_params(d, m))
                  for d, m in zip(days["date"], days["meet"], strict=True)])
        st.dataframe(
            shown, hide_index=True, width="stretch", key="race_days_table",
            column_order=["date", "meet_name", "state", "link", "total_races", f"{step}_missing",
                          f"{step}_last", f"{step}_hours", "deadline"],
            column_config={
                "link": link_column(), "date": st.column_config.TextColumn(ctx.t("col.date")),
                "meet_name": st.column_config.TextColumn(ctx.t("col.meet")),
                "total_races": number("col.total_races"),
                f"{step}_missing": number("rel.col.missing"),
                f"{step}_last": time_column(shown, f"{step}_last", ctx.t("rel.col.last"),
                                            "YYYY-MM-DD HH:mm"),
                f"{step}_hours": number("rel.hours", "%.1f"),
                "deadline": time_column(shown, "deadline", ctx.t("rel.deadline_col"),
                                        "YYYY-MM-DD HH:mm"),
                "state": st.column_config.TextColumn(ctx.t("rel.col.state")),
            })
        csv_download(ctx, times(days, [c for c in days.columns if c.endswith(
            ("_last", "day_start", "deadline"))]), f"race_days_{ctx.start}_{ctx.end}",
            key="csv_race_days")


def failures_section(data: Data) -> None:
    st.subheader(ctx.t("rel.failures"))
    frame = with_labels(ctx, data.reliability("failures", **common), grouping)
    if int(frame["failed_races"].sum()):
        st.altair_chart(charts.failures_chart(frame, ctx.lang), width="stretch")
    else:
        st.success(ctx.t("rel.no_failures"))
    shown = frame.assign(link=overview_links(ctx, frame, meets))
    st.dataframe(
        shown, hide_index=True, width="stretch", key="failures_table",
        column_order=["period_label", "link", "race_days", "failed_days", "collection_failed",
                      "enrichment_failed", "result_failed", "failed_races"],
        column_config={
            "link": link_column(), "period_label": st.column_config.TextColumn(
                ctx.t("rel.col.period")),
            "race_days": number("rel.col.race_days"), "failed_days": number("rel.col.failed_days"),
            "collection_failed": number("rel.step_collection"),
            "enrichment_failed": number("rel.step_enrichment"),
            "result_failed": number("rel.step_result"),
            "failed_races": number("rel.col.failed_races"),
        })
    csv_download(ctx, frame.drop(columns=["period_label"]),
                 f"failures_{grouping}_{ctx.start}_{ctx.end}", key="csv_failures")
    errors_section(data, list(frame["period_label"]))


def errors_section(data: Data, periods: list[str]) -> None:
    st.markdown(f"**{ctx.t('rel.errors')}**")
    groups, cut = data.reliability("errors", **common, top=5)
    st.caption(ctx.t("rel.errors_caption", top=5))
    if cut:
        st.warning(ctx.t("rel.errors_cut", cap=rel.ERROR_ROWS_CAP))
    if groups.empty:
        st.success(ctx.t("rel.errors_none"))
        return
    shown = with_labels(ctx, groups, grouping)
    shown = shown.assign(pattern=[pattern_shown(p, ctx.lang) for p in shown["pattern"]])
    with wide_only("errors_chart"):
        st.altair_chart(charts.errors_chart(shown, periods, ctx.lang), width="stretch")
    with narrow_only("errors_chart"):
        st.altair_chart(charts.errors_chart(shown, periods, ctx.lang, wrap=28),
                        width="stretch")
    shown = times(shown, ["last_seen"]).assign(link=jobs_links(ctx, groups, meets))
    st.dataframe(
        shown, hide_index=True, width="stretch", key="errors_table",
        column_order=["period_label", "link", "rank", "jobs", "pattern", "types",
                      "last_seen", "example"],
        column_config={
            "link": link_column(), "period_label": st.column_config.TextColumn(
                ctx.t("rel.col.period")),
            "rank": number("rel.col.rank"), "jobs": number("rel.col.jobs"),
            "pattern": st.column_config.TextColumn(ctx.t("rel.col.pattern")),
            "types": st.column_config.TextColumn(ctx.t("rel.col.type")),
            "last_seen": time_column(shown, "last_seen", ctx.t("rel.col.last_seen"),
                                     "YYYY-MM-DD HH:mm"),
            "example": st.column_config.TextColumn(ctx.t("rel.col.example")),
        })
    csv_download(ctx, times(groups, ["last_seen"]), f"errors_{grouping}_{ctx.start}_{ctx.end}",
                 key="csv_errors")


def jobs_section(data: Data) -> None:
    st.subheader(ctx.t("rel.jobs"))
    st.caption(ctx.t("rel.jobs_caption"))
    frame = data.reliability("jobs", **common)
    shown = with_labels(ctx, frame, grouping).assign(
        failure_pct=percent(frame["failure_rate"]),
        p50_min=(frame["p50_s"] / 60).round(1), p90_min=(frame["p90_s"] / 60).round(1))
    if int(frame["jobs"].sum()):
        left, right = st.columns(2)
        left.altair_chart(charts.jobs_chart(shown, "failure_rate", "rel.failure_rate",
                                            ctx.lang), width="stretch")
        right.altair_chart(charts.jobs_chart(shown, "p90_min", "rel.p90_minutes", ctx.lang),
                           width="stretch")
    shown = shown.assign(link=jobs_links(ctx, frame, meets))
    st.dataframe(
        shown, hide_index=True, width="stretch", key="jobs_table",
        column_order=["period_label", "link", "type", "jobs", "failed", "failure_pct",
                      "retries", "timed", "p50_min", "p90_min"],
        column_config={
            "link": link_column(), "period_label": st.column_config.TextColumn(
                ctx.t("rel.col.period")),
            "type": st.column_config.TextColumn(ctx.t("rel.col.type")),
            "jobs": number("rel.col.jobs"), "failed": number("rel.col.failed_jobs"),
            "failure_pct": number("rel.failure_rate", "%.1f%%"),
            "retries": number("rel.col.retries"), "timed": number("rel.col.timed"),
            "p50_min": number("rel.p50_minutes", "%.1f"),
            "p90_min": number("rel.p90_minutes", "%.1f"),
        })
    csv_download(ctx, frame, f"jobs_{grouping}_{ctx.start}_{ctx.end}", key="csv_jobs")
    stuck_section(data)


def stuck_section(data: Data) -> None:
    minutes = ctx.settings.stuck_minutes
    st.markdown(f"**{ctx.t('rel.stuck')}**")
    st.caption(ctx.t("rel.stuck_caption", minutes=minutes))
    frame = data.reliability("stuck", **common, stuck_minutes=minutes)
    shown = times(with_labels(ctx, frame, grouping), ["at"])
    if frame["stuck"].fillna(0).sum():
        st.altair_chart(charts.stuck_chart(shown, ctx.lang), width="stretch")
    shown = shown.assign(link=jobs_links(ctx, frame, meets))
    st.dataframe(
        shown, hide_index=True, width="stretch", key="stuck_table",
        column_order=["period_label", "link", "at", "stuck", "longest_minutes"],
        column_config={
            "link": link_column(), "period_label": st.column_config.TextColumn(
                ctx.t("rel.col.period")),
            "at": time_column(shown, "at", ctx.t("rel.col.at"), "YYYY-MM-DD HH:mm"),
            "stuck": number("rel.col.stuck", "%d"),
            "longest_minutes": number("rel.col.longest", "%.0f"),
        })
    csv_download(ctx, times(frame, ["at"]), f"stuck_{grouping}_{ctx.start}_{ctx.end}",
                 key="csv_stuck")


def body() -> None:
    data = Data(ctx)
    try:
        completion_section(data)
        timeliness_section(data)
        failures_section(data)
        jobs_section(data)
    except StatusError as exc:
        show_error(ctx, exc)
        return
    as_of(ctx, data.as_of)


body()
