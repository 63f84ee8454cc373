"""The one date and time format (status_core.domain.format_date / format_time)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from status_core.domain import KST, MISSING, format_date, format_time, job_progress
from status_core.timestamps import INFINITY, NEG_INFINITY

UTC = dt.UTC
# 2026-02-14 is a Saturday; KST is UTC+9, so 15:00 UTC is already the next Korean day.
NOW = dt.datetime(2026, 2, 14, 3, 0, tzinfo=UTC)  # 12:00 KST on Saturday


@pytest.mark.parametrize(("value", "lang", "want"), [
    ("20260214", "ko", "2026-02-14 (토)"),
    ("20260214", "en", "2026-02-14 (Sat)"),
    ("2026-02-15", "ko", "2026-02-15 (일)"),
    ("2026-02-15", "en", "2026-02-15 (Sun)"),
    (dt.date(2026, 2, 13), "ko", "2026-02-13 (금)"),
    (dt.date(1, 1, 1), "en", "0001-01-01 (Mon)"),
    # an aware instant is taken in Korean time: 14:59 UTC is still Saturday in Korea,
    # 15:00 UTC is Sunday 00:00 KST
    (dt.datetime(2026, 2, 14, 14, 59, tzinfo=UTC), "ko", "2026-02-14 (토)"),
    (dt.datetime(2026, 2, 14, 15, 0, tzinfo=UTC), "ko", "2026-02-15 (일)"),
    (pd.Timestamp("2026-02-14T15:00:00Z"), "en", "2026-02-15 (Sun)"),
    (dt.datetime(2026, 2, 15, 0, 0, tzinfo=KST), "en", "2026-02-15 (Sun)"),
    # not a real day: shown as it is stored
    ("20261131", "ko", "20261131"),
    ("tomorrow", "en", "tomorrow"),
    # missing
    (None, "ko", MISSING), (float("nan"), "en", MISSING), (pd.NaT, "ko", MISSING),
    (pd.NA, "ko", MISSING), ("", "en", MISSING), ("  ", "ko", MISSING),
])
def test_format_date(value, lang, want):  # noqa: ANN001
    assert format_date(value, lang) == want


@pytest.mark.parametrize(("value", "lang", "want"), [
    # today in Korea: the time only
    (dt.datetime(2026, 2, 14, 4, 5, tzinfo=UTC), "ko", "13:05"),
    (dt.datetime(2026, 2, 13, 15, 0, tzinfo=UTC), "ko", "00:00"),  # KST midnight: today
    (dt.datetime(2026, 2, 14, 14, 59, tzinfo=UTC), "en", "23:59"),  # last minute of today
    # the day before / after in Korea: the date in front
    (dt.datetime(2026, 2, 13, 14, 59, tzinfo=UTC), "ko", "2026-02-13 (금) 23:59"),
    (dt.datetime(2026, 2, 14, 15, 0, tzinfo=UTC), "en", "2026-02-15 (Sun) 00:00"),
    (dt.datetime(2025, 2, 14, 4, 5, tzinfo=UTC), "en", "2025-02-14 (Fri) 13:05"),
    # naive means UTC (the database's convention)
    (dt.datetime(2026, 2, 14, 4, 5), "ko", "13:05"),
    (pd.Timestamp("2026-02-14T04:05:00Z"), "ko", "13:05"),
    (pd.Timestamp("2026-02-12T04:05:00+09:00"), "ko", "2026-02-12 (목) 04:05"),
    # missing and the database's odd values
    (None, "ko", MISSING), (pd.NaT, "en", MISSING), (float("nan"), "ko", MISSING),
    ("not a time", "ko", MISSING),
    (INFINITY, "ko", "∞"), (NEG_INFINITY, "en", "-∞"),
    (INFINITY - dt.timedelta(hours=1), "en", "9999-12-31 22:59 UTC"),
])
def test_format_time(value, lang, want):  # noqa: ANN001
    assert format_time(value, lang, now=NOW) == want


@pytest.mark.parametrize(("now", "want"), [
    (dt.datetime(2026, 2, 14, 14, 59, tzinfo=UTC), "13:05"),  # 23:59 KST: same day
    (dt.datetime(2026, 2, 14, 15, 0, tzinfo=UTC), "2026-02-14 (토) 13:05"),  # next KST day
    (dt.datetime(2026, 2, 13, 15, 0, tzinfo=UTC), "13:05"),  # 00:00 KST: same day
    (dt.datetime(2026, 2, 13, 14, 59, tzinfo=UTC), "2026-02-14 (토) 13:05"),  # day before
])
def test_today_is_the_korean_day_of_now(now, want):  # noqa: ANN001
    assert format_time(dt.datetime(2026, 2, 14, 4, 5, tzinfo=UTC), "ko", now=now) == want


@pytest.mark.parametrize(("status", "progress", "want"), [
    ("completed", 0, 100.0), ("completed", None, 100.0), ("completed", 100, 100.0),
    ("processing", 40, 40.0), ("running", 0, 0.0), ("failed", 35, 35.0),
    ("failed", None, None), ("cancelled", float("nan"), None),
    ("pending", 0, None), ("queued", 0, None), ("processing", 250, 100.0),
    ("processing", -3, 0.0), ("processing", "x", None),
])
def test_job_progress(status, progress, want):  # noqa: ANN001
    assert job_progress(status, progress) == want
