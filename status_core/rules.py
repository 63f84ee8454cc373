"""The SCHEMA.md status rules for one date x meet, vectorised over a frame of counts.

Input columns (one row per date x meet): ``total_races``, ``collected_races``,
``enriched_races``, ``collection_failed``, ``enrichment_failed``, ``result_collected``,
``result_failed``. A row with ``total_races == 0`` is the "no rows" case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STATUSES = ("pending", "running", "completed", "failed")


def _select(conditions: list, choices: list[str], default: str) -> np.ndarray:
    return np.select(conditions, choices, default=default).astype(object)


def derive_statuses(counts: pd.DataFrame) -> pd.DataFrame:
    """Add ``status``, ``collection_status``, ``enrichment_status``, ``result_status``.

    The order of the conditions is the order of SCHEMA.md; ``np.select`` takes the first
    that holds, exactly like the collector's if/elif chain.
    """
    total = counts["total_races"].to_numpy()
    collected = counts["collected_races"].to_numpy()
    enriched = counts["enriched_races"].to_numpy()
    coll_failed = counts["collection_failed"].to_numpy()
    enr_failed = counts["enrichment_failed"].to_numpy()
    res_collected = counts["result_collected"].to_numpy()
    res_failed = counts["result_failed"].to_numpy()
    empty = total == 0
    out = counts.copy()
    out["status"] = _select(
        [
            empty,
            enriched == total,
            (coll_failed == total) & (collected == 0),
            (collected > 0) | (enriched > 0),
        ],
        ["pending", "completed", "failed", "running"],
        "pending",
    )
    out["collection_status"] = _select(
        [empty, (coll_failed == total) & (collected == 0), collected > 0],
        ["pending", "failed", "collected"],
        "pending",
    )
    out["enrichment_status"] = _select(
        [empty, (enr_failed == total) & (enriched == 0), enriched > 0],
        ["pending", "failed", "enriched"],
        "pending",
    )
    out["result_status"] = _select(
        [empty, (res_failed == total) & (res_collected == 0), res_collected > 0],
        ["pending", "failed", "collected"],
        "pending",
    )
    return out
