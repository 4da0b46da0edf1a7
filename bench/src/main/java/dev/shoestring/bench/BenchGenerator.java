package dev.shoestring.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes the contract's event mix into a topic as fast as Kafka takes it and measures its own
 * rate, so that a figure downstream is never silently bounded by the generator.
 *
 * <p>Mix: 70 % agent decisions over Zipf(1.0) agent keys, 20 % order lifecycles (created, paid,
 * shipped or cancelled) over distinct orders, 10 % metric changes over Zipf(1.0) metric keys.
 * The aggregates are split 70/20/10 between the kinds. Every record is valid: the ClickHouse
 * Kafka engine baseline stops at the first malformed record, and invalid input is not what is
 * measured here. Sequences are per aggregate and gap-free, in order, so the projection applies
 * every event (no holding back).
 */
final class BenchGenerator {
    private static final String[] OUTCOMES = {"approved", "approved", "approved", "rejected", "escalated", "error"};
    private static final String[] DECISION_TYPES = {"refund", "credit_limit", "fraud_review"};
    private static final String[] MODELS = {"gpt-small", "claude-mini", "local-llama"};
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP"};
    private static final int TENANTS = 3;
    /** Orders in flight at once: their lifecycles interleave like a live shop's. */
    private static final int OPEN_ORDERS = 256;

    /** What one generation did. */
    record Result(long events, long bytes, double seconds) {
        double eventsPerSecond() {
            return events / seconds;
        }
    }

    private final String runId;
    private final int agents;
    private final int orders;
    private final int metrics;
    private final Zipf agentKeys;
    private final Zipf metricKeys;
    private final long[] agentSeq;
    private final long[] metricSeq;
    private final long[] orderSeq;
    private final int[] openOrder = new int[OPEN_ORDERS];
    private final int[] openStage = new int[OPEN_ORDERS];
    private int nextOrder;
    private final SplittableRandom random = new SplittableRandom(7);

    BenchGenerator(String runId, int aggregates) {
        this.runId = runId;
        this.agents = Math.max(1, aggregates * 7 / 10);
        this.orders = Math.max(OPEN_ORDERS, aggregates * 2 / 10);
        this.metrics = Math.max(1, aggregates - agents - aggregates * 2 / 10);
        this.agentKeys = new Zipf(agents, 1.0);
        this.metricKeys = new Zipf(metrics, 1.0);
        this.agentSeq = new long[agents];
        this.metricSeq = new long[metrics];
        this.orderSeq = new long[orders];
        java.util.Arrays.fill(openOrder, -1);
    }

    /** @param producerConfig bootstrap servers and kafka.properties.* (ShoestringConfig.kafkaProducerProperties) */
    Result produce(Properties producerConfig, String topic, long events) throws Exception {
        Properties p = new Properties();
        p.putAll(producerConfig);
        // Kafka's defaults apart from batching: acks=all and idempotence stay on (what a real
        // producer of business events uses); linger/batch let it batch as a busy producer does.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long bytes = 0;
        StringBuilder sb = new StringBuilder(512);
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < events; i++) {
                sb.setLength(0);
                String key = next(sb, i);
                byte[] value = sb.toString().getBytes(StandardCharsets.UTF_8);
                bytes += value.length;
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value), (m, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " sends failed", firstError.get());
        }
        return new Result(events, bytes, seconds);
    }

    /** Appends one event's JSON to {@code sb}; returns its Kafka key (the aggregate id). */
    String next(StringBuilder sb, long n) {
        double kind = random.nextDouble();
        String now = now();
        if (kind < 0.7) {
            int a = agentKeys.sample(random);
            String id = "agent-" + a;
            long seq = ++agentSeq[a];
            head(sb, tenant(a), "agent.decision", id, seq, now);
            sb.append("\"decision_id\":\"").append(runId).append('-').append(n).append("\",")
              .append("\"decision_type\":\"").append(DECISION_TYPES[random.nextInt(DECISION_TYPES.length)]).append("\",")
              .append("\"outcome\":\"").append(OUTCOMES[random.nextInt(OUTCOMES.length)]).append("\",")
              .append("\"latency_ms\":").append(20 + random.nextInt(2000)).append('.').append(random.nextInt(100)).append(',')
              .append("\"model\":\"").append(MODELS[random.nextInt(MODELS.length)]).append("\",")
              .append("\"input_tokens\":").append(random.nextInt(4000)).append(',')
              .append("\"output_tokens\":").append(random.nextInt(800)).append(',')
              .append("\"cost_usd\":0.").append(String.format("%06d", random.nextInt(100000)));
            if (random.nextInt(5) != 0) {
                sb.append(",\"confidence\":0.").append(random.nextInt(1000));
            }
            sb.append("}}");
            return id;
        }
        if (kind < 0.9) {
            int slot = random.nextInt(OPEN_ORDERS);
            if (openOrder[slot] < 0 || openStage[slot] >= 3) {
                openOrder[slot] = nextOrder;
                openStage[slot] = 0;
                // Wraps over the order pool: an order id is reused with its sequence continuing.
                nextOrder = (nextOrder + 1) % orders;
            }
            int o = openOrder[slot];
            String id = "order-" + o;
            long seq = ++orderSeq[o];
            int stage = openStage[slot]++;
            switch (stage) {
                case 0:
                    head(sb, tenant(o), "order.created", id, seq, now);
                    sb.append("\"customer_id\":\"cust-").append(random.nextInt(100_000)).append("\",\"amount\":")
                      .append(5 + random.nextInt(495)).append('.').append(10 + random.nextInt(90))
                      .append(",\"currency\":\"").append(CURRENCIES[random.nextInt(CURRENCIES.length)])
                      .append("\",\"items\":").append(1 + random.nextInt(9)).append("}}");
                    break;
                case 1:
                    if (random.nextInt(100) < 15) {
                        head(sb, tenant(o), "order.cancelled", id, seq, now);
                        sb.append("\"reason\":\"customer changed mind\"}}");
                        openStage[slot] = 3;
                    } else {
                        head(sb, tenant(o), "order.paid", id, seq, now);
                        sb.append("\"amount\":").append(5 + random.nextInt(495)).append(".00}}");
                    }
                    break;
                default:
                    head(sb, tenant(o), "order.shipped", id, seq, now);
                    sb.append("\"carrier\":\"").append(random.nextBoolean() ? "dhl" : "ups").append("\"}}");
                    break;
            }
            return id;
        }
        int m = metricKeys.sample(random);
        String id = "metric-" + m;
        long seq = ++metricSeq[m];
        head(sb, tenant(m), "metric.changed", id, seq, now);
        sb.append("\"value\":").append(random.nextInt(100_000) - 50_000).append('.').append(random.nextInt(100))
          .append(",\"unit\":\"ms\"}}");
        return id;
    }

    private static final java.time.format.DateTimeFormatter MILLIS =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
    private long nowMillis = -1;
    private String nowText;

    /** Wall-clock event time (the contract requires a fraction), formatted once per millisecond. */
    private String now() {
        long t = System.currentTimeMillis();
        if (t != nowMillis) {
            nowMillis = t;
            nowText = MILLIS.format(Instant.ofEpochMilli(t));
        }
        return nowText;
    }

    private String tenant(int i) {
        return runId + "-t" + (i % TENANTS);
    }

    private void head(StringBuilder sb, String tenant, String type, String id, long seq, String occurredAt) {
        sb.append("{\"event_id\":\"").append(tenant).append('/').append(id).append('/').append(seq)
          .append("\",\"event_type\":\"").append(type)
          .append("\",\"tenant_id\":\"").append(tenant)
          .append("\",\"aggregate_id\":\"").append(id)
          .append("\",\"sequence\":").append(seq)
          .append(",\"occurred_at\":\"").append(occurredAt)
          .append("\",\"payload\":{");
    }
}
