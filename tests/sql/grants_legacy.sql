-- The test roles' grants in a database of the legacy schema (after legacy_schema.sql).

GRANT SELECT ON races, collection_jobs TO kra_norls;
-- Very old databases had no RLS and no Supabase policies: readers read.
GRANT SELECT ON races, collection_jobs TO authenticated;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO kra_writer;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO kra_writer;
