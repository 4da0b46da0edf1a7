-- The event archive (CONTRACT §3): every valid event, known type or not.
-- Portable subset: runs unchanged on ClickHouse 18.16 and current releases (no DateTime64, Map,
-- TTL, CODEC, LowCardinality). {database} is replaced by `clickhouse.database` (an identifier
-- checked at start-up).
--
-- ReplacingMergeTree: a re-delivered event (same tenant, type, time and event_id) lands in the
-- same partition with the same sorting key, so merges and FINAL keep one row per event_id.
-- PARTITION BY month: dashboards filter by time, and old months can be dropped in one statement.
-- ORDER BY (tenant_id, event_type, occurred_at, event_id): every dashboard query is per tenant,
-- most per type and time range; event_id last makes the key unique per event.
CREATE TABLE IF NOT EXISTS {database}.events
(
    event_id        String,
    event_type      String,
    tenant_id       String,
    aggregate_id    String,
    sequence        UInt64,
    occurred_at     DateTime('UTC'),
    occurred_at_ms  Int64,
    payload         String,
    kafka_partition Int32,
    kafka_offset    Int64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, event_type, occurred_at, event_id)
