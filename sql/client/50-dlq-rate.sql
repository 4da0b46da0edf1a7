-- 50 Dead-letter rate: the share of input records the pipeline rejected, by reason.
--
-- Why it matters: a producer that starts sending malformed events loses data silently unless
-- someone watches the dead-letter topic; the rate by reason (MALFORMED_JSON, MISSING_FIELD, ...)
-- says which producer bug to chase. Reads the input and the DLQ topics as they are now.

SELECT
  CAST(d.headers['shoestring.dlq.reason'] AS STRING)      AS reason,
  COUNT(*)                                                AS dead_letters,
  MAX(t.records)                                          AS input_records,
  ROUND(CAST(COUNT(*) AS DOUBLE) / MAX(t.records), 6)     AS rate
FROM dead_letters AS d
CROSS JOIN (SELECT COUNT(*) AS records FROM event_records) AS t
GROUP BY CAST(d.headers['shoestring.dlq.reason'] AS STRING)
ORDER BY dead_letters DESC, reason;
