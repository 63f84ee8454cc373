"""Skip a test that needs a missing program, or fail it when the run requires that program.

``REQUIRE_POSTGRES=1``, ``REQUIRE_BROWSER=1`` and ``REQUIRE_PGBOUNCER=1`` (CI sets all
three) turn the skip into a failure, so that a missing program cannot silently skip tests.
"""

from __future__ import annotations

import os

import pytest


def required(*names: str) -> bool:
    """Whether one of the ``REQUIRE_*`` variables ``names`` is set."""
    return any(os.environ.get(n, "").strip().lower() in ("1", "true", "yes") for n in names)


def missing(reason: str, *require_vars: str) -> None:
    """Skip with ``reason``, or fail when one of ``require_vars`` is set."""
    if required(*require_vars):
        pytest.fail(f"{reason} [{'/'.join(require_vars)}=1 makes this a failure]", pytrace=False)
    pytest.skip(reason)
