-- Least-privilege Postgres roles for Shoestring. Run once, as a superuser, in the job's database:
--   psql -v ON_ERROR_STOP=1 -d shoestring -f k8s/sql/postgres-roles.sql
-- then give the job its password without writing it to a file (psql asks for it twice):
--   psql -d shoestring -c '\password shoestring_job'
-- and store the same password in the Secret shoestring-postgres (k8s/secrets/postgres.yaml).
-- Safe to run again.
--
-- shoestring_job     logs in; may create tables in schema `shoestring` only (its start-up DDL is
--                    CREATE TABLE IF NOT EXISTS, which needs CREATE on the schema even when the
--                    tables exist) and so owns and writes its three tables; nothing else.
-- shoestring_reader  no login; SELECT on those tables. Grant it to dashboard users:
--                    GRANT shoestring_reader TO grafana;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shoestring_job') THEN
    CREATE ROLE shoestring_job LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shoestring_reader') THEN
    CREATE ROLE shoestring_reader NOLOGIN;
  END IF;
  -- Only named roles reach this database; nobody creates objects in `public`.
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO shoestring_job, shoestring_reader', current_database());
  EXECUTE format('ALTER ROLE shoestring_job IN DATABASE %I SET search_path = shoestring', current_database());
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- One sink connection per parallel subtask plus the start-up DDL: a limit catches a leak early.
ALTER ROLE shoestring_job CONNECTION LIMIT 16;

CREATE SCHEMA IF NOT EXISTS shoestring;
GRANT USAGE, CREATE ON SCHEMA shoestring TO shoestring_job;
GRANT USAGE ON SCHEMA shoestring TO shoestring_reader;

-- Tables the job creates later are readable too; those already there now.
ALTER DEFAULT PRIVILEGES FOR ROLE shoestring_job IN SCHEMA shoestring GRANT SELECT ON TABLES TO shoestring_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA shoestring TO shoestring_reader;
