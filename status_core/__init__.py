"""Read-only status core for the KRA collection dashboard.

This package never imports Streamlit: the pages and the CLI are thin edges over it.
"""

import time as _time

# When the process started loading the package: `kra-status check --timeout N` promises the
# whole command, library imports included, and spends only what is left on the check.
STARTED_AT = _time.monotonic()

__all__ = ["STARTED_AT", "__version__"]
__version__ = "0.1.0"
