-- The CURRENT collector database shape (see /work/shared/SCHEMA.md), for tests.
-- Loadable into any fresh database of a cluster, repeatedly: the cluster-wide
-- Supabase-like roles are created here only when they do not exist yet.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN BYPASSRLS;
    END IF;
END
$$;

-- ------------------------------------------------------------------ enums

CREATE TYPE data_status AS ENUM ('pending', 'collected', 'enriched', 'failed');
CREATE TYPE job_type AS ENUM (
    'collection', 'enrichment', 'analysis', 'prediction', 'improvement', 'batch'
);
CREATE TYPE job_status AS ENUM (
    'pending', 'queued', 'processing', 'running', 'completed', 'failed', 'cancelled', 'retrying'
);

-- ------------------------------------------------------------------ races

CREATE TABLE races (
    race_id             varchar(50) PRIMARY KEY,
    date                varchar(8)  NOT NULL,
    meet                integer     NOT NULL CHECK (meet IN (1, 2, 3)),
    race_number         integer     NOT NULL,
    race_name           varchar(200),
    track               varchar(100),
    weather             varchar(50),
    distance            integer,
    collection_status   data_status DEFAULT 'pending',
    enrichment_status   data_status DEFAULT 'pending',
    result_status       data_status DEFAULT 'pending',
    basic_data          jsonb,
    raw_data            jsonb,
    enriched_data       jsonb,
    result_data         jsonb,
    collected_at        timestamptz,
    enriched_at         timestamptz,
    result_collected_at timestamptz,
    created_at          timestamptz DEFAULT now(),
    updated_at          timestamptz DEFAULT now(),
    data_quality_score  double precision,
    warnings            jsonb DEFAULT '[]'::jsonb,
    horse_count         integer,
    CONSTRAINT uq_races_date_meet_number UNIQUE (date, meet, race_number)
);

CREATE INDEX idx_races_date ON races (date);
CREATE INDEX idx_races_date_meet ON races (date, meet);
CREATE INDEX idx_races_status ON races (collection_status, enrichment_status);

CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END
$$;

CREATE TRIGGER update_races_updated_at
    BEFORE UPDATE ON races
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- ------------------------------------------------------------------ jobs

CREATE TABLE jobs (
    job_id             varchar(100) PRIMARY KEY,
    type               job_type     NOT NULL,
    status             job_status   DEFAULT 'queued',
    created_at         timestamptz  DEFAULT now(),
    started_at         timestamptz,
    completed_at       timestamptz,
    progress           integer      DEFAULT 0,
    current_step       varchar(200),
    total_steps        integer,
    retry_count        integer      DEFAULT 0,
    result             jsonb,
    error_message      text,
    parameters         jsonb,
    created_by         varchar(100),
    tags               jsonb        DEFAULT '[]'::jsonb,
    job_kind_v2        varchar(50),
    lifecycle_state_v2 varchar(50),
    task_id            varchar(255)
);

CREATE INDEX idx_jobs_status ON jobs (status);
CREATE INDEX idx_jobs_type ON jobs (type);
CREATE INDEX idx_jobs_created_at ON jobs (created_at);

CREATE TABLE job_logs (
    id           bigserial PRIMARY KEY,
    job_id       varchar(100) REFERENCES jobs (job_id) ON DELETE CASCADE,
    "timestamp"  timestamptz DEFAULT now(),
    level        varchar(20),
    message      text,
    log_metadata jsonb
);

CREATE INDEX idx_job_logs_job_id ON job_logs (job_id);

-- ------------------------------------------------------------------ migrations

CREATE TABLE schema_migrations (
    name       varchar(255) PRIMARY KEY,
    checksum   varchar(64),
    applied_at timestamptz DEFAULT now()
);

INSERT INTO schema_migrations (name, checksum, applied_at)
SELECT m.name, md5(m.name), now() - make_interval(days => 70 - 10 * m.n)
FROM (VALUES
    (1, '001_initial_schema.sql'),
    (2, '002_add_enrichment_columns.sql'),
    (3, '003_jobs_and_job_logs.sql'),
    (4, '004_race_result_tracking.sql'),
    (5, '005_row_level_security.sql'),
    (6, '006_jobs_v2_lifecycle.sql'),
    (7, '007_runtime_db_hardening.sql')
) AS m (n, name);

-- ------------------------------------------------------------------ other tables (stubs)

CREATE TABLE predictions (
    prediction_id varchar(100) PRIMARY KEY,
    race_id       varchar(50) REFERENCES races (race_id) ON DELETE CASCADE,
    model_version varchar(50),
    prediction    jsonb,
    confidence    double precision,
    created_at    timestamptz DEFAULT now()
);

CREATE TABLE race_odds (
    id          bigserial PRIMARY KEY,
    race_id     varchar(50) REFERENCES races (race_id) ON DELETE CASCADE,
    pool        varchar(20),
    odds_data   jsonb,
    collected_at timestamptz DEFAULT now()
);

CREATE TABLE api_keys (
    id           bigserial PRIMARY KEY,
    key_hash     varchar(128) NOT NULL UNIQUE,
    name         varchar(100),
    is_active    boolean DEFAULT true,
    created_at   timestamptz DEFAULT now(),
    last_used_at timestamptz
);

CREATE TABLE prompt_templates (
    id         bigserial PRIMARY KEY,
    name       varchar(100) NOT NULL,
    version    integer DEFAULT 1,
    template   text,
    created_at timestamptz DEFAULT now()
);

CREATE TABLE usage_events (
    id         bigserial PRIMARY KEY,
    api_key_id bigint REFERENCES api_keys (id) ON DELETE SET NULL,
    endpoint   varchar(200),
    status     integer,
    created_at timestamptz DEFAULT now()
);

-- ------------------------------------------------------------------ Supabase-like security

ALTER TABLE races ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_logs ENABLE ROW LEVEL SECURITY;

CREATE POLICY races_read_authenticated ON races FOR SELECT TO authenticated USING (true);
CREATE POLICY races_all_service_role ON races FOR ALL TO service_role
    USING (true) WITH CHECK (true);
CREATE POLICY jobs_read_authenticated ON jobs FOR SELECT TO authenticated USING (true);
CREATE POLICY jobs_all_service_role ON jobs FOR ALL TO service_role
    USING (true) WITH CHECK (true);
CREATE POLICY job_logs_read_authenticated ON job_logs FOR SELECT TO authenticated USING (true);
CREATE POLICY job_logs_all_service_role ON job_logs FOR ALL TO service_role
    USING (true) WITH CHECK (true);

GRANT SELECT ON races, jobs, job_logs, schema_migrations TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA public TO service_role;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO service_role;
