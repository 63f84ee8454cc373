"""Overview: is the latest race day done, what needs attention, and collection progress per
race date and racecourse. Every table row, calendar cell and chart bar opens its race day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from status_core import attention, latest
from status_core.actions import plan
from status_core.alerts.evaluate import ACTIVE_JOBS_LIMIT
from status_core.alerts.items import build_items
from status_core.alerts.messages import kind_label
from status_core.domain import ACTIVE_JOB_STATUSES, KST, MEETS, format_age, meet_label
from status_core.errors import InputError, StatusError
from status_core.inputs import is_valid_date_text, parse_meet, to_date
from status_core.states import (
    STAGE_COUNTS,
    STAGES,
    cell_states,
    stage_state_label,
    stage_text,
    state_label,
)
from status_core.timestamps import infinity_sign
from ui import actions, charts
from ui.cells import date_shown, plain, time_column, time_shown, times
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
from ui.pages import page
from ui.style import narrow_only, pairs, wide_only
from ui.tables import (
    STATE_TEXT_COLUMNS,
    progress_bar,
    state_columns,
    with_states,
)

#: Where the overview keeps its own URL query when a click opens a race day.
BACK_KEY = "_overview_back"


def back_from_race() -> None:
    """Coming back (browser Back) from a race day opened by a click: Streamlit pushed the
    race page's query (``date``, ``meet``) onto this page's history entry before switching,
    so this page would read ``meet`` as its racecourse filter; put its own query back."""
    saved = st.session_state.get(BACK_KEY)
    if saved is not None and ("date" in st.query_params or "stored" in st.query_params):
        st.query_params.from_dict(saved)


back_from_race()
ctx = setup_page("overview", range_filters=True, live=True)
st.title(ctx.t("app.title"))
who = actions.access(ctx)

#: st.badge colours of the cell states (the label's icon and word carry the meaning).
BADGE_COLOURS = {"failed": "red", "not_started": "gray", "stalled": "orange",
                 "incomplete": "violet", "in_progress": "blue", "done": "green",
                 "missing": "violet"}


# --------------------------------------------------------------------------- drill-down


def switch_to(key: str, **params: object) -> None:
    """Open the page ``key`` in this tab, remembering this page's query for Back."""
    st.session_state[BACK_KEY] = {k: st.query_params.get_all(k) for k in st.query_params}
    st.switch_page(page(key).file, query_params=ctx.query(**params))


def open_race(race_date: object, meet: object) -> None:
    """Open the race page of a stored ``date`` x ``meet`` in this tab. A value that names
    no race day (a selection is sent by the browser) opens nothing."""
    try:
        params = day_params(str(race_date), parse_meet(int(float(str(meet)))))
    except (InputError, TypeError, ValueError):
        return
    switch_to("race", **params)


def _selection(event: object) -> Mapping:
    """The ``selection`` of a table's or chart's event (a dict-like state)."""
    selection = event.get("selection") if isinstance(event, Mapping) else None
    return selection if isinstance(selection, Mapping) else {}


def open_selected_row(event, frame: pd.DataFrame) -> None:  # noqa: ANN001
    """The race day of the table row a viewer clicked (``frame`` in the order shown)."""
    rows = list(_selection(event).get("rows") or [])
    if rows and 0 <= rows[0] < len(frame):
        row = frame.iloc[rows[0]]
        if pd.isna(row["meet"]) or pd.isna(row["date"]):  # stuck jobs naming no race day
            switch_to("jobs")
        else:
            open_race(row["date"], row["meet"])


def open_selected_cell(event, name: str, cells: pd.DataFrame) -> None:  # noqa: ANN001
    """The race day of the chart cell or bar a viewer clicked, when it is one shown."""
    picked = _selection(event).get(name) or []
    if not picked or not isinstance(picked[0], dict):
        return
    date, meet = str(picked[0].get("date")), picked[0].get("meet")
    known = set(zip(cells["date"].astype(str), cells["meet"].astype(int), strict=True))
    try:
        if (date, int(meet)) in known:
            open_race(date, meet)
    except (TypeError, ValueError):
        return


def race_links(cells: pd.DataFrame) -> list[str]:
    """Race page links of ``date, meet`` cells, by their exact stored date text (the jobs
    page for a row that names no race day)."""
    return [ctx.link("race", **day_params(d, m)) if not pd.isna(d) and not pd.isna(m)
            else ctx.link("jobs")
            for d, m in zip(cells["date"], cells["meet"], strict=True)]


# --------------------------------------------------------------------------- first screen


def silence_banner(writes: dict, now: dt.datetime, race_day_today: bool, *,
                   caption: bool) -> None:
    """A warning when the collector has been silent for longer than the stalled threshold
    on a usual race day (``caption=False``); how long ago it last wrote (``caption=True``,
    drawn under the cards so that on a phone the cards are the first screen)."""
    silence = latest.collector_silence(writes, now)
    minutes, threshold = silence["minutes"], ctx.settings.stalled_minutes
    if silence["newest"] is None:
        if race_day_today and not caption:
            st.warning(ctx.t("latest.silent_never"), icon="📵")
        elif not race_day_today and caption:
            st.caption(ctx.t("latest.no_write"))
        return
    age = format_age(minutes * 60, ctx.lang) if minutes is not None else "-"
    when = time_shown(silence["newest"], ctx.lang, zone=True)
    if not caption:
        if race_day_today and minutes is not None and minutes > threshold:
            st.warning(ctx.t("latest.silent", age=age, time=when, minutes=threshold),
                       icon="📵")
        return
    st.caption(ctx.t(
        "latest.last_write", age=age, time=when,
        races=time_shown(writes.get("races_updated_at"), ctx.lang),
        jobs=time_shown(writes.get("jobs_created_at"), ctx.lang)))


def day_card(where, card: dict) -> None:  # noqa: ANN001
    """One meet's card: its state, each stage as x/N with failures, the failed races, the
    age of the last update and the stuck jobs."""
    box = where.container(border=True, gap="small")
    state = card["state"]
    label = (kind_label("missing", ctx.lang) if state == "missing"
             else state_label(state, ctx.lang))
    # Name and state on one line, the stages as lines of one paragraph: compact enough
    # that a phone shows every card of the day on its first screen.
    colour = BADGE_COLOURS.get(state, "gray")
    box.markdown(f"**{plain(meet_label(card['meet'], ctx.lang))}** &nbsp; "
                 f":{colour}-badge[{plain(label)}]")
    lines = []
    if int(card["total_races"]) == 0:
        lines.append(ctx.t("latest.no_races"))
    else:
        for stage in STAGES:
            done_col, failed_col = STAGE_COUNTS[stage]
            icon = stage_state_label(card[f"{stage}_state"], ctx.lang).split(" ", 1)[0]
            lines.append(f"{icon} " + stage_text(card[done_col], card["total_races"],
                                                 card[failed_col], ctx.lang, stage=stage))
        if card["failed_races"]:
            lines.append(ctx.t("latest.failed_races", n=int(card["failed_races"])))
    stuck = int(card["stuck_jobs"])
    lines.append(ctx.t("latest.stuck", n=stuck) if stuck else ctx.t("latest.no_stuck"))
    box.markdown("  \n".join(lines))
    updated = card["last_updated"]
    if pd.isna(updated):
        box.caption(ctx.t("latest.never"))
    else:
        age = card["age_minutes"]
        box.caption(ctx.t("latest.updated", time=time_shown(updated, ctx.lang, zone=True),
                          age=format_age(age * 60, ctx.lang) if age == age else "-"))
    page_link(ctx, "race", label=ctx.t("latest.open"), where=box,
              **day_params(card["date"], card["meet"]))


def load_latest(data: Data, now: dt.datetime, recent: pd.DataFrame, writes: dict) -> dict:
    """What the first screen shows: the race day (today's, or the latest stored in the last
    two weeks (``recent``), else the newest stored at all), its cells, the collector's last
    writes and whether today is a usual race day (for the silence banner)."""
    today = attention.default_range(now)[1]
    usual = ctx.settings.usual_weekdays
    day = latest.latest_race_day(recent, now, meets=ctx.meets, usual=usual)
    source = recent
    if day is None:
        source = data.extent(today)
        day = latest.latest_race_day(source, now, meets=ctx.meets, usual=usual)
    cells = source[source["date"].astype(str) == day] if not source.empty else source
    return {
        "day": day, "today": today, "cells": cells, "writes": writes,
        "race_day_today": bool(latest.usual_meets(to_date(today), usual))
        or bool((recent["date"].astype(str) == today).any()),
    }


def latest_day(found: dict, now: dt.datetime, stuck: pd.DataFrame) -> None:
    """The first screen: one card per meet for today's race day, or the latest one."""
    silence_banner(found["writes"], now, found["race_day_today"], caption=False)
    day = found["day"]
    if day is None:
        st.info(ctx.t("latest.none"))
        silence_banner(found["writes"], now, found["race_day_today"], caption=True)
        return
    shown = date_shown(day, ctx.lang)
    st.subheader(ctx.t("latest.today" if day == found["today"] else "latest.day", date=shown))
    states = cell_states(found["cells"], now=now, stalled_minutes=ctx.settings.stalled_minutes)
    cards = latest.day_cards(states, stuck, day, now=now, meets=ctx.meets,
                             usual=ctx.settings.usual_weekdays)
    columns = st.container(key="latest_cards").columns(max(len(cards), 1))
    for where, card in zip(columns, cards.to_dict("records"), strict=False):
        day_card(where, card)
    silence_banner(found["writes"], now, found["race_day_today"], caption=True)


# --------------------------------------------------------------------------- range


def metrics(h: dict) -> None:
    """The range's headline numbers: one row on a wide screen, two abreast on a phone."""
    st.caption(ctx.t(
        "overview.caption", start=date_shown(ctx.start, ctx.lang),
        end=date_shown(ctx.end, ctx.lang),
        meets=", ".join(meet_label(m, ctx.lang) for m in ctx.meets or MEETS)))
    cols = pairs("metrics").columns(6)
    cols[0].metric(ctx.t("metric.race_days"), h["race_days"])
    cols[1].metric(ctx.t("metric.races"), h["races"])
    cols[2].metric(ctx.t("metric.collected_pct"), f"{h['collected_pct']:.1f}%",
                   help=ctx.t("metric.of_races", n=h["collected"]))
    cols[3].metric(ctx.t("metric.enriched_pct"), f"{h['enriched_pct']:.1f}%",
                   help=ctx.t("metric.of_races", n=h["enriched"]))
    cols[4].metric(ctx.t("metric.results_pct"), f"{h['results_pct']:.1f}%",
                   help=ctx.t("metric.of_races", n=h["results"]))
    cols[5].metric(ctx.t("metric.failed_races"), h["failed_races"])


def _stage_cells(frame: pd.DataFrame) -> dict[str, list]:
    """``<stage>_text`` of attention rows: x/N with failures, "-" for a row without races
    (a missing day, stuck jobs only)."""
    out = {}
    for stage in STAGES:
        done_col, failed_col = STAGE_COUNTS[stage]
        out[f"{stage}_text"] = [
            "-" if pd.isna(n) else stage_text(d, n, f, ctx.lang)
            for d, n, f in zip(frame[done_col], frame["total_races"], frame[failed_col],
                               strict=True)]
    return out


def attention_list(rows: pd.DataFrame) -> None:
    st.subheader(ctx.t("overview.attention"))
    st.caption(ctx.t("overview.attention_caption", minutes=ctx.settings.stalled_minutes,
                     stuck=ctx.settings.stuck_minutes))
    if rows.empty:
        st.success(ctx.t("overview.attention_none"))
        return
    shown = times(rows, ["last_updated"]).assign(
        kinds_label=[" · ".join(kind_label(k, ctx.lang) for k in ks.split(","))
                     for ks in rows["kinds"]],
        meet_name=[meet_label(int(m), ctx.lang) if not pd.isna(m) else "-"
                   for m in rows["meet"]],
        age=[format_age(m * 60, ctx.lang) if m == m and not infinity_sign(u) else "-"
             for m, u in zip(rows["age_minutes"], rows["last_updated"], strict=True)],
        link=race_links(rows),
        date=[date_shown(d, ctx.lang) if not pd.isna(d) else ctx.t("overview.jobs_without_day")
              for d in rows["date"]],
        **_stage_cells(rows),
    )
    event = st.dataframe(
        shown, hide_index=True, width="stretch", on_select="rerun",
        selection_mode="single-row", key="attention_table",
        column_order=["date", "meet_name", "kinds_label", *STATE_TEXT_COLUMNS[1:],
                      "link", "stuck_jobs", "job_ids", "age", "last_updated"],
        column_config=_columns(shown) | state_columns(ctx) | {
            "kinds_label": st.column_config.TextColumn(ctx.t("col.kinds")),
            "age": st.column_config.TextColumn(ctx.t("col.age")),
            "stuck_jobs": st.column_config.NumberColumn(ctx.t("col.stuck_jobs")),
            "job_ids": st.column_config.TextColumn(ctx.t("col.job_ids_stuck")),
        },
    )
    open_selected_row(event, rows)
    csv_download(ctx, times(rows, ["last_updated"]),
                 f"attention_{ctx.start}_{ctx.end}", key="csv_attention")
    attention_actions(rows)


def attention_actions(items: pd.DataFrame) -> None:
    """Operators pick an attention row (a race day) and ask the collector about that day."""
    if not who.allowed:
        return
    today = attention.today_kst(dt.datetime.now(dt.UTC))
    rows = [(d, int(m), k) for d, m, k in zip(items["date"], items["meet"], items["kind"],
                                              strict=True)
            if not pd.isna(d) and not pd.isna(m) and plan.actionable_day(d, int(m), today)]
    if not rows:
        return
    chosen = st.selectbox(
        ctx.t("action.attention_pick"), range(len(rows)), key="attention_action_pick",
        placeholder=ctx.t("widget.choose_one"),
        format_func=lambda i: (f"{kind_label(rows[i][2], ctx.lang)} · "
                               f"{date_shown(rows[i][0], ctx.lang)} "
                               f"{meet_label(rows[i][1], ctx.lang)}"))
    race_date, meet, _kind = rows[chosen or 0]
    try:
        races = Data(ctx, ctx.interval).races(race_date, meet)
    except StatusError:
        races = None
    actions.caption(ctx, who)
    actions.day_actions(ctx, who, "overview", race_date, meet,
                        races if races is not None else pd.DataFrame(), key="attention_action")


def _columns(shown: pd.DataFrame) -> dict:
    return {
        "date": st.column_config.TextColumn(ctx.t("col.date")),
        "meet_name": st.column_config.TextColumn(ctx.t("col.meet")),
        "total_races": st.column_config.NumberColumn(ctx.t("col.total_races")),
        "failed_races": st.column_config.NumberColumn(ctx.t("col.failed_races")),
        "last_updated": time_column(shown, "last_updated", ctx.t("col.last_updated"),
                                    "YYYY-MM-DD HH:mm:ss"),
        "link": st.column_config.LinkColumn(ctx.t("col.link"), display_text="🔎",
                                            width="small"),
    }


#: The overview table's columns: the dashboard's own states, no collector API values. The
#: key columns (date, meet, state, x/N) first, so that a phone shows them unscrolled.
TABLE_COLUMNS = ["date", "meet_name", "state_label", "collection_text", "enrichment_text",
                 "result_text", "link", "total_races", "collected_pct", "enriched_pct",
                 "result_pct", "failed_races", "last_updated"]


def progress_table(states: pd.DataFrame) -> None:
    st.subheader(ctx.t("overview.table"))
    st.caption(ctx.t("overview.table_caption"))
    ordered = states.sort_values(["date", "meet"], ascending=[False, True])
    ordered = ordered.reset_index(drop=True)
    shown = times(with_states(ctx, ordered), ["last_updated"]).assign(
        meet_name=lambda f: [meet_label(m, ctx.lang) for m in f["meet"]],
        link=race_links(ordered),
        date=[date_shown(d, ctx.lang) for d in ordered["date"]],
    )
    keep = [*TABLE_COLUMNS, "meet", "state", "collected_races", "enriched_races",
            "result_collected"]
    event = st.dataframe(
        shown.loc[:, keep], hide_index=True, width="stretch", on_select="rerun",
        selection_mode="single-row", key="progress_table", column_order=TABLE_COLUMNS,
        column_config=_columns(shown) | state_columns(ctx) | {
            "collected_pct": progress_bar(ctx, "col.collected_pct"),
            "enriched_pct": progress_bar(ctx, "col.enriched_pct"),
            "result_pct": progress_bar(ctx, "col.result_pct"),
        },
    )
    open_selected_row(event, ordered)
    csv_download(ctx, times(states, ["last_updated"]),
                 f"progress_{ctx.start}_{ctx.end}", key="csv_progress")


def calendar_section(calendar: pd.DataFrame) -> None:
    if calendar.empty:
        return
    st.subheader(ctx.t("overview.calendar"))
    with wide_only("calendar"):
        st.caption(ctx.t("overview.calendar_caption"))
        event = st.altair_chart(charts.calendar_chart(calendar, ctx.lang), width="stretch",
                                on_select="rerun", key="calendar_chart")
    open_selected_cell(event, charts.CALENDAR_SELECTION, calendar)
    with narrow_only("calendar"):
        calendar_list(calendar)


def calendar_list(calendar: pd.DataFrame) -> None:
    """The calendar on a phone, where a date x meet grid cannot fit: one line per date,
    newest first, each racecourse's state linking to its race day."""
    lines = []
    for day, cells in calendar.groupby(calendar["date"].astype(str), sort=False):
        links = [f"[{plain(meet_label(int(m), ctx.lang))} "
                 f"{plain(charts.calendar_label(s, ctx.lang))}]({link})"
                 for s, m, link in zip(cells["state"], cells["meet"], race_links(cells),
                                       strict=True)]
        lines.append((day, f"**{plain(date_shown(day, ctx.lang))}** · "
                      + " · ".join(links)))
    st.markdown("\n".join(f"- {text}" for _day, text in sorted(lines, reverse=True)))


def chart_section(progress: pd.DataFrame) -> None:
    st.subheader(ctx.t("overview.chart"))
    st.caption(ctx.t("overview.chart_caption"))
    event = st.altair_chart(charts.progress_chart(attention.progress_stages(progress),
                                                  ctx.lang),
                            width="stretch", on_select="rerun", key="progress_chart")
    open_selected_cell(event, charts.CHART_SELECTION, progress)


def latest_hint(extent: pd.DataFrame) -> None:
    """Where the stored data is when the range shows none: the latest real race day with
    a link to its 14 days, or, when no stored date is a real day, the latest stored cell."""
    valid = [d for d in extent["date"] if is_valid_date_text(d)]
    if not valid:
        last = str(extent["date"].max())
        st.caption(ctx.t("overview.latest_hint", date=plain(date_shown(last, ctx.lang))))
        meet = int(extent.loc[extent["date"] == last, "meet"].min())
        page_link(ctx, "race", **day_params(last, meet))
        return
    last = max(valid)
    start, end = attention.default_range(dt.datetime.combine(to_date(last), dt.time(12), KST))
    st.caption(ctx.t("overview.latest_hint", date=last))
    page_link(ctx, "overview", label=ctx.t("overview.show_latest"), icon="📅",
              start=start, end=end, meet=[str(m) for m in ctx.meets])


@st.fragment(run_every=ctx.run_every)
def body() -> None:
    data = Data(ctx, ctx.interval)
    now = dt.datetime.now(dt.UTC)
    try:
        recent_range = attention.default_range(now)  # the default view's: often the same
        progress, active, writes, *recent = data.together(
            lambda d: d.progress(ctx.start, ctx.end, ctx.meets),
            lambda d: d.jobs(statuses=list(ACTIVE_JOB_STATUSES), limit=ACTIVE_JOBS_LIMIT),
            lambda d: d.latest_writes(),
            # Asked only when it differs: two threads asking for one cached value queue
            # behind each other, and a failure (never cached) would be waited for twice.
            *([] if recent_range == (ctx.start, ctx.end)
              else [lambda d: d.progress(*recent_range, ctx.meets)]))
        found = load_latest(data, now, recent[0] if recent else progress, writes)
        states, missing, stuck = attention.item_frames(
            progress, active, start=ctx.start, end=ctx.end, now=now, meets=ctx.meets,
            thresholds=ctx.settings)
        extent = data.extent(f"{attention.today_kst(now):%Y%m%d}") if progress.empty else None
    except StatusError as exc:
        show_error(ctx, exc)
        return
    latest_day(found, now, stuck)
    as_of(ctx, data.as_of)
    metrics(attention.headline(progress))
    if progress.empty:
        if extent is None or extent.empty:
            st.warning(ctx.t("overview.empty_db"))
            no_data_help(ctx)
        else:
            st.info(ctx.t("overview.no_races"))
            latest_hint(extent)
    attention_list(attention.attention_rows(build_items(states, missing, stuck), now))
    calendar_section(attention.calendar_frame(states, missing))
    if progress.empty:
        return
    chart_section(progress)
    progress_table(states)


body()
actions.show_dialog(ctx, who, "overview")
