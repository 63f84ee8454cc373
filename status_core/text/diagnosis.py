"""The diagnosis (``kra-status check`` and the DB check page): step titles, the report's
verdict lines and the fixed sentences of the steps.

Keys: ``step.<name>`` the title of each step, ``report.*`` the plain-text report,
``diag.*`` the steps' sentences (``diag.blocked.*`` why the remaining steps are skipped).
"""

from __future__ import annotations

DIAGNOSIS: dict[str, dict[str, str]] = {
    # --- step titles ----------------------------------------------------------------------
    "step.config": {"ko": "설정", "en": "Configuration"},
    "step.dns": {"ko": "이름 해석(DNS)", "en": "Name resolution (DNS)"},
    "step.tcp": {"ko": "TCP 연결", "en": "TCP reachability"},
    "step.login": {"ko": "PostgreSQL 로그인", "en": "PostgreSQL login"},
    "step.server": {"ko": "서버 정보", "en": "Server facts"},
    "step.schema": {"ko": "스키마", "en": "Schema"},
    "step.privileges": {"ko": "권한과 행 수준 보안", "en": "Privileges and row level security"},
    "step.data": {"ko": "데이터", "en": "Data"},
    "step.status": {"ko": "날짜·경마장 현황", "en": "Date x racecourse status"},
    # --- the plain-text report --------------------------------------------------------------
    "report.head": {"ko": "KRA DB 점검", "en": "KRA DB check"},
    "report.ok": {"ko": "결과: ✔ 사용 가능 (원인: ok)", "en": "Verdict: ✔ usable (cause: ok)"},
    "report.warns": {"ko": ", 경고 {n}건", "en": ", {n} warning(s)"},
    "report.fail": {
        "ko": "결과: ✘ 실패 — 원인: {cause} ({label}), 단계: {step}",
        "en": "Verdict: ✘ failed — cause: {cause} ({label}), step: {step}",
    },
    # --- why the remaining steps are skipped ------------------------------------------------
    "diag.skipped": {"ko": "건너뜀: {reason}", "en": "skipped: {reason}"},
    "diag.blocked.settings": {"ko": "설정을 사용할 수 없습니다",
                              "en": "the settings cannot be used"},
    "diag.blocked.url": {"ko": "URL을 사용할 수 없습니다", "en": "the URL cannot be used"},
    "diag.blocked.sqlite_missing": {"ko": "SQLite 파일이 없습니다",
                                    "en": "the SQLite file does not exist"},
    "diag.blocked.demo": {"ko": "내장 데모를 준비하지 못했습니다",
                          "en": "the embedded demo could not be prepared"},
    "diag.blocked.dns": {"ko": "호스트 이름을 해석하지 못했습니다",
                         "en": "the host name did not resolve"},
    "diag.blocked.tcp": {"ko": "{host}:{port}에 연결할 수 없습니다",
                         "en": "{host}:{port} is not reachable"},
    "diag.blocked.budget": {"ko": "시간 예산을 다 썼습니다", "en": "the time budget ran out"},
    "diag.blocked.login_late": {"ko": "로그인이 끝나지 않았습니다",
                                "en": "the login did not finish"},
    "diag.blocked.login": {"ko": "로그인에 실패했습니다", "en": "the login failed"},
    "diag.blocked.stuck_query": {"ko": "연결이 쿼리에 묶여 있습니다",
                                 "en": "the connection is stuck in a query"},
    "diag.blocked.sqlite_open": {"ko": "SQLite 파일을 열 수 없습니다",
                                 "en": "the SQLite file cannot be opened"},
    "diag.blocked.legacy": {"ko": "수집기 테이블이 옛 스키마입니다",
                            "en": "the collector's tables are in the legacy shape"},
    "diag.blocked.tables_missing": {"ko": "수집기 테이블이 없습니다",
                                    "en": "the collector's tables are missing"},
    "diag.blocked.unexpected": {"ko": "예상치 못한 오류로 점검을 멈췄습니다",
                                "en": "an unexpected error stopped the check"},
    "diag.unexpected": {"ko": "예상치 못한 오류: {message}", "en": "{message}"},
    # --- config ---------------------------------------------------------------------------
    "diag.config.settings": {"ko": "설정 값을 사용할 수 없습니다: {message}", "en": "{message}"},
    "diag.config.settings_hint": {
        "ko": "KRA_CONNECT_TIMEOUT, KRA_STATEMENT_TIMEOUT은 0.1 이상 3600 이하인 초 단위 "
        "숫자여야 합니다(예: 10).",
        "en": "KRA_CONNECT_TIMEOUT and KRA_STATEMENT_TIMEOUT must be numbers of seconds from "
        "0.1 to 3600 (e.g. 10).",
    },
    "diag.config.url": {"ko": "DATABASE_URL을 사용할 수 없습니다: {message}", "en": "{message}"},
    "diag.config.sqlite_missing": {"ko": "sqlite URL이지만 파일 {path}이(가) 없습니다",
                                   "en": "sqlite URL, but the file {path} does not exist"},
    "diag.config.sqlite": {"ko": "SQLite 파일 {path} ({driver})",
                           "en": "SQLite file {path} ({driver})"},
    "diag.config.target": {"ko": "{url} (드라이버 {driver})", "en": "{url} (driver {driver})"},
    "diag.config.asyncpg": {
        "ko": "수집기의 postgresql+asyncpg:// URL을 psycopg로 읽습니다",
        "en": "the collector's postgresql+asyncpg:// URL is read with psycopg",
    },
    "diag.config.transaction_pooler": {
        "ko": "포트 {port}: 트랜잭션 모드 풀러, 서버 측 prepared statement 끔(대시보드가 처리)",
        "en": "port {port}: transaction-mode pooler, server-side prepared statements off "
        "(the dashboard does this)",
    },
    "diag.config.pooler_user": {
        "ko": "Supabase 풀러인데 사용자 이름이 {user}입니다: postgres.<project_ref> 형식이어야 "
        "합니다",
        "en": "Supabase pooler with user {user}: it expects postgres.<project_ref>",
    },
    "diag.config.session_pooler": {
        "ko": "풀러의 5432 포트: 세션 모드, 동시 연결이 pool size로 제한",
        "en": "port 5432 on the pooler: session mode, capped at the pool size",
    },
    "diag.config.direct_host": {"ko": "Supabase 직접 연결 주소: IPv6만 있을 수 있음",
                                "en": "direct Supabase host: may resolve to IPv6 only"},
    "diag.config.sslmode_missing": {"ko": "Supabase 호스트인데 sslmode가 없음",
                                    "en": "no sslmode on a Supabase host"},
    "diag.config.no_password": {"ko": "URL에 비밀번호가 없음", "en": "no password in the URL"},
    "diag.config.demo_failed": {
        "ko": "DB가 설정되지 않았고 내장 데모 {path}를 만들지 못했습니다: {message}",
        "en": "no database configured, and the embedded demo {path} could not be built: "
        "{message}",
    },
    "diag.config.demo": {
        "ko": "DB가 설정되지 않았습니다(DATABASE_URL, [connections.kra] url 없음): 수집 DB가 "
        "아닌 내장 데모 {path}를 점검합니다",
        "en": "no database configured (DATABASE_URL and [connections.kra] url are unset): "
        "checking the embedded demo {path}, not the collector's database",
    },
    # --- dns, tcp, login --------------------------------------------------------------------
    "diag.no_network": {"ko": "SQLite 파일이라 네트워크 없음", "en": "SQLite file, no network"},
    "diag.dns.ip": {"ko": "{host}은(는) IP 주소라 해석할 필요 없음",
                    "en": "{host} is an IP address, nothing to resolve"},
    "diag.dns.no_answer": {"ko": "{seconds:.1f}초 안에 {host}의 DNS 응답이 없음",
                           "en": "no DNS answer for {host} within {seconds:.1f}s"},
    "diag.dns.failed": {"ko": "{host}의 주소를 찾을 수 없음: {message}",
                        "en": "{host} does not resolve: {message}"},
    "diag.dns.ipv6_only": {"ko": "{host} → {addresses} (IPv6만 있음)",
                           "en": "{host} → {addresses} (IPv6 only)"},
    "diag.tcp.ok": {"ko": "{address}에서 TCP 연결을 받음",
                    "en": "{address} accepts TCP connections"},
    "diag.tcp.timeout": {
        "ko": "{seconds:g}초 안에 {host}:{port}의 TCP 응답이 없음 ({message})",
        "en": "no TCP answer from {host}:{port} within {seconds:g}s ({message})",
    },
    "diag.tcp.refused": {
        "ko": "{host}:{port}이(가) 연결을 거부하거나 도달할 수 없음 ({message})",
        "en": "{host}:{port} refuses or cannot be reached ({message})",
    },
    "diag.login.budget": {"ko": "로그인 전에 점검 시간 예산을 다 썼습니다",
                          "en": "the check's time budget ran out before the login"},
    "diag.login.silent": {
        "ko": "{where}이(가) TCP 연결은 받았지만 {seconds:.1f}초 안에 PostgreSQL 응답이 "
        "없음(PostgreSQL이 아니거나 서버/풀러 과부하)",
        "en": "{where} accepted the TCP connection but gave no PostgreSQL answer within "
        "{seconds:.1f}s (not a PostgreSQL server, or an overloaded server/pooler)",
    },
    "diag.login.no_answer": {"ko": "{seconds:.1f}초 안에 {where}의 PostgreSQL 응답이 없음",
                             "en": "no PostgreSQL answer from {where} within {seconds:.1f}s"},
    "diag.login.startup_option": {
        "ko": "{label}: 서버가 URL의 접속 설정을 거부함: {reason}",
        "en": "{label}: the server refused a connection setting of the URL: {reason}",
    },
    "diag.login.ok": {"ko": "{user}(으)로 데이터베이스 {db}에 로그인",
                      "en": "logged in as {user} to database {db}"},
    "diag.login.ok_ssl": {"ko": "{user}(으)로 데이터베이스 {db}에 로그인 (SSL 사용)",
                          "en": "logged in as {user} to database {db} over SSL"},
    "diag.login.ok_plain": {"ko": "{user}(으)로 데이터베이스 {db}에 로그인 (SSL 없음)",
                            "en": "logged in as {user} to database {db} without SSL"},
    # --- queries ----------------------------------------------------------------------------
    "diag.what.server": {"ko": "서버 정보 조회", "en": "reading the server facts"},
    "diag.what.sqlite_version": {"ko": "SQLite 버전 조회", "en": "reading the SQLite version"},
    "diag.what.schema": {"ko": "테이블 확인", "en": "inspecting the tables"},
    "diag.what.privileges": {"ko": "권한 확인", "en": "checking the privileges"},
    "diag.what.data": {"ko": "경주·작업 집계", "en": "counting races and jobs"},
    "diag.what.status": {"ko": "{date} {meet}번 경마장 현황 조회",
                         "en": "the status of {date} meet {meet}"},
    "diag.query.budget": {"ko": "{what} 전에 점검 시간 예산을 다 썼습니다",
                          "en": "the check's time budget ran out before {what}"},
    "diag.query.late": {
        "ko": "{what}: 시간 예산 안에 응답이 없음(클라이언트 측 제한)",
        "en": "{what} got no answer within the time budget (client-side limit)",
    },
    "diag.query.value": {"ko": "{what}: 저장된 값을 읽을 수 없음: {message}",
                         "en": "{what}: a stored value cannot be read: {message}"},
    "diag.query.failed": {"ko": "{what} 실패: {message}", "en": "{what} failed: {message}"},
    # --- server -----------------------------------------------------------------------------
    "diag.server.facts": {
        "ko": "PostgreSQL {version}; 사용자 {user}{as_role}; 데이터베이스 {db}; {kind}; "
        "읽기 전용 트랜잭션 {tx_ro}; TimeZone {tz}; SSL {ssl}",
        "en": "PostgreSQL {version}; user {user}{as_role}; database {db}; {kind}; "
        "read-only transactions {tx_ro}; TimeZone {tz}; SSL {ssl}",
    },
    "diag.server.standby": {"ko": "대기 서버(읽기 복제본)", "en": "standby (read replica)"},
    "diag.server.primary": {"ko": "주 서버", "en": "primary"},
    "diag.server.ssl_on": {"ko": "사용", "en": "on"},
    "diag.server.ssl_off": {"ko": "미사용", "en": "off"},
    "diag.server.bypasses_rls": {"ko": "이 역할은 행 수준 보안을 우회함",
                                 "en": "this role bypasses row level security"},
    "diag.server.sqlite_open": {"ko": "SQLite 파일을 열 수 없음: {message}",
                                "en": "cannot open the SQLite file: {message}"},
    "diag.server.sqlite": {
        "ko": "SQLite {version}, {kind} {path} ({kib:.0f} KiB), 읽기 전용",
        "en": "SQLite {version}, {kind} {path} ({kib:.0f} KiB), read-only",
    },
    "diag.server.demo": {"ko": "내장 데모", "en": "embedded demo"},
    "diag.server.sqlite_file": {"ko": "SQLite 파일", "en": "SQLite file"},
    # --- schema -----------------------------------------------------------------------------
    "diag.schema.legacy": {
        "ko": "옛 스키마(races.id/race_no/status, collection_jobs): 수집기의 마이그레이션이 "
        "적용되지 않았습니다",
        "en": "legacy shape (races.id/race_no/status, collection_jobs): the collector's "
        "migrations have not been applied",
    },
    "diag.schema.tables_missing": {"ko": "테이블 {tables}이(가) 없음",
                                   "en": "table(s) {tables} not found"},
    "diag.schema.elsewhere": {
        "ko": "{found}에 있지만 search_path({search_path}) 밖입니다",
        "en": "they exist as {found}, outside the search_path ({search_path})",
    },
    "diag.schema.columns": {"ko": "대시보드가 읽는 열이 없음({columns})",
                            "en": "columns the dashboard reads are missing ({columns})"},
    "diag.schema.ok": {"ko": "races, jobs가 수집기 스키마와 일치(열 수: {counted})",
                       "en": "races and jobs in the collector's shape (columns: {counted})"},
    "diag.schema.version_unknown": {
        "ko": "races, jobs가 수집기 스키마와 일치(열 수: {counted}); 마이그레이션 버전 확인 "
        "불가: {reason}",
        "en": "races and jobs in the collector's shape (columns: {counted}); migration "
        "version unknown: {reason}",
    },
    "diag.schema.no_migrations_table": {"ko": "schema_migrations 테이블 없음",
                                        "en": "no schema_migrations table"},
    "diag.schema.migrations_unreadable": {
        "ko": "이 역할로 schema_migrations를 읽을 수 없거나 비어 있음",
        "en": "schema_migrations cannot be read by this role, or it is empty",
    },
    "diag.schema.behind": {
        "ko": "열은 있지만 최신 마이그레이션이 {newest}입니다(기대: {expected})",
        "en": "columns present, but the newest migration is {newest} (expected {expected})",
    },
    "diag.schema.current": {
        "ko": "races, jobs가 수집기 스키마와 일치(열 수: {counted}); 최신 마이그레이션 {newest}",
        "en": "races and jobs in the collector's shape (columns: {counted}); newest "
        "migration {newest}",
    },
    # --- privileges -------------------------------------------------------------------------
    "diag.privileges.sqlite": {"ko": "SQLite 파일: 역할과 행 수준 보안 없음",
                               "en": "SQLite file: no roles or row level security"},
    "diag.privileges.no_usage": {"ko": "{table}: 스키마 {schema}의 USAGE 권한 없음",
                                 "en": "{table}: no USAGE on schema {schema}"},
    "diag.privileges.no_select": {"ko": "{table}: SELECT 권한 없음",
                                  "en": "{table}: no SELECT"},
    "diag.privileges.rls_off": {"ko": "{table}: SELECT ✓, RLS 꺼짐",
                                "en": "{table}: SELECT ✓, RLS off"},
    "diag.privileges.bypassed": {"ko": "{table}: SELECT ✓, RLS 켜짐, 우회({bypass})",
                                 "en": "{table}: SELECT ✓, RLS on, bypassed ({bypass})"},
    "diag.privileges.policy": {"ko": "{table}: SELECT ✓, RLS 켜짐, 정책 {policies} 적용",
                               "en": "{table}: SELECT ✓, RLS on, policy {policies} applies"},
    "diag.privileges.no_policy": {
        "ko": "{table}: SELECT ✓, RLS 켜짐, 그러나 {role}에 적용되는 SELECT 정책 없음"
        "(정책: {policies}) → 조용히 0행",
        "en": "{table}: SELECT ✓, RLS on, but no SELECT policy applies to {role} "
        "(policies: {policies}) → zero rows, silently",
    },
    "diag.privileges.noinherit": {
        "ko": "{role}은(는) 정책 역할의 NOINHERIT 멤버라 SET ROLE이 필요함",
        "en": "{role} is a member without INHERIT of a policy role: SET ROLE would be needed",
    },
    "diag.privileges.denied": {"ko": "역할 {role}은(는) {tables}을(를) 읽을 수 없음: {details}",
                               "en": "role {role} may not read {tables}: {details}"},
    "diag.privileges.hidden": {
        "ko": "행 수준 보안이 역할 {role}에게서 {tables}의 모든 행을 숨김: {details}",
        "en": "row level security hides every row of {tables} from role {role}: {details}",
    },
    "diag.privileges.ok": {"ko": "역할 {role}: {details}", "en": "role {role}: {details}"},
    # --- data and status --------------------------------------------------------------------
    "diag.data.unreadable": {"ko": "읽을 수 있는 테이블이 없음(권한 단계 참고)",
                             "en": "no table can be read (see privileges)"},
    "diag.data.races": {"ko": "경주 {total:,}개{counts}", "en": "races {total:,}{counts}"},
    "diag.data.newest": {"ko": "최근 갱신 {when} ({age})", "en": "newest update {when} ({age})"},
    "diag.data.races_hidden": {
        "ko": "행 수준 보안이 {role}에게서 행을 숨겨 0행으로 보임",
        "en": "0 rows visible because row level security hides them from {role}",
    },
    "diag.data.races_hidden_about": {
        "ko": "행 수준 보안이 {role}에게서 행을 숨겨 0행으로 보임(테이블에는 약 {guess:,}행)",
        "en": "0 rows visible because row level security hides them from {role} (the table "
        "holds about {guess:,} rows)",
    },
    "diag.data.policy_hides": {
        "ko": "0행으로 보이지만 테이블에는 약 {guess:,}행이 있음: {role}에 적용되는 RLS 정책의 "
        "조건이 모든 행을 숨김",
        "en": "0 rows visible, but the table holds about {guess:,} rows: a row level security "
        "policy applies to {role} and its condition hides every row",
    },
    "diag.data.jobs": {"ko": "작업 {total:,}개{counts}", "en": "jobs {total:,}{counts}"},
    "diag.data.stale": {
        "ko": "수집기의 마지막 쓰기(races.updated_at, jobs.created_at 중 최신)가 {when} "
        "({age})로, 정체 기준 {minutes}분({setting})보다 오래됨",
        "en": "the collector's newest write (races.updated_at or jobs.created_at) was {when} "
        "({age}), longer ago than the stalled threshold of {minutes} min ({setting})",
    },
    "diag.data.jobs_hidden": {"ko": "jobs: 행 수준 보안 때문에 0행으로 보임",
                              "en": "jobs: 0 rows visible because row level security hides them"},
    "diag.status.not_asked": {"ko": "날짜와 경마장을 지정하지 않음",
                              "en": "no date and racecourse given"},
    "diag.status.input": {"ko": "입력값 오류: {message}", "en": "{message}"},
    "diag.status.input_hint": {
        "ko": "날짜는 YYYYMMDD(예: 20260214), 경마장은 1(서울), 2(제주), 3(부산경남)으로 "
        "지정하세요.",
        "en": "Give the date as YYYYMMDD (e.g. 20260214) and the racecourse as 1 (Seoul), "
        "2 (Jeju) or 3 (Busan-Gyeongnam).",
    },
    "diag.status.unreadable": {"ko": "races를 읽을 수 없음(권한 단계 참고)",
                               "en": "races cannot be read (see privileges)"},
    "diag.status.record": {
        "ko": "{date} {name}({meet}): 경주 {total_races}개, 수집 {collected_races}, 보강 "
        "{enriched_races} → 상태 {status} (수집 {collection_status}, 보강 "
        "{enrichment_status}, 결과 {result_status}); 최종 갱신 {when}",
        "en": "{date} meet {meet} ({name}): {total_races} races, {collected_races} collected, "
        "{enriched_races} enriched → status {status} (collection {collection_status}, "
        "enrichment {enrichment_status}, result {result_status}); last updated {when}",
    },
    "diag.status.hidden": {"ko": "행 수준 보안 때문에 0개로 보임",
                           "en": "0 races visible because row level security hides them"},
}
