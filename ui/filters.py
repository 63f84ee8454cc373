"""Choices that live in the URL: date range, racecourses, race day, live mode.

Every choice is a *group* of query parameters (``start``/``end``, ``meet``, ``date``/``meet``
on the race page, ``live``). Each run resolves a group like this:

1. the URL changed since this session last wrote it (first visit, a link, back button):
   take the URL, validated by :mod:`status_core.inputs`; an invalid value is named in a
   warning and replaced by the default;
2. otherwise the widget changed: take the widget;
3. otherwise keep the previous choice, or follow the default (e.g. "the last 14 days",
   which moves at midnight) when none was ever made.

The widget is then set to the result *before* it is drawn, and the URL is rewritten to
match. The range, the racecourses and the race day are always written, also when they
are the default (the last 14 days and the latest race day move with the clock): the URL
names what is shown, so a reload or a copied link shows the same tomorrow. Other defaults
never move (live off, the default thresholds) and are left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from status_core import attention
from status_core.domain import MEETS, meet_label
from status_core.errors import InputError, StatusError
from status_core.inputs import (
    is_valid_date_text,
    parse_date,
    parse_meet,
    parse_range,
    parse_stored_date,
    shown_value,
    to_date,
)
from status_core.settings import (
    Thresholds,
    format_weekdays,
    parse_minutes,
    parse_weekdays,
    read_thresholds,
)
from status_core.text import t

#: Live refresh intervals (seconds) a viewer may choose (``?live=``); the cached loaders
#: of :mod:`ui.data` exist once per interval.
INTERVALS = (10, 30, 60, 300)
DEFAULT_INTERVAL = 30

W_RANGE = "w_range"
W_MEETS = "w_meets"
W_DAY = "w_day"
W_DAY_MEET = "w_day_meet"
W_DAY_STORED = "_day_stored"  # the stored text shown while the date picker is empty
W_LIVE = "w_live"
W_INTERVAL = "w_interval"
W_STALLED = "w_stalled_minutes"
W_STUCK = "w_stuck_minutes"
W_USUAL = "w_usual_{meet}"


def _url_values(names: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {n: tuple(st.query_params.get_all(n)) for n in names}


def _write_url(names: tuple[str, ...], values: dict[str, tuple[str, ...]], *,
               force: bool = False) -> None:
    """Set the group ``names`` to ``values`` in the URL, in one message to the browser and
    keeping the order of the parameters already there (the browser pushes a history entry
    when the query text changes). ``force``: send the query even when it is unchanged,
    because the browser may not show it: a ``st.page_link`` to the page already open
    reruns it with the link's query but leaves the address bar as it was."""
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: (list(values.get(k, ())) if k in names else v) for k, v in current.items()}
    wanted.update({n: list(values[n]) for n in names if values.get(n) and n not in current})
    wanted = {k: v for k, v in wanted.items() if v}
    if wanted != current:
        st.query_params.from_dict({k: v if len(v) > 1 else v[0] for k, v in wanted.items()})
    elif force:
        st.query_params.update()  # the same query, sent once


def resolve(
    group: str,
    names: tuple[str, ...],
    *,
    parse: Callable[[dict[str, tuple[str, ...]]], Any],
    default: Callable[[], Any],
    to_url: Callable[[Any], dict[str, tuple[str, ...]]],
    widget: Callable[[], Any | None],
    set_widget: Callable[[Any], None],
    warnings: list[str],
    always: bool = False,
) -> Any:
    """Resolve one group of URL parameters (see the module docstring). ``always``: write
    the value to the URL even when it is the default (a default that moves with time)."""
    ss = st.session_state
    url = _url_values(names)
    url_key, state_key = f"_sync.{group}.url", _state_key(group)
    last = ss.get(state_key)
    arrived = last is None or url != ss.get(url_key)
    if arrived:
        explicit = any(url.values())
        value = None
        if explicit:
            try:
                value = parse(url)
            except StatusError as exc:
                warnings.append(exc.message)
        if value is None:
            value, explicit = default(), False
    else:
        previous, explicit = last
        current = widget()
        if current is not None and current != previous:
            value, explicit = current, True
        elif explicit:
            value = previous
        else:
            value = default()
    set_widget(value)
    written = to_url(value) if explicit or always else {}
    _write_url(names, written, force=arrived)
    ss[url_key] = _url_values(names)
    ss[state_key] = (value, explicit)
    return value


def _state_key(group: str) -> str:
    return f"_sync.{group}.state"


def explicit_choice(group: str) -> Any | None:
    """The value of ``group`` when this session chose it (in the URL or a widget), else
    ``None`` (never chosen, or following its default)."""
    state = st.session_state.get(_state_key(group))
    return state[0] if state and state[1] else None


def link_params(page: str) -> dict[str, object]:
    """Query parameters that carry this session's explicit choices to ``page``: the range
    and racecourses to the overview and the jobs page, the race day to the race page, and
    live refresh to every page but the DB check."""
    params: dict[str, object] = {}
    if page in ("overview", "jobs", "reliability"):
        chosen_range, chosen_meets = explicit_choice("range"), explicit_choice("meets")
        if chosen_range:
            params["start"], params["end"] = chosen_range
        if chosen_meets:
            params["meet"] = [str(m) for m in chosen_meets]
    if page == "race":
        day = explicit_choice("day")
        if day:
            params.update(day_params(*day))
    live = explicit_choice("live")
    if page != "check" and live and live[0]:
        params["live"] = str(live[1])
    return params


# --------------------------------------------------------------------------- groups


def resolve_range(warnings: list[str], now: dt.datetime | None = None, *,
                  default: Callable[[], tuple[str, str]] | None = None) -> tuple[str, str]:
    """``?start=YYYYMMDD&end=YYYYMMDD``; default the last 14 days in Korean time (or what
    ``default`` gives: the reliability page's twelve weeks)."""

    def parse(url: dict[str, tuple[str, ...]]) -> tuple[str, str]:
        start, end = url["start"][-1:] or (None,), url["end"][-1:] or (None,)
        if start[0] is None or end[0] is None:
            raise InputError("start and end go together: ?start=YYYYMMDD&end=YYYYMMDD")
        return parse_range(start[0], end[0])

    def widget() -> tuple[str, str] | None:
        value = st.session_state.get(W_RANGE)
        if isinstance(value, tuple | list) and len(value) == 2 and all(value):
            return f"{value[0]:%Y%m%d}", f"{value[1]:%Y%m%d}"
        return None

    def set_widget(value: tuple[str, str]) -> None:
        st.session_state[W_RANGE] = (to_date(value[0]), to_date(value[1]))

    return resolve(
        "range", ("start", "end"), parse=parse,
        default=default or (lambda: attention.default_range(now)),
        to_url=lambda v: {"start": (v[0],), "end": (v[1],)},
        widget=widget, set_widget=set_widget, warnings=warnings, always=True,
    )


def resolve_meets(warnings: list[str]) -> list[int]:
    """``?meet=1&meet=3``; default all three racecourses."""

    def parse(url: dict[str, tuple[str, ...]]) -> list[int]:
        return sorted({parse_meet(v) for v in url["meet"]})

    def widget() -> list[int] | None:
        value = st.session_state.get(W_MEETS)
        if value is None:
            return None
        return sorted(value) or list(MEETS)

    def set_widget(value: list[int]) -> None:
        st.session_state[W_MEETS] = list(value)

    return resolve(
        "meets", ("meet",), parse=parse, default=lambda: list(MEETS),
        to_url=lambda v: {"meet": tuple(str(m) for m in v)},
        widget=widget, set_widget=set_widget, warnings=warnings, always=True,
    )


def day_params(race_date: str, meet: int) -> dict[str, str]:
    """The race page's URL parameters for a stored cell: ``date`` when its text is a real
    ``YYYYMMDD`` day (``?date=`` reads it back as itself), else ``stored`` with the exact
    text, so a typed date is never taken for a cell stored under other text."""
    key = "date" if is_valid_date_text(race_date) else "stored"
    return {key: race_date, "meet": str(int(meet))}


def resolve_day(
    warnings: list[str], default: Callable[[], tuple[str, int] | None],
    notes: list[tuple[str, str]] | None = None,
) -> tuple[str, int] | None:
    """``?date=YYYYMMDD&meet=N`` (or ``?stored=TEXT&meet=N`` for a cell whose stored date
    is not a real day) of the race page; ``default`` gives the latest race day. A typed
    date in another accepted form (``2026-02-14``) adds ``(typed, read as)`` to ``notes``."""

    def parse(url: dict[str, tuple[str, ...]]) -> tuple[str, int] | None:
        dates, stored, meets = url["date"], url["stored"], url["meet"]
        if dates and stored:
            raise InputError("use either date or stored, not both: ?date=YYYYMMDD&meet=N, "
                             "or ?stored=TEXT&meet=N for a stored text that is not a date")
        meet = parse_meet(meets[-1]) if meets else None
        if stored:
            return parse_stored_date(stored[-1]), meet or 1
        if not dates:
            raise InputError("meet needs a date: ?date=YYYYMMDD&meet=N")
        try:
            race_date = parse_date(dates[-1])
        except InputError as exc:
            raise InputError(f"{exc.message}; a cell stored under exactly this text opens "
                             "with ?stored=TEXT") from None
        if notes is not None and dates[-1].strip() != race_date:
            notes.append((dates[-1].strip(), race_date))
        return race_date, meet or 1

    def widget() -> tuple[str, int] | None:
        day, meet = st.session_state.get(W_DAY), st.session_state.get(W_DAY_MEET)
        if meet is None:
            return None
        if day is None:  # the picker is empty while a stored, not-a-date cell is shown
            stored = st.session_state.get(W_DAY_STORED)
            return (stored, int(meet)) if stored is not None else None
        return f"{day:%Y%m%d}", int(meet)

    def set_widget(value: tuple[str, int] | None) -> None:
        if value is not None:
            valid = is_valid_date_text(value[0])
            st.session_state[W_DAY] = to_date(value[0]) if valid else None
            st.session_state[W_DAY_STORED] = None if valid else value[0]
            st.session_state[W_DAY_MEET] = int(value[1])

    return resolve(
        "day", ("date", "stored", "meet"), parse=parse, default=default,
        to_url=lambda v: {k: (x,) for k, x in day_params(*v).items()} if v else {},
        widget=widget, set_widget=set_widget, warnings=warnings, always=True,
    )


def resolve_live(warnings: list[str]) -> tuple[bool, int]:
    """``?live=30`` (seconds: 10, 30, 60 or 300) turns live refresh on."""

    def parse(url: dict[str, tuple[str, ...]]) -> tuple[bool, int]:
        text = url["live"][-1]
        # ASCII digits only: "²".isdigit() is true but int() fails, and int() reads
        # other scripts' digits ("٣٠" is 30).
        if text in {str(i) for i in INTERVALS}:
            return True, int(text)
        raise InputError(f"live {shown_value(text)} is not a refresh interval; expected one of "
                         f"{', '.join(map(str, INTERVALS))} seconds")

    def widget() -> tuple[bool, int] | None:
        on, every = st.session_state.get(W_LIVE), st.session_state.get(W_INTERVAL)
        if on is None or every is None:
            return None
        return bool(on), int(every)

    def set_widget(value: tuple[bool, int]) -> None:
        st.session_state[W_LIVE], st.session_state[W_INTERVAL] = value

    return resolve(
        "live", ("live",), parse=parse, default=lambda: (False, DEFAULT_INTERVAL),
        to_url=lambda v: {"live": (str(v[1]),)} if v[0] else {},
        widget=widget, set_widget=set_widget, warnings=warnings,
    )


# --------------------------------------------------------------------------- settings


def env_settings(warnings: list[str], environ: Mapping[str, str] | None = None) -> Thresholds:
    """The thresholds of :func:`status_core.settings.read_thresholds`; a bad value is named
    in ``warnings`` and its default used."""
    thresholds, errors = read_thresholds(environ)
    warnings.extend(f"{exc.message} ({exc.hint})" for exc in errors)
    return thresholds


#: The thresholds' URL parameters: ``?stalled=45&stuck=90&usual=1=sat,sun;2=fri;3=fri,sun``
#: (the settings box's values when they differ from the defaults of the environment).
SETTINGS_PARAMS = ("stalled", "stuck", "usual")


def _settings_url(value: Thresholds, defaults: Thresholds) -> dict[str, tuple[str, ...]]:
    """The thresholds that differ from ``defaults``, as URL parameters."""
    url: dict[str, tuple[str, ...]] = {}
    if value.stalled_minutes != defaults.stalled_minutes:
        url["stalled"] = (str(value.stalled_minutes),)
    if value.stuck_minutes != defaults.stuck_minutes:
        url["stuck"] = (str(value.stuck_minutes),)
    if dict(value.usual_weekdays) != dict(defaults.usual_weekdays):
        url["usual"] = (format_weekdays(value.usual_weekdays),)
    return url


def _parse_settings(url: dict[str, tuple[str, ...]], defaults: Thresholds,
                    warnings: list[str]) -> Thresholds:
    """Each threshold of the URL on its own: a bad one is named in ``warnings`` and its
    default kept, the others still apply."""
    values: dict[str, Any] = {"stalled_minutes": defaults.stalled_minutes,
                              "stuck_minutes": defaults.stuck_minutes,
                              "usual_weekdays": dict(defaults.usual_weekdays)}
    for param, name in (("stalled", "stalled_minutes"), ("stuck", "stuck_minutes")):
        if url[param]:
            try:
                values[name] = parse_minutes(url[param][-1], values[name], name=param)
            except InputError as exc:
                warnings.append(f"{exc.message} ({exc.hint})")
    if url["usual"]:
        try:
            # parse_weekdays keeps the built-in days of a meet not named; a link names
            # only what differs from this server's defaults, so start from those.
            named = parse_weekdays(url["usual"][-1])
            parts = {p.partition("=")[0] for p in re.split(r"[;\s]+", url["usual"][-1])}
            values["usual_weekdays"].update({m: d for m, d in named.items() if str(m) in parts})
        except InputError as exc:
            warnings.append(f"usual: {exc.message} ({exc.hint})")
    return Thresholds(**values)


def resolve_settings(warnings: list[str], environ: Mapping[str, str] | None = None) -> Thresholds:
    """The thresholds: ``?stalled=&stuck=&usual=`` or the settings box, over the defaults of
    the environment (:func:`env_settings`). Resolved on every page, so a link carries them
    to a page without the settings box too."""
    defaults = env_settings(warnings, environ)

    def widget() -> Thresholds | None:
        keys = [W_STALLED, W_STUCK, *(W_USUAL.format(meet=m) for m in MEETS)]
        if any(st.session_state.get(k) is None for k in keys):
            return None  # the box is not drawn on this page
        usual = {m: tuple(sorted(st.session_state[W_USUAL.format(meet=m)])) for m in MEETS}
        return Thresholds(int(st.session_state[W_STALLED]), int(st.session_state[W_STUCK]),
                          usual)

    def set_widget(value: Thresholds) -> None:
        st.session_state[W_STALLED] = value.stalled_minutes
        st.session_state[W_STUCK] = value.stuck_minutes
        for meet in MEETS:
            st.session_state[W_USUAL.format(meet=meet)] = list(
                value.usual_weekdays.get(meet, ()))

    return resolve(
        "settings", SETTINGS_PARAMS,
        parse=lambda url: _parse_settings(url, defaults, warnings),
        default=lambda: defaults, to_url=lambda v: _settings_url(v, defaults),
        widget=widget, set_widget=set_widget, warnings=warnings,
    )


def settings_params() -> dict[str, object]:
    """The thresholds this session chose that differ from the defaults, as the query
    parameters every link carries (so a page opened from a link judges alike)."""
    written = st.session_state.get("_sync.settings.url") or {}
    return {name: list(values) for name, values in written.items() if values}


def settings_expander(lang: str) -> None:
    """The sidebar's settings: stalled / stuck thresholds and the usual race weekdays
    (their values come from :func:`resolve_settings`, which already ran)."""
    with st.expander(t("settings.title", lang)):
        st.number_input(t("settings.stalled", lang), min_value=1, max_value=10080,
                        step=5, key=W_STALLED, help=t("settings.stalled_help", lang))
        st.number_input(t("settings.stuck", lang), min_value=1, max_value=10080,
                        step=5, key=W_STUCK, help=t("settings.stuck_help", lang))
        st.caption(t("settings.usual", lang))
        for meet in MEETS:
            st.multiselect(meet_label(meet, lang), list(range(7)),
                           key=W_USUAL.format(meet=meet),
                           format_func=lambda d: t(f"weekday.{d}", lang),
                           placeholder=t("widget.choose_many", lang))


def resolve_choices(group: str, param: str, allowed: tuple[str, ...], widget_key: str,
                    warnings: list[str]) -> list[str]:
    """A repeatable parameter with a fixed vocabulary (``?type=collection&status=failed``);
    default: nothing selected, which means "all"."""

    def parse(url: dict[str, tuple[str, ...]]) -> list[str]:
        values = [v.strip().lower() for v in url[param]]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise InputError(f"{param} {', '.join(map(repr, bad))} is not one of "
                             f"{', '.join(allowed)}")
        return sorted(set(values), key=allowed.index)

    def widget() -> list[str] | None:
        value = st.session_state.get(widget_key)
        return None if value is None else sorted(set(value), key=allowed.index)

    def set_widget(value: list[str]) -> None:
        st.session_state[widget_key] = list(value)

    return resolve(
        group, (param,), parse=parse, default=list, to_url=lambda v: {param: tuple(v)},
        widget=widget, set_widget=set_widget, warnings=warnings,
    )


def resolve_optional_date(group: str, param: str, widget_key: str,
                          warnings: list[str]) -> str | None:
    """An optional ``YYYYMMDD`` parameter (``?race_date=20260214``); default none."""

    def widget() -> str | None | object:
        if widget_key not in st.session_state:
            return None
        value = st.session_state[widget_key]
        return f"{value:%Y%m%d}" if value else ""

    def set_widget(value: str | None) -> None:
        st.session_state[widget_key] = to_date(value) if value else None

    value = resolve(
        group, (param,), parse=lambda url: parse_date(url[param][-1], name=param),
        default=lambda: "", to_url=lambda v: {param: (v,)} if v else {},
        widget=widget, set_widget=set_widget, warnings=warnings,
    )
    return value or None
