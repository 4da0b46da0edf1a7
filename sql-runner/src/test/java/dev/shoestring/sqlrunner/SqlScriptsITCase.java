package dev.shoestring.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every query script of {@code sql/client/} run through {@code bin/shoestring sql -f} against the
 * real Kafka and Postgres, on data this test produces (its own topics, its own tenants in the tests'
 * database), with rows and values asserted against expectations computed here from the same data.
 *
 * <p>The decisions come with the producers' habits of CONTRACT §1: ~10 % re-delivered, disordered,
 * zone offsets other than Z, numbers as JSON numbers or as decimal strings; plus malformed records.
 */
class SqlScriptsITCase {
    static final String KAFKA = env("SHOESTRING_KAFKA", "127.0.0.1:19092");
    static final String PG_SERVICE_URL = env("SHOESTRING_PG_URL", "jdbc:postgresql://127.0.0.1:15433/shoestring");
    static final String PG_USER = env("SHOESTRING_PG_USER", "shoestring");
    static final String PG_TEST_URL = PG_SERVICE_URL.substring(0, PG_SERVICE_URL.lastIndexOf('/') + 1) + "shoestring_test";
    static final String[] OUTCOMES = {"approved", "approved", "approved", "rejected", "escalated", "error"};
    static final String[] MODELS = {"gpt-small", "claude-mini", "local-llama"};
    static final String PRICES_IN_SCRIPT_30 = "gpt-small=0.15/0.60, claude-mini=0.25/1.25, local-llama=0/0";

    static final String RUN = "sql" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    static final String TOPIC = RUN + "-events";
    static final String DLQ = TOPIC + ".dlq";
    static final String T1 = RUN + "-acme";
    static final String T2 = RUN + "-globex";

    /** One valid decision as produced (each once; the log may hold it twice). */
    record D(String eventId, String tenant, String agent, String type, String outcome, double latency, String model,
            long in, long out, BigDecimal cost, Double confidence, Instant at) {}

    static final List<D> DECISIONS = new ArrayList<>();
    static long inputRecords;
    static Instant now;

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    static String[] settings() {
        return new String[] {"kafka.bootstrap-servers=" + KAFKA, "kafka.topic=" + TOPIC, "kafka.dlq-topic=" + DLQ,
            "postgres.url=" + PG_TEST_URL, "postgres.user=" + PG_USER};
    }

    @BeforeAll
    static void produce() throws Exception {
        now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1), new NewTopic(DLQ, 2, (short) 1))).all().get();
        }
        Random r = new Random(20261203);
        // 1. Decisions over the last ~12 minutes, in 2 tenants x 3 agents x 2 decision types.
        Instant base = now.truncatedTo(ChronoUnit.MINUTES).minus(12, ChronoUnit.MINUTES);
        List<Map.Entry<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String tenant = i % 2 == 0 ? T1 : T2;
            String agent = "agent-" + r.nextInt(3);
            double latency = r.nextInt(10) == 0 ? 0.0 : Math.round(r.nextDouble() * r.nextDouble() * (1 + agent.charAt(6) - '0') * 30000) / 10.0;
            D d = new D("e-" + i, tenant, agent, r.nextBoolean() ? "refund" : "fraud_review", OUTCOMES[r.nextInt(OUTCOMES.length)],
                    latency, MODELS[r.nextInt(3)], r.nextInt(5000), r.nextInt(800),
                    BigDecimal.valueOf(r.nextInt(200_000), 6), r.nextInt(10) < 7 ? Math.round(r.nextDouble() * 1000) / 1000.0 : null,
                    base.plusMillis(r.nextInt(10 * 60_000)));
            DECISIONS.add(d);
            String json = decisionJson(d, i, r);
            records.add(Map.entry(d.agent, json));
            if (r.nextInt(10) == 0) {
                records.add(Map.entry(d.agent, json)); // re-delivered, same bytes
            }
        }
        Collections.shuffle(records, r);
        // 2. Orders: two stuck in paid (one with a later event in the log that the state lacks), one
        //    paid recently, one shipped long ago.
        records.add(Map.entry("o-stuck", event("x1", T1, "order.created", "o-stuck", 1, now.minus(50, ChronoUnit.MINUTES),
                "{\"customer_id\":\"c1\",\"amount\":\"19.90\",\"currency\":\"EUR\",\"items\":1}")));
        records.add(Map.entry("o-stuck", event("x2", T1, "order.paid", "o-stuck", 2, now.minus(45, ChronoUnit.MINUTES),
                "{\"amount\":\"19.90\"}")));
        records.add(Map.entry("o-gap", event("y1", T1, "order.created", "o-gap", 1, now.minus(70, ChronoUnit.MINUTES),
                "{\"customer_id\":\"c2\",\"amount\":5,\"currency\":\"USD\",\"items\":2}")));
        records.add(Map.entry("o-gap", event("y2", T1, "order.paid", "o-gap", 2, now.minus(65, ChronoUnit.MINUTES), "{\"amount\":5}")));
        records.add(Map.entry("o-gap", event("y2", T1, "order.paid", "o-gap", 2, now.minus(65, ChronoUnit.MINUTES), "{\"amount\":5}")));
        records.add(Map.entry("o-gap", event("y4", T1, "order.shipped", "o-gap", 4, now.minus(10, ChronoUnit.MINUTES),
                "{\"carrier\":\"dhl\"}")));
        // 3. Malformed records: skipped by `events`, counted in the DLQ rate's denominator.
        records.add(Map.entry("bad", "{not json"));
        records.add(Map.entry("bad", "[1,2]"));
        inputRecords = records.size();
        send(TOPIC, records, Map.of());
        // 4. The dead letters the job would have written for them (and for two others).
        send(DLQ, List.of(Map.entry("bad", "{not json")), Map.of("shoestring.dlq.reason", "MALFORMED_JSON"));
        send(DLQ, List.of(Map.entry("bad", "[1,2]"), Map.entry("bad", "7")), Map.of("shoestring.dlq.reason", "NOT_AN_OBJECT"));
        send(DLQ, List.of(Map.entry("x", "{}")), Map.of("shoestring.dlq.reason", "MISSING_FIELD"));
        // 5. Current state in the tests' database.
        Properties p = new Properties();
        p.setProperty("user", PG_USER);
        try (Connection c = DriverManager.getConnection(PG_SERVICE_URL, p); var st = c.createStatement();
                var rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'shoestring_test'")) {
            if (!rs.next()) {
                st.execute("CREATE DATABASE shoestring_test");
            }
        }
        try (Connection c = DriverManager.getConnection(PG_TEST_URL, p)) {
            c.createStatement().execute(Files.readString(ShoestringSql.ROOT.resolve("sql/postgres/V001__state_tables.sql")));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (tenant_id, order_id, customer_id, status, amount,"
                    + " paid_amount, currency, items, created_at, updated_at, version) VALUES (?, ?, 'c', ?, 10, ?, 'EUR', 1, ?, ?, ?)")) {
                insertOrder(ps, "o-stuck", "paid", new BigDecimal("19.90"), 50, 45, 2);
                insertOrder(ps, "o-gap", "paid", new BigDecimal("5"), 70, 65, 2);
                insertOrder(ps, "o-fresh", "paid", new BigDecimal("7.5"), 10, 5, 2);
                insertOrder(ps, "o-done", "shipped", new BigDecimal("1"), 300, 200, 3);
            }
        }
    }

    static void insertOrder(PreparedStatement ps, String id, String status, BigDecimal paid, int createdMinAgo, int updatedMinAgo,
            long version) throws Exception {
        ps.setString(1, T1);
        ps.setString(2, id);
        ps.setString(3, status);
        ps.setBigDecimal(4, paid);
        ps.setTimestamp(5, Timestamp.from(now.minus(createdMinAgo, ChronoUnit.MINUTES)));
        ps.setTimestamp(6, Timestamp.from(now.minus(updatedMinAgo, ChronoUnit.MINUTES)));
        ps.setLong(7, version);
        ps.executeUpdate();
    }

    static String decisionJson(D d, int i, Random r) {
        boolean strings = r.nextBoolean();
        String n = strings ? "\"" : "";
        StringBuilder payload = new StringBuilder("{\"decision_id\":\"d-" + i + "\",\"decision_type\":\"" + d.type
                + "\",\"outcome\":\"" + d.outcome + "\",\"latency_ms\":" + n + d.latency + n + ",\"model\":\"" + d.model
                + "\",\"input_tokens\":" + n + d.in + n + ",\"output_tokens\":" + d.out + ",\"cost_usd\":" + n
                + d.cost.toPlainString() + n);
        if (d.confidence != null) {
            payload.append(",\"confidence\":").append(d.confidence);
        }
        payload.append('}');
        // Half the events carry a +02:00 offset: the same instant, another zone.
        String at = r.nextBoolean() ? d.at.toString() : d.at.atOffset(ZoneOffset.ofHours(2)).toString();
        return "{\"event_id\":\"" + d.eventId + "\",\"event_type\":\"agent.decision\",\"tenant_id\":\"" + d.tenant
                + "\",\"aggregate_id\":\"" + d.agent + "\",\"sequence\":" + (i + 1) + ",\"occurred_at\":\"" + at
                + "\",\"payload\":" + payload + "}";
    }

    static String event(String id, String tenant, String type, String aggregate, long seq, Instant at, String payload) {
        return "{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\",\"tenant_id\":\"" + tenant + "\",\"aggregate_id\":\""
                + aggregate + "\",\"sequence\":" + seq + ",\"occurred_at\":\"" + at + "\",\"payload\":" + payload + "}";
    }

    static void send(String topic, List<Map.Entry<String, String>> records, Map<String, String> headers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (Map.Entry<String, String> e : records) {
                var rec = new ProducerRecord<>(topic, e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8));
                headers.forEach((k, v) -> rec.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                producer.send(rec);
            }
            producer.flush();
        }
    }

    static ShoestringSql.Result run(String script) throws Exception {
        ShoestringSql.Result r = ShoestringSql.run(ShoestringSql.script(script), settings());
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r;
    }

    /** Nearest-rank percentile of these values, exactly. */
    static double nearestRank(List<Double> values, int p) {
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        int rank = Math.max(1, (p * s.size() + 99) / 100);
        return s.get(rank - 1);
    }

    static String minuteLabel(Instant t) {
        // tableau prints TIMESTAMP(3) as 'yyyy-MM-dd HH:mm:ss.SSS'
        return t.truncatedTo(ChronoUnit.MINUTES).atOffset(ZoneOffset.UTC).toLocalDateTime().toString().replace("T", " ") + ":00.000";
    }

    @Test
    void decisionsPerAgentPerMinute() throws Exception {
        Map<String, List<D>> groups = new TreeMap<>();
        for (D d : DECISIONS) {
            groups.computeIfAbsent(minuteLabel(d.at) + "|" + d.tenant + "|" + d.agent, k -> new ArrayList<>()).add(d);
        }
        List<Map<String, String>> rows = run("10-decisions-per-agent-per-minute.sql").table(0);
        assertThat(rows).hasSize(groups.size());
        for (Map<String, String> row : rows) {
            List<D> g = groups.get(row.get("minute_start") + "|" + row.get("tenant_id") + "|" + row.get("agent_id"));
            assertThat(g).as("group of %s", row).isNotNull();
            assertThat(Long.parseLong(row.get("decisions"))).isEqualTo(g.size());
            for (String o : new String[] {"approved", "rejected", "escalated", "error"}) {
                double want = BigDecimal.valueOf(g.stream().filter(d -> d.outcome.equals(o)).count())
                        .divide(BigDecimal.valueOf(g.size()), 4, RoundingMode.HALF_UP).doubleValue();
                assertThat(Double.parseDouble(row.get(o + "_rate"))).as("%s rate of %s", o, row).isCloseTo(want, within(1e-9));
            }
        }
    }

    @Test
    void slowestAgentsByP95() throws Exception {
        Map<String, List<Double>> byAgent = new HashMap<>();
        for (D d : DECISIONS) {
            byAgent.computeIfAbsent(d.tenant + "|" + d.agent, k -> new ArrayList<>()).add(d.latency);
        }
        List<Map<String, String>> rows = run("20-slowest-agents-p95-last-hour.sql").table(0);
        assertThat(rows).hasSize(6);
        double previous = Double.MAX_VALUE;
        for (Map<String, String> row : rows) {
            List<Double> l = byAgent.get(row.get("tenant_id") + "|" + row.get("agent_id"));
            assertThat(Long.parseLong(row.get("decisions"))).isEqualTo(l.size());
            for (int p : new int[] {50, 95, 99}) {
                double want = nearestRank(l, p);
                assertThat(Double.parseDouble(row.get("p" + p + "_ms"))).as("p%d of %s", p, row).isCloseTo(want, within(want * 0.01));
            }
            assertThat(Double.parseDouble(row.get("max_ms"))).isEqualTo(Collections.max(l));
            double p95 = Double.parseDouble(row.get("p95_ms"));
            assertThat(p95).as("ordered by p95, slowest first").isLessThanOrEqualTo(previous);
            previous = p95;
        }
    }

    @Test
    void costPerTenantPerModel() throws Exception {
        Map<String, BigDecimal[]> want = new TreeMap<>();
        Map<String, long[]> counts = new HashMap<>();
        Map<String, BigDecimal[]> prices = Map.of("gpt-small", new BigDecimal[] {new BigDecimal("0.15"), new BigDecimal("0.60")},
                "claude-mini", new BigDecimal[] {new BigDecimal("0.25"), new BigDecimal("1.25")},
                "local-llama", new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
        for (D d : DECISIONS) {
            String k = d.tenant + "|" + d.model;
            BigDecimal[] w = want.computeIfAbsent(k, x -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
            w[0] = w[0].add(d.cost);
            BigDecimal[] pr = prices.get(d.model);
            w[1] = w[1].add(pr[0].multiply(BigDecimal.valueOf(d.in)).add(pr[1].multiply(BigDecimal.valueOf(d.out)))
                    .divide(BigDecimal.valueOf(1_000_000), 18, RoundingMode.HALF_EVEN));
            long[] c = counts.computeIfAbsent(k, x -> new long[3]);
            c[0]++;
            c[1] += d.in;
            c[2] += d.out;
        }
        List<Map<String, String>> rows = run("30-cost-per-tenant-per-model.sql").table(0);
        assertThat(rows).hasSize(want.size());
        for (Map<String, String> row : rows) {
            String k = row.get("tenant_id") + "|" + row.get("model");
            assertThat(want).containsKey(k);
            assertThat(new BigDecimal(row.get("cost_usd"))).as("cost of %s", k).isEqualByComparingTo(want.get(k)[0]);
            assertThat(new BigDecimal(row.get("list_price_usd"))).as("list price of %s", k)
                    .isEqualByComparingTo(want.get(k)[1].setScale(6, RoundingMode.HALF_UP));
            assertThat(Long.parseLong(row.get("decisions"))).isEqualTo(counts.get(k)[0]);
            assertThat(Long.parseLong(row.get("input_tokens"))).isEqualTo(counts.get(k)[1]);
            assertThat(Long.parseLong(row.get("output_tokens"))).isEqualTo(counts.get(k)[2]);
        }
    }

    @Test
    void ordersStuckInPaidJoinedWithTheLog() throws Exception {
        List<Map<String, String>> rows = run("40-orders-stuck-in-paid.sql").table(0).stream()
                .filter(row -> T1.equals(row.get("tenant_id"))).toList();
        // Longest in paid first; o-fresh (5 min) and o-done (shipped) are not stuck.
        assertThat(rows).extracting(row -> row.get("order_id")).containsExactly("o-gap", "o-stuck");
        Map<String, String> gap = rows.get(0);
        assertThat(new BigDecimal(gap.get("paid_amount"))).isEqualByComparingTo("5");
        assertThat(Long.parseLong(gap.get("minutes_in_paid"))).isBetween(64L, 70L);
        assertThat(gap).containsEntry("state_version", "2").containsEntry("log_sequence", "4").containsEntry("log_events", "3");
        Map<String, String> stuck = rows.get(1);
        assertThat(new BigDecimal(stuck.get("paid_amount"))).isEqualByComparingTo("19.90");
        assertThat(stuck).containsEntry("state_version", "2").containsEntry("log_sequence", "2").containsEntry("log_events", "2");
    }

    @Test
    void deadLetterRate() throws Exception {
        List<Map<String, String>> rows = run("50-dlq-rate.sql").table(0);
        Map<String, Long> dead = new LinkedHashMap<>();
        dead.put("NOT_AN_OBJECT", 2L);
        dead.put("MALFORMED_JSON", 1L);
        dead.put("MISSING_FIELD", 1L);
        assertThat(rows).extracting(row -> row.get("reason")).containsExactlyElementsOf(dead.keySet());
        for (Map<String, String> row : rows) {
            long n = dead.get(row.get("reason"));
            assertThat(Long.parseLong(row.get("dead_letters"))).isEqualTo(n);
            assertThat(Long.parseLong(row.get("input_records"))).isEqualTo(inputRecords);
            assertThat(Double.parseDouble(row.get("rate")))
                    .isEqualTo(BigDecimal.valueOf(n).divide(BigDecimal.valueOf(inputRecords), 6, RoundingMode.HALF_UP).doubleValue());
        }
    }

    /**
     * The SQL windows equal the DataStream job's on the same input: the expectation is the job's
     * definition (DecisionWindowFunction: 1-min event-time windows per tenant/agent/decision type,
     * each event_id once, nearest-rank percentiles, exact sums), computed here from the decisions
     * as produced, before duplication and disorder.
     */
    @Test
    void windowedMetricsEqualTheDataStreamDefinition() throws Exception {
        Map<String, List<D>> windows = new TreeMap<>();
        for (D d : DECISIONS) {
            windows.computeIfAbsent(d.tenant + "|" + d.agent + "|" + d.type + "|" + minuteLabel(d.at), k -> new ArrayList<>()).add(d);
        }
        List<Map<String, String>> rows = run("60-windowed-metrics.sql").table(0);
        assertThat(rows).extracting(row -> row.get("tenant_id") + "|" + row.get("agent_id") + "|" + row.get("decision_type")
                + "|" + row.get("window_start")).containsExactlyInAnyOrderElementsOf(windows.keySet());
        for (Map<String, String> row : rows) {
            List<D> w = windows.get(row.get("tenant_id") + "|" + row.get("agent_id") + "|" + row.get("decision_type")
                    + "|" + row.get("window_start"));
            assertThat(Long.parseLong(row.get("decisions"))).isEqualTo(w.size());
            assertThat(Long.parseLong(row.get("approved"))).isEqualTo(w.stream().filter(d -> d.outcome.equals("approved")).count());
            assertThat(Long.parseLong(row.get("rejected"))).isEqualTo(w.stream().filter(d -> d.outcome.equals("rejected")).count());
            assertThat(Long.parseLong(row.get("escalated"))).isEqualTo(w.stream().filter(d -> d.outcome.equals("escalated")).count());
            assertThat(Long.parseLong(row.get("errors"))).isEqualTo(w.stream().filter(d -> d.outcome.equals("error")).count());
            List<Double> lat = w.stream().map(D::latency).toList();
            for (int p : new int[] {50, 95, 99}) {
                double want = nearestRank(lat, p);
                assertThat(Double.parseDouble(row.get("latency_ms_p" + p))).as("p%d of %s", p, row).isCloseTo(want, within(want * 0.01));
            }
            assertThat(new BigDecimal(row.get("cost_usd"))).isEqualByComparingTo(w.stream().map(D::cost).reduce(BigDecimal.ZERO, BigDecimal::add));
            assertThat(Long.parseLong(row.get("input_tokens"))).isEqualTo(w.stream().mapToLong(D::in).sum());
            assertThat(Long.parseLong(row.get("output_tokens"))).isEqualTo(w.stream().mapToLong(D::out).sum());
            List<Double> conf = w.stream().map(D::confidence).filter(c -> c != null).toList();
            if (conf.isEmpty()) {
                assertThat(row.get("avg_confidence")).isNull();
            } else {
                assertThat(Double.parseDouble(row.get("avg_confidence")))
                        .isCloseTo(conf.stream().mapToDouble(Double::doubleValue).sum() / conf.size(), within(1e-9));
            }
        }
    }
}
