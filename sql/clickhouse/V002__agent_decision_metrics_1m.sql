-- One row per (tenant_id, agent_id, decision_type, window_start) when read with FINAL
-- (CONTRACT §3): 1-minute tumbling event-time windows of agent decisions.
--
-- ReplacingMergeTree(version): a window re-emitted because of a late event carries a higher
-- version (the number of distinct decisions it counts, which only grows), so FINAL returns the
-- most complete emission, also after a restart re-emits windows.
-- PARTITION BY month, ORDER BY (tenant, agent, decision_type, window_start): the dashboard asks
-- "this tenant's agents over the last N hours", a prefix of the key plus a time range.
-- Money is Decimal(38, 12), summed exactly in the job; never Float.
CREATE TABLE IF NOT EXISTS {database}.agent_decision_metrics_1m
(
    tenant_id       String,
    agent_id        String,
    decision_type   String,
    window_start    DateTime('UTC'),
    decisions       UInt64,
    approved        UInt64,
    rejected        UInt64,
    escalated       UInt64,
    errors          UInt64,
    latency_ms_p50  Float64,
    latency_ms_p95  Float64,
    latency_ms_p99  Float64,
    cost_usd        Decimal(38, 12),
    input_tokens    UInt64,
    output_tokens   UInt64,
    avg_confidence  Nullable(Float64),
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (tenant_id, agent_id, decision_type, window_start)
