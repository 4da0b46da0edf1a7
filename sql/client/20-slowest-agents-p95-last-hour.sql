-- 20 The slowest agents by p95 latency over the last hour.
--
-- Why it matters: averages hide the tail that users wait on; the agents whose 95th-percentile
-- latency is highest are the ones to look at first (model, prompt size, downstream calls).
-- LATENCY_PERCENTILE is nearest-rank (as agent_decision_metrics_1m), within 1 % (HdrHistogram).

SELECT
  tenant_id,
  agent_id,
  COUNT(*)                                  AS decisions,
  LATENCY_PERCENTILE(latency_ms, 50)        AS p50_ms,
  LATENCY_PERCENTILE(latency_ms, 95)        AS p95_ms,
  LATENCY_PERCENTILE(latency_ms, 99)        AS p99_ms,
  MAX(latency_ms)                           AS max_ms
FROM unique_decisions
WHERE event_time >= CURRENT_TIMESTAMP - INTERVAL '1' HOUR
GROUP BY tenant_id, agent_id
ORDER BY p95_ms DESC, tenant_id, agent_id
LIMIT 10;
