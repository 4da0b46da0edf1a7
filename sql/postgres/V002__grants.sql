-- Privileges on the state tables for the least-privilege roles of sql/postgres/roles.sql.
-- Applied at start-up by the role that owns the tables (postgres.ddl-user), after V001.
-- Idempotent; a role that does not exist (roles.sql not run) is skipped, so a single-role setup
-- where the owner also runs the job keeps working.
--
-- shoestring_writer  the job: INSERT and UPDATE, plus SELECT because the version-guarded upsert
--                    (INSERT ... ON CONFLICT DO UPDATE SET c = EXCLUDED.c ... WHERE t.version <
--                    EXCLUDED.version) reads the existing and the proposed row; Postgres refuses
--                    it without SELECT on every column it names (measured on 15). No DELETE,
--                    TRUNCATE, REFERENCES or TRIGGER, and no right to create or alter anything.
-- shoestring_reader  dashboards and the SQL client: SELECT only.

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'shoestring_writer') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO shoestring_writer', current_schema());
    GRANT SELECT, INSERT, UPDATE ON orders, agents, metrics_current TO shoestring_writer;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'shoestring_reader') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO shoestring_reader', current_schema());
    GRANT SELECT ON orders, agents, metrics_current TO shoestring_reader;
  END IF;
END
$$;
