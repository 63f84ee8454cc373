"""The reliability page: completion, timeliness, failures and jobs over weeks and months."""

from __future__ import annotations

RELIABILITY: dict[str, dict[str, str]] = {
    # --- choices ------------------------------------------------------------------------
    "rel.caption": {
        "ko": "{start} ~ {end} · {meets} · {grouping} 단위 · 마감 {deadline} (KST)",
        "en": "{start} to {end} · {meets} · by {grouping} · deadline {deadline} (KST)",
    },
    "rel.grouping": {"ko": "묶음 단위", "en": "Group by"},
    "rel.week": {"ko": "주", "en": "week"},
    "rel.month": {"ko": "월", "en": "month"},
    "rel.deadline": {"ko": "마감 (경주일 0시부터 시간)", "en": "Deadline (hours after 00:00)"},
    "rel.deadline_help": {
        "ko": "경주일 00:00 KST부터 몇 시간 안에 끝나야 하는지. 33 = 다음 날 09:00 "
              "(D+1 09:00, 기본값).",
        "en": "How many hours after the race day's 00:00 KST a step should be done. "
              "33 = the next day 09:00 (D+1 09:00, the default).",
    },
    "rel.deadline_line": {"ko": "마감 {deadline}", "en": "deadline {deadline}"},
    "rel.deadline_col": {"ko": "마감 시각", "en": "Deadline"},
    "rel.step": {"ko": "단계", "en": "Step"},
    "rel.step_collection": {"ko": "수집", "en": "Collection"},
    "rel.step_enrichment": {"ko": "보강", "en": "Enrichment"},
    "rel.step_result": {"ko": "결과", "en": "Results"},
    "rel.step_all": {"ko": "세 단계 모두", "en": "All three"},
    # --- completion ---------------------------------------------------------------------
    "rel.completion": {"ko": "완료: 경주일이 어떻게 끝났나",
                       "en": "Completion: how race days ended"},
    "rel.completion_caption": {
        "ko": "경주일 = 경주가 저장된 날짜 × 경마장. 개요와 같은 정직한 상태로 셉니다: "
              "완료(모든 경주가 수집·보강·결과까지), 실패(한 경주라도 실패), "
              "미완료(그제 이전인데 덜 끝남). 아직 끝나지 않은 날(진행 중·정체·시작 안 됨)은 "
              "'아직 진행'입니다. 🔎 는 그 기간의 개요를 엽니다.",
        "en": "A race day is a date x racecourse with races. Counted by the same honest "
              "states as the overview: done (every race collected, enriched and with its "
              "result), failed (any race failed), incomplete (before yesterday and not "
              "finished). Days not over yet (in progress, stalled, not started) are 'not "
              "over yet'. 🔎 opens the overview of that period.",
    },
    "rel.ended": {"ko": "끝난 상태", "en": "Ended as"},
    "rel.open": {"ko": "🔄 아직 진행", "en": "🔄 not over yet"},
    "rel.share_of_days": {"ko": "경주일 비율", "en": "Share of race days"},
    "rel.no_races": {
        "ko": "선택한 기간에 경주일이 없습니다.", "en": "No race days in the selected range.",
    },
    # --- timeliness ---------------------------------------------------------------------
    "rel.timeliness": {
        "ko": "적시성: 경주일 0시부터 마지막 경주까지 걸린 시간",
        "en": "Timeliness: hours from the race day's 00:00 to its last race",
    },
    "rel.timeliness_caption": {
        "ko": "경주일마다 마지막 경주가 수집·보강·결과 수집된 시각을 "
              "경주일 00:00 KST부터 시간으로 잽니다(전날 수집이면 음수). "
              "중앙값과 90백분위는 모든 경주가 그 단계를 마친 날만 셉니다. "
              "그 단계 시각이 없는 경주가 하나라도 있으면 그 날은 마감 내가 아닙니다. "
              "마감 내 비율은 마감이 지난(또는 이미 끝난) 날 중 마감 {deadline}까지 "
              "끝난 날의 비율입니다.",
        "en": "For each race day, when its last race was collected, enriched and had its "
              "result, in hours after the race day's 00:00 KST (negative: the day before). "
              "The median and 90th percentile count the days on which every race got "
              "through the step. A race without the step's time makes its day not on time. "
              "The share on time is of the days whose deadline has passed (or that are "
              "done): those done by {deadline}.",
    },
    "rel.median": {"ko": "중앙값 (시간)", "en": "Median (h)"},
    "rel.p90": {"ko": "90백분위 (시간)", "en": "90th percentile (h)"},
    "rel.hours": {"ko": "시간", "en": "Hours"},
    "rel.on_time": {"ko": "마감 내", "en": "On time"},
    "rel.late": {"ko": "마감 넘김", "en": "Late"},
    "rel.open_step": {"ko": "마감 전·진행 중", "en": "Not due yet"},
    "rel.on_time_share": {"ko": "마감 내 비율", "en": "Share on time"},
    "rel.per_day": {"ko": "경주일별 ({n}일)", "en": "Per race day ({n})"},
    # --- failures and errors ------------------------------------------------------------
    "rel.failures": {"ko": "실패: 단계별 실패한 경주", "en": "Failures: failed races per stage"},
    "rel.failed_races": {"ko": "실패한 경주", "en": "Failed races"},
    "rel.no_failures": {
        "ko": "이 기간에 실패한 경주가 없습니다.", "en": "No race failed in this range.",
    },
    "rel.errors": {"ko": "자주 발생한 오류 (기간별 상위)", "en": "Most frequent errors per period"},
    "rel.errors_caption": {
        "ko": "오류 메시지가 있는 작업을 작업 페이지처럼 묶었습니다(숫자·ID·시각을 뺀 형태). "
              "기간마다 상위 {top}개. 🔎 는 그 기간의 작업 페이지를 엽니다.",
        "en": "Jobs with an error message, grouped as on the jobs page (numbers, ids and "
              "times taken out); the top {top} per period. 🔎 opens the jobs page of that "
              "period.",
    },
    "rel.errors_none": {
        "ko": "이 기간에 오류 메시지가 있는 작업이 없습니다.",
        "en": "No job in this range has an error message.",
    },
    "rel.errors_cut": {
        "ko": "오류 메시지 종류가 {cap:,}개를 넘어 가장 드문 것은 빠졌습니다.",
        "en": "More than {cap:,} distinct error messages: the rarest were left out.",
    },
    # --- jobs ---------------------------------------------------------------------------
    "rel.jobs": {"ko": "작업: 유형별 수·실패율·재시도·소요 시간", "en": "Jobs per type: count, "
                 "failure rate, retries, duration"},
    "rel.jobs_caption": {
        "ko": "작업은 created_at(KST)이 속한 기간에 셉니다. 실패율 = 실패(failed) / 작업 수. "
              "소요 시간 = completed_at - started_at (둘 다 있는 작업만).",
        "en": "A job counts in the period of its created_at (KST). Failure rate = failed / "
              "jobs. Duration = completed_at - started_at (jobs with both).",
    },
    "rel.failure_rate": {"ko": "실패율", "en": "Failure rate"},
    "rel.p50_minutes": {"ko": "소요 시간 중앙값 (분)", "en": "Duration median (min)"},
    "rel.p90_minutes": {"ko": "소요 시간 90백분위 (분)", "en": "Duration p90 (min)"},
    "rel.stuck": {"ko": "멈춘 작업 (기간이 끝날 때)", "en": "Stuck jobs at the end of each period"},
    "rel.stuck_caption": {
        "ko": "기간이 끝나는 시각(진행 중인 기간은 지금)에 {minutes}분 넘게 실행 중이던 작업 수. "
              "작업은 started_at(없으면 아직 활성인 작업의 created_at)부터 completed_at까지 실행 "
              "중으로 봅니다. completed_at이 없으면 상태가 processing/running/retrying인 동안만.",
        "en": "Jobs that, when the period ended (now for the current one), had been running "
              "for more than {minutes} minutes. A job runs from started_at (created_at for a "
              "still-active job without one) to completed_at; without completed_at only "
              "while its status is processing/running/retrying.",
    },
    # --- columns ------------------------------------------------------------------------
    "rel.col.period": {"ko": "기간 시작", "en": "Period from"},
    "rel.col.race_days": {"ko": "경주일", "en": "Race days"},
    "rel.col.done": {"ko": "완료", "en": "Done"},
    "rel.col.failed": {"ko": "실패", "en": "Failed"},
    "rel.col.incomplete": {"ko": "미완료", "en": "Incomplete"},
    "rel.col.open": {"ko": "아직 진행", "en": "Not over"},
    "rel.col.done_pct": {"ko": "완료 %", "en": "Done %"},
    "rel.col.failed_pct": {"ko": "실패 %", "en": "Failed %"},
    "rel.col.incomplete_pct": {"ko": "미완료 %", "en": "Incomplete %"},
    "rel.col.open_pct": {"ko": "아직 진행 %", "en": "Not over %"},
    "rel.col.complete_days": {"ko": "단계를 마친 날", "en": "Days through the step"},
    "rel.col.missing": {"ko": "시각 없는 경주", "en": "Races without the time"},
    "rel.col.last": {"ko": "마지막 경주 시각", "en": "Last race at"},
    "rel.col.state": {"ko": "마감", "en": "Deadline"},
    "rel.col.stage": {"ko": "단계", "en": "Stage"},
    "rel.col.failed_days": {"ko": "실패가 있는 날", "en": "Days with failures"},
    "rel.col.failed_races": {"ko": "실패한 경주 (아무 단계)", "en": "Failed races (any stage)"},
    "rel.col.rank": {"ko": "순위", "en": "Rank"},
    "rel.col.jobs": {"ko": "작업 수", "en": "Jobs"},
    "rel.col.pattern": {"ko": "오류 (정규화)", "en": "Error (normalised)"},
    "rel.col.type": {"ko": "유형", "en": "Type"},
    "rel.col.last_seen": {"ko": "마지막 발생", "en": "Last seen"},
    "rel.col.example": {"ko": "예시", "en": "Example"},
    "rel.col.failed_jobs": {"ko": "실패", "en": "Failed"},
    "rel.col.retries": {"ko": "재시도 합계", "en": "Retries"},
    "rel.col.timed": {"ko": "소요 시간 있는 작업", "en": "Timed jobs"},
    "rel.col.at": {"ko": "기준 시각", "en": "At"},
    "rel.col.stuck": {"ko": "멈춘 작업", "en": "Stuck jobs"},
    "rel.col.longest": {"ko": "가장 오래 (분)", "en": "Longest (min)"},
}
