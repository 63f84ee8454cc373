"""Overview: collection progress per race date and racecourse."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from status_core.engine import read
from status_core.errors import StatusError
from status_core.inputs import MEETS
from status_core.queries import progress_frame
from ui.common import engine, setup_page, show_error

KST = dt.timezone(dt.timedelta(hours=9))

ctx = setup_page("overview")
st.title(ctx.t("app.title"))

today = dt.datetime.now(KST).date()
with st.sidebar:
    picked = st.date_input(
        ctx.t("sidebar.range"), value=(today - dt.timedelta(days=13), today), format="YYYY-MM-DD"
    )
    meets = st.multiselect(
        ctx.t("sidebar.meets"), list(MEETS), default=list(MEETS),
        format_func=lambda m: f"{m} {MEETS[m]}",
    )
start, end = (picked if isinstance(picked, tuple) and len(picked) == 2 else (today, today))

try:
    with read(engine(ctx), ctx.target) as conn:
        frame = progress_frame(conn, f"{start:%Y%m%d}", f"{end:%Y%m%d}", meets or None)
except StatusError as exc:
    show_error(ctx, exc)
    st.stop()

st.subheader(ctx.t("overview.table"))
if frame.empty:
    st.info(ctx.t("overview.no_races"))
else:
    shown = frame.assign(last_updated=frame["last_updated"].dt.tz_convert("Asia/Seoul"))
    columns = ["date", "meet", "total_races", "collected_races", "enriched_races",
               "failed_races", "status", "collection_status", "enrichment_status",
               "result_status", "last_updated"]
    st.dataframe(
        shown[columns].rename(columns={c: ctx.t(f"col.{c}") for c in columns}),
        hide_index=True, use_container_width=True,
    )
