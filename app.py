"""Overview: collection progress per race date and racecourse, and what needs attention."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from status_core import attention
from status_core.actions import plan
from status_core.domain import KST, MEETS, format_age, meet_label
from status_core.errors import StatusError
from status_core.inputs import is_valid_date_text, to_date
from status_core.timestamps import infinity_sign
from ui import actions, charts
from ui.cells import date_shown, plain, time_column, times
from ui.common import (
    as_of,
    csv_download,
    no_data_help,
    page_link,
    setup_page,
    show_error,
)
from ui.data import Data
from ui.filters import day_params
from ui.tables import badge_columns, with_badges

ctx = setup_page("overview", range_filters=True, live=True)
st.title(ctx.t("app.title"))
who = actions.access(ctx)
st.caption(ctx.t(
    "overview.caption", start=ctx.start, end=ctx.end,
    meets=", ".join(meet_label(m, ctx.lang) for m in ctx.meets or MEETS)))


def metrics(h: dict) -> None:
    cols = st.columns(6)
    cols[0].metric(ctx.t("metric.race_days"), h["race_days"])
    cols[1].metric(ctx.t("metric.races"), h["races"])
    cols[2].metric(ctx.t("metric.collected_pct"), f"{h['collected_pct']:.1f}%",
                   help=ctx.t("metric.of_races", n=h["collected"]))
    cols[3].metric(ctx.t("metric.enriched_pct"), f"{h['enriched_pct']:.1f}%",
                   help=ctx.t("metric.of_races", n=h["enriched"]))
    cols[4].metric(ctx.t("metric.results_pct"), f"{h['results_pct']:.1f}%",
                   help=ctx.t("metric.of_races", n=h["results"]))
    cols[5].metric(ctx.t("metric.failed_races"), h["failed_races"])


def attention_list(items) -> None:  # noqa: ANN001
    st.subheader(ctx.t("overview.attention"))
    st.caption(ctx.t("overview.attention_caption", minutes=ctx.settings.stalled_minutes))
    if items.empty:
        st.success(ctx.t("overview.attention_none"))
        return
    shown = times(items, ["last_updated"]).assign(
        kind_label=[ctx.t(f"kind.{k}") for k in items["kind"]],
        meet_name=[meet_label(m, ctx.lang) for m in items["meet"]],
        age=[format_age(m * 60, ctx.lang) if m == m and not infinity_sign(u) else "-"
             for m, u in zip(items["age_minutes"], items["last_updated"], strict=True)],
        link=race_links(items),
        date=[date_shown(d, ctx.lang) for d in items["date"]],
    )
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["kind_label", "date", "meet_name", "total_races", "collected_races",
                      "enriched_races", "result_collected", "failed_races", "age",
                      "last_updated", "link"],
        column_config=_columns(shown) | {
            "kind_label": st.column_config.TextColumn(ctx.t("col.kind")),
            "age": st.column_config.TextColumn(ctx.t("col.age")),
        },
        key="attention_table",
    )
    csv_download(ctx, times(items, ["last_updated"]),
                 f"attention_{ctx.start}_{ctx.end}", key="csv_attention")
    attention_actions(items)


def attention_actions(items) -> None:  # noqa: ANN001
    """Operators pick an attention row and ask the collector about that day."""
    if not who.allowed:
        return
    today = attention.today_kst(dt.datetime.now(dt.UTC))
    rows = [(d, int(m), k) for d, m, k in zip(items["date"], items["meet"], items["kind"],
                                              strict=True)
            if plan.actionable_day(d, int(m), today)]
    if not rows:
        return
    chosen = st.selectbox(
        ctx.t("action.attention_pick"), range(len(rows)), key="attention_action_pick",
        format_func=lambda i: (f"{ctx.t(f'kind.{rows[i][2]}')} · {rows[i][0]} "
                               f"{meet_label(rows[i][1], ctx.lang)}"))
    race_date, meet, _kind = rows[chosen or 0]
    try:
        races = Data(ctx, ctx.interval).races(race_date, meet)
    except StatusError:
        races = None
    actions.caption(ctx, who)
    actions.day_actions(ctx, who, "overview", race_date, meet,
                        races if races is not None else pd.DataFrame(), key="attention_action")


def race_links(cells) -> list[str]:  # noqa: ANN001
    """Race page links of ``date, meet`` cells, by their exact stored date text."""
    return [ctx.link("race", **day_params(d, m))
            for d, m in zip(cells["date"], cells["meet"], strict=True)]


def _columns(shown) -> dict:  # noqa: ANN001
    return {
        "date": st.column_config.TextColumn(ctx.t("col.date")),
        "meet_name": st.column_config.TextColumn(ctx.t("col.meet")),
        "total_races": st.column_config.NumberColumn(ctx.t("col.total_races")),
        "collected_races": st.column_config.NumberColumn(ctx.t("col.collected_races")),
        "enriched_races": st.column_config.NumberColumn(ctx.t("col.enriched_races")),
        "result_collected": st.column_config.NumberColumn(ctx.t("col.result_collected")),
        "failed_races": st.column_config.NumberColumn(ctx.t("col.failed_races")),
        "last_updated": time_column(shown, "last_updated", ctx.t("col.last_updated"),
                                    "YYYY-MM-DD HH:mm:ss"),
        "link": st.column_config.LinkColumn(ctx.t("col.link"), display_text="🔎",
                                            width="small"),
    }


def progress_table(progress) -> None:  # noqa: ANN001
    st.subheader(ctx.t("overview.table"))
    ordered = progress.sort_values(["date", "meet"], ascending=[False, True])
    shown = times(with_badges(ctx, ordered), ["last_updated"]).assign(
        meet_name=lambda f: [meet_label(m, ctx.lang) for m in f["meet"]],
        link=race_links(ordered),
        date=[date_shown(d, ctx.lang) for d in ordered["date"]],
    )

    def bar(key: str) -> st.column_config.ProgressColumn:
        return st.column_config.ProgressColumn(ctx.t(key), min_value=0, max_value=100,
                                               format="%.1f%%")

    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["link", "date", "meet_name", "status_badge", "total_races",
                      "collected_pct", "enriched_pct", "result_pct", "collected_races",
                      "enriched_races", "result_collected", "failed_races",
                      "collection_status_badge", "enrichment_status_badge",
                      "result_status_badge", "last_updated"],
        column_config=_columns(shown) | badge_columns(ctx) | {
            "collected_pct": bar("col.collected_pct"),
            "enriched_pct": bar("col.enriched_pct"),
            "result_pct": bar("col.result_pct"),
        },
        key="progress_table",
    )
    csv_download(ctx, times(progress, ["last_updated"]),
                 f"progress_{ctx.start}_{ctx.end}", key="csv_progress")


def latest_hint(extent) -> None:  # noqa: ANN001
    """Where the stored data is when the range shows none: the latest real race day with
    a link to its 14 days, or, when no stored date is a real day, the latest stored cell."""
    valid = [d for d in extent["date"] if is_valid_date_text(d)]
    if not valid:
        latest = str(extent["date"].max())
        st.caption(ctx.t("overview.latest_hint", date=plain(date_shown(latest, ctx.lang))))
        meet = int(extent.loc[extent["date"] == latest, "meet"].min())
        page_link(ctx, "race", **day_params(latest, meet))
        return
    latest = max(valid)
    start, end = attention.default_range(dt.datetime.combine(to_date(latest), dt.time(12), KST))
    st.caption(ctx.t("overview.latest_hint", date=latest))
    page_link(ctx, "overview", label=ctx.t("overview.show_latest"), icon="📅",
              start=start, end=end)


@st.fragment(run_every=ctx.run_every)
def body() -> None:
    data = Data(ctx, ctx.interval)
    now = dt.datetime.now(dt.UTC)
    try:
        progress = data.progress(ctx.start, ctx.end, ctx.meets)
        extent = data.extent(f"{attention.today_kst(now):%Y%m%d}") if progress.empty else None
    except StatusError as exc:
        show_error(ctx, exc)
        return
    settings = ctx.settings
    as_of(ctx, data.as_of)
    metrics(attention.headline(progress))
    if progress.empty:
        if extent is None or extent.empty:
            st.warning(ctx.t("overview.empty_db"))
            no_data_help(ctx)
        else:
            st.info(ctx.t("overview.no_races"))
            latest_hint(extent)
    items = attention.attention_frame(
        progress, start=ctx.start, end=ctx.end, now=now, meets=ctx.meets,
        stalled_minutes=settings.stalled_minutes, usual=settings.usual_weekdays)
    attention_list(items)
    calendar = attention.calendar_frame(
        progress, ctx.start, ctx.end, now=now, meets=ctx.meets,
        usual=settings.usual_weekdays, stalled_minutes=settings.stalled_minutes)
    if not calendar.empty:
        st.subheader(ctx.t("overview.calendar"))
        st.altair_chart(charts.calendar_chart(calendar, ctx.lang), width="stretch")
    if progress.empty:
        return
    st.subheader(ctx.t("overview.chart"))
    st.altair_chart(charts.progress_chart(attention.progress_stages(progress), ctx.lang),
                    width="stretch")
    progress_table(progress)


body()
actions.show_dialog(ctx, who, "overview")
