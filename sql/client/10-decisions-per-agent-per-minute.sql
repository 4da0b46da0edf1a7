-- 10 Decisions per agent per minute, with outcome rates.
--
-- Why it matters: the first question about an agent fleet is "how much is each agent deciding, and
-- how often does it approve, reject, escalate or fail?" - a jump in the error or escalation rate of
-- one agent in one minute is the earliest sign of a bad model or prompt rollout.
-- Each decision counts once (unique_decisions), minutes are UTC event time.

SELECT
  FLOOR(event_time TO MINUTE)               AS minute_start,
  tenant_id,
  agent_id,
  COUNT(*)                                  AS decisions,
  ROUND(OUTCOME_RATE(outcome, 'approved'), 4)  AS approved_rate,
  ROUND(OUTCOME_RATE(outcome, 'rejected'), 4)  AS rejected_rate,
  ROUND(OUTCOME_RATE(outcome, 'escalated'), 4) AS escalated_rate,
  ROUND(OUTCOME_RATE(outcome, 'error'), 4)     AS error_rate
FROM unique_decisions
GROUP BY FLOOR(event_time TO MINUTE), tenant_id, agent_id
ORDER BY minute_start, tenant_id, agent_id;
