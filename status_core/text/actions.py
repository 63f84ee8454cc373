"""Asking the collector for work: the collector's rules, every outcome of a request, the
confirmation dialogs and the buttons (pages and ``kra-status recollect``)."""

from __future__ import annotations

ACTIONS: dict[str, dict[str, str]] = {
    # --- the collector's rules, checked before sending ------------------------------------
    "action.rule.date_format": {
        "ko": "날짜 {value}는 YYYYMMDD 형식이 아닙니다 (예: 20260214).",
        "en": "date {value} is not YYYYMMDD (e.g. 20260214).",
    },
    "action.rule.date_unreal": {
        "ko": "날짜 {date}는 달력에 없는 날짜입니다.",
        "en": "date {date} is not a real calendar date.",
    },
    "action.rule.date_future": {
        "ko": "날짜 {date}는 미래입니다 (오늘 {today}, 한국 시간): 수집기는 미래 날짜를 "
              "받지 않습니다.",
        "en": "date {date} is in the future (today is {today}, Korean time): the collector "
              "refuses future dates.",
    },
    "action.rule.meet": {
        "ko": "경마장 {value}는 1 (서울), 2 (제주), 3 (부산경남) 중 하나여야 합니다.",
        "en": "meet {value} must be 1 (Seoul), 2 (Jeju) or 3 (Busan-Gyeongnam).",
    },
    "action.rule.races_empty": {
        "ko": "경주 번호 목록이 비어 있습니다: 하루 전체는 목록을 생략하세요.",
        "en": "the race number list is empty: omit it for the whole day.",
    },
    "action.rule.race_number": {
        "ko": "경주 번호 {value}는 1~{max} 사이의 정수여야 합니다.",
        "en": "race number {value} must be a whole number from 1 to {max}.",
    },
    "action.rule.no_races": {
        "ko": "결과를 수집할 경주를 고르지 않았습니다.",
        "en": "no race was chosen to collect results for.",
    },
    "action.rule.job_id": {
        "ko": "작업 ID {value}는 올바른 작업 ID가 아닙니다.",
        "en": "job id {value} is not a valid job id.",
    },
    # --- what a request is about ----------------------------------------------------------
    "action.subject.job": {"ko": "작업 {job_id}", "en": "job {job_id}"},
    "action.subject.day_all": {"ko": "{day} 전체 경주", "en": "{day}, all races"},
    "action.subject.day_races": {"ko": "{day} {races}경주", "en": "{day}, races {races}"},
    "action.subject.race": {"ko": "{day} {race}경주", "en": "{day} race {race}"},
    # --- outcomes ------------------------------------------------------------------------
    "action.accepted.recollect": {
        "ko": "수집기가 {subject} 재수집 요청을 받았습니다: 작업 {job_id}.",
        "en": "The collector accepted re-collecting {subject}: job {job_id}.",
    },
    "action.accepted.result": {
        "ko": "수집기가 {subject} 결과를 수집했습니다.",
        "en": "The collector collected the result of {subject}.",
    },
    "action.accepted.cancel": {"ko": "{subject}을(를) 취소했습니다.",
                               "en": "{subject} was cancelled."},
    "action.accepted.get_job": {"ko": "{subject}: {job_status}.",
                                "en": "{subject}: {job_status}."},
    "action.nothing_started": {"ko": "아무 작업도 시작되지 않았습니다.",
                               "en": "Nothing was started."},
    "action.unauthorized": {
        "ko": "수집기가 API 키를 거부했습니다 (HTTP 401: 키가 없거나 틀렸거나 비활성입니다). "
              "KRA_COLLECTOR_API_KEY (또는 [collector] api_key)를 확인하세요.",
        "en": "The collector refused the API key (HTTP 401: missing, wrong or inactive). "
              "Check KRA_COLLECTOR_API_KEY (or [collector] api_key).",
    },
    "action.forbidden": {
        "ko": "이 API 키에는 이 작업을 할 권한이 없습니다 (HTTP 403). 수집기 관리자에게 "
              "권한을 요청하세요.",
        "en": "This API key is not allowed to do this (HTTP 403). Ask the collector's "
              "administrator for the permission.",
    },
    "action.invalid": {"ko": "수집기가 요청 내용을 거부했습니다 (HTTP 422).",
                       "en": "The collector refused the request's content (HTTP 422)."},
    "action.rate_limited": {
        "ko": "이 API 키의 하루 요청 한도를 넘었습니다 (HTTP 429). 내일 다시 하거나 "
              "관리자에게 한도를 늘려 달라고 하세요.",
        "en": "This API key is over its daily request limit (HTTP 429). Try again tomorrow "
              "or ask the administrator to raise the limit.",
    },
    "action.collector_error": {
        "ko": "수집기 내부 오류입니다 (HTTP {status}). 작업 페이지에서 작업이 생겼는지 "
              "확인한 뒤 다시 시도하세요.",
        "en": "The collector failed (HTTP {status}). Check the jobs page for a new job "
              "before trying again.",
    },
    "action.unexpected": {"ko": "수집기가 예상하지 못한 응답을 했습니다 (HTTP {status}).",
                          "en": "The collector answered unexpectedly (HTTP {status})."},
    "action.timeout": {
        "ko": "수집기가 {timeout:g}초 안에 응답하지 않았습니다. 요청이 도착해 작업이 "
              "시작됐을 수 있으니, 다시 보내기 전에 작업 페이지를 확인하세요. 자동으로 다시 "
              "보내지 않습니다.",
        "en": "The collector did not answer within {timeout:g} s. The request may have "
              "arrived and started a job: check the jobs page before sending it again. It "
              "is not retried automatically.",
    },
    "action.connect_timeout": {
        "ko": "수집기에 {timeout:g}초 안에 연결하지 못했습니다: 주소(KRA_COLLECTOR_API_URL)와 "
              "네트워크를 확인하세요. 요청은 보내지지 않았습니다.",
        "en": "Could not connect to the collector within {timeout:g} s: check the address "
              "(KRA_COLLECTOR_API_URL) and the network. The request was not sent.",
    },
    "action.no_answer": {
        "ko": "수집기와의 연결이 응답 전에 끊겼습니다. 요청이 도착해 작업이 시작됐을 수 "
              "있으니, 다시 보내기 전에 작업 페이지를 확인하세요. 자동으로 다시 보내지 "
              "않습니다.",
        "en": "The connection to the collector broke before an answer came. The request "
              "may have arrived and started a job: check the jobs page before sending it "
              "again. It is not retried automatically.",
    },
    "action.refused": {
        "ko": "수집기에 연결할 수 없습니다: 주소(KRA_COLLECTOR_API_URL)와 수집기가 실행 "
              "중인지 확인하세요. 요청은 보내지지 않았습니다.",
        "en": "Cannot connect to the collector: check the address (KRA_COLLECTOR_API_URL) "
              "and that the collector is running. The request was not sent.",
    },
    "action.rejected": {"ko": "요청을 보내지 않았습니다.", "en": "The request was not sent."},
    "action.duplicate": {
        "ko": "이 날짜와 경마장을 다루는 작업 {existing_id} ({existing_status})이(가) 이미 "
              "진행 중이라 보내지 않았습니다. 그래도 보내려면 한 번 더 확인하세요 "
              "(CLI: --force).",
        "en": "Not sent: job {existing_id} ({existing_status}) already covers this date "
              "and meet. To send anyway, confirm a second time (CLI: --force).",
    },
    "action.throttled": {
        "ko": "같은 날짜와 경마장에는 1분에 한 번만 요청합니다 (KRA API 부하 방지): {wait}초 "
              "뒤에 다시 하세요. 요청은 보내지지 않았습니다.",
        "en": "One request per date and meet per minute (to spare the KRA API): try again "
              "in {wait} s. The request was not sent.",
    },
    "action.unchecked": {
        "ko": "진행 중인 작업이 있는지 데이터베이스에서 확인하지 못해 보내지 않았습니다. "
              "그래도 보내려면 한 번 더 확인하세요 (CLI: --force).",
        "en": "Not sent: could not check the database for a job already covering this "
              "date and meet. To send anyway, confirm a second time (CLI: --force).",
    },
    "action.not_found": {
        "ko": "수집기가 이 주소를 모릅니다 (HTTP 404): KRA_COLLECTOR_API_URL을 확인하세요.",
        "en": "The collector does not know this address (HTTP 404): check "
              "KRA_COLLECTOR_API_URL.",
    },
    "action.not_found.cancel": {
        "ko": "{subject}을(를) 취소할 수 없습니다 (HTTP 404): 없는 작업이거나, 이 API 키 "
              "소유자의 작업이 아니거나, 이미 끝난(완료/실패/취소) 작업입니다.",
        "en": "{subject} cannot be cancelled (HTTP 404): it does not exist, belongs to "
              "another key owner, or has already ended (completed, failed or cancelled).",
    },
    "action.not_found.get_job": {
        "ko": "{subject}을(를) 찾을 수 없습니다 (HTTP 404): 없는 작업이거나 이 API 키 "
              "소유자의 작업이 아닙니다.",
        "en": "{subject} was not found (HTTP 404): it does not exist or belongs to another "
              "key owner.",
    },
    "action.said": {"ko": "수집기의 설명", "en": "The collector said"},
    # --- kra-status recollect ---------------------------------------------------------------
    "action.cli.plan": {"ko": "보낼 요청", "en": "Request"},
    "action.cli.confirm": {"ko": "이 요청을 보낼까요? [y/N] ", "en": "Send this request? [y/N] "},
    "action.cli.not_sent": {"ko": "보내지 않았습니다.", "en": "Not sent."},
    "action.cli.no_database": {
        "ko": "DATABASE_URL가 없어 진행 중인 작업을 확인할 수 없습니다.",
        "en": "DATABASE_URL is not set: open jobs cannot be checked.",
    },
    # --- the pages: buttons, dialogs ------------------------------------------------------
    "action.section": {"ko": "수집기에 요청", "en": "Ask the collector"},
    "action.section_caption": {
        "ko": "요청은 수집기 API로 갑니다 ({who}). 대시보드는 DB에 쓰지 않습니다.",
        "en": "Requests go to the collector's API (as {who}); the dashboard never writes "
              "to the database.",
    },
    "action.config_error": {"ko": "수집기 API 설정 오류: {message}",
                            "en": "Collector API configuration error: {message}"},
    "action.recollect_day": {"ko": "하루 전체 재수집", "en": "Re-collect the whole day"},
    "action.recollect_unfinished": {"ko": "실패·대기 경주만 재수집 ({n})",
                                    "en": "Re-collect failed and pending races ({n})"},
    "action.collect_results": {"ko": "빠진 결과 수집 ({n})",
                               "en": "Collect missing results ({n})"},
    "action.attention_pick": {"ko": "조치할 항목", "en": "Item to act on"},
    "action.cancel_pick": {"ko": "취소할 작업", "en": "Job to cancel"},
    "action.cancel_job": {"ko": "작업 취소", "en": "Cancel the job"},
    "action.dialog.recollect": {"ko": "재수집 확인", "en": "Confirm re-collection"},
    "action.dialog.results": {"ko": "결과 수집 확인", "en": "Confirm result collection"},
    "action.dialog.cancel": {"ko": "작업 취소 확인", "en": "Confirm cancelling"},
    "action.dialog.will_send": {
        "ko": "아래 요청을 그대로 수집기({url})에 보냅니다. API 키는 헤더로만 보내며 "
              "표시하지 않습니다.",
        "en": "Exactly these requests go to the collector ({url}). The API key travels in "
              "a header only and is never shown.",
    },
    "action.dialog.send": {"ko": "보내기", "en": "Send"},
    "action.dialog.close": {"ko": "닫기", "en": "Close"},
    "action.dialog.send_anyway": {"ko": "그래도 보내기 (두 번째 확인)",
                                  "en": "Send anyway (second confirmation)"},
    "action.dialog.existing": {"ko": "이미 이 날을 다루는 작업",
                               "en": "The job already on this day"},
    "action.job_id": {"ko": "작업 ID", "en": "Job id"},
    "action.job_link": {"ko": "작업 페이지에서 보기", "en": "Open it on the jobs page"},
    # --- the jobs page, one job -------------------------------------------------------------
    "jobs.one_job": {"ko": "작업 하나", "en": "One job"},
    "jobs.one_job_live": {"ko": "작업이 끝날 때까지 {seconds}초마다 새로 고칩니다.",
                          "en": "Refreshes every {seconds} s until the job ends."},
    "jobs.one_job_ended": {"ko": "작업이 끝났습니다.", "en": "The job has ended."},
    "jobs.one_job_missing": {"ko": "DB에 이 ID의 작업이 없습니다.",
                             "en": "The database has no job with this id."},
    "jobs.all_jobs": {"ko": "모든 작업 보기", "en": "Show all jobs"},
}
