"""What to do about each cause, filled with what the caller knows.

The texts live in the catalogue (:mod:`status_core.text`, keys ``hint.*``, ``check_hint.*``,
``note.*``); this module fills the names they mention (``{role}``, ``{user}``, ``{host}``,
``{port}``, ``{db}``, ``{newest}``, ``{expected}``, ``{seconds}``, ``{tables}``) with what
it is given and a readable placeholder for the rest, so ``hint_for(cause, lang)`` without
context works everywhere. The CLI, the pages and the diagnosis give the same advice.
"""

from __future__ import annotations

from types import MappingProxyType

from .causes import CAUSES, cause_of
from .domain import EXPECTED_MIGRATION
from .text import LANGS, STRINGS

_PLACEHOLDERS = {
    "role": "<role>",
    "user": "<user>",
    "host": "<host>",
    "port": "<port>",
    "db": "<dbname>",
    "newest": "?",
    "expected": EXPECTED_MIGRATION,
    "seconds": "?",
    "tables": "races, jobs",
    "minutes": "?",
    "setting": "KRA_STALLED_MINUTES",
}


class _Context(dict):
    def __missing__(self, key: str) -> str:
        return _PLACEHOLDERS.get(key, "{" + key + "}")


def _fill(key: str | None, lang: str, context: dict) -> str:
    """The catalogue's text of ``key`` in ``lang`` (English for another language) with
    ``context`` filled in; ``""`` for no key."""
    entry = STRINGS.get(key) if key else None
    if entry is None:
        return ""
    text = entry.get(lang) or entry.get("en", "")
    values = _Context({k: v for k, v in context.items() if v not in (None, "")})
    try:
        return text.format_map(values)
    except (ValueError, IndexError):  # a stray brace: show the text unfilled
        return text


def hint_for(cause: str, lang: str = "ko", **context: object) -> str:
    """The hint for ``cause`` in ``lang`` (``ko`` or ``en``), falling back to ``unknown``.

    ``context`` fills the names the hint mentions (role, user, host, ...); the ones not
    given show as placeholders such as ``<role>``.
    """
    return _fill(cause_of(cause).hint_key, lang, context)


def check_hint_for(cause: str, lang: str = "ko", **context: object) -> str:
    """The hint the DB check shows for ``cause``: :func:`hint_for`, except where that
    would tell the user to run the check (``check_hint.<cause>`` in the catalogue)."""
    key = f"check_hint.{cause}"
    if key not in STRINGS:
        return hint_for(cause, lang, **context)
    return _fill(key, lang, context)


def note_for(key: str, lang: str = "ko", **context: object) -> str:
    """A non-failure note (``note.<key>`` in the catalogue) in ``lang``, filled like
    :func:`hint_for`; ``""`` for an unknown note."""
    return _fill(f"note.{key}", lang, context)


def _raw(key: str | None) -> dict[str, str]:
    entry = STRINGS.get(key) if key else None
    return {lang: (entry or {}).get(lang, "") for lang in LANGS}


#: Read-only views of the catalogue: every cause's hint template (``ok``: empty) and every
#: note's, by name, for callers that ask whether a cause or note has advice.
HINTS = MappingProxyType({cause: _raw(cause_of(cause).hint_key) for cause in CAUSES})
NOTES = MappingProxyType({
    key.removeprefix("note."): _raw(key) for key in STRINGS if key.startswith("note.")
})
