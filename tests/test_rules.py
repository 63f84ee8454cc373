"""Every branch of the SCHEMA.md status rules, as a table (pure pandas, no database)."""

from __future__ import annotations

import pandas as pd
import pytest

from status_core.rules import derive_statuses

# (total, collected, enriched, coll_failed, enr_failed, res_collected, res_failed)
#   -> (status, collection_status, enrichment_status, result_status)
CASES = [
    ("no rows", (0, 0, 0, 0, 0, 0, 0), ("pending", "pending", "pending", "pending")),
    ("all enriched", (8, 8, 8, 0, 0, 8, 0), ("completed", "collected", "enriched", "collected")),
    ("all failed", (8, 0, 0, 8, 0, 0, 0), ("failed", "failed", "pending", "pending")),
    ("all failed everywhere", (3, 0, 0, 3, 3, 0, 3), ("failed", "failed", "failed", "failed")),
    ("some failed some collected", (8, 5, 0, 3, 0, 0, 0),
     ("running", "collected", "pending", "pending")),
    ("collected not enriched", (8, 8, 0, 0, 0, 0, 0), ("running", "collected", "pending", "pending")),
    ("enriched only (odd data)", (8, 0, 2, 0, 0, 0, 0), ("running", "pending", "enriched", "pending")),
    ("nothing yet", (8, 0, 0, 0, 0, 0, 0), ("pending", "pending", "pending", "pending")),
    ("some collection failed, rest pending", (8, 0, 0, 3, 0, 0, 0),
     ("pending", "pending", "pending", "pending")),
    ("enrichment failed everywhere", (4, 4, 0, 0, 4, 0, 0), ("running", "collected", "failed", "pending")),
    ("enrichment failed but one enriched", (4, 4, 1, 0, 3, 0, 0),
     ("running", "collected", "enriched", "pending")),
    ("results partly collected", (4, 4, 4, 0, 0, 2, 1),
     ("completed", "collected", "enriched", "collected")),
    ("results all failed", (4, 4, 4, 0, 0, 0, 4), ("completed", "collected", "enriched", "failed")),
    ("completed wins over failed counts", (2, 2, 2, 0, 0, 0, 0),
     ("completed", "collected", "enriched", "pending")),
]


@pytest.mark.parametrize(("counts", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_table(counts, expected):
    names = ["total_races", "collected_races", "enriched_races", "collection_failed",
             "enrichment_failed", "result_collected", "result_failed"]
    frame = derive_statuses(pd.DataFrame([counts], columns=names))
    row = frame.iloc[0]
    got = (row["status"], row["collection_status"], row["enrichment_status"], row["result_status"])
    assert got == expected


def test_rules_are_vectorised_over_many_rows():
    names = ["total_races", "collected_races", "enriched_races", "collection_failed",
             "enrichment_failed", "result_collected", "result_failed"]
    frame = pd.DataFrame([c[1] for c in CASES] * 1000, columns=names)
    out = derive_statuses(frame)
    assert len(out) == len(CASES) * 1000
    assert list(out["status"][: len(CASES)]) == [c[2][0] for c in CASES]
