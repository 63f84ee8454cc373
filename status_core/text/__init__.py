"""The one catalogue of fixed user-facing text, Korean first, English second.

Every sentence the dashboard, the CLI and the diagnosis show without building it from facts
lives here under a dotted key, in both languages; :func:`t` looks it up. The catalogue is
split by area only to keep each file readable:

- :mod:`.dashboard`: the pages (navigation, sidebar, overview, race detail, jobs, login);
- :mod:`.check`: the DB check page;
- :mod:`.diagnosis`: the diagnosis' step titles, report lines and step sentences;
- :mod:`.actions`: requests to the collector (its rules, every outcome, the dialogs);
- :mod:`.advice`: each cause's label (``cause.*``) and hint (``hint.*``), the check's own
  hints (``check_hint.*``) and the notes of the diagnosis (``note.*``).

Adding a string: one entry in the file of its area, then ``t(key, lang)`` where it shows.
"""

from __future__ import annotations

from .actions import ACTIONS
from .advice import ADVICE
from .check import CHECK
from .dashboard import DASHBOARD
from .diagnosis import DIAGNOSIS

LANGS = ("ko", "en")
DEFAULT_LANG = "ko"


def _merged(*areas: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for area in areas:
        twice = merged.keys() & area.keys()
        if twice:  # a key defined in two areas would silently shadow one of them
            raise RuntimeError(f"text keys defined twice: {sorted(twice)}")
        merged.update(area)
    return merged


STRINGS: dict[str, dict[str, str]] = _merged(DASHBOARD, CHECK, DIAGNOSIS, ADVICE, ACTIONS)


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The string ``key`` in ``lang``, filled with ``values``; a missing key shows itself
    so it is noticed."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get(DEFAULT_LANG) or key
    return text.format(**values) if values else text
