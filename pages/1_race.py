"""Race detail: one date x racecourse, race by race, and the jobs that worked on it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from status_core import attention
from status_core.errors import StatusError
from status_core.inputs import MEETS, is_valid_date_text, to_date
from status_core.timestamps import kst_text
from ui.cells import date_shown, plain, time_column, times
from ui.common import (
    as_of,
    csv_download,
    setup_page,
    show_error,
    status_badge,
)
from ui.data import Data
from ui.filters import W_DAY, W_DAY_MEET, meet_label, resolve_day
from ui.tables import badge_columns, job_columns, jobs_for_csv, jobs_for_display, with_badges

RACE_TIMES = ("collected_at", "enriched_at", "result_collected_at", "updated_at")
ctx = setup_page("race", live=True)
st.title(f"🏇 {ctx.t('nav.race')}")
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
    st.warning(f"**{ctx.t('error.input')}:** {message} — {ctx.t('error.fallback')}")
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

left, right, _ = st.columns([1, 1, 2])
left.date_input(ctx.t("race.date"), key=W_DAY, format="YYYY-MM-DD")
right.selectbox(ctx.t("race.meet"), list(MEETS), key=W_DAY_MEET,
                format_func=lambda m: meet_label(m, ctx.lang))
race_date, meet = day
is_day = is_valid_date_text(race_date)  # else a stored text opened as it is (?stored=)
if not is_day:
    st.info(ctx.t("race.stored_cell", text=plain(date_shown(race_date, ctx.lang))))


def summary(status: dict) -> None:
    st.subheader(ctx.t("race.summary"))
    cols = st.columns(4)
    cols[0].metric(ctx.t("summary.total_races"), status["total_races"])
    cols[1].metric(ctx.t("summary.collected_races"), status["collected_races"])
    cols[2].metric(ctx.t("summary.enriched_races"), status["enriched_races"])
    cols[3].metric(ctx.t("summary.status"), status_badge(status["status"], ctx.lang))
    cols = st.columns(4)
    cols[0].metric(ctx.t("summary.collection_status"),
                   status_badge(status["collection_status"], ctx.lang))
    cols[1].metric(ctx.t("summary.enrichment_status"),
                   status_badge(status["enrichment_status"], ctx.lang))
    cols[2].metric(ctx.t("summary.result_status"), status_badge(status["result_status"],
                                                                ctx.lang))
    cols[3].metric(ctx.t("summary.last_updated"),
                   kst_text(status["last_updated"], "%m-%d %H:%M", suffix=False),
                   help=kst_text(status["last_updated"]))
    with st.expander("JSON"):
        st.json({**status, "last_updated": kst_text(status["last_updated"])})


def races_table(races: pd.DataFrame) -> None:
    st.subheader(ctx.t("race.races"))
    shown = times(with_badges(ctx, races), RACE_TIMES).assign(
        flag=["❌" if f else ("⚠️" if w else "") for f, w in
              zip(races["failed"], races["warning_count"], strict=True)],
    )

    def when(key: str) -> st.column_config.Column:
        return time_column(shown, key.removeprefix("col."), ctx.t(key), "MM-DD HH:mm:ss")

    def highlight(row: pd.Series) -> list[str]:
        colour = "background-color: rgba(229, 57, 53, 0.15)" if row["failed"] else ""
        return [colour] * len(row)

    st.dataframe(
        shown.style.apply(highlight, axis=1), hide_index=True, width="stretch",
        column_order=["flag", "race_number", "race_name", "distance",
                      "collection_status_badge", "enrichment_status_badge",
                      "result_status_badge", "collected_at", "enriched_at",
                      "result_collected_at", "updated_at", "horse_count",
                      "data_quality_score", "warning_count", "warnings"],
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
            "warnings": st.column_config.ListColumn(ctx.t("col.warnings")),
        },
        key="races_table",
    )
    csv_download(ctx, times(races, RACE_TIMES).assign(
        warnings=races["warnings"].map(" | ".join)),
        f"races_{race_date}_{meet}", key="csv_races")
    flagged = races[races["failed"] | (races["warning_count"] > 0)]
    failed = races[races["failed"]]
    if not flagged.empty:
        title = ctx.t("race.failed_title") if not failed.empty else ctx.t("race.warnings_title")
        with st.expander(f"{title} ({len(flagged)})", expanded=not failed.empty):
            for row in flagged.itertuples(index=False):
                head = ctx.t("race.failed_line", n=row.race_number, name=row.race_name or "")
                states = " · ".join(status_badge(s, ctx.lang) for s in (
                    row.collection_status, row.enrichment_status, row.result_status))
                lines = "\n".join(f"- {w}" for w in row.warnings) or ctx.t("race.no_warnings")
                icon = "❌" if row.failed else "⚠️"
                st.markdown(f"{icon} **{head}** — {states}\n\n{lines}")


def jobs_table(jobs: pd.DataFrame) -> None:
    st.subheader(ctx.t("race.jobs"))
    if jobs.empty:
        st.caption(ctx.t("race.no_jobs"))
        return
    shown = jobs_for_display(ctx, jobs)
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["job_id", "type", "status_label", "created_at", "started_at",
                      "completed_at", "duration_min", "progress", "retry_count",
                      "error_message"],
        column_config=job_columns(ctx, shown),
        key="race_jobs_table",
    )
    csv_download(ctx, jobs_for_csv(jobs), f"jobs_{race_date}_{meet}", key="csv_race_jobs")


@st.fragment(run_every=ctx.run_every)
def body() -> None:
    fresh = Data(ctx, ctx.interval)
    try:
        status = fresh.status(race_date, meet)
        races = fresh.races(race_date, meet)
        jobs = fresh.jobs(race_date=race_date, meet=meet, stored=True)
    except StatusError as exc:
        show_error(ctx, exc)
        return
    as_of(ctx, fresh.as_of)
    summary(status)
    if races.empty:
        st.info(ctx.t("race.no_races", date=plain(date_shown(race_date, ctx.lang)),
                      meet=meet_label(meet, ctx.lang)))
    else:
        races_table(races)
    jobs_table(jobs)
    links = st.columns(3)
    lang = {"lang": ctx.lang} if ctx.lang != "ko" else {}
    # A stored text that is no day has no range around it and no ?race_date= form.
    around, day_param = {}, {}
    if is_day:
        start, end = attention.default_range(
            dt.datetime.combine(to_date(race_date), dt.time(12), attention.KST))
        around, day_param = {"start": start, "end": end}, {"race_date": race_date}
    links[0].page_link("app.py", label=ctx.t("race.overview_link"), icon="📊",
                       query_params=around | {"meet": str(meet)} | lang)
    links[1].page_link("pages/2_jobs.py", label=ctx.t("race.jobs_link"), icon="⚙️",
                       query_params=day_param | {"meet": str(meet)} | lang)


body()
