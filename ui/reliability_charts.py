"""Altair charts of the reliability page. Each takes a frame of
:mod:`status_core.reliability` (with ``period_label`` added) and the language."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from status_core import reliability as rel
from status_core.states import STATE_COLOURS
from status_core.text import t

from . import charts as _readable_theme  # noqa: F401  (registers the charts' text colour)
from .reliability import STAGE_KEYS, STEP_KEYS, bucket_label

# Streamlit sizes the whole chart, axes included: the rotated period labels take ~90 px.
HEIGHT = 340
#: Okabe-Ito, as the honest states: distinct for red-green colour blindness.
STAGE_COLOURS = {"collection_failed": "#D55E00", "enrichment_failed": "#E69F00",
                 "result_failed": "#CC79A7"}
TYPE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
DEADLINE_COLOUR = "#D55E00"
#: Legends under the plot with whole labels: beside it they take half a phone's width.
BOTTOM_LEGEND = alt.Legend(orient="bottom", columns=2, labelLimit=0)


def _period_axis(lang: str) -> alt.X:
    return alt.X("period_label:O", title=t("rel.col.period", lang),
                 axis=alt.Axis(labelAngle=-45))


def completion_chart(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Per period, one bar per racecourse side by side, stacked to 100%: the share of its
    race days that ended done, failed, incomplete, or are not over yet."""
    long = frame.melt(id_vars=["period_label", "meet_name", "race_days"],
                      value_vars=list(rel.COMPLETION_BUCKETS), var_name="bucket",
                      value_name="days")
    long = long[long["days"] > 0].assign(
        label=lambda f: [bucket_label(b, lang) for b in f["bucket"]],
        order=lambda f: [rel.COMPLETION_BUCKETS.index(b) for b in f["bucket"]],
        share=lambda f: f["days"] / f["race_days"])
    labels = [bucket_label(b, lang) for b in rel.COMPLETION_BUCKETS]
    colours = [STATE_COLOURS["in_progress" if b == "open" else b]
               for b in rel.COMPLETION_BUCKETS]
    return alt.Chart(long).mark_bar().encode(
        x=_period_axis(lang),
        xOffset=alt.XOffset("meet_name:N", title=t("col.meet", lang)),
        y=alt.Y("sum(days):Q", stack="normalize", title=t("rel.share_of_days", lang),
                axis=alt.Axis(format="%")),
        color=alt.Color("label:N", title=t("rel.ended", lang),
                        scale=alt.Scale(domain=labels, range=colours), legend=BOTTOM_LEGEND),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("period_label:O", title=t("rel.col.period", lang)),
                 alt.Tooltip("meet_name:N", title=t("col.meet", lang)),
                 alt.Tooltip("label:N", title=t("rel.ended", lang)),
                 alt.Tooltip("days:Q", title=t("rel.col.race_days", lang)),
                 alt.Tooltip("share:Q", title=t("rel.share_of_days", lang), format=".1%")],
    ).properties(height=HEIGHT)


def timeliness_chart(summary: pd.DataFrame, step: str, deadline_hours: float,
                     deadline_text: str, lang: str) -> alt.LayerChart:
    """Median and 90th percentile hours of one step per period, the deadline as a dashed
    target line."""
    rows = summary[summary["step"] == step]
    long = pd.concat([
        rows.assign(stat=t("rel.median", lang), hours=rows["median_hours"]),
        rows.assign(stat=t("rel.p90", lang), hours=rows["p90_hours"]),
    ])[["period_label", "stat", "hours", "complete_days"]]
    title = f"{t('rel.hours', lang)} · {t(STEP_KEYS[step], lang)}"
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=_period_axis(lang),
        y=alt.Y("hours:Q", title=title),
        color=alt.Color("stat:N", title="", scale=alt.Scale(range=["#0072B2", "#56B4E9"])),
        strokeDash=alt.StrokeDash("stat:N", legend=None),
        tooltip=[alt.Tooltip("period_label:O", title=t("rel.col.period", lang)),
                 alt.Tooltip("stat:N", title=""),
                 alt.Tooltip("hours:Q", title=t("rel.hours", lang), format=".1f"),
                 alt.Tooltip("complete_days:Q", title=t("rel.col.complete_days", lang))],
    )
    target = pd.DataFrame({"hours": [deadline_hours],
                           "label": [t("rel.deadline_line", lang, deadline=deadline_text)]})
    rule = alt.Chart(target).mark_rule(color=DEADLINE_COLOUR, strokeDash=[6, 4],
                                       strokeWidth=2).encode(y="hours:Q")
    text = alt.Chart(target).mark_text(align="left", dx=4, dy=-6, color=DEADLINE_COLOUR
                                       ).encode(y="hours:Q", text="label:N", x=alt.value(0))
    return (lines + rule + text).properties(height=HEIGHT)


def on_time_chart(summary: pd.DataFrame, step: str, lang: str) -> alt.Chart:
    """The share of race days done by the deadline, per period (judged days only)."""
    rows = summary[summary["step"] == step].dropna(subset=["on_time_share"])
    base = alt.Chart(rows).encode(
        x=_period_axis(lang),
        y=alt.Y("on_time_share:Q", title=t("rel.on_time_share", lang),
                scale=alt.Scale(domain=[0, 1.15]), axis=alt.Axis(format="%", values=[0, .5, 1])),
        tooltip=[alt.Tooltip("period_label:O", title=t("rel.col.period", lang)),
                 alt.Tooltip("on_time_share:Q", title=t("rel.on_time_share", lang),
                             format=".1%"),
                 alt.Tooltip("on_time_days:Q", title=t("rel.on_time", lang)),
                 alt.Tooltip("late_days:Q", title=t("rel.late", lang))],
    )
    # The share as text on each bar: a week with none on time is a visible "0%", not a gap.
    text = base.mark_text(dy=-7, fontSize=11).encode(text=alt.Text("on_time_share:Q",
                                                                   format=".0%"))
    return (base.mark_bar(color="#009E73") + text).properties(height=240)


def failures_chart(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Failed races per stage and period, stacked."""
    long = frame.melt(id_vars=["period_label"], value_vars=list(STAGE_KEYS),
                      var_name="stage", value_name="races")
    long = long.assign(label=[t(STAGE_KEYS[s], lang) for s in long["stage"]])
    labels = [t(STAGE_KEYS[s], lang) for s in STAGE_KEYS]
    return alt.Chart(long).mark_bar().encode(
        x=_period_axis(lang),
        y=alt.Y("sum(races):Q", title=t("rel.failed_races", lang)),
        color=alt.Color("label:N", title=t("rel.col.stage", lang), legend=BOTTOM_LEGEND,
                        scale=alt.Scale(domain=labels, range=list(STAGE_COLOURS.values()))),
        tooltip=[alt.Tooltip("period_label:O", title=t("rel.col.period", lang)),
                 alt.Tooltip("label:N", title=t("rel.col.stage", lang)),
                 alt.Tooltip("races:Q", title=t("rel.failed_races", lang))],
    ).properties(height=HEIGHT)


def errors_chart(groups: pd.DataFrame, periods: list[str], lang: str, *,
                 wrap: int | None = None) -> alt.Chart:
    """Error groups (rows) by period (columns): how many jobs, so a recurring error and
    the period it stopped stand out. ``wrap``: labels broken into lines of about that many
    characters (a phone), instead of one line of up to 70."""
    short = [p if len(p) <= 70 else p[:69] + "…" for p in groups["pattern"]]
    if wrap:
        short = ["\n".join(textwrap.wrap(p, wrap, max_lines=3, placeholder=" …")) or p
                 for p in short]
    shown = groups.assign(pattern_short=short)
    lines = max((p.count("\n") + 1 for p in short), default=1)
    return alt.Chart(shown).mark_rect().encode(
        x=alt.X("period_label:O", title=t("rel.col.period", lang), sort=periods,
                scale=alt.Scale(domain=periods), axis=alt.Axis(labelAngle=-45)),
        # titled (the screen reader's description names it) but no axis title drawn
        y=alt.Y("pattern_short:N", title=t("rel.col.pattern", lang),
                # a label with line breaks is drawn as lines (an array of strings)
                axis=alt.Axis(title=None, labelLimit=0 if wrap else 420, labelOverlap=False,
                              labelExpr="split(datum.label, '\\n')")),
        color=alt.Color("jobs:Q", title=t("rel.col.jobs", lang),
                        scale=alt.Scale(scheme="oranges")),
        tooltip=[alt.Tooltip("period_label:O", title=t("rel.col.period", lang)),
                 alt.Tooltip("pattern:N", title=t("rel.col.pattern", lang)),
                 alt.Tooltip("jobs:Q", title=t("rel.col.jobs", lang)),
                 alt.Tooltip("rank:Q", title=t("rel.col.rank", lang))],
    ).properties(height=110 + (14 * lines + 14) * shown["pattern_short"].nunique())


def jobs_chart(frame: pd.DataFrame, column: str, title_key: str, lang: str) -> alt.Chart:
    """One measure of :func:`status_core.reliability.jobs_by_type` per period, a line per
    job type (periods without jobs of a type leave a gap)."""
    fmt = ".0%" if column == "failure_rate" else ".1f"
    rows = frame[frame["jobs"] > 0]
    return alt.Chart(rows).mark_line(point=True).encode(
        x=_period_axis(lang),
        y=alt.Y(f"{column}:Q", title=t(title_key, lang),
                axis=alt.Axis(format="%") if column == "failure_rate" else alt.Axis(),
                # Durations span seconds to hours: a log scale keeps both readable.
                scale=alt.Scale(type="log") if column != "failure_rate" else alt.Scale()),
        color=alt.Color("type:N", title=t("rel.col.type", lang),
                        scale=alt.Scale(range=TYPE_COLOURS), legend=BOTTOM_LEGEND),
        tooltip=[alt.Tooltip("period_label:O", title=t("rel.col.period", lang)),
                 alt.Tooltip("type:N", title=t("rel.col.type", lang)),
                 alt.Tooltip(f"{column}:Q", title=t(title_key, lang), format=fmt),
                 alt.Tooltip("jobs:Q", title=t("rel.col.jobs", lang))],
    ).properties(height=360)  # the legend under the plot takes ~80 px of it


def stuck_chart(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Jobs stuck at the end of each period."""
    return alt.Chart(frame.dropna(subset=["stuck"])).mark_bar(color="#E69F00").encode(
        x=_period_axis(lang),
        y=alt.Y("stuck:Q", title=t("rel.col.stuck", lang), axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("period_label:O", title=t("rel.col.period", lang)),
                 alt.Tooltip("stuck:Q", title=t("rel.col.stuck", lang)),
                 alt.Tooltip("longest_minutes:Q", title=t("rel.col.longest", lang),
                             format=",.0f")],
    ).properties(height=240)
