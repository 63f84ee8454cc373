"""The marked sections of bench/RESULTS.md: each benchmark rewrites only its own."""

from __future__ import annotations

from pathlib import Path


def replace_section(path: Path, section: str, start: str, end: str) -> None:
    """Put ``section`` (which starts with ``start`` and ends with ``end``) in ``path`` in
    place of the previous one, or at the end; the rest of the file stays as it is."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = section.rstrip("\n")
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
