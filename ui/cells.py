"""Stored values as people should see them, whatever the database holds: dates that are
not real days marked as such, infinite timestamps as "∞", odd text never as Markdown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from status_core.domain import KST, MISSING, format_date, format_time
from status_core.inputs import date_label
from status_core.text import STRINGS, t
from status_core.timestamps import KST_LIMIT, NEG_INFINITY, kst_text

from .text import md_inline


def date_shown(text: object, lang: str) -> str:
    """A stored date in the one date format (``2026-02-14 (토)``), or marked when it is
    no real day, e.g. ``⚠ 20261131 (날짜 아님)``."""
    label = date_label(text, t("value.invalid_date", lang))
    return format_date(label, lang) if label == str(text) else label


def time_shown(value: object, lang: str, *, zone: bool = False) -> str:
    """An instant in the one time format (``13:05``, or ``2026-02-14 (토) 13:05`` when not
    today in Korea); ``zone`` adds `` KST`` where the sentence does not say it."""
    text = format_time(value, lang)
    return f"{text} KST" if zone and text not in (MISSING, "∞", "-∞") and "UTC" not in text \
        else text


def job_type_shown(value: object, lang: str) -> str:
    """A job type in words of ``lang`` (``수집``); one the collector may add later, or a
    missing one, as stored / "-"."""
    key = f"jobtype.{value}"
    return t(key, lang) if key in STRINGS else ("-" if value is None else str(value))


def present(value: object) -> bool:
    """Whether a cell holds a value (not ``None``/``NaN``/``NaT``/``NA``)."""
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or other container: there is something
        return True


def pattern_shown(pattern: object, lang: str) -> str:
    """A normalised error (:func:`status_core.attention.normalise_error`) for people: its
    placeholders as words instead of raw tokens (``<n>`` -> ``#``, ``<id>`` -> ``(ID)``,
    ``<time>`` -> ``(시각)``)."""
    text = "-" if pattern is None else str(pattern)
    for token, key in (("<id>", "value.any_id"), ("<time>", "value.any_time"),
                       ("<…>", "value.any_text")):
        text = text.replace(token, t(key, lang))
    return text.replace("<n>", "#")


def plain(text: object) -> str:
    """``text`` for a Markdown element, shown as typed (no links, emphasis, LaTeX or
    colour directives): :func:`ui.text.md_inline`, the dashboard's one escaping rule."""
    return md_inline(text)


def times(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """``frame`` with the UTC timestamp ``columns`` in Korean time.

    A column that holds a value Korean time cannot show (infinity, or past the year 9999
    once nine hours are added) becomes text, ``∞``/``-∞`` included, for that view only;
    otherwise it stays a datetime column (sortable, formatted by the table).
    """
    out = {}
    for col in columns:
        if col not in frame:
            continue
        values = pd.to_datetime(frame[col], utc=True)
        odd = values.notna() & ((values > KST_LIMIT) | (values <= NEG_INFINITY))
        if not odd.any():
            out[col] = values.dt.tz_convert(KST)
        else:
            out[col] = pd.Series([kst_text(v, suffix=False) if pd.notna(v) else None
                                  for v in values], index=frame.index, dtype=object)
    return frame.assign(**out)


def time_column(shown: pd.DataFrame, col: str, label: str, fmt: str):  # noqa: ANN201
    """The column set-up for a column made by :func:`times`: a datetime column, or a text
    column when :func:`times` had to turn it into text."""
    if col in shown and not pd.api.types.is_datetime64_any_dtype(shown[col]):
        return st.column_config.TextColumn(label)
    return st.column_config.DatetimeColumn(label, format=fmt)
