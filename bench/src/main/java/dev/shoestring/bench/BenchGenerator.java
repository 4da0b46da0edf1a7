package dev.shoestring.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
    /** Events made so far: decision ids stay unique across the passes of one generator. */
    private long counter;
    private int coveredAgents;
    private int coveredOrders;
    private int coveredMetrics;
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

    /** Aggregates of each kind: what a {@link #cover} pass touches once each. */
    long aggregates() {
        return (long) agents + orders + metrics;
    }

    /** @param producerConfig bootstrap servers and kafka.properties.* (ShoestringConfig.kafkaProducerProperties) */
    static Properties producerProperties(Properties producerConfig) {
        Properties p = new Properties();
        p.putAll(producerConfig);
        // Kafka's defaults apart from batching: acks=all and idempotence stay on (what a real
        // producer of business events uses); linger/batch let it batch as a busy producer does.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        return p;
    }

    /** {@code events} events of the mix, as fast as Kafka takes them. */
    Result produce(Properties producerConfig, String topic, long events) throws Exception {
        return produce(producerConfig, topic, false, events);
    }

    /**
     * With {@code cover}, first one event for every aggregate (each agent's first decision, each
     * order's creation, each metric's first value), so that the state holds every aggregate;
     * then {@code events} events of the mix. The cover is the aggregates' history: its event
     * times rise evenly over the {@link #COVER_SPAN} before now, so the 1-minute windows of its
     * decisions close one minute after another as it is read, as they would have live.
     */
    Result produce(Properties producerConfig, String topic, boolean cover, long events) throws Exception {
        Sender s = new Sender(producerConfig, topic);
        long t0 = System.nanoTime();
        try (s) {
            StringBuilder sb = new StringBuilder(512);
            long total = cover ? aggregates() : 0;
            long coverStart = System.currentTimeMillis() - COVER_SPAN.toMillis();
            for (long i = 0; i < total; i++) {
                sb.setLength(0);
                s.send(cover(sb, at(coverStart + i * COVER_SPAN.toMillis() / total)), sb);
            }
            for (long i = 0; i < events; i++) {
                sb.setLength(0);
                s.send(next(sb, counter++), sb);
            }
            s.producer.flush();
        }
        return s.result((System.nanoTime() - t0) / 1e9);
    }

    /** Told the time just before each probe event is sent. */
    interface ProbeListener {
        void sent(String key, long sequence, long nanoTime);
    }

    /**
     * The mix at a fixed rate in a thread of its own, until {@link Paced#stop()}; every
     * {@code probeEvery} one probe event: a {@code metric.changed} of tenant {@link #probeTenant()}
     * on one of {@link #PROBES} keys, whose visibility downstream the freshness run watches.
     */
    Paced startPaced(Properties producerConfig, String topic, double ratePerSecond, Duration probeEvery, ProbeListener probes) {
        Paced p = new Paced(producerConfig, topic, ratePerSecond, probeEvery, probes);
        p.thread.start();
        return p;
    }

    static final int PROBES = 8;

    String probeTenant() {
        return runId + "-probe";
    }

    /** A generator running at a fixed rate. */
    final class Paced {
        private final Thread thread;
        private volatile boolean stop;
        private volatile Exception error;
        private Result result;

        Paced(Properties producerConfig, String topic, double rate, Duration probeEvery, ProbeListener probes) {
            thread = new Thread(() -> {
                try {
                    result = run(producerConfig, topic, rate, probeEvery.toNanos(), probes);
                } catch (Exception e) {
                    error = e;
                }
            }, "bench-paced-generator");
            thread.setDaemon(true);
        }

        private Result run(Properties producerConfig, String topic, double rate, long probeEveryNanos, ProbeListener probes)
                throws Exception {
            long[] probeSeq = new long[PROBES];
            int nextProbe = 0;
            Sender s = new Sender(producerConfig, topic);
            long t0 = System.nanoTime();
            long nextProbeAt = t0;
            long sent = 0;
            try (s) {
                StringBuilder sb = new StringBuilder(512);
                while (!stop) {
                    long now = System.nanoTime();
                    long due = (long) (rate * (now - t0) / 1e9);
                    if (sent >= due && now < nextProbeAt) {
                        Thread.sleep(1);
                        continue;
                    }
                    if (now >= nextProbeAt) {
                        int k = nextProbe++ % PROBES;
                        String key = "probe-" + k;
                        long seq = ++probeSeq[k];
                        sb.setLength(0);
                        head(sb, probeTenant(), "metric.changed", key, seq, now());
                        sb.append("\"value\":").append(seq).append(",\"unit\":\"seq\"}}");
                        probes.sent(key, seq, System.nanoTime());
                        s.send(key, sb);
                        nextProbeAt += probeEveryNanos;
                        sent++;
                    }
                    while (sent < due) {
                        sb.setLength(0);
                        s.send(next(sb, counter++), sb);
                        sent++;
                    }
                }
                s.producer.flush();
            }
            return s.result((System.nanoTime() - t0) / 1e9);
        }

        /** Stops sending, flushes, and returns what was sent at which rate. */
        Result stop() throws Exception {
            stop = true;
            thread.join(60_000);
            if (error != null) {
                throw error;
            }
            return result;
        }
    }

    /** One producer, with failure and byte counting. */
    private static final class Sender implements AutoCloseable {
        final KafkaProducer<byte[], byte[]> producer;
        final String topic;
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<Exception> firstError = new AtomicReference<>();
        long events;
        long bytes;

        Sender(Properties producerConfig, String topic) {
            this.producer = new KafkaProducer<>(producerProperties(producerConfig), new ByteArraySerializer(), new ByteArraySerializer());
            this.topic = topic;
        }

        void send(String key, StringBuilder value) {
            byte[] v = value.toString().getBytes(StandardCharsets.UTF_8);
            bytes += v.length;
            events++;
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), v), (m, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, e);
                }
            });
        }

        Result result(double seconds) {
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " sends failed", firstError.get());
            }
            return new Result(events, bytes, seconds);
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /**
     * The first event of the next aggregate not yet covered: the kinds interleave in proportion
     * to their counts (the one furthest behind its share goes next).
     */
    String cover(StringBuilder sb, String now) {
        long n = counter++;
        double a = coveredAgents / (double) agents;
        double o = coveredOrders / (double) orders;
        double m = coveredMetrics / (double) metrics;
        if (coveredMetrics < metrics && m <= a && m <= o) {
            int id = coveredMetrics++;
            head(sb, tenant(id), "metric.changed", "metric-" + id, ++metricSeq[id], now);
            sb.append("\"value\":").append(random.nextInt(1000)).append(",\"unit\":\"ms\"}}");
            return "metric-" + id;
        }
        if (coveredOrders < orders && o <= a) {
            int id = coveredOrders++;
            head(sb, tenant(id), "order.created", "order-" + id, ++orderSeq[id], now);
            sb.append("\"customer_id\":\"cust-").append(random.nextInt(100_000)).append("\",\"amount\":")
              .append(5 + random.nextInt(495)).append(".00,\"currency\":\"EUR\",\"items\":1}}");
            return "order-" + id;
        }
        int id = coveredAgents++;
        head(sb, tenant(id), "agent.decision", "agent-" + id, ++agentSeq[id], now);
        decision(sb, n);
        return "agent-" + id;
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
            decision(sb, n);
            return id;
        }
        return nextOther(sb, kind, now);
    }

    private void decision(StringBuilder sb, long n) {
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
    }

    private String nextOther(StringBuilder sb, double kind, String now) {
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

    /** How far back the cover's event times start. */
    static final Duration COVER_SPAN = Duration.ofHours(1);

    private static String at(long millis) {
        return MILLIS.format(Instant.ofEpochMilli(millis));
    }

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
