-- The very OLD collector database shape (before the collector's migrations), for tests:
-- races keyed by uuid with race_no/status columns, and collection_jobs instead of jobs.
-- No jobs, no schema_migrations, no row level security.

CREATE TYPE race_status AS ENUM ('pending', 'collected', 'failed');

CREATE TABLE races (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    date       varchar(8),
    meet       integer,
    race_no    integer,
    status     race_status DEFAULT 'pending',
    created_at timestamptz DEFAULT now()
);

CREATE INDEX idx_races_date ON races (date);

CREATE TABLE collection_jobs (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    date       varchar(8),
    meet       integer,
    status     varchar(20),
    created_at timestamptz DEFAULT now()
);
