-- Least-privilege ClickHouse roles for Shoestring (SQL access control: ClickHouse 20.5 and later
-- with access_management enabled for the admin user). Run once as that admin:
--   clickhouse-client --multiquery < k8s/sql/clickhouse-roles.sql
-- then create the login user with the password from your secret store, never from a file in the
-- repository, and store the same password in the Secret shoestring-clickhouse:
--   clickhouse-client --query "CREATE USER IF NOT EXISTS shoestring_job
--       IDENTIFIED WITH sha256_password BY '$(cat ch-password)' DEFAULT ROLE shoestring_writer"
--   clickhouse-client --query "GRANT shoestring_writer TO shoestring_job"
-- Safe to run again. The job uses database `shoestring` (clickhouse.database).
--
-- On ClickHouse 18.16 (no SQL access control, the version of the local tests) the equivalent is a
-- users.xml profile with <allow_databases><database>shoestring</database></allow_databases>.

-- The job: its start-up DDL (CREATE DATABASE / CREATE TABLE IF NOT EXISTS) and its inserts.
CREATE ROLE IF NOT EXISTS shoestring_writer;
GRANT CREATE DATABASE ON shoestring.* TO shoestring_writer;
GRANT CREATE TABLE ON shoestring.* TO shoestring_writer;
GRANT INSERT ON shoestring.* TO shoestring_writer;

-- Dashboards: read only (remember FINAL on the ReplacingMergeTree tables).
CREATE ROLE IF NOT EXISTS shoestring_reader;
GRANT SELECT ON shoestring.* TO shoestring_reader;
