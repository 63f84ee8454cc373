"""One SQLAlchemy engine per database for the whole server process.

Every session and every cached loader of :mod:`ui.data` shares it, so the connection pool
(and its pre-ping after a database restart) is per database, not per viewer.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine

from status_core.engine import make_engine
from status_core.settings import DatabaseTarget, resolve_timeouts


def engine_key(target: DatabaseTarget) -> str:
    """The identity of ``target`` for cache keys: a hash of the full URL, so it changes
    with the password without ever being the password."""
    return hashlib.sha256(target.url.render_as_string(hide_password=False).encode()).hexdigest()


@st.cache_resource(show_spinner=False)
def _engine_for(key: str, _target: DatabaseTarget) -> Engine:
    if _target.is_demo:
        from status_core.demo import ensure_demo

        ensure_demo(Path(_target.url.database))
    return make_engine(_target, resolve_timeouts())


def engine_for_target(target: DatabaseTarget) -> Engine:
    """The shared engine of this server process for ``target``."""
    return _engine_for(engine_key(target), target)
