"""The SCHEMA.md status rules for one date x meet, vectorised over arrays of counts.

Inputs (one element per date x meet): ``total_races``, ``collected_races``,
``enriched_races``, ``collection_failed``, ``enrichment_failed``, ``result_collected``,
``result_failed``. An element with ``total_races == 0`` is the "no rows" case.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

COUNT_INPUTS = (
    "total_races",
    "collected_races",
    "enriched_races",
    "collection_failed",
    "enrichment_failed",
    "result_collected",
    "result_failed",
)


def _select(conditions: list, choices: list[str], default: str) -> np.ndarray:
    # Select small integers, then take the labels: np.select over strings builds a
    # fixed-width text array first and converts every element to object after.
    labels = np.asarray([*choices, default], dtype=object)
    return labels[np.select(conditions, np.arange(len(choices)), default=len(choices))]


def status_arrays(counts: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``status``, ``collection_status``, ``enrichment_status``, ``result_status`` arrays.

    The order of the conditions is the order of SCHEMA.md; ``np.select`` takes the first
    that holds, exactly like the collector's if/elif chain.
    """
    total = np.asarray(counts["total_races"])
    collected = np.asarray(counts["collected_races"])
    enriched = np.asarray(counts["enriched_races"])
    coll_failed = np.asarray(counts["collection_failed"])
    enr_failed = np.asarray(counts["enrichment_failed"])
    res_collected = np.asarray(counts["result_collected"])
    res_failed = np.asarray(counts["result_failed"])
    empty = total == 0
    return {
        "status": _select(
            [
                empty,
                enriched == total,
                (coll_failed == total) & (collected == 0),
                (collected > 0) | (enriched > 0),
            ],
            ["pending", "completed", "failed", "running"],
            "pending",
        ),
        "collection_status": _select(
            [empty, (coll_failed == total) & (collected == 0), collected > 0],
            ["pending", "failed", "collected"],
            "pending",
        ),
        "enrichment_status": _select(
            [empty, (enr_failed == total) & (enriched == 0), enriched > 0],
            ["pending", "failed", "enriched"],
            "pending",
        ),
        "result_status": _select(
            [empty, (res_failed == total) & (res_collected == 0), res_collected > 0],
            ["pending", "failed", "collected"],
            "pending",
        ),
    }


def derive_statuses(counts: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``counts`` with the four status columns of :func:`status_arrays` added."""
    out = counts.copy()
    for name, values in status_arrays({c: counts[c].to_numpy() for c in COUNT_INPUTS}).items():
        out[name] = values
    return out
