-- Least-privilege ClickHouse roles for Shoestring, for servers with SQL access control
-- (ClickHouse 20.5 and later, access_management enabled for the admin user). Run once as that admin:
--   clickhouse-client --multiquery < sql/clickhouse/roles.sql
-- then create the job's login with a password from your secret store, never from a file in the
-- repository, and hand the same password to the job as SHOESTRING_CLICKHOUSE_PASSWORD (on
-- Kubernetes the Secret shoestring-clickhouse):
--   clickhouse-client --query "CREATE USER IF NOT EXISTS shoestring_job
--       IDENTIFIED WITH sha256_password BY '$(cat ch-password)' DEFAULT ROLE shoestring_writer"
--   clickhouse-client --query "GRANT shoestring_writer TO shoestring_job"
-- Safe to run again. Written for database `shoestring` (clickhouse.database): for another one,
-- replace `shoestring.` below.
--
-- The DDL (sql/clickhouse/V*.sql) is applied by a user holding shoestring_ddl
-- (clickhouse.ddl-user, or `bin/shoestring schema` run once by an admin); the job's user then only
-- inserts. ClickHouse 18.16 (the local tests' server) has no SQL access control: there the same
-- split lives in users.xml (services/clickhouse/users.xml.in, user shoestring_job, profile
-- shoestring_writer: allow_ddl = 0 and allow_databases), see docs/operations.md for what 18.16
-- does and does not enforce.

-- The owner's rights: create the database and the tables, nothing else.
CREATE ROLE IF NOT EXISTS shoestring_ddl;
GRANT CREATE DATABASE ON shoestring.* TO shoestring_ddl;
GRANT CREATE TABLE ON shoestring.* TO shoestring_ddl;
GRANT SHOW TABLES ON shoestring.* TO shoestring_ddl;

-- The job: insert rows into the two tables. No SELECT, ALTER (so no ALTER ... DELETE), DROP,
-- TRUNCATE or OPTIMIZE; no other database.
CREATE ROLE IF NOT EXISTS shoestring_writer;
GRANT INSERT ON shoestring.events TO shoestring_writer;
GRANT INSERT ON shoestring.agent_decision_metrics_1m TO shoestring_writer;

-- Dashboards: read only (remember FINAL on the ReplacingMergeTree tables).
CREATE ROLE IF NOT EXISTS shoestring_reader;
GRANT SELECT ON shoestring.* TO shoestring_reader;
