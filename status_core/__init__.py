"""Read-only status core for the KRA collection dashboard.

This package never imports Streamlit: the pages and the CLI are thin edges over it.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
