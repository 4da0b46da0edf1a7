package dev.shoestring.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Live demo traffic at a steady rate, with event time = now: agents deciding (most of it), orders
 * moving through their life, metrics changing; about 1 % malformed records (for the DLQ) and 1 %
 * decisions arriving 90 s late (beyond the allowed lateness: counted, archived, not windowed).
 *
 * <p>Sequences continue from the versions already in Postgres ({@link #continueFrom}), so a
 * second demo resumes the same agents instead of replaying their sequence numbers.
 */
public final class LiveTraffic implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
    static final String[] TENANTS = {"acme", "globex", "initech"};
    private static final String[] AGENTS = {"refund-bot", "credit-scorer", "fraud-sentinel", "support-triage"};
    private static final String[] TYPES = {"refund", "credit_limit", "fraud_review"};
    private static final String[] OUTCOMES = {"approved", "approved", "approved", "rejected", "escalated", "error"};
    private static final String[] MODELS = {"gpt-small", "claude-mini", "local-llama"};

    private final Properties producerConfig;
    private final String topic;
    private final int ratePerSecond;
    private final Random random = new Random();
    private final Map<String, Long> sequences = new HashMap<>();
    private final List<String[]> openOrders = new ArrayList<>();
    private final String runStamp = Long.toString(System.currentTimeMillis() / 1000, 36);
    private long orderCounter;
    private final AtomicBoolean running = new AtomicBoolean(true);
    public final AtomicLong produced = new AtomicLong();
    /** Sends Kafka did not acknowledge (shown at the end of the demo: a demo, not a test). */
    public final AtomicLong failed = new AtomicLong();

    private final String tenantPrefix;

    /** @param producerConfig the Kafka producer's properties (bootstrap servers, kafka.properties.*) */
    public LiveTraffic(Properties producerConfig, String topic, int ratePerSecond, String tenantPrefix) {
        this.producerConfig = producerConfig;
        this.topic = topic;
        this.ratePerSecond = ratePerSecond;
        this.tenantPrefix = tenantPrefix;
    }

    /** Continue the sequences of these aggregates (key "tenant/kind/id") from their versions. */
    public void continueFrom(Map<String, Long> versions) {
        sequences.putAll(versions);
    }

    public void stop() {
        running.set(false);
    }

    @Override
    public void run() {
        Properties p = new Properties();
        p.putAll(producerConfig);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            long next = System.nanoTime();
            int perTick = Math.max(1, ratePerSecond / 10);
            while (running.get()) {
                for (int i = 0; i < perTick; i++) {
                    ProducerRecord<String, byte[]> r = nextRecord(Instant.now());
                    producer.send(r, (meta, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                        }
                    });
                    produced.incrementAndGet();
                }
                next += 100_000_000L;
                long sleep = (next - System.nanoTime()) / 1_000_000L;
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    ProducerRecord<String, byte[]> nextRecord(Instant now) {
        double r = random.nextDouble();
        if (r < 0.01) {
            String bad = random.nextBoolean() ? "{\"event_id\": \"broken" : "{\"event_id\":\"x\",\"event_type\":\"agent.decision\"}";
            return new ProducerRecord<>(topic, "bad", bad.getBytes(StandardCharsets.UTF_8));
        }
        String tenant = tenantPrefix + TENANTS[random.nextInt(TENANTS.length)];
        if (r < 0.72) {
            String agent = AGENTS[random.nextInt(AGENTS.length)];
            Instant at = random.nextDouble() < 0.014 ? now.minusSeconds(90) : now;
            ObjectNode p = JSON.createObjectNode();
            p.put("decision_id", runStamp + "-" + produced.get());
            p.put("decision_type", TYPES[random.nextInt(TYPES.length)]);
            p.put("outcome", OUTCOMES[random.nextInt(OUTCOMES.length)]);
            double base = agent.equals("fraud-sentinel") ? 900 : 150;
            p.put("latency_ms", Math.round((base + Math.abs(random.nextGaussian()) * base) * 10) / 10.0);
            p.put("model", MODELS[random.nextInt(MODELS.length)]);
            p.put("input_tokens", 200 + random.nextInt(3000));
            p.put("output_tokens", 20 + random.nextInt(500));
            p.put("cost_usd", new BigDecimal(random.nextInt(50_000)).movePointLeft(6).toPlainString());
            if (random.nextDouble() < 0.9) p.put("confidence", random.nextInt(1001) / 1000.0);
            return record(tenant, "agent", agent, "agent.decision", at, p);
        }
        if (r < 0.95) {
            return orderEvent(tenant, now);
        }
        String name = random.nextBoolean() ? "queue_depth" : "p99_latency_ms";
        ObjectNode p = JSON.createObjectNode().put("value", Math.round(random.nextDouble() * 1000) / 10.0).put("unit",
                name.endsWith("ms") ? "ms" : "jobs");
        return record(tenant, "metric", name, "metric.changed", now, p);
    }

    private ProducerRecord<String, byte[]> orderEvent(String tenant, Instant now) {
        if (openOrders.isEmpty() || random.nextDouble() < 0.4) {
            String id = "o-" + runStamp + "-" + (orderCounter++);
            openOrders.add(new String[] {tenant, id, "created"});
            ObjectNode p = JSON.createObjectNode().put("customer_id", "c-" + random.nextInt(500))
                    .put("amount", new BigDecimal(500 + random.nextInt(50_000)).movePointLeft(2).toPlainString())
                    .put("currency", "EUR").put("items", 1 + random.nextInt(5));
            return record(tenant, "order", id, "order.created", now, p);
        }
        int i = random.nextInt(openOrders.size());
        String[] o = openOrders.get(i);
        ObjectNode p = JSON.createObjectNode();
        String type;
        if (o[2].equals("created") && random.nextDouble() < 0.85) {
            type = "order.paid";
            p.put("amount", "10.00");
            o[2] = "paid";
        } else if (o[2].equals("paid") && random.nextDouble() < 0.8) {
            type = "order.shipped";
            p.put("carrier", random.nextBoolean() ? "dhl" : "ups");
            openOrders.remove(i);
        } else {
            type = "order.cancelled";
            p.put("reason", "customer request");
            openOrders.remove(i);
        }
        return record(o[0], "order", o[1], type, now, p);
    }

    private ProducerRecord<String, byte[]> record(String tenant, String kind, String id, String type, Instant at, ObjectNode payload) {
        long seq = sequences.merge(tenant + "/" + kind + "/" + id, 1L, Long::sum);
        ObjectNode e = JSON.createObjectNode();
        e.put("event_id", tenant + "/" + id + "/" + seq + "/" + runStamp);
        e.put("event_type", type);
        e.put("tenant_id", tenant);
        e.put("aggregate_id", id);
        e.put("sequence", seq);
        e.put("occurred_at", TIME.format(at));
        e.set("payload", payload);
        return new ProducerRecord<>(topic, id, e.toString().getBytes(StandardCharsets.UTF_8));
    }
}
