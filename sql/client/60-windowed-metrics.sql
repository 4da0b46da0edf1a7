-- 60 Windowed agent-decision metrics, the SQL twin of agent_decision_metrics_1m.
--
-- Why it matters: recompute (or explore, with other window sizes or filters) the numbers the
-- DataStream job writes to ClickHouse, from the log alone: 1-minute tumbling event-time windows
-- per tenant, agent and decision type; each event_id once; nearest-rank p50/p95/p99 latency;
-- counts by outcome; exact cost sum (CONTRACT §3). On the same input it agrees with the job
-- (tested). One difference: this batch query counts every decision, while the running job drops
-- decisions later than its allowed lateness (60 s behind the watermark).

SELECT
  tenant_id,
  agent_id,
  decision_type,
  window_start,
  COUNT(*)                                            AS decisions,
  COUNT(*) FILTER (WHERE outcome = 'approved')        AS approved,
  COUNT(*) FILTER (WHERE outcome = 'rejected')        AS rejected,
  COUNT(*) FILTER (WHERE outcome = 'escalated')       AS escalated,
  COUNT(*) FILTER (WHERE outcome = 'error')           AS errors,
  LATENCY_PERCENTILE(latency_ms, 50)                  AS latency_ms_p50,
  LATENCY_PERCENTILE(latency_ms, 95)                  AS latency_ms_p95,
  LATENCY_PERCENTILE(latency_ms, 99)                  AS latency_ms_p99,
  SUM(cost_usd)                                       AS cost_usd,
  SUM(input_tokens)                                   AS input_tokens,
  SUM(output_tokens)                                  AS output_tokens,
  AVG(confidence)                                     AS avg_confidence
FROM (
  SELECT *, ROW_NUMBER() OVER (
      PARTITION BY window_start, window_end, tenant_id, agent_id, decision_type, event_id
      ORDER BY event_time) AS delivery
  FROM TABLE(TUMBLE(TABLE decisions, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
)
WHERE delivery = 1
GROUP BY tenant_id, agent_id, decision_type, window_start, window_end
ORDER BY tenant_id, agent_id, decision_type, window_start;
