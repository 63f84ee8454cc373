"""Overview: collection progress per race date and racecourse, and what needs attention."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from status_core import attention
from status_core.diagnose import format_age
from status_core.errors import StatusError
from status_core.inputs import MEETS
from ui import charts
from ui.common import (
    as_of,
    csv_download,
    kst,
    no_data_help,
    setup_page,
    show_error,
)
from ui.data import Data
from ui.filters import meet_label
from ui.tables import badge_columns, with_badges

ctx = setup_page("overview", range_filters=True, live=True)
st.title(ctx.t("app.title"))
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
    shown = items.assign(
        kind_label=[ctx.t(f"kind.{k}") for k in items["kind"]],
        meet_name=[meet_label(m, ctx.lang) for m in items["meet"]],
        last_updated=kst(items["last_updated"]),
        age=[format_age(m * 60, ctx.lang) if m == m else "-" for m in items["age_minutes"]],
        link=[ctx.link("race", date=d, meet=m) for d, m in zip(items["date"], items["meet"],
                                                             strict=True)],
    )
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["kind_label", "date", "meet_name", "total_races", "collected_races",
                      "enriched_races", "result_collected", "failed_races", "age",
                      "last_updated", "link"],
        column_config=_columns() | {
            "kind_label": st.column_config.TextColumn(ctx.t("col.kind")),
            "age": st.column_config.TextColumn(ctx.t("col.age")),
        },
        key="attention_table",
    )
    csv_download(ctx, items.assign(last_updated=kst(items["last_updated"])),
                 f"attention_{ctx.start}_{ctx.end}", key="csv_attention")


def _columns() -> dict:
    return {
        "date": st.column_config.TextColumn(ctx.t("col.date")),
        "meet_name": st.column_config.TextColumn(ctx.t("col.meet")),
        "total_races": st.column_config.NumberColumn(ctx.t("col.total_races")),
        "collected_races": st.column_config.NumberColumn(ctx.t("col.collected_races")),
        "enriched_races": st.column_config.NumberColumn(ctx.t("col.enriched_races")),
        "result_collected": st.column_config.NumberColumn(ctx.t("col.result_collected")),
        "failed_races": st.column_config.NumberColumn(ctx.t("col.failed_races")),
        "last_updated": st.column_config.DatetimeColumn(
            ctx.t("col.last_updated"), format="YYYY-MM-DD HH:mm:ss"),
        "link": st.column_config.LinkColumn(ctx.t("col.link"), display_text="🔎",
                                            width="small"),
    }


def progress_table(progress) -> None:  # noqa: ANN001
    st.subheader(ctx.t("overview.table"))
    ordered = progress.sort_values(["date", "meet"], ascending=[False, True])
    shown = with_badges(ctx, ordered).assign(
        meet_name=lambda f: [meet_label(m, ctx.lang) for m in f["meet"]],
        last_updated=lambda f: kst(f["last_updated"]),
        link=lambda f: [ctx.link("race", date=d, meet=m)
                        for d, m in zip(f["date"], f["meet"], strict=True)],
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
        column_config=_columns() | badge_columns(ctx) | {
            "collected_pct": bar("col.collected_pct"),
            "enriched_pct": bar("col.enriched_pct"),
            "result_pct": bar("col.result_pct"),
        },
        key="progress_table",
    )
    csv_download(ctx, progress.assign(last_updated=kst(progress["last_updated"])),
                 f"progress_{ctx.start}_{ctx.end}", key="csv_progress")


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
            latest = str(extent["date"].max())
            start, end = attention.default_range(
                dt.datetime.strptime(latest, "%Y%m%d").replace(hour=12, tzinfo=attention.KST))
            st.caption(ctx.t("overview.latest_hint", date=latest))
            st.page_link("app.py", label=ctx.t("overview.show_latest"), icon="📅",
                         query_params={"start": start, "end": end}
                         | ({"lang": ctx.lang} if ctx.lang != "ko" else {}))
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
