"""What each cause is called and what to do about it, and the notes of the diagnosis.

Keys: ``cause.<cause>`` a short label, ``hint.<cause>`` the advice (every cause but ``ok``;
see :mod:`status_core.causes`), ``check_hint.<cause>`` the DB check's own wording where the
general hint would send the user to the check itself, ``note.<name>`` advice that is not a
failure cause. Hints and notes may name what the diagnosis knows (``{role}``, ``{user}``,
``{host}``, ``{port}``, ``{db}``, ``{newest}``, ``{expected}``, ``{seconds}``,
``{tables}``); :mod:`status_core.hints` fills them.
"""

from __future__ import annotations

SUPABASE_DB_SETTINGS_KO = "Supabase 대시보드 → Project Settings → Database"
SUPABASE_DB_SETTINGS_EN = "Supabase dashboard → Project Settings → Database"

ADVICE: dict[str, dict[str, str]] = {
    # --- cause labels ---------------------------------------------------------------------
    "cause.ok": {"ko": "정상", "en": "usable"},
    "cause.config": {"ko": "설정 오류", "en": "configuration error"},
    "cause.dns": {"ko": "호스트 이름을 찾을 수 없음", "en": "host name does not resolve"},
    "cause.refused": {"ko": "연결 거부/도달 불가", "en": "connection refused / unreachable"},
    "cause.timeout": {"ko": "응답 없음(시간 초과)", "en": "no answer (timeout)"},
    "cause.ssl": {"ko": "SSL 오류", "en": "SSL error"},
    "cause.auth_password": {"ko": "비밀번호 오류", "en": "wrong password"},
    "cause.auth_missing_password": {"ko": "비밀번호 없음", "en": "no password given"},
    "cause.auth_rejected": {"ko": "사용자 접속 거부", "en": "user rejected"},
    "cause.database_missing": {"ko": "데이터베이스 없음", "en": "database does not exist"},
    "cause.too_many_connections": {"ko": "연결 수 초과", "en": "too many connections"},
    "cause.server_starting": {"ko": "서버 시작/복구 중", "en": "server starting up"},
    "cause.schema_missing": {"ko": "수집기 테이블 없음", "en": "collector tables missing"},
    "cause.schema_legacy": {"ko": "옛 스키마(마이그레이션 미적용)",
                            "en": "legacy schema (migrations not applied)"},
    "cause.schema_outdated": {"ko": "마이그레이션 뒤처짐", "en": "migrations behind"},
    "cause.permission_denied": {"ko": "읽기 권한 없음", "en": "permission denied"},
    "cause.rows_hidden_by_rls": {"ko": "행 수준 보안이 행을 숨김",
                                 "en": "rows hidden by row level security"},
    "cause.query_timeout": {"ko": "쿼리 시간 초과", "en": "query timeout"},
    "cause.unknown": {"ko": "알 수 없는 오류", "en": "unknown error"},
    # --- hints: what to do about each cause ------------------------------------------------
    "hint.config": {
        "ko": "DATABASE_URL(또는 .streamlit/secrets.toml의 [connections.kra] url)을 "
        "postgresql://USER:PASSWORD@HOST:5432/DBNAME 형식으로 설정하세요. 수집기의 "
        "postgresql+asyncpg://... 값을 그대로 붙여 넣어도 됩니다. 비밀번호의 특수문자"
        "(@ : / ? # %)는 퍼센트 인코딩하세요(예: @ → %40).",
        "en": "Set DATABASE_URL (or [connections.kra] url in .streamlit/secrets.toml) to "
        "postgresql://USER:PASSWORD@HOST:5432/DBNAME. The collector's postgresql+asyncpg://... "
        "value may be pasted as is. Percent-encode special characters of the password "
        "(@ : / ? # %), e.g. @ -> %40.",
    },
    "hint.dns": {
        "ko": "호스트 이름 {host}을(를) 찾을 수 없습니다. URL의 호스트 철자를 확인하세요"
        f"(Supabase: {SUPABASE_DB_SETTINGS_KO} → Connection string에서 그대로 복사). "
        "사내망/VPN의 DNS가 외부 이름을 막는지도 확인하세요.",
        "en": "The host name {host} does not resolve. Check its spelling in the URL "
        f"(Supabase: copy it from {SUPABASE_DB_SETTINGS_EN} → Connection string). Also "
        "check whether a company network or VPN DNS blocks outside names.",
    },
    "hint.refused": {
        "ko": "{host}:{port}에서 연결을 받는 프로그램이 없습니다(또는 네트워크가 닿지 않습니다). "
        "포트 번호(직접 연결 5432, Supabase Transaction pooler 6543, Session pooler 5432), "
        "서버가 실행 중인지, 방화벽/보안 그룹을 확인하세요.",
        "en": "Nothing accepts connections on {host}:{port} (or the network cannot reach it). "
        "Check the port (direct 5432, Supabase transaction pooler 6543, session pooler 5432), "
        "that the server is running, and the firewall / security group.",
    },
    "hint.timeout": {
        "ko": "{host}:{port}가 제한 시간({seconds}s) 안에 응답하지 않았습니다. 방화벽이 패킷을 "
        "버리거나(사내망의 5432/6543 아웃바운드 차단), 그 포트에서 PostgreSQL이 아닌 것이 "
        "기다리고 있거나, 서버/풀러가 과부하입니다. 다른 네트워크에서 `kra-status check`를 "
        "실행해 비교하고, 느린 네트워크라면 `--timeout 15`처럼 늘려 보세요. 연결된 뒤 응답이 "
        "멈췄다면(서버 정지·일시정지·과부하) 서버 자체(호스트, Supabase 프로젝트 상태)를 "
        "확인하세요. 다음 새로 고침(또는 실행)은 새 연결로 다시 시도합니다.",
        "en": "{host}:{port} did not answer within {seconds}s. A firewall may drop the packets "
        "(outbound 5432/6543 blocked on a company network), something other than PostgreSQL "
        "may listen on that port, or the server / pooler is overloaded. Run `kra-status "
        "check` from another network to compare; on a slow link try `--timeout 15`. If it stopped "
        "answering after the connection was made (a stopped, paused or overloaded server), "
        "look at the server itself (its host, the Supabase project status); the next refresh "
        "or run tries again with a new connection.",
    },
    "hint.ssl": {
        "ko": "SSL 협상에 실패했습니다. 서버가 SSL을 지원하지 않으면 URL에서 sslmode=require를 "
        "빼거나 ?sslmode=prefer로 바꾸고, Supabase처럼 SSL을 강제하는 서버라면 URL 끝에 "
        "?sslmode=require를 붙이세요.",
        "en": "SSL negotiation failed. If the server does not support SSL, drop sslmode=require "
        "from the URL (or use ?sslmode=prefer); if it enforces SSL, as many Supabase projects "
        "do, add ?sslmode=require to the URL.",
    },
    "hint.auth_password": {
        "ko": "사용자 {user}의 비밀번호가 틀렸습니다. 수집기의 DATABASE_URL과 같은 비밀번호인지 "
        f"확인하고, 모르면 {SUPABASE_DB_SETTINGS_KO} → Database password에서 재설정하세요. "
        "URL에 넣을 때 특수문자(@ : / ? # % $ 등)는 퍼센트 인코딩해야 합니다(예: @ → %40, "
        "/ → %2F).",
        "en": "Wrong password for user {user}. Compare it with the collector's DATABASE_URL; "
        f"if unknown, reset it in {SUPABASE_DB_SETTINGS_EN} → Database password. Inside a URL, "
        "special characters (@ : / ? # % $ ...) must be percent-encoded (@ -> %40, / -> %2F).",
    },
    "hint.auth_missing_password": {
        "ko": "URL에 비밀번호가 없습니다. postgresql://USER:PASSWORD@HOST:PORT/DBNAME처럼 "
        "사용자 이름 뒤에 :비밀번호를 넣으세요(특수문자는 퍼센트 인코딩).",
        "en": "The URL has no password. Put :PASSWORD after the user name, as in "
        "postgresql://USER:PASSWORD@HOST:PORT/DBNAME (percent-encode special characters).",
    },
    "hint.auth_rejected": {
        "ko": "서버가 비밀번호 확인 전에 사용자 {user}의 접속을 거부했습니다. Supabase 풀러"
        "(*.pooler.supabase.com)라면 사용자 이름이 postgres.<project_ref> 형식이어야 합니다: "
        f"{SUPABASE_DB_SETTINGS_KO} → Connection string → Transaction pooler의 사용자 이름 "
        "postgres.<project_ref>를 그대로 쓰세요. 자체 서버라면 역할이 존재하는지, "
        "pg_hba.conf에 이 사용자/주소 항목이 있는지 확인하세요.",
        "en": "The server refused user {user} before checking the password. On the Supabase "
        "pooler (*.pooler.supabase.com) the user name must be postgres.<project_ref>: use the "
        f"user name shown in {SUPABASE_DB_SETTINGS_EN} → Connection string → Transaction "
        "pooler as is. On your own server check that the role exists and that pg_hba.conf "
        "has an entry for this user and address.",
    },
    "hint.database_missing": {
        "ko": "데이터베이스 {db}이(가) 서버에 없습니다. URL 끝의 데이터베이스 이름을 수집기의 "
        "DATABASE_URL과 맞추세요(Supabase는 보통 postgres).",
        "en": "The database {db} does not exist on that server. Make the name at the end of "
        "the URL match the collector's DATABASE_URL (on Supabase usually postgres).",
    },
    "hint.too_many_connections": {
        "ko": "연결 수 한도에 걸렸습니다(서버 max_connections, 역할의 CONNECTION LIMIT, 또는 "
        "Supabase Session pooler(포트 5432)의 pool size). Supabase라면 Transaction pooler "
        "포트 6543을 쓰세요. 역할 한도라면 관리자가 `ALTER ROLE {role} CONNECTION LIMIT -1;`"
        "로 풀 수 있고, 다른 앱의 유휴 연결도 정리하세요.",
        "en": "A connection limit was hit (server max_connections, the role's CONNECTION "
        "LIMIT, or the pool size of the Supabase session pooler on port 5432). On Supabase use "
        "the transaction pooler, port 6543. For a role limit an administrator can run "
        "`ALTER ROLE {role} CONNECTION LIMIT -1;`; also close idle connections of other apps.",
    },
    "hint.server_starting": {
        "ko": "서버가 시작/종료/복구 중이라 아직 접속을 받지 않습니다. 1-2분 뒤 다시 점검하세요. "
        "계속되면 Supabase 대시보드에서 프로젝트가 일시정지(Paused)/복원 중인지 확인하세요.",
        "en": "The server is starting, shutting down or recovering and does not accept "
        "connections yet. Check again in a minute or two; if it persists, see whether the "
        "Supabase project is paused or being restored in the dashboard.",
    },
    "hint.schema_missing": {
        "ko": "수집기의 테이블({tables})이 없습니다: 수집기의 DB가 아니거나 마이그레이션이 "
        "적용되지 않았습니다. URL이 수집기의 DATABASE_URL과 같은 데이터베이스를 가리키는지 "
        "확인하세요.",
        "en": "The collector's tables ({tables}) are missing: this is not the collector's "
        "database, or its migrations were never applied. Check that the URL points at the same "
        "database as the collector's DATABASE_URL.",
    },
    "hint.schema_legacy": {
        "ko": "옛 스키마(races.id/race_no/status, collection_jobs)입니다: 수집기의 "
        "마이그레이션이 적용되지 않았습니다. 수집기 저장소의 마이그레이션(001 ... {expected})을 "
        "적용하세요.",
        "en": "This is the legacy shape (races.id/race_no/status, collection_jobs): the "
        "collector's migrations have not been applied. Apply the collector repository's "
        "migrations (001 ... {expected}).",
    },
    "hint.schema_outdated": {
        "ko": "수집기 마이그레이션이 뒤처져 있습니다(적용된 최신: {newest}, 기대: {expected}). "
        "수집기 쪽에서 남은 마이그레이션을 적용하세요.",
        "en": "The collector's migrations are behind (newest applied: {newest}, expected: "
        "{expected}). Apply the remaining migrations from the collector.",
    },
    "hint.permission_denied": {
        "ko": "역할 {role}에게 읽기 권한이 없습니다. 관리자가 SQL Editor에서 "
        "`GRANT SELECT ON {tables} TO {role};`(필요하면 `GRANT USAGE ON SCHEMA public TO "
        "{role};`도)를 실행하거나, 읽기 권한이 있는 역할로 접속하세요.",
        "en": "Role {role} may not read the tables. An administrator runs "
        "`GRANT SELECT ON {tables} TO {role};` (and, if needed, `GRANT USAGE ON SCHEMA "
        "public TO {role};`) in the SQL editor, or connect as a role that can read.",
    },
    "hint.rows_hidden_by_rls": {
        "ko": "행 수준 보안(RLS)이 켜져 있고 역할 {role}에 적용되는 SELECT 정책이 없어, 데이터가 "
        "있어도 0행으로 보입니다({tables}). 수집기가 쓰는 역할(또는 authenticated의 멤버)로 "
        "접속하거나, 관리자가 `GRANT authenticated TO {role};` 또는 "
        "`CREATE POLICY dashboard_read ON races FOR SELECT TO {role} USING (true);`"
        "(jobs에도 같은 정책)을 실행하세요.",
        "en": "Row level security is on and no SELECT policy applies to role {role}, so it "
        "sees zero rows although data is there ({tables}). Connect as the collector's role "
        "(or a member of authenticated), or have an administrator run "
        "`GRANT authenticated TO {role};` or "
        "`CREATE POLICY dashboard_read ON races FOR SELECT TO {role} USING (true);` "
        "(and the same on jobs).",
    },
    "hint.query_timeout": {
        "ko": "쿼리가 statement timeout({seconds}s) 안에 끝나지 않았습니다. 환경 변수 "
        "KRA_STATEMENT_TIMEOUT(초)을 늘리거나 `--timeout`을 늘리고, 서버 부하와 races의 "
        "(date) 인덱스를 확인하세요.",
        "en": "A query did not finish within the statement timeout ({seconds}s). Raise "
        "KRA_STATEMENT_TIMEOUT (seconds) or `--timeout`, and check the server load and the "
        "(date) index on races.",
    },
    "hint.unknown": {
        "ko": "위의 서버 메시지를 확인하고 `kra-status check`로 단계별 점검을 실행하세요.",
        "en": "Read the server message above; run `kra-status check` for a step-by-step "
        "diagnosis.",
    },
    # --- the DB check's own wording where the hint would point to the check itself ------
    "check_hint.timeout": {
        "ko": "{host}:{port}가 제한 시간({seconds}s) 안에 응답하지 않았습니다. 방화벽이 패킷을 "
        "버리거나(사내망의 5432/6543 아웃바운드 차단), 그 포트에서 PostgreSQL이 아닌 것이 "
        "기다리고 있거나, 서버/풀러가 과부하입니다. 다른 네트워크(예: 휴대폰 테더링)에서 "
        "접속해 비교하고, 느린 네트워크라면 `--timeout 15`처럼 늘려 보세요.",
        "en": "{host}:{port} did not answer within {seconds}s. A firewall may drop the packets "
        "(outbound 5432/6543 blocked on a company network), something other than PostgreSQL "
        "may listen on that port, or the server / pooler is overloaded. Compare from another "
        "network (e.g. a phone hotspot); on a slow link try `--timeout 15`.",
    },
    "check_hint.unknown": {
        "ko": "위 단계의 서버 메시지가 원인을 말해 줍니다. 그래도 분명하지 않으면 이 보고서"
        "(비밀번호는 가려져 있음)를 DB 또는 수집기 관리자에게 전달하세요.",
        "en": "The server's message in the step above names what went wrong. If it is still "
        "unclear, send this report (the password is masked) to whoever runs the database or "
        "the collector.",
    },
    # --- notes: advice of the diagnosis steps that is not a failure cause ---------------
    "note.demo": {
        "ko": "실제 수집 DB를 보려면 DATABASE_URL(또는 .streamlit/secrets.toml의 "
        "[connections.kra] url)에 수집기의 DATABASE_URL을 설정하세요.",
        "en": "To read the collector's database set DATABASE_URL (or [connections.kra] url "
        "in .streamlit/secrets.toml) to the collector's DATABASE_URL.",
    },
    "note.pooler_user": {
        "ko": "Supabase 풀러는 사용자 이름 postgres.<project_ref>를 요구합니다(지금: {user}). "
        f"{SUPABASE_DB_SETTINGS_KO} → Connection string → Transaction pooler의 사용자 이름 "
        "postgres.<project_ref>를 그대로 쓰세요(project_ref는 Project Settings → General → "
        "Reference ID).",
        "en": "The Supabase pooler expects the user name postgres.<project_ref> (now: {user}). "
        f"Use the user name from {SUPABASE_DB_SETTINGS_EN} → Connection string → Transaction "
        "pooler as is (project_ref is Project Settings → General → Reference ID).",
    },
    "note.session_pooler": {
        "ko": "포트 5432의 Supabase 풀러는 세션 모드라 동시 연결이 pool size로 제한됩니다"
        "(max clients reached). 대시보드에는 Transaction pooler 포트 6543을 권장합니다.",
        "en": "Port 5432 on the Supabase pooler is session mode, capped at the pool size "
        "(max clients reached). For the dashboard the transaction pooler, port 6543, is "
        "recommended.",
    },
    "note.direct_host": {
        "ko": "db.<project_ref>.supabase.co 직접 연결 주소는 IPv6만 가질 수 있습니다. IPv4만 "
        f"되는 네트워크라면 {SUPABASE_DB_SETTINGS_KO} → Connection string → Transaction "
        "pooler(포트 6543) 주소를 쓰세요.",
        "en": "The direct host db.<project_ref>.supabase.co may have IPv6 addresses only. From "
        f"an IPv4-only network use {SUPABASE_DB_SETTINGS_EN} → Connection string → "
        "Transaction pooler (port 6543).",
    },
    "note.sslmode_missing": {
        "ko": "Supabase는 SSL을 강제하는 경우가 많습니다. URL 끝에 ?sslmode=require를 붙이세요"
        "(이미 ?가 있으면 &sslmode=require).",
        "en": "Supabase often enforces SSL. Add ?sslmode=require to the end of the URL "
        "(&sslmode=require when it already has a ?).",
    },
    "note.no_password": {
        "ko": "URL에 비밀번호가 없습니다. 접속이 실패하면 사용자 이름 뒤에 :비밀번호를 넣으세요.",
        "en": "The URL has no password. If the login fails, put :PASSWORD after the user name.",
    },
    "note.ipv6_only": {
        "ko": "이 호스트는 IPv6 주소만 있습니다. IPv4만 되는 네트워크(많은 사내망/클라우드 "
        f"컨테이너)에서는 연결할 수 없으니 {SUPABASE_DB_SETTINGS_KO} → Connection string → "
        "Transaction pooler(포트 6543) 주소를 쓰세요.",
        "en": "This host has IPv6 addresses only. IPv4-only networks (many offices and cloud "
        f"containers) cannot reach it: use {SUPABASE_DB_SETTINGS_EN} → Connection string → "
        "Transaction pooler (port 6543).",
    },
    "note.empty_races": {
        "ko": "races 테이블이 비어 있습니다: 수집기가 아직 아무 경주도 저장하지 않았거나, "
        "다른 데이터베이스를 보고 있습니다.",
        "en": "The races table is empty: the collector has not stored any race yet, or this "
        "is another database.",
    },
    "note.stale_data": {
        "ko": "수집기가 {minutes}분 넘게 races와 jobs에 아무것도 쓰지 않았습니다. 경주일이라면 "
        "수집기가 실행 중인지, 이 대시보드와 같은 데이터베이스(DATABASE_URL)에 쓰는지 "
        "확인하세요. 경주가 없는 날에는 정상일 수 있습니다. 기준은 {setting}로 바꿉니다.",
        "en": "The collector has written nothing to races or jobs for more than {minutes} "
        "min. On a race day, check that the collector is running and writes to the same "
        "database (DATABASE_URL) as this dashboard; on a day without races this can be "
        "normal. The threshold is {setting}.",
    },
    "note.budget": {
        "ko": "점검 시간 예산({seconds}s)을 다 썼습니다. `--timeout`을 늘려 다시 점검하세요.",
        "en": "The check's time budget ({seconds}s) ran out. Run it again with a longer "
        "`--timeout`.",
    },
    "note.migrations_unknown": {
        "ko": "schema_migrations 테이블을 읽을 수 없어 마이그레이션 버전을 확인하지 못했습니다"
        "(기대: {expected}).",
        "en": "schema_migrations cannot be read, so the migration version is unknown "
        "(expected: {expected}).",
    },
    "note.startup_option": {
        "ko": "서버(또는 풀러)가 URL이 보내는 접속 설정을 거부했습니다(위의 서버 메시지 참고). "
        "DATABASE_URL(또는 [connections.kra] url)의 options=-c ... 같은 접속 매개변수를 "
        "고치거나 빼세요. 풀러는 options를 받지 않는 경우가 많습니다.",
        "en": "The server (or pooler) refused a connection setting the URL passes (see its "
        "message above). Correct or remove that parameter (options=-c ... or another "
        "connection parameter) in DATABASE_URL (or [connections.kra] url); poolers often "
        "accept no options at all.",
    },
    "note.unreadable_value": {
        "ko": "데이터베이스는 응답했지만 저장된 값을 읽을 수 없습니다(위 메시지 참고): 무한대나 "
        "범위를 벗어난 시각, 달력에 없는 날짜 같은 값입니다. 연결·스키마·권한은 정상이고 "
        "문제는 데이터입니다. 수집기 쪽에서 해당 행을 확인하세요.",
        "en": "The database answered, but a stored value cannot be read (see the message "
        "above): an infinite or out-of-range timestamp, an impossible date or the like. The "
        "connection, "
        "schema and privileges are fine; the problem is in the data. Have the row checked "
        "on the collector's side.",
    },
}
