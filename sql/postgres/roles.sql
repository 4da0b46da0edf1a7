-- Least-privilege Postgres roles for Shoestring. Run once per database, as a superuser or a role
-- with CREATEROLE, in the job's database (bin/shoestring up does it for the local services):
--   psql -v ON_ERROR_STOP=1 -d shoestring -f sql/postgres/roles.sql
-- Then give the job's login its password without writing it to a file (psql asks twice):
--   psql -d shoestring -c '\password shoestring_job'
-- and hand the same password to the job as SHOESTRING_POSTGRES_PASSWORD (on Kubernetes the Secret
-- shoestring-postgres, k8s/secrets/postgres.yaml). Safe to run again.
--
-- The roles:
--   (the owner)        whoever applies sql/postgres/V*.sql (postgres.ddl-user: the database owner
--                      or a migration role). Owns the tables; V002__grants.sql, run by it, grants
--                      the two roles below their rights on them.
--   shoestring_writer  no login; INSERT, UPDATE and the SELECT the upsert needs on the three state
--                      tables, nothing else: no DELETE, TRUNCATE, DDL or other tables.
--   shoestring_job     the job's login (postgres.user), member of shoestring_writer only.
--   shoestring_reader  no login; SELECT on the state tables. Grant it to dashboard users:
--                      GRANT shoestring_reader TO grafana;
--
-- The job then runs as shoestring_job and applies nothing itself: start it with
--   postgres.user: shoestring_job         postgres.ddl-user: <the owner>
-- (passwords SHOESTRING_POSTGRES_PASSWORD and SHOESTRING_POSTGRES_DDL_PASSWORD), or apply the DDL
-- beforehand as the owner (`bin/shoestring schema --set postgres.user=<owner>`) and start the job
-- with postgres.user alone: a user that may not create tables only checks that they are there and
-- that it may write them.
--
-- Schema: the tables live in the first schema of the owner's search_path (`public` by default).
-- For another one, create it owned by the owner and put `currentSchema=<schema>` into
-- postgres.url, so the owner and the job resolve the same tables.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shoestring_writer') THEN
    CREATE ROLE shoestring_writer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shoestring_reader') THEN
    CREATE ROLE shoestring_reader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shoestring_job') THEN
    CREATE ROLE shoestring_job LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  -- Only named roles reach this database (its owner and superusers keep their access).
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO shoestring_writer, shoestring_reader', current_database());
END
$$;

GRANT shoestring_writer TO shoestring_job;

-- Nobody but the owner creates objects in `public` (already so on Postgres 15 and later).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- One sink connection per parallel subtask and the start-up checks: a limit catches a leak early.
ALTER ROLE shoestring_job CONNECTION LIMIT 16;
