"""The core's reading of odd values, case by case: typed dates, stored date texts,
timestamps Python cannot hold, thresholds typed with other scripts' digits."""

from __future__ import annotations

import datetime as dt

import pytest

from status_core import attention
from status_core.errors import InputError
from status_core.inputs import date_label, is_valid_date_text, parse_date, parse_stored_date
from status_core.timestamps import INFINITY, NEG_INFINITY, kst_iso, kst_safe, kst_text

UTC = dt.UTC


@pytest.mark.parametrize(("typed", "read"), [
    ("20260214", "20260214"),
    ("2026-02-14", "20260214"),
    (" 20260214 ", "20260214"),
    ("19900101", "19900101"),
    ("21001231", "21001231"),
])
def test_typed_dates_that_are_read(typed: str, read: str) -> None:
    assert parse_date(typed) == read


@pytest.mark.parametrize(("typed", "said"), [
    ("２０２６０２１４", "ASCII"),  # int() would read it as 20260214
    ("٢٠٢٦٠٢١٤", "ASCII"),
    ("2026-02-1٤", "ASCII"),
    ("2026/02/14", "YYYY-MM-DD"),
    ("2026-0214", "YYYY-MM-DD"),
    ("202602-14", "YYYY-MM-DD"),
    ("2026-2-14", "YYYY-MM-DD"),
    ("20261131", "calendar"),
    ("18991231", "1990-2100"),
    ("21010101", "1990-2100"),
    ("", "not a date"),
    ("9" * 5000, "…"),
])
def test_typed_dates_that_are_refused(typed: str, said: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(typed)
    assert said in caught.value.message
    assert len(caught.value.message) < 200


@pytest.mark.parametrize(("stored", "valid", "shown"), [
    ("20260214", True, "20260214"),
    ("20261131", False, "⚠ 20261131 (invalid date)"),
    ("2026-2-1", False, "⚠ 2026-2-1 (invalid date)"),
    ("2026214", False, "⚠ 2026214 (invalid date)"),
    ("18991231", False, "⚠ 18991231 (invalid date)"),
    ("", False, "⚠ '' (invalid date)"),
    ("２０２６０２１４", False, "⚠ ２０２６０２１４ (invalid date)"),
])
def test_stored_date_texts(stored: str, valid: bool, shown: str) -> None:
    assert is_valid_date_text(stored) is valid
    assert date_label(stored) == shown
    assert parse_stored_date(stored) == stored  # exact text, never normalised


@pytest.mark.parametrize("text", ["x" * 65, "2026\x000214", "2026\n0214"])
def test_stored_text_no_cell_can_hold_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_stored_date(text)


@pytest.mark.parametrize(("value", "text", "iso", "safe"), [
    (INFINITY, "∞", "infinity", False),
    (NEG_INFINITY, "-∞", "-infinity", False),
    (None, "-", None, True),
    (dt.datetime(2026, 2, 14, 1, 5, tzinfo=UTC), "2026-02-14 10:05:00 KST",
     "2026-02-14T10:05:00+09:00", True),
    (dt.datetime(9999, 12, 31, 23, 0, tzinfo=UTC), "9999-12-31 23:00:00 UTC",
     "9999-12-31T23:00:00+00:00", False),
    (dt.datetime(9999, 12, 31, 0, 0, tzinfo=UTC), "9999-12-31 09:00:00 KST",
     "9999-12-31T09:00:00+09:00", True),
    (dt.datetime(1, 1, 1, 0, 0, 1, tzinfo=UTC), "0001-01-01 09:00:01 KST",
     "0001-01-01T09:00:01+09:00", True),
    (dt.datetime(2026, 2, 14, 1, 5), "2026-02-14 10:05:00 KST", "2026-02-14T10:05:00+09:00",
     True),  # naive: UTC
])
def test_timestamps_for_people_never_overflow(value, text, iso, safe) -> None:  # noqa: ANN001
    import pandas as pd

    assert kst_text(value) == text
    assert kst_iso(value) == iso
    assert kst_safe(value) is safe
    if value is not None:
        assert kst_text(pd.Timestamp(value)) == text


@pytest.mark.parametrize("text", ["٣", "²", "３０", "9" * 5000])
def test_minutes_in_other_digits_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        attention.parse_minutes(text, 30, name="KRA_STALLED_MINUTES")


@pytest.mark.parametrize("text", ["1=²", "1=٣", "2=fri,６"])
def test_weekdays_in_other_digits_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        attention.parse_weekdays(text)
