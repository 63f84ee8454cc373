"""Page setup shared by every page: config, language, sidebar, error states, links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from status_core.domain import MEETS, meet_label
from status_core.errors import ConfigError, StatusError
from status_core.redact import redact
from status_core.settings import resolve_target
from status_core.text import DEFAULT_LANG, LANGS, STRINGS, t
from status_core.timestamps import kst_text

from . import data, filters, share, style
from .auth import require_login
from .context import PageContext
from .engines import engine_for_target as engine_for_target  # imported from here by tests
from .pages import REGISTRY, page
from .text import md_plain, md_with_code, shorten, shorten_message

#: A database error is shown up to this many characters (a server may quote a whole value).
ERROR_MAX = 1000
#: Up to this many rows a CSV download is written with the page; beyond, on request.
CSV_EAGER_ROWS = 2000
LANG_NAMES = {"ko": "한국어", "en": "English"}


def _lang() -> str:
    lang = st.query_params.get("lang", st.session_state.get("lang", DEFAULT_LANG))
    return lang if lang in LANGS else DEFAULT_LANG


def setup_page(page_key: str, *, range_filters: bool = False, live: bool = False,
               range_default: Callable[[], tuple[str, str]] | None = None) -> PageContext:
    """Configure the page and draw the sidebar.

    Always: navigation, language, the database shown. ``range_filters``: the date range
    and racecourse pickers (``?start=&end=&meet=``; ``range_default`` when the page's default
    range is not the last 14 days). ``live``: live refresh, the refresh button and the
    settings. Warnings about invalid URL values are shown at the top.
    """
    lang = _lang()
    st.set_page_config(page_title=t(page(page_key).title_key, lang), page_icon="🏇",
                       layout="wide", initial_sidebar_state="auto")  # auto: closed on a phone
    style.inject()
    require_login(lang)  # the login gate, when [auth] is configured
    try:
        target, error = resolve_target(), None
    except ConfigError as exc:
        target, error = None, exc
    ctx = PageContext(lang, target, error)
    if range_filters:
        ctx.start, ctx.end = filters.resolve_range(ctx.warnings, default=range_default)
        ctx.meets = filters.resolve_meets(ctx.warnings)
    if live:
        ctx.live, ctx.interval = filters.resolve_live(ctx.warnings)
    ctx.settings = filters.resolve_settings(ctx.warnings)
    ctx.carried = filters.settings_params()
    with st.sidebar:
        _sidebar(ctx, range_filters=range_filters, live=live)
    for message in ctx.warnings:
        input_warning(message, lang)
    return ctx


def _sidebar(ctx: PageContext, *, range_filters: bool, live: bool) -> None:
    lang = ctx.lang
    st.markdown(f"### 🏇 {t('app.title', lang)}")
    for key, known in REGISTRY.items():
        st.page_link(known.file, label=t(known.title_key, lang), icon=known.icon,
                     query_params=ctx.query(**filters.link_params(key)))
    _language_switch(lang)
    share.copy_link_button(lang)
    if range_filters:
        st.date_input(t("sidebar.range", lang), key=filters.W_RANGE, format="YYYY-MM-DD",
                      help=t("sidebar.range_help", lang))
        st.multiselect(t("sidebar.meets", lang), list(MEETS), key=filters.W_MEETS,
                       format_func=lambda m: meet_label(m, lang),
                       placeholder=t("widget.choose_many", lang))
    if live:
        st.toggle(t("sidebar.live", lang), key=filters.W_LIVE,
                  help=t("sidebar.live_help", lang))
        st.select_slider(t("sidebar.interval", lang), options=list(filters.INTERVALS),
                         key=filters.W_INTERVAL, format_func=lambda s: f"{s}s")
        if st.button(t("sidebar.refresh", lang), icon="🔄", width="stretch"):
            data.clear()
            st.toast(t("sidebar.refreshed", lang))
        filters.settings_expander(lang)
    st.caption(t("sidebar.database", lang))
    if ctx.target is None:
        st.warning(t("error.config", lang))
    elif ctx.target.is_demo:
        st.info(t("demo.badge", lang))
    else:
        st.code(ctx.target.masked, language=None)


def _language_switch(lang: str) -> None:
    choice = st.radio(t("sidebar.language", lang), LANGS, index=LANGS.index(lang),
                      horizontal=True, format_func=LANG_NAMES.__getitem__, key="lang_radio")
    if choice != lang:
        st.session_state["lang"] = choice
        if choice == DEFAULT_LANG:
            del st.query_params["lang"]
        else:
            st.query_params["lang"] = choice
        st.rerun()


def page_link(ctx: PageContext, key: str, *, label: str | None = None, icon: str | None = None,
              where: object = None, **params: object) -> None:
    """A link to the page ``key`` (title and icon from the registry unless given) with
    ``params`` and the language, drawn in ``where`` (a column or container; default the
    page)."""
    target = page(key)
    (where or st).page_link(target.file, label=label or ctx.t(target.title_key),
                            icon=icon or target.icon, query_params=ctx.query(**params))


def input_warning(message: str, lang: str) -> None:
    """"Invalid input: <what> — the default is used instead." The message quotes what the
    user typed: shortened, and shown as text, never as Markdown."""
    st.warning(f"**{t('error.input', lang)}:** {md_plain(shorten_message(message))} — "
               f"{t('error.fallback', lang)}")


def show_error(ctx: PageContext, exc: StatusError) -> None:
    """Render a core error: what happened, what to do, and a link to the DB check."""
    from status_core.hints import HINTS, hint_for

    secrets = ctx.target.secrets if ctx.target else ()
    title = ctx.t("error.config" if isinstance(exc, ConfigError) else "error.database")
    # The message may quote the server or stored values: literal text, never Markdown.
    message = shorten(redact(exc.message, secrets), ERROR_MAX)
    st.error(f"**{title}**\n\n{md_plain(message)}")
    hint = (hint_for(exc.cause, ctx.lang, **exc.context)
            if exc.cause in HINTS and exc.cause != "unknown" else exc.hint)
    if hint:
        st.info(f"**{ctx.t('error.hint')}:** {md_with_code(redact(hint, secrets))}")
    page_link(ctx, "check", label=ctx.t("error.go_check"))


# --------------------------------------------------------------------------- formatting


def as_of(ctx: PageContext, fetched: dt.datetime | None) -> None:
    """"Last refreshed at HH:MM:SS KST" (when the data shown was read) and the live state."""
    if fetched is None:
        return
    text = ctx.t("live.as_of", time=kst_text(fetched, "%H:%M:%S"))
    if ctx.live:
        text += " · " + ctx.t("live.every", seconds=ctx.interval)
    st.caption(f"🕒 {text}")


def csv_download(ctx: PageContext, frame, name: str, *, key: str) -> None:  # noqa: ANN001
    """A CSV download of ``frame`` (UTF-8 with BOM so spreadsheet programs read Hangul;
    text cells that a spreadsheet would run as formulas are neutralised). A big frame is
    written when the button is pressed, not on every run of the page."""
    from status_core.export import csv_bytes

    payload = csv_bytes(frame) if len(frame) <= CSV_EAGER_ROWS else (lambda: csv_bytes(frame))
    st.download_button(ctx.t("download.csv"), payload, file_name=f"{name}.csv", mime="text/csv",
                       key=key, icon="⬇️")


def status_badge(status: object, lang: str) -> str:
    """A status as emoji + word, e.g. ``✅ 완료``."""
    text = str(status) if status is not None else "pending"
    return t(f"badge.{text}", lang) if f"badge.{text}" in STRINGS else text


def no_data_help(ctx: PageContext) -> None:
    """The link to the DB check under an empty result, in case rows are hidden (RLS)."""
    page_link(ctx, "check", label=ctx.t("error.go_check"))
