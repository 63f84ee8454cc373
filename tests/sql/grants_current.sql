-- The test roles' grants in a database of the current collector schema (after
-- collector_schema.sql, which grants authenticated and service_role like Supabase).

-- kra_norls may SELECT but is in no role a policy names: RLS hides every row.
GRANT SELECT ON races, jobs, job_logs, schema_migrations TO kra_norls;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO kra_writer;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO kra_writer;
