-- 30 Cost per tenant per model, as billed and at list prices.
--
-- Why it matters: model spend is the agent fleet's largest variable cost. This shows what each
-- tenant spent on each model (the producers' exact cost_usd, summed as DECIMAL, never floating
-- point) beside what the same tokens cost at a price list (TOKEN_COST, USD per million tokens
-- input/output) - to re-price history before switching models, or to catch a mis-billing producer.

SELECT
  tenant_id,
  model,
  COUNT(*)                                  AS decisions,
  SUM(input_tokens)                         AS input_tokens,
  SUM(output_tokens)                        AS output_tokens,
  CAST(SUM(cost_usd) AS DECIMAL(38, 6))     AS cost_usd,
  CAST(SUM(TOKEN_COST(model, input_tokens, output_tokens,
      'gpt-small=0.15/0.60, claude-mini=0.25/1.25, local-llama=0/0')) AS DECIMAL(38, 6)) AS list_price_usd
FROM unique_decisions
GROUP BY tenant_id, model
ORDER BY tenant_id, model;
