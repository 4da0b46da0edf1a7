package dev.shoestring.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates a realistic, deterministic (seeded) event log for demos, tests and benchmarks:
 * orders, agent decisions and metric changes across tenants, delivered the way real producers
 * deliver: some records twice, some swapped inside their aggregate, a few malformed.
 *
 * <p>{@link Log#truth} holds every valid event once, per aggregate in sequence order, so a test
 * can compute the expected state independently of the pipeline.
 */
public final class EventGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] OUTCOMES = {"approved", "approved", "approved", "rejected", "escalated", "error"};
    private static final String[] DECISION_TYPES = {"refund", "credit_limit", "fraud_review"};
    private static final String[] MODELS = {"gpt-small", "claude-mini", "local-llama"};
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP"};

    /** One record to produce: key and value bytes, and whether it is valid. */
    public static final class Record {
        public final String key;
        public final byte[] value;
        public final boolean malformed;
        /** For valid events: their event. */
        public final GeneratedEvent event;

        Record(String key, byte[] value, boolean malformed, GeneratedEvent event) {
            this.key = key;
            this.value = value;
            this.malformed = malformed;
            this.event = event;
        }
    }

    /** A valid event as generated (the truth). */
    public static final class GeneratedEvent {
        public final String tenantId;
        public final String eventType;
        public final String aggregateId;
        public final long sequence;
        public final Instant occurredAt;
        public final ObjectNode json;

        GeneratedEvent(String tenantId, String eventType, String aggregateId, long sequence, Instant occurredAt, ObjectNode json) {
            this.tenantId = tenantId;
            this.eventType = eventType;
            this.aggregateId = aggregateId;
            this.sequence = sequence;
            this.occurredAt = occurredAt;
            this.json = json;
        }

        public ObjectNode payload() {
            return (ObjectNode) json.get("payload");
        }
    }

    /** The generated log: records in delivery order, and the truth. */
    public static final class Log {
        public final List<Record> records = new ArrayList<>();
        /** Every valid event once, each aggregate's events in sequence order. */
        public final List<List<GeneratedEvent>> truth = new ArrayList<>();

        public long malformedCount() {
            return records.stream().filter(r -> r.malformed).count();
        }
    }

    private final Random random;
    private final String tenantPrefix;
    private int tenants = 3;
    private int orders = 300;
    private int agents = 12;
    private int metrics = 10;
    private int decisionsPerAgent = 60;
    private int changesPerMetric = 20;
    private double duplicateRate = 0.05;
    private double swapRate = 0.05;
    private double malformedRate = 0.01;
    private double unknownTypeRate = 0.02;
    private Instant start = Instant.parse("2026-01-01T00:00:00Z");

    public EventGenerator(long seed, String tenantPrefix) {
        this.random = new Random(seed);
        this.tenantPrefix = tenantPrefix;
    }

    public EventGenerator tenants(int n) { tenants = n; return this; }
    public EventGenerator orders(int n) { orders = n; return this; }
    public EventGenerator agents(int n) { agents = n; return this; }
    public EventGenerator metrics(int n) { metrics = n; return this; }
    public EventGenerator decisionsPerAgent(int n) { decisionsPerAgent = n; return this; }
    public EventGenerator changesPerMetric(int n) { changesPerMetric = n; return this; }
    public EventGenerator duplicateRate(double r) { duplicateRate = r; return this; }
    public EventGenerator swapRate(double r) { swapRate = r; return this; }
    public EventGenerator malformedRate(double r) { malformedRate = r; return this; }
    public EventGenerator unknownTypeRate(double r) { unknownTypeRate = r; return this; }
    public EventGenerator start(Instant t) { start = t; return this; }

    public Log generate() {
        Log log = new Log();
        int eventCounter = 0;
        for (int i = 0; i < orders; i++) {
            log.truth.add(orderStream(tenant(i), "order-" + i));
        }
        for (int i = 0; i < agents; i++) {
            log.truth.add(agentStream(tenant(i), "agent-" + i));
        }
        for (int i = 0; i < metrics; i++) {
            log.truth.add(metricStream(tenant(i), "metric-" + i));
        }

        // Deliver in event-time order, as a live system roughly does (a stable sort keeps each
        // aggregate's own order on ties)...
        List<GeneratedEvent> ordered = new ArrayList<>();
        log.truth.forEach(ordered::addAll);
        ordered.sort(java.util.Comparator.comparing(e -> e.occurredAt));
        // ...then swap some events with the next event of the same aggregate.
        for (int i = 0; i < ordered.size(); i++) {
            if (random.nextDouble() < swapRate) {
                GeneratedEvent e = ordered.get(i);
                for (int j = i + 1; j < ordered.size() && j < i + 200; j++) {
                    GeneratedEvent f = ordered.get(j);
                    if (f.aggregateId.equals(e.aggregateId) && f.tenantId.equals(e.tenantId)) {
                        ordered.set(i, f);
                        ordered.set(j, e);
                        break;
                    }
                }
            }
        }
        List<GeneratedEvent> delivered = new ArrayList<>(ordered);
        // Re-deliveries: a copy of an event shows up again a bit later.
        int dupes = (int) Math.round(ordered.size() * duplicateRate);
        for (int d = 0; d < dupes; d++) {
            int from = random.nextInt(delivered.size());
            int to = Math.min(delivered.size(), from + 1 + random.nextInt(500));
            delivered.add(to, delivered.get(from));
        }
        for (GeneratedEvent e : delivered) {
            if (random.nextDouble() < malformedRate) {
                log.records.add(malformed(eventCounter++));
            }
            log.records.add(new Record(e.aggregateId, bytes(e.json), false, e));
        }
        return log;
    }

    private String tenant(int i) {
        return tenantPrefix + "tenant-" + (i % tenants);
    }

    private List<GeneratedEvent> orderStream(String tenant, String id) {
        List<GeneratedEvent> s = new ArrayList<>();
        Instant t = start.plusMillis(random.nextInt(3_600_000));
        BigDecimal amount = money(5, 500);
        ObjectNode created = JSON.createObjectNode();
        created.put("customer_id", "cust-" + random.nextInt(1000));
        putNumber(created, "amount", amount);
        created.put("currency", CURRENCIES[random.nextInt(CURRENCIES.length)]);
        if (random.nextBoolean()) created.put("items", 1 + random.nextInt(9));
        else created.put("items", Integer.toString(1 + random.nextInt(9)));
        created.put("note", "unknown payload fields are ignored");
        s.add(event(tenant, "order.created", id, s.size() + 1, t, created));
        maybeUnknown(s, tenant, "order.note_added", id);
        double r = random.nextDouble();
        if (r < 0.15) {
            t = t.plusSeconds(1 + random.nextInt(600));
            ObjectNode p = JSON.createObjectNode().put("reason", "customer changed mind");
            s.add(event(tenant, "order.cancelled", id, s.size() + 1, t, p));
            return s;
        }
        if (r < 0.85) {
            t = t.plusSeconds(1 + random.nextInt(600));
            ObjectNode p = JSON.createObjectNode();
            putNumber(p, "amount", amount);
            s.add(event(tenant, "order.paid", id, s.size() + 1, t, p));
            maybeUnknown(s, tenant, "order.note_added", id);
            if (random.nextDouble() < 0.6) {
                t = t.plusSeconds(1 + random.nextInt(3600));
                s.add(event(tenant, "order.shipped", id, s.size() + 1, t,
                        JSON.createObjectNode().put("carrier", random.nextBoolean() ? "dhl" : "ups")));
            }
        }
        return s;
    }

    private List<GeneratedEvent> agentStream(String tenant, String id) {
        List<GeneratedEvent> s = new ArrayList<>();
        Instant t = start.plusMillis(random.nextInt(60_000));
        for (int i = 0; i < decisionsPerAgent; i++) {
            t = t.plusMillis(200 + random.nextInt(5000));
            ObjectNode p = JSON.createObjectNode();
            p.put("decision_id", id + "-d" + i);
            p.put("decision_type", DECISION_TYPES[random.nextInt(DECISION_TYPES.length)]);
            p.put("outcome", OUTCOMES[random.nextInt(OUTCOMES.length)]);
            p.put("latency_ms", 20 + random.nextInt(2000) + random.nextInt(100) / 100.0);
            p.put("model", MODELS[random.nextInt(MODELS.length)]);
            p.put("input_tokens", random.nextInt(4000));
            p.put("output_tokens", random.nextInt(800));
            putNumber(p, "cost_usd", new BigDecimal(random.nextInt(100000)).movePointLeft(6));
            if (random.nextDouble() < 0.8) p.put("confidence", random.nextInt(1001) / 1000.0);
            s.add(event(tenant, "agent.decision", id, s.size() + 1, t, p));
            maybeUnknown(s, tenant, "agent.heartbeat", id);
        }
        return s;
    }

    private List<GeneratedEvent> metricStream(String tenant, String id) {
        List<GeneratedEvent> s = new ArrayList<>();
        Instant t = start.plusMillis(random.nextInt(60_000));
        for (int i = 0; i < changesPerMetric; i++) {
            t = t.plusMillis(500 + random.nextInt(10_000));
            ObjectNode p = JSON.createObjectNode();
            p.put("value", Math.round(random.nextGaussian() * 10_000) / 100.0);
            p.put("unit", "ms");
            s.add(event(tenant, "metric.changed", id, s.size() + 1, t, p));
        }
        return s;
    }

    private void maybeUnknown(List<GeneratedEvent> s, String tenant, String type, String id) {
        if (random.nextDouble() < unknownTypeRate) {
            GeneratedEvent last = s.get(s.size() - 1);
            s.add(event(tenant, type, id, s.size() + 1, last.occurredAt.plusMillis(1),
                    JSON.createObjectNode().put("text", "archived, never applied")));
        }
    }

    private GeneratedEvent event(String tenant, String type, String id, long seq, Instant t, ObjectNode payload) {
        ObjectNode e = JSON.createObjectNode();
        e.put("event_id", tenant + "/" + id + "/" + seq);
        e.put("event_type", type);
        e.put("tenant_id", tenant);
        e.put("aggregate_id", id);
        e.put("sequence", seq);
        e.put("occurred_at", formatTime(t));
        e.set("payload", payload);
        return new GeneratedEvent(tenant, type, id, seq, t, e);
    }

    private String formatTime(Instant t) {
        // Mix the forms RFC 3339 allows: Z or an offset, millisecond to nanosecond precision.
        switch (random.nextInt(3)) {
            case 0:
                return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").format(t.atOffset(ZoneOffset.UTC));
            case 1:
                return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx").format(t.atOffset(ZoneOffset.ofHours(2)));
            default:
                return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSxxx").format(t.atOffset(ZoneOffset.ofHours(-5)));
        }
    }

    private BigDecimal money(int min, int max) {
        return new BigDecimal(min * 100 + random.nextInt((max - min) * 100)).movePointLeft(2).setScale(2, RoundingMode.UNNECESSARY);
    }

    /** Numbers arrive as JSON numbers or decimal strings, as the contract allows. */
    private void putNumber(ObjectNode o, String field, BigDecimal v) {
        if (random.nextBoolean()) o.put(field, v);
        else o.put(field, v.toPlainString());
    }

    private Record malformed(int n) {
        String id = tenantPrefix + "bad-" + n;
        String good = "{\"event_id\":\"" + id + "\",\"event_type\":\"order.created\",\"tenant_id\":\"" + tenantPrefix
                + "t\",\"aggregate_id\":\"" + id + "\",\"sequence\":1,\"occurred_at\":\"2026-01-01T00:00:00.000Z\","
                + "\"payload\":{\"customer_id\":\"c\",\"amount\":1,\"currency\":\"EUR\",\"items\":1}}";
        String v;
        switch (random.nextInt(9)) {
            case 0: v = "not json at all " + id; break;
            case 1: v = "[\"" + id + "\"]"; break;
            case 2: v = good.replace("\"sequence\":1", "\"sequence\":0"); break;
            case 3: v = good.replace("\"amount\":1", "\"amount\":-1"); break;
            case 4: v = good.replace("\"currency\":\"EUR\"", "\"currency\":\"EURO\""); break;
            case 5: v = good.replace("2026-01-01T00:00:00.000Z", "2026-01-01 00:00:00"); break;
            case 6: v = good.replace("\"tenant_id\":\"" + tenantPrefix + "t\",", ""); break;
            case 7: v = good.substring(0, good.length() / 2); break;
            default: v = good.replace("\"items\":1", "\"items\":\"many\""); break;
        }
        return new Record(id, v.getBytes(StandardCharsets.UTF_8), true, null);
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
