"""What a page knows after :func:`ui.common.setup_page`: its language, its database and
the sidebar's choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from status_core.errors import ConfigError
from status_core.settings import DatabaseTarget, Thresholds
from status_core.text import DEFAULT_LANG, t

from .pages import page


@dataclass
class PageContext:
    """What a page needs after :func:`ui.common.setup_page`: language, database, the
    sidebar's choices (range, racecourses, live refresh, thresholds) and the warnings about
    invalid URL values."""

    lang: str
    target: DatabaseTarget | None
    config_error: ConfigError | None
    start: str = ""
    end: str = ""
    meets: list[int] = field(default_factory=list)
    live: bool = False
    interval: int = 30
    settings: Thresholds = field(default_factory=Thresholds)
    warnings: list[str] = field(default_factory=list)
    #: query parameters every link carries: the thresholds that differ from the defaults
    carried: dict[str, object] = field(default_factory=dict)

    def t(self, key: str, **fmt: object) -> str:
        """The catalogue string ``key`` in the page's language."""
        return t(key, self.lang, **fmt)

    def require_target(self) -> DatabaseTarget:
        """The database, or the configuration error that left the page without one."""
        if self.target is None:
            raise self.config_error or ConfigError("no database configured")
        return self.target

    @property
    def run_every(self) -> str | None:
        """``run_every`` for ``st.fragment``: the live interval, or ``None`` when off."""
        return f"{self.interval}s" if self.live else None

    def query(self, **params: object) -> dict[str, object]:
        """``params`` without the ``None`` values, plus the thresholds that differ from the
        defaults and the language when it is not the default: the query of a link that
        keeps the viewer's language and settings."""
        query = {k: v for k, v in {**self.carried, **params}.items() if v is not None}
        if self.lang != DEFAULT_LANG:
            query["lang"] = self.lang
        return query

    def link(self, key: str, **params: object) -> str:
        """A relative URL to the page ``key`` with ``params`` (and the language), for
        ``st.column_config.LinkColumn``; relative so it works under a base path."""
        text = urlencode(self.query(**params), doseq=True)
        path = page(key).url_path or "./"
        return f"{path}?{text}" if text else path
