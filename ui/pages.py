"""The page registry: which pages the dashboard has, their URL paths, titles and icons.

Streamlit finds the pages by itself (automatic multipage, which serves every page's deep
link on a server's first request): the main script ``app.py`` at ``/`` and every
``pages/*.py`` at the URL path its file name gives, ``pages/1_race.py`` at ``/race`` (the
leading number orders the sidebar and is dropped). The registry reads the same folder by
the same rule, so a page's key is its URL path (``overview`` for the main script), its
title is the catalogue's ``nav.<key>`` string, and the one thing written here by hand is
its icon in :data:`ICONS`.

Adding a page: the file ``pages/4_alerts.py`` (it calls ``setup_page("alerts")``), the line
``"alerts": "🔔"`` in :data:`ICONS`, and the string ``nav.alerts`` in the catalogue. The
sidebar, every ``st.page_link`` and every link column take their paths from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN_SCRIPT = "app.py"
PAGES_DIR = "pages"
#: The main script's key (its URL path is empty).
MAIN_KEY = "overview"

#: One line per page: its key (its URL path) and its icon.
ICONS = {
    "overview": "📊",
    "race": "🏇",
    "jobs": "⚙️",
    "check": "🩺",
    "reliability": "📈",
}

# Streamlit's rule for a page file's name (streamlit.source_util): an optional number,
# separators, then the name that becomes the URL path.
_FILE_NAME = re.compile(r"([0-9]*)[_ -]*(.*)\.py")


@dataclass(frozen=True)
class Page:
    """One page: ``file`` as ``st.page_link`` and ``st.switch_page`` take it (relative to
    the main script), ``url_path`` as the browser sees it (empty for the main page)."""

    key: str
    file: str
    url_path: str
    icon: str

    @property
    def title_key(self) -> str:
        """The catalogue key of the page's title (sidebar link and browser tab)."""
        return f"nav.{self.key}"


def url_path(file_name: str) -> str:
    """The URL path Streamlit serves a ``pages/`` file at: ``1_race.py`` -> ``race``."""
    match = _FILE_NAME.fullmatch(file_name)
    if match is None:
        raise ValueError(f"{file_name} is not a Python file")
    return re.sub(r"[_ ]+", "_", match.group(2)).strip() or match.group(1)


def _sort_key(path: Path) -> tuple[float, str]:
    number, name = _FILE_NAME.fullmatch(path.name).groups()  # type: ignore[union-attr]
    return (float(number) if number else float("inf"), name.lower())


def _scan(root: Path) -> dict[str, Page]:
    """The main script and the ``pages/`` folder, in Streamlit's order, each with its
    line of :data:`ICONS`; a page without a line, or a line without a page, is an error
    here rather than a page that is missing from the sidebar."""
    files = sorted((p for p in (root / PAGES_DIR).glob("*.py")
                    if not p.name.startswith((".", "_"))), key=_sort_key)
    found = {MAIN_KEY: MAIN_SCRIPT} | {url_path(p.name): f"{PAGES_DIR}/{p.name}" for p in files}
    if set(found) != set(ICONS):
        raise LookupError(
            f"ui.pages.ICONS lists {sorted(ICONS)} but the pages are {sorted(found)}: add "
            "one line per page file (and remove the lines of pages that are gone)")
    return {key: Page(key, file, "" if key == MAIN_KEY else key, ICONS[key])
            for key, file in found.items()}


#: Every page by key, in sidebar order.
REGISTRY: dict[str, Page] = _scan(ROOT)


def page(key: str) -> Page:
    """The page ``key`` (``KeyError`` for a page that does not exist)."""
    return REGISTRY[key]


def page_files() -> dict[str, str]:
    """``{key: file}`` of every page, e.g. ``{"overview": "app.py", "race":
    "pages/1_race.py", ...}``."""
    return {key: p.file for key, p in REGISTRY.items()}
