"""Altair charts of the pages. Each takes frames from :mod:`status_core` and labels."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from status_core.alerts.messages import kind_label
from status_core.attention import PROGRESS_STAGES
from status_core.domain import JOB_STATUSES, KST, meet_label
from status_core.inputs import is_valid_date_text
from status_core.states import STATE_COLOURS, STATES, stage_texts, state_label
from status_core.text import t

from .cells import job_type_shown, time_shown

#: The calendar's colours: the cell states' colour-blind-safe palette
#: (:data:`status_core.states.STATE_COLOURS`, Okabe-Ito) plus sky blue for a missing day.
MISSING_COLOUR = "#56B4E9"
CALENDAR_STATES = (*STATES, "missing")
CALENDAR_COLOURS = {**STATE_COLOURS, "missing": MISSING_COLOUR}
#: The stacked chart's segments, Okabe-Ito too: the two failures (vermillion, reddish
#: purple) stay apart from enriched (bluish green) for red-green colour blindness.
STAGE_COLOURS = {"enriched": "#009E73", "enrichment_failed": "#CC79A7",
                 "collected": "#56B4E9", "collection_failed": "#D55E00", "pending": "#D9D9D9"}
#: The names of the charts' click selections (``event.selection[name]``): each holds the
#: ``date`` and ``meet`` of the cell clicked.
CALENDAR_SELECTION = "cell"
CHART_SELECTION = "bar"
JOB_COLOURS = {
    "pending": "#bdbdbd", "queued": "#9e9e9e", "processing": "#1e88e5", "running": "#64b5f6",
    "retrying": "#ffb74d", "completed": "#2e7d32", "failed": "#e53935", "cancelled": "#616161",
}


#: A legend under the plot, in two columns, labels never cut: on a phone a legend beside
#: the plot would take half its width (and cut "collected, not enr…").
BOTTOM_LEGEND = alt.Legend(orient="bottom", columns=2, labelLimit=0)


@alt.theme.register("kra_readable", enable=True)
def _readable_theme() -> alt.theme.ThemeConfig:
    # Streamlit's chart theme draws axis, legend and header text in a fixed grey (#808495,
    # 3.7:1 on white); WCAG asks 4.5:1. A chart's own config wins over Streamlit's, so every
    # chart (these and ui/reliability_charts.py's) takes the theme's textColor from
    # .streamlit/config.toml instead. Registered on import; Altair's theme is process-wide.
    ink = st.get_option("theme.textColor") or "#2f2d2b"
    text = {"labelColor": ink, "titleColor": ink}
    return {"config": {"axis": text, "legend": text, "header": text,
                       "title": {"color": ink, "subtitleColor": ink}}}


def _kst_wall_time(values: pd.Series) -> pd.Series:
    # Naive Korean wall-clock times: the axis shows them as they are, whatever the
    # browser's own time zone (an aware time would be drawn in the browser's).
    return pd.to_datetime(values, utc=True).dt.tz_convert(KST).dt.tz_localize(None)


def _date_label(dates: pd.Series) -> pd.Series:
    # A stored text that is no real day keeps its text, marked, instead of posing as one.
    return dates.astype(str).map(
        lambda d: f"{d[:4]}-{d[4:6]}-{d[6:]}" if is_valid_date_text(d) else f"⚠ {d!r}")


def _pick(name: str) -> alt.Parameter:
    # A click picks one date x meet; the page opens its race day.
    return alt.selection_point(name=name, fields=["date", "meet"], on="click")


def progress_chart(stages: pd.DataFrame, lang: str) -> alt.Chart:
    """Stacked bars per date, one bar per racecourse side by side: enriched, enrichment
    failed, collected (waiting), collection failed, pending races. A click on a bar selects
    its date x meet (:data:`CHART_SELECTION`)."""
    frame = stages.assign(
        day=_date_label(stages["date"]),
        course=[meet_label(m, lang) for m in stages["meet"]],
        stage_label=[t(f"stage.{s}", lang) for s in stages["stage"]],
        order=[PROGRESS_STAGES.index(s) for s in stages["stage"]],
    )
    labels = [t(f"stage.{s}", lang) for s in PROGRESS_STAGES]
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("day:O", title=t("col.date", lang), axis=alt.Axis(labelAngle=-45)),
            xOffset=alt.XOffset("course:N", title=t("col.meet", lang)),
            y=alt.Y("sum(races):Q", title=t("chart.races", lang), stack="zero"),
            color=alt.Color("stage_label:N", title=t("chart.stage", lang),
                            scale=alt.Scale(domain=labels,
                                            range=[STAGE_COLOURS[s] for s in PROGRESS_STAGES]),
                            legend=BOTTOM_LEGEND),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("day:O", title=t("col.date", lang)),
                alt.Tooltip("course:N", title=t("col.meet", lang)),
                alt.Tooltip("stage_label:N", title=t("chart.stage", lang)),
                alt.Tooltip("races:Q", title=t("chart.races", lang)),
            ],
        )
        .add_params(_pick(CHART_SELECTION))
        .properties(height=340)  # the legend under the plot takes ~70 px of it
    )


def calendar_label(state: str, lang: str) -> str:
    """Icon and word of a calendar cell: a cell state, or the missing day's kind."""
    return kind_label("missing", lang) if state == "missing" else state_label(state, lang)


def calendar_chart(calendar: pd.DataFrame, lang: str) -> alt.Chart:
    """Date x racecourse heatmap of the honest cell states (plus missing days): each cell
    carries its state's icon as text, so colour is never the only sign. A click selects
    its date x meet (:data:`CALENDAR_SELECTION`)."""
    labels = {s: calendar_label(s, lang) for s in CALENDAR_STATES}
    frame = calendar.assign(
        day=_date_label(calendar["date"]),
        course=[meet_label(m, lang) for m in calendar["meet"]],
        state_label=[labels.get(s, str(s)) for s in calendar["state"]],
        icon=[labels.get(s, "?").split(" ", 1)[0] for s in calendar["state"]],
        updated=[time_shown(v, lang)  # "∞" for an infinite time
                 for v in pd.to_datetime(calendar["last_updated"], utc=True)],
        **{f"{stage}_text": stage_texts(calendar, stage, lang)
           for stage in ("collection", "enrichment", "result")},
    )
    base = alt.Chart(frame).encode(
        x=alt.X("day:O", title=t("col.date", lang), axis=alt.Axis(labelAngle=-45)),
        # the title names the field for screen readers; the axis shows none
        y=alt.Y("course:N", title=t("col.meet", lang),
                axis=alt.Axis(title=None, labelLimit=0)),  # names never cut
        tooltip=[
            alt.Tooltip("day:O", title=t("col.date", lang)),
            alt.Tooltip("course:N", title=t("col.meet", lang)),
            alt.Tooltip("state_label:N", title=t("col.state", lang)),
            alt.Tooltip("collection_text:N", title=t("col.collection_stage", lang)),
            alt.Tooltip("enrichment_text:N", title=t("col.enrichment_stage", lang)),
            alt.Tooltip("result_text:N", title=t("col.result_stage", lang)),
            alt.Tooltip("failed_races:Q", title=t("col.failed_races", lang)),
            alt.Tooltip("updated:N", title=t("col.last_updated", lang)),
        ],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1, cornerRadius=2).encode(
        color=alt.Color("state_label:N", title=t("col.state", lang),
                        scale=alt.Scale(domain=[labels[s] for s in CALENDAR_STATES],
                                        range=[CALENDAR_COLOURS[s] for s in CALENDAR_STATES]),
                        legend=alt.Legend(orient="bottom", columns=4, labelLimit=0)),
    ).add_params(_pick(CALENDAR_SELECTION))
    # A white disc under each icon keeps it readable on every fill (a red icon on the
    # vermillion of "failed" would vanish).
    discs = base.mark_circle(color="white", opacity=0.9, size=360)
    icons = base.mark_text(fontSize=13).encode(text="icon:N")
    return (cells + discs + icons).properties(height=alt.Step(34))


def job_status_chart(counts: pd.DataFrame, lang: str) -> alt.Chart:
    """Horizontal bars of jobs per status; legacy statuses marked."""
    frame = counts.assign(label=[
        t(f"job.{s}", lang) + (f" ({t('jobs.legacy', lang)})" if legacy else "")
        for s, legacy in zip(counts["status"], counts["legacy"], strict=True)])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(frame["label"]), title=None,
                    axis=alt.Axis(labelOverlap=False, labelLimit=220)),
            x=alt.X("count:Q", title=t("jobs.count", lang)),
            color=alt.Color("status:N", legend=None,
                            scale=alt.Scale(domain=list(JOB_COLOURS),
                                            range=list(JOB_COLOURS.values()))),
            tooltip=[alt.Tooltip("label:N", title=t("col.status", lang)),
                     alt.Tooltip("count:Q", title=t("jobs.count", lang))],
        )
        .properties(height=alt.Step(22))
    )


def timeline_chart(timeline: pd.DataFrame, lang: str) -> alt.Chart:
    """One bar per job from start to completion (or now), coloured by status."""
    frame = timeline.assign(
        start=_kst_wall_time(timeline["start"]),
        end=_kst_wall_time(timeline["end"]),
        minutes=(timeline["duration_s"].astype(float) / 60).round(1),
        status_label=[t(f"job.{s}", lang) for s in timeline["status"]],
        type=[job_type_shown(s, lang) for s in timeline["type"]],  # i12: words, not enums
    )
    statuses = list(JOB_STATUSES)
    base = alt.Chart(frame).encode(
        y=alt.Y("type:N", title=t("col.type", lang)),
        color=alt.Color("status_label:N", title=t("col.status", lang),
                        scale=alt.Scale(domain=[t(f"job.{s}", lang) for s in statuses],
                                        range=[JOB_COLOURS[s] for s in statuses]),
                        legend=alt.Legend(orient="bottom", columns=3, labelLimit=0)),
        tooltip=[
            alt.Tooltip("job_id:N", title=t("col.job_id", lang)),
            alt.Tooltip("type:N", title=t("col.type", lang)),
            alt.Tooltip("status_label:N", title=t("col.status", lang)),
            alt.Tooltip("start:T", title=t("col.started_at", lang), format="%Y-%m-%d %H:%M:%S"),
            alt.Tooltip("end:T", title=t("col.completed_at", lang), format="%Y-%m-%d %H:%M:%S"),
            alt.Tooltip("minutes:Q", title=t("col.duration_min", lang)),
        ],
    )
    # A bar from start to end, and a dot at the start so that a job of a few seconds is
    # still visible on a two-week axis; drag/scroll to zoom into a day.
    bars = base.mark_bar(height=10, opacity=0.8).encode(
        # i12: dates with the year, not Vega's English month and weekday names
        x=alt.X("start:T", title=t("jobs.time_kst", lang),
                axis=alt.Axis(format="%Y-%m-%d", labelAngle=-45)), x2="end:T")
    dots = base.mark_point(filled=True, size=40, opacity=0.9).encode(x="start:T")
    return (bars + dots).properties(height=alt.Step(36)).interactive(bind_y=False)
