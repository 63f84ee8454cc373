"""What to do about each cause, in Korean (default) and English.

Kept in one table so the CLI, the pages and the diagnosis give the same advice.
"""

from __future__ import annotations

HINTS: dict[str, dict[str, str]] = {
    "ok": {"ko": "", "en": ""},
    "config": {
        "en": "Set DATABASE_URL (or [connections.kra] url in .streamlit/secrets.toml) to "
        "postgresql://USER:PASSWORD@HOST:5432/DBNAME.",
        "ko": "DATABASE_URL(또는 .streamlit/secrets.toml의 [connections.kra] url)을 "
        "postgresql://USER:PASSWORD@HOST:5432/DBNAME 형식으로 설정하세요.",
    },
    "unknown": {
        "en": "Read the server message above; run `kra-status check` for a step-by-step diagnosis.",
        "ko": "위의 서버 메시지를 확인하고 `kra-status check`로 단계별 점검을 실행하세요.",
    },
}


def hint_for(cause: str, lang: str = "ko") -> str:
    """The hint for ``cause`` in ``lang`` (``ko`` or ``en``), falling back to ``unknown``."""
    entry = HINTS.get(cause) or HINTS["unknown"]
    return entry.get(lang) or entry.get("en", "")
