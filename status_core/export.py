"""CSV downloads that a spreadsheet program opens as data, never as formulas.

Text from the database (race names, error messages) can start with ``=``; Excel and
LibreOffice would run such a cell as a formula (``=HYPERLINK(...)``, ``=cmd|...``). OWASP's
rule: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
leading single quote, which spreadsheets show as text.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain number written as text ("-1", "+2.5") is no formula; it stays as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        if not _PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are neutralised; numeric, boolean and
    date-time columns are left untouched."""
    out = frame.copy()
    for position in range(out.shape[1]):  # by position: column names may repeat
        series = out.iloc[:, position]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out.isetitem(position, series.map(neutralise, na_action="ignore"))
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV bytes: UTF-8 with a BOM (so spreadsheet programs read Hangul),
    no index, formula-like text cells neutralised.

    Rows end in CRLF (RFC 4180): the writer then quotes every cell holding a CR or LF, so a
    carriage return inside a race name cannot start a new row (whose first cell would not
    have been neutralised).
    """
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
