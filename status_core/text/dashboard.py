"""The dashboard's pages: navigation, sidebar, overview, race detail, jobs, login gate."""

from __future__ import annotations

DASHBOARD: dict[str, dict[str, str]] = {
    # --- common -------------------------------------------------------------------------
    "app.title": {"ko": "KRA 수집 현황", "en": "KRA collection status"},
    "nav.overview": {"ko": "개요", "en": "Overview"},
    "nav.race": {"ko": "경주 상세", "en": "Race detail"},
    "nav.jobs": {"ko": "작업", "en": "Jobs"},
    "nav.check": {"ko": "DB 점검", "en": "DB check"},
    "nav.reliability": {"ko": "신뢰성", "en": "Reliability"},
    "sidebar.language": {"ko": "언어", "en": "Language"},
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
    "error.go_check": {
        "ko": "DB 점검 페이지에서 원인 확인", "en": "Find the cause on the DB check page",
    },
    "error.hint": {"ko": "조치", "en": "What to do"},
    # --- overview -----------------------------------------------------------------------
    "overview.table": {"ko": "날짜 × 경마장별 진행 현황", "en": "Progress per date and racecourse"},
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
    "col.result_collected": {"ko": "결과", "en": "Results"},
    "col.link": {"ko": "상세", "en": "Detail"},
    "col.kind": {"ko": "유형", "en": "Kind"},
    "col.running_for": {"ko": "시작", "en": "Started"},
    "col.age": {"ko": "마지막 갱신 후", "en": "Since last update"},
    "col.race_number": {"ko": "경주", "en": "Race"},
    "col.race_name": {"ko": "경주명", "en": "Name"},
    "col.distance": {"ko": "거리(m)", "en": "Distance (m)"},
    "col.collected_at": {"ko": "수집 시각 (KST)", "en": "Collected (KST)"},
    "col.enriched_at": {"ko": "보강 시각 (KST)", "en": "Enriched (KST)"},
    "col.result_collected_at": {"ko": "결과 시각 (KST)", "en": "Result (KST)"},
    "col.updated_at": {"ko": "갱신 (KST)", "en": "Updated (KST)"},
    "col.horse_count": {"ko": "출전 두수", "en": "Horses"},
    "col.quality": {"ko": "품질", "en": "Quality"},
    "col.warning_count": {"ko": "경고", "en": "Warnings"},
    "col.warnings": {"ko": "경고 내용", "en": "Warning text"},
    "col.flag": {"ko": "!", "en": "!"},
    "col.job_id": {"ko": "작업 ID", "en": "Job ID"},
    "col.type": {"ko": "유형", "en": "Type"},
    "col.created_at": {"ko": "생성 (KST)", "en": "Created (KST)"},
    "col.started_at": {"ko": "시작 (KST)", "en": "Started (KST)"},
    "col.completed_at": {"ko": "완료 (KST)", "en": "Completed (KST)"},
    "col.duration_min": {"ko": "소요(분)", "en": "Duration (min)"},
    "col.progress": {"ko": "진행률", "en": "Progress"},
    "col.current_step": {"ko": "현재 단계", "en": "Current step"},
    "col.retry_count": {"ko": "재시도", "en": "Retries"},
    "col.error": {"ko": "오류", "en": "Error"},
    "col.race_date": {"ko": "경주일", "en": "Race date"},
    "col.pattern": {"ko": "오류 유형", "en": "Error pattern"},
    "col.count": {"ko": "건수", "en": "Count"},
    "col.last_seen": {"ko": "최근 발생 (KST)", "en": "Last seen (KST)"},
    "col.example": {"ko": "예시", "en": "Example"},
    "col.job_ids": {"ko": "작업 ID (최근 5개)", "en": "Job IDs (newest 5)"},
    "col.types": {"ko": "작업 유형", "en": "Job types"},
    "col.states": {"ko": "상태 (수집 · 보강 · 결과)",
                   "en": "Statuses (collection · enrichment · results)"},
    # --- sidebar, live mode, settings ----------------------------------------------------
    "sidebar.range_help": {
        "ko": "한국 시간 기준 날짜입니다. 기본값은 최근 14일입니다.",
        "en": "Korean dates. Default: the last 14 days.",
    },
    "sidebar.live": {"ko": "실시간 갱신", "en": "Live refresh"},
    "sidebar.live_help": {
        "ko": "데이터 부분만 주기적으로 다시 읽습니다. "
        "여러 사용자가 보아도 DB 조회는 주기당 한 번입니다.",
        "en": "Re-reads only the data parts periodically; many viewers still cost one query "
        "per interval.",
    },
    "sidebar.interval": {"ko": "갱신 주기", "en": "Refresh every"},
    "sidebar.refresh": {"ko": "새로 고침", "en": "Refresh now"},
    "sidebar.refreshed": {"ko": "캐시를 비웠습니다. 최신 데이터를 읽습니다.",
                          "en": "Caches cleared; reading fresh data."},
    "live.as_of": {"ko": "마지막 갱신 {time}", "en": "Last refreshed at {time}"},
    "live.every": {"ko": "{seconds}초마다 자동 갱신", "en": "auto-refresh every {seconds} s"},
    "settings.title": {"ko": "설정", "en": "Settings"},
    "settings.stalled": {"ko": "정체 판단 기준(분)", "en": "Stalled after (minutes)"},
    "settings.stalled_help": {
        "ko": "진행 중인데 이 시간 동안 갱신이 없으면 '정체'로 표시합니다. 기본값: "
        "KRA_STALLED_MINUTES 또는 30.",
        "en": "A running day with no update for this long is 'stalled'. Default: "
        "KRA_STALLED_MINUTES or 30.",
    },
    "settings.stuck": {"ko": "작업 멈춤 기준(분)", "en": "Job stuck after (minutes)"},
    "settings.stuck_help": {
        "ko": "처리 중 상태가 이 시간보다 길면 '멈춤'으로 표시합니다. 기본값: KRA_STUCK_MINUTES "
        "또는 60.",
        "en": "A job processing for longer than this is 'stuck'. Default: KRA_STUCK_MINUTES "
        "or 60.",
    },
    "settings.usual": {
        "ko": "평소 경주 요일 (누락 판단용; 기본값: KRA_USUAL_WEEKDAYS 또는 서울 토·일, "
        "제주 금·토, 부산경남 금·일)",
        "en": "Usual race weekdays (to find missing days; default: KRA_USUAL_WEEKDAYS or "
        "Seoul Sat/Sun, Jeju Fri/Sat, Busan-Gyeongnam Fri/Sun)",
    },
    "weekday.0": {"ko": "월", "en": "Mon"},
    "weekday.1": {"ko": "화", "en": "Tue"},
    "weekday.2": {"ko": "수", "en": "Wed"},
    "weekday.3": {"ko": "목", "en": "Thu"},
    "weekday.4": {"ko": "금", "en": "Fri"},
    "weekday.5": {"ko": "토", "en": "Sat"},
    "weekday.6": {"ko": "일", "en": "Sun"},
    "error.fallback": {"ko": "기본값을 대신 사용합니다.", "en": "the default is used instead."},
    "download.csv": {"ko": "CSV 내려받기", "en": "Download CSV"},
    # --- statuses -------------------------------------------------------------------------
    "badge.completed": {"ko": "✅ 완료", "en": "✅ completed"},
    "badge.running": {"ko": "🔵 진행 중", "en": "🔵 running"},
    "badge.pending": {"ko": "⚪ 대기", "en": "⚪ pending"},
    "badge.failed": {"ko": "❌ 실패", "en": "❌ failed"},
    "badge.collected": {"ko": "🟢 수집됨", "en": "🟢 collected"},
    "badge.enriched": {"ko": "✅ 보강됨", "en": "✅ enriched"},
    "badge.stalled": {"ko": "🟠 정체", "en": "🟠 stalled"},
    "badge.missing": {"ko": "🟣 누락", "en": "🟣 missing"},
    "stage.enriched": {"ko": "보강 완료", "en": "enriched"},
    "stage.enrichment_failed": {"ko": "보강 실패", "en": "enrichment failed"},
    "stage.collected": {"ko": "수집(보강 전)", "en": "collected, not enriched"},
    "stage.collection_failed": {"ko": "수집 실패", "en": "collection failed"},
    "stage.pending": {"ko": "대기", "en": "pending"},
    "chart.races": {"ko": "경주 수", "en": "Races"},
    "chart.stage": {"ko": "단계", "en": "Stage"},
    # --- overview -------------------------------------------------------------------------
    "overview.caption": {
        "ko": "{start} ~ {end} · {meets} · 날짜는 한국 시간(KST)",
        "en": "{start} to {end} · {meets} · dates in Korean time (KST)",
    },
    "metric.race_days": {"ko": "경주일", "en": "Race days"},
    "metric.races": {"ko": "경주", "en": "Races"},
    "metric.collected_pct": {"ko": "수집률", "en": "Collected"},
    "metric.enriched_pct": {"ko": "보강률", "en": "Enriched"},
    "metric.results_pct": {"ko": "결과 수집률", "en": "Results"},
    "metric.failed_races": {"ko": "실패 경주", "en": "Failed races"},
    "metric.of_races": {"ko": "{n}개 경주", "en": "{n} races"},
    "overview.chart": {"ko": "단계별 경주 수 (날짜·경마장)",
                       "en": "Races by stage, per date and racecourse"},
    "overview.calendar": {"ko": "달력 (전체 상태)", "en": "Calendar (overall status)"},
    "overview.attention": {"ko": "확인 필요", "en": "Needs attention"},
    "overview.attention_none": {
        "ko": "확인이 필요한 항목이 없습니다.", "en": "Nothing needs attention.",
    },
    "overview.attention_caption": {
        "ko": "경주일마다 한 줄, 급한 것부터. 실패: 어느 단계든 실패한 경주가 있음 · "
        "시작 안 됨: 아무것도 수집되지 않음 · 멈춘 작업: {stuck}분 넘게 처리 중 · "
        "정체: {minutes}분 넘게 갱신 없음 · 미완료: 지난 날인데 끝나지 않음 · "
        "결과 누락: 수집·보강은 끝났는데 결과가 없음 · 경주일 누락: 평소 경주하는 지난 날인데 "
        "저장된 경주 없음. 행을 누르면 그 경주일이 열립니다.",
        "en": "One row per race day, most urgent first. failed: a race failed at some stage · "
        "not started: nothing collected · stuck job: processing for more than {stuck} min · "
        "stalled: no update for more than {minutes} min · incomplete: a past day not "
        "finished · no results: collected and enriched, results not in · missing race day: "
        "a past usual race day with no races stored. Click a row to open its race day.",
    },
    "overview.jobs_without_day": {"ko": "(경주일 없는 작업)", "en": "(jobs naming no race day)"},
    "col.kinds": {"ko": "확인할 점", "en": "What to look at"},
    "col.stuck_jobs": {"ko": "멈춘 작업", "en": "Stuck jobs"},
    "col.job_ids_stuck": {"ko": "멈춘 작업 ID", "en": "Stuck job IDs"},
    "col.state": {"ko": "상태", "en": "State"},
    "col.state_help": {
        "ko": "대시보드의 판정(README의 '상태' 참고). 수집기 API의 status 값이 아닙니다.",
        "en": "The dashboard's own state (README, 'States'), not the collector API's status.",
    },
    "col.collection_stage": {"ko": "수집 (완료/전체)", "en": "Collected (done/all)"},
    "col.enrichment_stage": {"ko": "보강 (완료/전체)", "en": "Enriched (done/all)"},
    "col.result_stage": {"ko": "결과 (완료/전체)", "en": "Results (done/all)"},
    "overview.table_caption": {
        "ko": "상태와 단계는 대시보드의 판정입니다. 수집기 API의 값(`status`, `collection_status`, "
        "...)은 경주 상세의 요약과 CSV에 있습니다. 행을 누르면 그 경주일이 열립니다.",
        "en": "State and stages are the dashboard's own. The collector API's values (status, "
        "collection_status, ...) are in the race page's summary and in the CSV. Click a row "
        "to open its race day.",
    },
    "overview.chart_caption": {
        "ko": "막대를 누르면 그 경주일이 열립니다.", "en": "Click a bar to open its race day.",
    },
    "overview.calendar_caption": {
        "ko": "칸마다 상태 아이콘이 있습니다. 실패가 정체보다 앞섭니다. 칸을 누르면 그 경주일이 "
        "열립니다.",
        "en": "Each cell carries its state's icon; failed outranks stalled. Click a cell to "
        "open its race day.",
    },
    # --- first screen: the latest race day ------------------------------------------------
    "latest.today": {"ko": "오늘 경주일 {date}", "en": "Today's race day {date}"},
    "latest.day": {"ko": "최근 경주일 {date}", "en": "Latest race day {date}"},
    "latest.none": {
        "ko": "저장된 경주일이 아직 없습니다.", "en": "No race day is stored yet.",
    },
    "latest.no_races": {"ko": "저장된 경주 없음", "en": "no races stored"},
    "latest.failed_races": {"ko": "실패 경주 {n}", "en": "{n} failed races"},
    "latest.updated": {"ko": "마지막 갱신 {age} ({time})", "en": "last update {age} ({time})"},
    "latest.never": {"ko": "갱신 기록 없음", "en": "never updated"},
    "latest.stuck": {"ko": "🧊 멈춘 작업 {n}", "en": "🧊 {n} stuck jobs"},
    "latest.no_stuck": {"ko": "멈춘 작업 없음", "en": "no stuck jobs"},
    "latest.open": {"ko": "경주일 열기", "en": "Open race day"},
    "latest.last_write": {
        "ko": "수집기의 마지막 기록: {age} ({time}) · 경주 갱신 {races} · 작업 생성 {jobs}",
        "en": "The collector last wrote {age} ({time}) · race update {races} · job created "
        "{jobs}",
    },
    "latest.no_write": {
        "ko": "수집기가 races, jobs에 아무것도 기록하지 않았습니다.",
        "en": "The collector has written nothing to races or jobs.",
    },
    "latest.silent": {
        "ko": "오늘은 평소 경주일인데 수집기가 {age}({time}) 이후 아무것도 기록하지 않았습니다 "
        "(기준: {minutes}분). 수집기 서비스와 작업 페이지를 확인하세요.",
        "en": "Today is a usual race day, but the collector has written nothing since {time} "
        "({age}; threshold {minutes} min). Check the collector service and the jobs page.",
    },
    "latest.silent_never": {
        "ko": "오늘은 평소 경주일인데 수집기가 아무것도 기록한 적이 없습니다. 수집기 서비스를 "
        "확인하세요.",
        "en": "Today is a usual race day, but the collector has never written anything. "
        "Check the collector service.",
    },
    "overview.empty_db": {
        "ko": "데이터베이스에 경주가 하나도 없습니다. 수집기가 아직 아무것도 저장하지 않았거나, "
        "이 계정이 행 수준 보안(RLS) 때문에 행을 볼 수 없을 수 있습니다.",
        "en": "The database holds no races at all. Either the collector has not stored "
        "anything yet, or this role cannot see the rows (row level security).",
    },
    "overview.latest_hint": {
        "ko": "가장 최근 데이터: {date}. 기간을 바꿔 보세요.",
        "en": "The latest stored race day is {date}; pick another range.",
    },
    "overview.show_latest": {"ko": "최근 14일 경주 보기", "en": "Show the 14 days up to it"},
    # --- race detail ----------------------------------------------------------------------
    "race.date": {"ko": "경주일", "en": "Race date"},
    "race.meet": {"ko": "경마장", "en": "Racecourse"},
    "race.summary": {"ko": "요약 (수집기 상태 API와 같은 값)",
                     "en": "Summary (the same values as the collector's status API)"},
    "race.races": {"ko": "경주별 상태", "en": "Races"},
    "race.no_races": {
        "ko": "{date} {meet}에 저장된 경주가 없습니다.",
        "en": "No races are stored for {date} at {meet}.",
    },
    "race.failed_title": {"ko": "실패한 경주와 경고", "en": "Failed races and warnings"},
    "race.warnings_title": {"ko": "경고가 있는 경주", "en": "Races with warnings"},
    "race.failed_line": {"ko": "{n}경주 {name}", "en": "Race {n} {name}"},
    "race.no_warnings": {"ko": "(경고 없음)", "en": "(no warnings)"},
    "race.more_warnings": {"ko": "… 외 {n}개", "en": "… {n} more"},
    "race.detail": {
        "ko": "경주 하나의 전체 경주명과 경고 보기 (표에는 긴 글의 앞부분만 보입니다)",
        "en": "One race's whole name and warnings (tables show the start of long texts)",
    },
    "race.detail_placeholder": {"ko": "경주를 고르세요", "en": "Choose a race"},
    "race.jobs": {"ko": "이 경주일의 작업", "en": "Jobs for this race day"},
    "race.no_jobs": {
        "ko": "parameters에 이 날짜와 경마장을 지정한 작업이 없습니다.",
        "en": "No job names this date and racecourse in its parameters.",
    },
    "race.empty_db": {
        "ko": "데이터베이스에 경주가 없어 기본 경주일을 정할 수 없습니다. 날짜를 직접 고르세요.",
        "en": "The database holds no races, so there is no latest race day; pick a date.",
    },
    "race.overview_link": {"ko": "이 날짜의 개요", "en": "Overview around this day"},
    "race.jobs_link": {"ko": "작업 페이지", "en": "Jobs page"},
    "race.state_title": {"ko": "지금 상태", "en": "Where it stands"},
    "race.state_caption": {
        "ko": "대시보드가 경주마다 센 값입니다. 실패한 경주가 하나라도 있으면 '실패', 모든 경주가 "
        "수집·보강·결과까지 끝나야 '완료'입니다. 단계마다 끝난 경주 수/전체 경주 수와 실패 수를 "
        "보여 줍니다.",
        "en": "The dashboard's own count, race by race: one failed race makes the day "
        "'failed'; it is 'done' only when every race is collected, enriched and has its "
        "result. Each stage shows races done / all races and its failures.",
    },
    "race.state": {"ko": "상태", "en": "State"},
    "race.updated_ago": {"ko": "마지막 갱신 {age}", "en": "last update {age}"},
    "race.api_caption": {
        "ko": "수집기의 GET /api/v2/collection/status와 kra-status status --json이 내는 값 "
        "그대로입니다. 이 값은 일부러 대략적입니다: 경주 하나만 보강돼도 "
        "enrichment_status는 enriched입니다. 실제 진행은 위의 '지금 상태'를 보세요.",
        "en": "Exactly what the collector's GET /api/v2/collection/status and kra-status "
        "status --json give. These values are coarse by design: one enriched race makes "
        "enrichment_status enriched. The real progress is under 'Where it stands' above.",
    },
    "race.failed_at.collection": {"ko": "수집 실패", "en": "collection failed"},
    "race.failed_at.enrichment": {"ko": "보강 실패", "en": "enrichment failed"},
    "race.failed_at.result": {"ko": "결과 실패", "en": "result failed"},
    "race.no_job_error": {
        "ko": "이 경주를 다룬 작업에 오류 기록 없음",
        "en": "no job covering this race recorded an error",
    },
    "race.job_error_of": {"ko": "작업 {job} 오류 ({time})", "en": "Error of job {job} ({time})"},
    "col.failed_stage": {"ko": "실패 단계", "en": "Failed stage"},
    "col.cause_error": {"ko": "원인: 최근 작업 오류", "en": "Cause: latest job error"},
    "col.cause_time": {"ko": "오류 시각 (KST)", "en": "Error time (KST)"},
    "col.cause_job": {"ko": "작업 ID", "en": "Job ID"},
    "summary.last_updated": {"ko": "최종 갱신 (KST)", "en": "Last updated (KST)"},
    # --- jobs -----------------------------------------------------------------------------
    "jobs.counts": {"ko": "상태별 작업 수 (전체)", "en": "Jobs by status (all jobs)"},
    "jobs.legacy": {"ko": "구버전", "en": "legacy"},
    "jobs.legacy_note": {
        "ko": "실행 중(`running`)·재시도(`retrying`)는 이전 수집기 버전이 쓰던 상태입니다. "
        "새 버전은 처리 중(`processing`)을 씁니다.",
        "en": "running/retrying are what older collector versions wrote; newer ones write "
        "processing.",
    },
    "jobs.count": {"ko": "작업 수", "en": "Jobs"},
    "jobs.types": {"ko": "작업 유형", "en": "Job types"},
    "jobs.statuses": {"ko": "작업 상태", "en": "Job statuses"},
    "jobs.race_date": {"ko": "경주일", "en": "Race date"},
    "jobs.range_caption": {
        "ko": "생성일 {start} ~ {end} (KST) · 최대 {limit}건",
        "en": "created {start} to {end} (KST) · at most {limit} jobs",
    },
    "jobs.stuck": {"ko": "멈춘 작업", "en": "Stuck jobs"},
    "jobs.detail": {
        "ko": "작업 하나의 전체 오류 보기 (표에는 오류의 앞부분만 보입니다)",
        "en": "One job's whole error (tables show the start of each error)",
    },
    "jobs.detail_placeholder": {"ko": "작업을 고르세요", "en": "Choose a job"},
    "jobs.detail_option": {"ko": "{job} · 오류 {n:,}자", "en": "{job} · error of {n:,} characters"},
    "jobs.detail_cut": {"ko": "전체 {total:,}자 중 앞의 {shown:,}자",
                        "en": "the first {shown:,} of {total:,} characters"},
    "jobs.detail_none": {"ko": "이 작업에는 오류 메시지가 없습니다.",
                         "en": "This job has no error message."},
    "jobs.detail_gone": {"ko": "이 작업을 더 이상 찾을 수 없습니다.",
                         "en": "This job is no longer in the database."},
    "jobs.stuck_caption": {
        "ko": "처리 중(또는 구버전의 실행 중·재시도) 상태로 {minutes}분 넘게 실행 중인 작업 "
        "(필터와 무관)",
        "en": "jobs processing (or legacy running/retrying) for more than {minutes} min "
        "(regardless of the filters)",
    },
    "jobs.no_stuck": {"ko": "멈춘 작업이 없습니다.", "en": "No stuck jobs."},
    "jobs.recent": {"ko": "최근 작업", "en": "Recent jobs"},
    "jobs.no_jobs": {"ko": "조건에 맞는 작업이 없습니다.", "en": "No jobs match the filters."},
    "jobs.timeline": {"ko": "작업 타임라인", "en": "Job timeline"},
    "jobs.no_timeline": {"ko": "시작된 작업이 없습니다.", "en": "No job has started."},
    "jobs.time_kst": {"ko": "시각 (KST)", "en": "Time (KST)"},
    "jobs.errors": {"ko": "자주 발생한 오류", "en": "Most frequent errors"},
    "jobs.errors_caption": {
        "ko": "숫자·ID·시각을 지운 뒤 같은 문장끼리 묶었습니다.",
        "en": "Grouped after replacing numbers, ids and times, so similar errors count "
        "together.",
    },
    "jobs.errors_range": {
        "ko": "기간 {start} ~ {end}의 실패 작업과 오류 (생성일, KST)",
        "en": "Failed jobs and errors of jobs created {start} to {end} (KST)",
    },
    "jobs.no_errors_in_range": {
        "ko": "기간 {start} ~ {end}에 생성된 작업에는 오류가 없습니다.",
        "en": "No job created {start} to {end} has an error.",
    },
    "jobs.failed_without_error": {
        "ko": "이 기간에 실패 작업 {n}건이 있지만 오류 메시지가 없습니다.",
        "en": "{n} failed jobs in this range have no error message.",
    },
    "jobs.failed_outside": {
        "ko": "범위 밖에 실패 작업 {n}건 ({first} ~ {last} 생성)",
        "en": "{n} failed jobs outside the range (created {first} to {last})",
    },
    "jobs.widen": {"ko": "기간을 {start} ~ {end}(으)로 넓혀 보기",
                   "en": "Widen the range to {start} to {end}"},
    "job.pending": {"ko": "대기", "en": "pending"},
    "job.queued": {"ko": "대기열", "en": "queued"},
    "job.processing": {"ko": "처리 중", "en": "processing"},
    "job.running": {"ko": "실행 중", "en": "running"},
    "job.retrying": {"ko": "재시도", "en": "retrying"},
    "job.completed": {"ko": "완료", "en": "completed"},
    "job.failed": {"ko": "실패", "en": "failed"},
    "job.cancelled": {"ko": "취소", "en": "cancelled"},
    # --- login gate -----------------------------------------------------------------------
    "auth.login_required": {
        "ko": "이 대시보드는 로그인한 사용자만 볼 수 있습니다.",
        "en": "Please log in to view this dashboard.",
    },
    "auth.login_button": {"ko": "로그인", "en": "Log in"},
    "auth.login_with": {"ko": "{provider} 계정으로 로그인", "en": "Log in with {provider}"},
    "auth.logout_button": {"ko": "로그아웃", "en": "Log out"},
    "auth.signed_in_as": {"ko": "로그인: {email}", "en": "Signed in as {email}"},
    "auth.refused": {
        "ko": "이 계정({email})은 이 대시보드를 볼 권한이 없습니다. "
        "관리자에게 허용 목록 추가를 요청하거나 다른 계정으로 로그인하세요.",
        "en": "This account ({email}) may not view this dashboard. Ask an administrator "
        "to add it to the allow-list, or log in with another account.",
    },
    "auth.unverified": {
        "ko": "이 계정({email})의 이메일 주소가 인증되지 않았습니다.",
        "en": "The e-mail address of this account ({email}) is not verified.",
    },
    "auth.no_email": {"ko": "(이메일 없음)", "en": "(no e-mail address)"},
    "auth.misconfigured": {
        "ko": "로그인 설정이 올바르지 않아 대시보드를 표시하지 않습니다: {detail}",
        "en": "The login settings are not usable, so the dashboard is not shown: {detail}",
    },
    "auth.allowlist_without_auth": {
        "ko": "허용 목록(KRA_ALLOWED_EMAILS/DOMAINS 또는 [kra] allowed_*)이 설정되었지만 "
        "secrets.toml에 [auth] 로그인 설정이 없어 사용자를 확인할 수 없습니다.",
        "en": "An allow-list (KRA_ALLOWED_EMAILS/DOMAINS or [kra] allowed_*) is set, but "
        "secrets.toml has no [auth] login section, so nobody can be identified.",
    },
    "auth.broken_secrets": {
        "ko": ".streamlit/secrets.toml에 [auth]가 있지만 파일을 읽을 수 없습니다(TOML 오류).",
        "en": ".streamlit/secrets.toml mentions [auth] but cannot be parsed (TOML error).",
    },
    # --- odd stored values ---------------------------------------------------------------
    "value.invalid_date": {"ko": "날짜 아님", "en": "invalid date"},
    "job.none": {"ko": "(없음)", "en": "(none)"},
    # the collector's job types and race statuses, in words (tables, pickers, DB check)
    "jobtype.collection": {"ko": "수집", "en": "collection"},
    "jobtype.enrichment": {"ko": "보강", "en": "enrichment"},
    "jobtype.analysis": {"ko": "분석", "en": "analysis"},
    "jobtype.prediction": {"ko": "예측", "en": "prediction"},
    "jobtype.improvement": {"ko": "개선", "en": "improvement"},
    "jobtype.batch": {"ko": "일괄", "en": "batch"},
    "race_status.pending": {"ko": "대기", "en": "pending"},
    "race_status.collected": {"ko": "수집됨", "en": "collected"},
    "race_status.enriched": {"ko": "보강됨", "en": "enriched"},
    "race_status.failed": {"ko": "실패", "en": "failed"},
    # what an empty picker says (Streamlit's own "Choose options"/"Select..." otherwise)
    "widget.choose_one": {"ko": "선택하세요", "en": "Choose one"},
    "widget.choose_many": {"ko": "하나 이상 선택하세요 (비우면 전체)", "en": "Choose (empty: all)"},
    # the placeholders of a grouped error (ui.cells.pattern_shown)
    "value.any_id": {"ko": "(ID)", "en": "(ID)"},
    "value.any_time": {"ko": "(시각)", "en": "(time)"},
    "value.any_text": {"ko": "…", "en": "…"},
    "race.stored_cell": {
        "ko": "이 칸의 저장된 날짜 {text}는 실제 날짜(YYYYMMDD)가 아닙니다. 저장된 글자 그대로 "
        "조회한 결과입니다(수집기의 상태 API도 이 글자로 답합니다).",
        "en": "The stored date {text} of this cell is not a real YYYYMMDD day; it is shown by "
        "its exact stored text (the collector's status API answers for that text too).",
    },
    "race.date_read_as": {
        "ko": "입력한 날짜 {typed}를 {date}로 읽었습니다. 글자 그대로 {typed}로 저장된 칸은 "
        "?stored={typed} 로 엽니다.",
        "en": "The date {typed} was read as {date}. A cell stored under the exact text "
        "{typed} opens with ?stored={typed}.",
    },
    # --- links (issue 12) -----------------------------------------------------------------
    "share.copy": {"ko": "링크 복사", "en": "Copy link"},
    "share.help": {
        "ko": "지금 보이는 화면(기간, 경마장, 경주일, 설정)을 그대로 여는 주소를 복사합니다.",
        "en": "Copies the address that opens exactly this view (range, racecourses, race "
        "day, settings).",
    },
    "share.copied": {"ko": "링크를 복사했습니다.", "en": "Link copied."},
    "share.failed": {
        "ko": "자동으로 복사하지 못했습니다. 아래 주소를 복사하세요(Ctrl+C).",
        "en": "Could not copy automatically; copy the address below (Ctrl+C).",
    },
}
