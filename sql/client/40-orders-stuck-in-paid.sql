-- 40 Orders stuck in `paid` for over 30 minutes, with what the log says about them.
--
-- Why it matters: a paid order that does not ship is money taken and goods not sent. The current
-- state (Postgres `orders`) says which orders sit in `paid`; the event log says whether anything
-- newer exists for them: log_sequence > state_version means events are in the log but not yet
-- applied (a sequence gap held back by the projection), log_sequence = state_version means the
-- shipping side never produced an event.

SELECT
  o.tenant_id,
  o.order_id,
  o.paid_amount,
  o.currency,
  o.updated_at                                            AS paid_at,
  TIMESTAMPDIFF(MINUTE, o.updated_at, LOCALTIMESTAMP)     AS minutes_in_paid,
  o.version                                               AS state_version,
  l.log_sequence,
  l.log_events
FROM orders AS o
LEFT JOIN (
  SELECT tenant_id, aggregate_id, MAX(`sequence`) AS log_sequence, COUNT(DISTINCT event_id) AS log_events
  FROM events
  WHERE AGGREGATE_KIND(event_type) = 'order'
  GROUP BY tenant_id, aggregate_id
) AS l ON l.tenant_id = o.tenant_id AND l.aggregate_id = o.order_id
WHERE o.status = 'paid'
  AND o.updated_at < LOCALTIMESTAMP - INTERVAL '30' MINUTE
ORDER BY minutes_in_paid DESC, o.tenant_id, o.order_id;
