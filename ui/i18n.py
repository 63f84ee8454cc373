"""Every user-facing string of the dashboard, Korean first, English second."""

from __future__ import annotations

LANGS = ("ko", "en")
DEFAULT_LANG = "ko"

STRINGS: dict[str, dict[str, str]] = {
    # --- common -------------------------------------------------------------------------
    "app.title": {"ko": "KRA 수집 현황", "en": "KRA collection status"},
    "nav.overview": {"ko": "개요", "en": "Overview"},
    "nav.race": {"ko": "경주 상세", "en": "Race detail"},
    "nav.jobs": {"ko": "작업", "en": "Jobs"},
    "nav.check": {"ko": "DB 점검", "en": "DB check"},
    "sidebar.language": {"ko": "언어", "en": "Language"},
    "sidebar.start": {"ko": "시작일", "en": "Start date"},
    "sidebar.end": {"ko": "종료일", "en": "End date"},
    "sidebar.range": {"ko": "기간", "en": "Date range"},
    "sidebar.meets": {"ko": "경마장", "en": "Racecourses"},
    "sidebar.database": {"ko": "데이터베이스", "en": "Database"},
    "demo.badge": {
        "ko": "데모 데이터: 내장 SQLite 예시입니다. 실제 수집 DB가 아닙니다.",
        "en": "Demo data: an embedded SQLite example, not the collector's database.",
    },
    "error.config": {"ko": "DB 설정 오류", "en": "Database configuration error"},
    "error.database": {
        "ko": "데이터베이스를 사용할 수 없습니다",
        "en": "Cannot use the database",
    },
    "error.input": {"ko": "입력값 오류", "en": "Invalid input"},
    "error.go_check": {"ko": "DB 점검 페이지에서 원인 확인", "en": "Find the cause on the DB check page"},
    "error.hint": {"ko": "조치", "en": "What to do"},
    # --- overview -----------------------------------------------------------------------
    "overview.table": {"ko": "날짜 x 경마장별 진행 현황", "en": "Progress per date and racecourse"},
    "overview.no_races": {
        "ko": "선택한 기간에 저장된 경주가 없습니다.",
        "en": "No races are stored in the selected range.",
    },
    "col.date": {"ko": "날짜", "en": "Date"},
    "col.meet": {"ko": "경마장", "en": "Racecourse"},
    "col.total_races": {"ko": "경주 수", "en": "Races"},
    "col.collected_races": {"ko": "수집", "en": "Collected"},
    "col.enriched_races": {"ko": "보강", "en": "Enriched"},
    "col.status": {"ko": "상태", "en": "Status"},
    "col.collection_status": {"ko": "수집 상태", "en": "Collection"},
    "col.enrichment_status": {"ko": "보강 상태", "en": "Enrichment"},
    "col.result_status": {"ko": "결과 상태", "en": "Results"},
    "col.last_updated": {"ko": "최종 갱신 (KST)", "en": "Last updated (KST)"},
    "col.failed_races": {"ko": "실패", "en": "Failed"},
    "col.collected_pct": {"ko": "수집 %", "en": "Collected %"},
    "col.enriched_pct": {"ko": "보강 %", "en": "Enriched %"},
    "col.result_pct": {"ko": "결과 %", "en": "Results %"},
    # --- check page (owned by the diagnosis work) ---------------------------------------
    # --- end check page ---
}


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The string ``key`` in ``lang``; a missing key shows itself so it is noticed."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get(DEFAULT_LANG) or key
    return text.format(**fmt) if fmt else text
