-- The roles of every throwaway test cluster (tests/pgcluster.py runs this once, as the
-- superuser, right after initdb). {password} is replaced by the quoted sentinel password:
-- every login role has it, so any echo of it in the dashboard's output is caught.

-- Supabase-like group roles.
CREATE ROLE anon NOLOGIN;
CREATE ROLE authenticated NOLOGIN;
CREATE ROLE service_role NOLOGIN BYPASSRLS;

-- Member of authenticated: sees every row through the RLS policies.
CREATE ROLE kra_reader LOGIN NOBYPASSRLS PASSWORD {password};
GRANT authenticated TO kra_reader;
-- Member of service_role, BYPASSRLS.
CREATE ROLE kra_service LOGIN BYPASSRLS PASSWORD {password};
GRANT service_role TO kra_service;
-- No grants at all: 42501 permission denied for table races.
CREATE ROLE kra_noselect LOGIN NOBYPASSRLS PASSWORD {password};
-- SELECT granted (per database), not in authenticated: RLS hides every row.
CREATE ROLE kra_norls LOGIN NOBYPASSRLS PASSWORD {password};
-- CONNECTION LIMIT 0: 53300 too many connections for role.
CREATE ROLE kra_nolimit LOGIN NOBYPASSRLS CONNECTION LIMIT 0 PASSWORD {password};
-- DML and BYPASSRLS (per database): loads data through a normal role, and proves that
-- only the dashboard's read-only transactions stop it from writing.
CREATE ROLE kra_writer LOGIN BYPASSRLS PASSWORD {password};
