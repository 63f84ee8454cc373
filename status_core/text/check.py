"""The DB check page (pages/3_check.py)."""

from __future__ import annotations

CHECK: dict[str, dict[str, str]] = {
    "check.title": {"ko": "DB 점검", "en": "DB check"},
    "check.intro": {
        "ko": "대시보드가 0이나 오류를 보일 때 누르세요. 데이터베이스가 원인인지, 어느 단계에서 "
        "실패했는지, 무엇을 바꿔야 하는지 알려 줍니다. 읽기만 하며 아무것도 쓰지 않습니다.",
        "en": "Press it when the dashboard shows zeros or errors: it tells whether the database "
        "is the cause, which step failed and what to change. It only reads, never writes.",
    },
    "check.target": {"ko": "점검 대상", "en": "Target"},
    "check.target_demo": {
        "ko": "설정된 DB 없음: 내장 데모(SQLite)를 점검합니다",
        "en": "No database configured: the embedded demo (SQLite) is checked",
    },
    "check.source": {"ko": "설정 위치: {source}", "en": "Configured in: {source}"},
    "check.date": {"ko": "날짜 (선택)", "en": "Date (optional)"},
    "check.meet": {"ko": "경마장 (선택)", "en": "Racecourse (optional)"},
    "check.meet_none": {"ko": "선택 안 함", "en": "none"},
    "check.timeout": {"ko": "제한 시간 (초)", "en": "Time limit (seconds)"},
    "check.run": {"ko": "DB 점검 실행", "en": "Run DB check"},
    "check.running": {"ko": "점검 중…", "en": "Checking…"},
    "check.pair": {
        "ko": "날짜와 경마장은 함께 지정해야 현황까지 점검합니다. 지금은 연결만 점검합니다.",
        "en": "Give both a date and a racecourse to include their status; checking the "
        "connection only.",
    },
    "check.done_ok": {"ko": "점검 완료: 사용 가능", "en": "Check finished: usable"},
    "check.done_fail": {"ko": "점검 완료: {step} 단계 실패", "en": "Check finished: {step} failed"},
    "check.banner_ok": {
        "ko": "✔ 데이터베이스를 사용할 수 있습니다 (원인: `ok`)",
        "en": "✔ The database is usable (cause: `ok`)",
    },
    "check.banner_warn": {
        "ko": "경고 {count}건이 있습니다. 아래 ⚠ 단계의 조치를 확인하세요.",
        "en": "{count} warning(s): see the ⚠ steps below.",
    },
    "check.banner_fail": {
        "ko": "✘ {step} 단계에서 실패 — 원인: `{cause}` ({label})",
        "en": "✘ Failed at {step} — cause: `{cause}` ({label})",
    },
    "check.fix": {"ko": "조치", "en": "What to change"},
    "check.steps": {"ko": "단계별 결과", "en": "Steps"},
    "check.server": {"ko": "서버 정보", "en": "Server facts"},
    "check.tables": {"ko": "테이블", "en": "Tables"},
    "check.jobs": {"ko": "작업 상태별 개수", "en": "Jobs by status"},
    "check.status": {"ko": "날짜·경마장 현황", "en": "Date x racecourse status"},
    "check.report": {
        "ko": "복사용 보고서 (비밀번호 가림)", "en": "Report to copy (password masked)",
    },
    "check.report_help": {
        "ko": "오른쪽 위 복사 버튼으로 복사해 채팅에 붙여 넣으세요.",
        "en": "Copy it with the button at the top right and paste it into a chat.",
    },
    "check.checked_at": {"ko": "점검 시각: {when}", "en": "Checked at: {when}"},
    "check.idle": {
        "ko": "버튼을 누르면 9단계로 점검합니다: 설정 → DNS → TCP → 로그인 → 서버 → 스키마 → "
        "권한/RLS → 데이터 → 현황.",
        "en": "The button runs nine steps: configuration → DNS → TCP → login → server → "
        "schema → privileges/RLS → data → status.",
    },
    "check.unexpected": {
        "ko": "점검 중 예상치 못한 오류가 났습니다: {message}",
        "en": "The check hit an unexpected error: {message}",
    },
    "check.key": {"ko": "항목", "en": "Item"},
    "check.value": {"ko": "값", "en": "Value"},
    "check.table": {"ko": "테이블", "en": "Table"},
    "check.count": {"ko": "개수", "en": "Count"},
    "check.job_status": {"ko": "상태", "en": "Status"},
    # the tables' facts (columns of the "Tables" table)
    "check.col.present": {"ko": "있음", "en": "Present"},
    "check.col.columns": {"ko": "읽는 열", "en": "Columns"},
    "check.col.select": {"ko": "읽기 권한", "en": "SELECT"},
    "check.col.rls": {"ko": "행 수준 보안", "en": "RLS"},
    "check.col.rows_hidden_by_rls": {"ko": "보안으로 가려진 행", "en": "Rows hidden by RLS"},
    "check.col.rows": {"ko": "행 수", "en": "Rows"},
}
