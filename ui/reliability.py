"""The reliability page's own URL choices and the frames its tables show.

``?group=week|month`` (default week), ``?deadline=HOURS`` after the race day's 00:00 KST
(default 33, D+1 09:00) and ``?step=collection|enrichment|result|all`` (the timeliness
step shown; default all). Each is resolved like the other choices in :mod:`ui.filters`:
the URL when it changed, else the widget, a default left out of the URL.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from status_core import reliability as rel
from status_core.domain import meet_label
from status_core.errors import InputError
from status_core.inputs import shown_value
from status_core.states import state_label
from status_core.text import t

from .context import PageContext
from .filters import resolve

W_GROUP, W_DEADLINE, W_STEP = "w_rel_group", "w_rel_deadline", "w_rel_step"
#: Catalogue keys of the timeliness steps, the completion buckets and the stages.
STEP_KEYS = {"collection": "rel.step_collection", "enrichment": "rel.step_enrichment",
             "result": "rel.step_result", "all": "rel.step_all"}
GROUP_KEYS = {"week": "rel.week", "month": "rel.month"}
STAGE_KEYS = {"collection_failed": "rel.step_collection",
              "enrichment_failed": "rel.step_enrichment", "result_failed": "rel.step_result"}
TIMELINESS_KEYS = {"on_time": "rel.on_time", "late": "rel.late", "open": "rel.open_step"}


def resolve_grouping(warnings: list[str]) -> str:
    """``?group=week|month``; default week."""

    def widget() -> str | None:
        value = st.session_state.get(W_GROUP)
        return value if value in rel.GROUPINGS else None

    def set_widget(value: str) -> None:
        st.session_state[W_GROUP] = value

    return resolve(
        "rel_group", ("group",), parse=lambda url: rel.parse_grouping(url["group"][-1]),
        default=lambda: rel.DEFAULT_GROUPING,
        to_url=lambda v: {"group": (v,)} if v != rel.DEFAULT_GROUPING else {},
        widget=widget, set_widget=set_widget, warnings=warnings,
    )


def resolve_deadline(warnings: list[str]) -> float:
    """``?deadline=HOURS`` after the race day's 00:00 KST; default 33 (D+1 09:00)."""

    def widget() -> float | None:
        value = st.session_state.get(W_DEADLINE)
        return float(value) if isinstance(value, int | float) else None

    def set_widget(value: float) -> None:
        st.session_state[W_DEADLINE] = float(value)

    return resolve(
        "rel_deadline", ("deadline",),
        parse=lambda url: rel.parse_deadline_hours(url["deadline"][-1]),
        default=lambda: rel.DEFAULT_DEADLINE_HOURS,
        to_url=lambda v: ({"deadline": (f"{v:g}",)} if v != rel.DEFAULT_DEADLINE_HOURS
                          else {}),
        widget=widget, set_widget=set_widget, warnings=warnings,
    )


def resolve_step(warnings: list[str]) -> str:
    """``?step=collection|enrichment|result|all``; default all."""

    def parse(url: dict[str, tuple[str, ...]]) -> str:
        text = url["step"][-1].strip().lower()
        if text not in rel.STEPS:
            raise InputError(f"step {shown_value(text)} is not one of {', '.join(rel.STEPS)}")
        return text

    def widget() -> str | None:
        value = st.session_state.get(W_STEP)
        return value if value in rel.STEPS else None

    def set_widget(value: str) -> None:
        st.session_state[W_STEP] = value

    return resolve(
        "rel_step", ("step",), parse=parse, default=lambda: "all",
        to_url=lambda v: {"step": (v,)} if v != "all" else {},
        widget=widget, set_widget=set_widget, warnings=warnings,
    )


# --------------------------------------------------------------------------- shown


def period_label(period: str, grouping: str) -> str:
    """``2026-10-19`` (a week, by its Monday) or ``2026-10`` (a month)."""
    text = f"{period[:4]}-{period[4:6]}"
    return text if grouping == "month" else f"{text}-{period[6:]}"


def bucket_label(bucket: str, lang: str) -> str:
    """A completion bucket: the honest state's label, ``open`` for days not over yet."""
    return state_label(bucket, lang) if bucket != "open" else t("rel.open", lang)


def overview_links(ctx: PageContext, frame: pd.DataFrame, meets: list[int] | None
                   ) -> list[str]:
    """Per row, the overview of that period's race days (its clipped days; the row's meet
    when it has one, else the page's racecourses)."""
    out = []
    for row in frame.itertuples(index=False):
        meet = getattr(row, "meet", None)
        chosen = [meet] if meet is not None else meets
        out.append(ctx.link("overview", start=row.period_start, end=row.period_end,
                            meet=[str(m) for m in chosen] if chosen else None))
    return out


def jobs_links(ctx: PageContext, frame: pd.DataFrame, meets: list[int] | None) -> list[str]:
    """Per row, the jobs page for that period (and the row's job type, when it has one)."""
    out = []
    for row in frame.itertuples(index=False):
        kind = getattr(row, "type", None)
        out.append(ctx.link("jobs", start=row.period_start, end=row.period_end,
                            meet=[str(m) for m in meets] if meets else None,
                            type=kind))
    return out


def with_labels(ctx: PageContext, frame: pd.DataFrame, grouping: str) -> pd.DataFrame:
    """``frame`` with ``period_label`` and, when it has meets, ``meet_name``."""
    out = frame.assign(period_label=[period_label(p, grouping) for p in frame["period"]])
    if "meet" in out:
        out["meet_name"] = [meet_label(m, ctx.lang) for m in out["meet"]]
    return out


def percent(values: pd.Series) -> pd.Series:
    """Shares (0..1, NaN for none) as percentages with one decimal, as the tables show."""
    return (values * 100).round(1)
