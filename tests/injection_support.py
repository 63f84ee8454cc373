"""Hostile text for the pages, and how to tell whether a page rendered it as Markdown.

Streamlit renders the body of markdown, captions, alerts, titles and every label or help
text as Markdown; ``st.text``, ``st.code``, ``st.json`` and dataframe cells are literal.
A stored or typed value is safe in a Markdown element only escaped (``\\*``) or inside a
code span; :func:`unescaped_in_markdown` finds any that is not.

Registered in ``tests/conftest.py``; fixture ``hostile_db``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.apptest_support import walk

#: Each one, rendered as Markdown, does something other than show itself.
PAYLOADS = {
    "image": "![x](http://127.0.0.1:9/img.png)",
    "link": "[session expired](http://evil)",
    "heading": "# Heading",
    "katex": "$$\\int$$",
    "directive": ":red[x]",
    "html": "<img src=x onerror=alert(1)>",
    "bold": "**bold**",
}

# Elements whose text Streamlit never interprets.
LITERAL_TYPES = {"text", "code", "json", "dataframe", "arrow_data_frame", "exception"}
# Proto fields that Streamlit renders as Markdown in the other elements.
MARKDOWN_FIELDS = ("body", "label", "help", "placeholder")

_CODE_SPAN = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", re.S)
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
_JOINER = "\u2060"


def markdown_texts(at) -> list[tuple[str, str]]:  # noqa: ANN001
    """``(element type, text)`` of every string the page hands to the Markdown renderer."""
    out = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", None) in LITERAL_TYPES:
            continue
        for name in MARKDOWN_FIELDS:
            value = getattr(proto, name, None)
            if isinstance(value, str) and value:
                out.append((node.type, value))
    return out


def literal_texts(at) -> list[str]:  # noqa: ANN001
    """Every text shown literally: st.text, st.code and the string cells of dataframes."""
    out = [e.value for e in at.text] + [e.value for e in at.code]
    for frame in at.dataframe:
        value = frame.value
        if isinstance(value, pd.DataFrame):
            for col in value.columns:
                for item in value[col]:
                    if isinstance(item, str):
                        out.append(item)
                    elif isinstance(item, list | tuple):
                        out.extend(str(x) for x in item)
    return out


def outside_code_unescaped(markdown: str) -> str:
    """What of ``markdown`` Markdown could still interpret: code spans and backslash
    escapes removed (an escaped character is literal, a code span is all literal)."""
    return _ESCAPED.sub("", _CODE_SPAN.sub("", markdown)).replace(_JOINER, "")


def as_displayed(markdown: str) -> str:
    """Roughly what a Markdown text displays: escapes resolved, word joiners gone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(_JOINER, "")


def unescaped_in_markdown(at, payload: str) -> list[tuple[str, str]]:  # noqa: ANN001
    """The Markdown elements in which ``payload`` stands as Markdown would read it."""
    return [(kind, text) for kind, text in markdown_texts(at)
            if payload.lower() in outside_code_unescaped(text).lower()]


def shown_anywhere(at, needle: str) -> bool:  # noqa: ANN001
    """``needle`` is on the page as text: literally, or in a Markdown element once its
    escapes are resolved."""
    needle = needle.lower()
    return (any(needle in t.lower() for t in literal_texts(at))
            or any(needle in as_displayed(t).lower() for _, t in markdown_texts(at)))


@pytest.fixture
def hostile_db(isolated_env: Path, pg_db, monkeypatch):  # noqa: ANN001, ANN201
    """The dashboard pointed at a fresh PostgreSQL database; the test loads its rows."""
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    return pg_db
