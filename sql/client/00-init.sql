-- 00 init: the catalog of `bin/shoestring sql` - the event log, the dead letters, the current state
-- and the project's functions.
--
-- Why: every other script (and every user session) starts from the same tables, pointed at the
-- configured services. The dollar-brace placeholders are Shoestring configuration keys (CONTRACT §4),
-- filled in by the runner; the Postgres password comes from SHOESTRING_POSTGRES_PASSWORD only, Kafka
-- TLS/SASL settings from kafka.properties.* (secrets from SHOESTRING_KAFKA_<NAME>, README).
--
-- Reads of Kafka are bounded to the end offsets present when a query starts, and the session runs
-- in batch mode (sql-runner/flink-conf/config.yaml): a query over the log returns final rows and ends.
-- For a live view: SET 'execution.runtime-mode' = 'streaming'; and a table with
-- 'scan.bounded.mode' = 'unbounded' (see the comment on `events`).

SET 'table.local-time-zone' = 'UTC';

-- Functions first: the `events` table's event time uses EVENT_TIME_MILLIS.
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS EVENT_TIME_MILLIS AS 'dev.shoestring.udfs.EventTimeMillis';
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS AGGREGATE_KIND AS 'dev.shoestring.udfs.AggregateKind';
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS LATENCY_PERCENTILE AS 'dev.shoestring.udfs.LatencyPercentile';
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS OUTCOME_RATE AS 'dev.shoestring.udfs.OutcomeRate';
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS TOKEN_COST AS 'dev.shoestring.udfs.TokenCost';

-- The event log as produced (CONTRACT §1): every record, duplicates included (de-duplicate by
-- event_id in queries that count), malformed JSON skipped. Payload numbers may be JSON numbers or
-- decimal strings, so payload fields are read as STRING and CAST where used (money as DECIMAL).
-- Event time: occurred_at (any RFC 3339 zone), watermark 5 s behind, as the DataStream job.
CREATE TEMPORARY TABLE events (
  event_id     STRING,
  event_type   STRING,
  tenant_id    STRING,
  aggregate_id STRING,
  `sequence`   BIGINT,
  occurred_at  STRING,
  payload ROW<
    customer_id STRING, amount STRING, currency STRING, items STRING, carrier STRING, reason STRING,
    decision_id STRING, decision_type STRING, outcome STRING, latency_ms STRING, model STRING,
    input_tokens STRING, output_tokens STRING, cost_usd STRING, confidence STRING,
    `value` STRING, unit STRING>,
  `partition`  INT    METADATA VIRTUAL,
  `offset`     BIGINT METADATA VIRTUAL,
  kafka_ts     TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  event_time AS TO_TIMESTAMP_LTZ(EVENT_TIME_MILLIS(occurred_at), 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${kafka.topic}',
  'properties.bootstrap.servers' = '${kafka.bootstrap-servers}',
  'properties.group.id' = 'shoestring-sql'${kafka.properties-option},
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true',
  'json.fail-on-missing-field' = 'false'
);

-- Agent decisions, one row per record (duplicates included), payload fields typed.
CREATE TEMPORARY VIEW decisions AS
SELECT
  event_id, tenant_id, aggregate_id AS agent_id, `sequence`, event_time, `partition`, `offset`,
  payload.decision_id                          AS decision_id,
  payload.decision_type                        AS decision_type,
  payload.outcome                              AS outcome,
  CAST(payload.latency_ms AS DOUBLE)           AS latency_ms,
  payload.model                                AS model,
  CAST(payload.input_tokens AS BIGINT)         AS input_tokens,
  CAST(payload.output_tokens AS BIGINT)        AS output_tokens,
  CAST(payload.cost_usd AS DECIMAL(38, 18))    AS cost_usd,
  CAST(payload.confidence AS DOUBLE)           AS confidence
FROM events
-- The rules of CONTRACT §1 that these queries depend on (the job sends breakers to the DLQ).
WHERE event_type = 'agent.decision'
  AND event_id <> '' AND tenant_id <> '' AND aggregate_id <> '' AND occurred_at IS NOT NULL
  AND EVENT_TIME_MILLIS(occurred_at) IS NOT NULL
  AND payload.outcome IN ('approved', 'rejected', 'escalated', 'error')
  AND CAST(payload.latency_ms AS DOUBLE) >= 0
  AND CAST(payload.cost_usd AS DECIMAL(38, 18)) >= 0;

-- Each decision once: a re-delivery has the same event_id (and key, so the same partition).
-- Not a time-attributed table any more: windowed queries de-duplicate inside their window instead
-- (sql/client/60-windowed-metrics.sql).
CREATE TEMPORARY VIEW unique_decisions AS
SELECT * FROM (
  SELECT d.*, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY `offset`) AS delivery
  FROM decisions d)
WHERE delivery = 1;

-- The input topic's records as bytes, parseable or not (the denominator of the DLQ rate).
CREATE TEMPORARY TABLE event_records (
  `value`      BYTES,
  `partition`  INT    METADATA VIRTUAL,
  `offset`     BIGINT METADATA VIRTUAL,
  kafka_ts     TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = '${kafka.topic}',
  'properties.bootstrap.servers' = '${kafka.bootstrap-servers}',
  'properties.group.id' = 'shoestring-sql'${kafka.properties-option},
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'raw'
);

-- Dead letters (CONTRACT §1): the original bytes and the reason headers.
CREATE TEMPORARY TABLE dead_letters (
  `value`      BYTES,
  headers      MAP<STRING, BYTES> METADATA VIRTUAL,
  `partition`  INT    METADATA VIRTUAL,
  `offset`     BIGINT METADATA VIRTUAL,
  kafka_ts     TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = '${kafka.dlq-topic}',
  'properties.bootstrap.servers' = '${kafka.bootstrap-servers}',
  'properties.group.id' = 'shoestring-sql'${kafka.properties-option},
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'raw'
);

-- Current state (CONTRACT §2), read through JDBC (the job writes it; these are for reading).
-- Flink's Postgres dialect has no TIMESTAMP_LTZ: timestamptz columns read as TIMESTAMP in UTC
-- (the runner starts the client with -Duser.timezone=UTC).
CREATE TEMPORARY TABLE orders (
  tenant_id STRING, order_id STRING, customer_id STRING, status STRING,
  amount DECIMAL(38, 18), paid_amount DECIMAL(38, 18), currency STRING, items BIGINT,
  created_at TIMESTAMP(6), updated_at TIMESTAMP(6), version BIGINT,
  PRIMARY KEY (tenant_id, order_id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${postgres.jdbc-url}',
  'table-name' = 'orders'${postgres.credentials-option}
);

CREATE TEMPORARY TABLE agents (
  tenant_id STRING, agent_id STRING, decisions BIGINT, approved BIGINT, rejected BIGINT,
  escalated BIGINT, errors BIGINT, cost_usd DECIMAL(38, 18), input_tokens BIGINT,
  output_tokens BIGINT, last_decision_at TIMESTAMP(6), last_outcome STRING, version BIGINT,
  PRIMARY KEY (tenant_id, agent_id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${postgres.jdbc-url}',
  'table-name' = 'agents'${postgres.credentials-option}
);

CREATE TEMPORARY TABLE metrics_current (
  tenant_id STRING, name STRING, `value` DOUBLE, unit STRING, updated_at TIMESTAMP(6),
  version BIGINT,
  PRIMARY KEY (tenant_id, name) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${postgres.jdbc-url}',
  'table-name' = 'metrics_current'${postgres.credentials-option}
);
