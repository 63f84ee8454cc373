"""The core stays Streamlit-free and never selects the JSONB payload columns."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import status_core

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = ("basic_data", "raw_data", "enriched_data", "result_data")


def test_importing_every_core_module_does_not_import_streamlit():
    modules = [m.name for m in pkgutil.iter_modules(status_core.__path__) if m.name != "__main__"]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module('status_core.' + m)\n"
        "bad = sorted(k for k in sys.modules if k == 'streamlit' or k.startswith('streamlit.'))\n"
        "print(len(sys.modules)); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert len(modules) >= 8  # the test really imported the package's modules


def _sql_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        n.value for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
        and n.value.strip().upper().startswith("SELECT")
    ]


def test_no_core_query_selects_payload_columns():
    checked = 0
    for path in (ROOT / "status_core").glob("*.py"):
        if path.name == "demo.py":  # the demo writer fills them; it never reads them back
            continue
        for sql in _sql_strings(path):
            checked += 1
            for column in PAYLOAD:
                assert column not in sql, f"{path.name} selects {column}: {sql[:80]}"
    assert checked >= 3
