"""Text from the database or the URL, shown as text.

Streamlit renders the body of ``st.markdown``, alerts, captions and labels as Markdown
(with HTML, LaTeX, ``:color[...]`` directives, emoji short codes, ``:material/...:`` icons
and bare-URL links). Text a page did not write itself is therefore shown, wherever
possible, by elements that do not interpret it (``st.text``, ``st.code``, dataframe
cells). Where it must sit inside one of our own Markdown sentences (an "invalid input"
warning quoting the bad value, a database error), :func:`md_plain` makes it literal.
"""

from __future__ import annotations

import re

import pandas as pd

#: How much of a user's value an "invalid input" warning echoes back.
SHOWN_MAX = 40
#: A whole echoed message at most (a message may quote many values).
MESSAGE_MAX = 300
ELLIPSIS = "…"

# Characters that mean something to Markdown (CommonMark + GFM), Streamlit's directives,
# emoji codes and icons, or LaTeX, wherever they stand. A backslash before ASCII
# punctuation always stands for the character itself (CommonMark).
# (':' for ':red[..]' and ':smile:': Streamlit replaces an emoji code unless both of its
# colons are escaped.)
_ALWAYS = re.compile(r"([\\`*\[\]<>|~$&:#])")
# ... only in some places: '_' that is not between two letters or digits (emphasis),
# the '/' of ':material/' (replaced in the source, before any escape is read).
_PLACED = re.compile(r"((?<![^\W_])_|_(?![^\W_])|(?<=material)/)")
# ... or at the start of a line: '-', '+', '=' and a number's '.' or ')' start lists,
# headings and rules.
_LINE_START = re.compile(r"^(?:([!-/:-@\[-`{-~])|(\d+)([.)]))")
# GFM turns bare URLs and e-mail addresses into links after the escapes are gone; a word
# joiner (U+2060, invisible) inside the pattern keeps them text.
_AUTOLINK = re.compile(r"(?i)(\bhttps?|\bwww(?=\.)|(?<=[\w.+-])(?=@))")
_WORD_JOINER = "\u2060"
# A quoted value inside a core message (Python's repr of what the user typed).
_QUOTED = re.compile(r"""(?<![\w'"])('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def shorten(text: object, limit: int = SHOWN_MAX) -> str:
    """``text`` cut to ``limit`` characters, with ``…`` when something was cut."""
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[:limit] + ELLIPSIS


def shorten_message(message: object) -> str:
    """A message that quotes user input, each quoted value cut to :data:`SHOWN_MAX`
    characters and the whole to :data:`MESSAGE_MAX`."""

    def clip(match: re.Match) -> str:
        quoted = match.group(0)
        return quoted[0] + shorten(quoted[1:-1]) + quoted[-1]

    return shorten(_QUOTED.sub(clip, str(message)), MESSAGE_MAX)


def _literal(text: str, *, line_start: bool = True) -> str:
    head = ""
    match = _LINE_START.match(text) if line_start else None
    if match:
        head = f"\\{match[1]}" if match[1] else f"{match[2]}\\{match[3]}"
        text = text[match.end():]
    text = _AUTOLINK.sub(lambda m: m.group(0) + _WORD_JOINER, text)
    return head + _PLACED.sub(r"\\\1", _ALWAYS.sub(r"\\\1", text))


def md_plain(text: object) -> str:
    """``text`` as Markdown that displays exactly as ``text`` (line breaks kept), for
    a value inside one of our own Markdown messages."""
    text = "" if text is None else str(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")
    # Stripped: leading blanks would start an indented code block. Two trailing spaces
    # make a hard line break inside the same paragraph.
    return "  \n".join(_literal(line.strip()) for line in lines if line.strip())


def md_inline(text: object) -> str:
    """Like :func:`md_plain` for a piece of one line: blanks kept, line breaks made
    spaces (for text put between other Markdown)."""
    text = "" if text is None else str(text)
    return _literal(text.replace("\r", " ").replace("\n", " ").replace("\t", " "))


def md_with_code(text: object) -> str:
    """Our own text (a hint) that may hold ``inline code``: the code stays code, the
    rest (which may carry names from the configuration) is made literal."""
    parts = re.split(r"(`[^`\n]+`)", " ".join(str(text).split()))
    return "".join(part if i % 2 else _literal(part, line_start=i == 0)
                   for i, part in enumerate(parts))


def cell(text: object, limit: int) -> str | None:
    """A table cell of at most ``limit`` characters (``…`` marks a cut); missing stays
    None."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    return shorten(text, limit)
