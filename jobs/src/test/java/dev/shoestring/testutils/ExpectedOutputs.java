package dev.shoestring.testutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoestring.kafka.DeadLetterSerializer;
import dev.shoestring.tools.EventGenerator;
import dev.shoestring.tools.EventGenerator.GeneratedEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What a generated log must leave in Postgres, ClickHouse and the dead-letter topic, folded from
 * the generator's truth with none of the pipeline's code; and the same outputs read back from the
 * real services, normalised for comparison. Shared by every pipeline test, so each compares the
 * same way. Rows of one run are selected by their tenant prefix ({@code <run>-}).
 */
public final class ExpectedOutputs {
    private ExpectedOutputs() {}

    /**
     * The expected Postgres tables, keyed {@code tenant|id}: per aggregate, the events in sequence
     * order, unknown types skipped.
     */
    public static final class State {
        public final Map<String, List<Object>> orders = new TreeMap<>();
        public final Map<String, List<Object>> agents = new TreeMap<>();
        public final Map<String, List<Object>> metrics = new TreeMap<>();

        public static State from(List<List<GeneratedEvent>> truth) {
            State x = new State();
            for (List<GeneratedEvent> stream : truth) {
                List<GeneratedEvent> known = new ArrayList<>();
                for (GeneratedEvent e : stream) {
                    if (!e.eventType.endsWith("note_added") && !e.eventType.endsWith("heartbeat")) known.add(e);
                }
                GeneratedEvent first = stream.get(0);
                GeneratedEvent last = known.get(known.size() - 1);
                String key = first.tenantId + "|" + first.aggregateId;
                if (first.eventType.startsWith("order.")) {
                    JsonNode created = null;
                    String paid = null;
                    for (GeneratedEvent e : known) {
                        if (e.eventType.equals("order.created")) created = e.payload();
                        if (e.eventType.equals("order.paid")) paid = dec(e.payload().get("amount"));
                    }
                    x.orders.put(key, new ArrayList<>(Arrays.asList(
                            created.get("customer_id").asText(),
                            last.eventType.substring("order.".length()),
                            dec(created.get("amount")),
                            paid,
                            created.get("currency").asText(),
                            Long.parseLong(created.get("items").asText()),
                            micros(known.get(0)),
                            micros(last),
                            last.sequence)));
                } else if (first.eventType.startsWith("agent.")) {
                    long approved = 0, rejected = 0, escalated = 0, errors = 0, in = 0, out = 0;
                    BigDecimal cost = BigDecimal.ZERO;
                    for (GeneratedEvent e : known) {
                        String o = e.payload().get("outcome").asText();
                        if (o.equals("approved")) approved++;
                        else if (o.equals("rejected")) rejected++;
                        else if (o.equals("escalated")) escalated++;
                        else errors++;
                        cost = cost.add(new BigDecimal(e.payload().get("cost_usd").asText()));
                        in += e.payload().get("input_tokens").asLong();
                        out += e.payload().get("output_tokens").asLong();
                    }
                    x.agents.put(key, List.of((long) known.size(), approved, rejected, escalated, errors,
                            cost.stripTrailingZeros().toPlainString(), in, out, micros(last),
                            last.payload().get("outcome").asText(), last.sequence));
                } else {
                    x.metrics.put(key, List.of(last.payload().get("value").asDouble(), last.payload().get("unit").asText(),
                            micros(last), last.sequence));
                }
            }
            return x;
        }

        private static String dec(JsonNode n) {
            return new BigDecimal(n.asText()).stripTrailingZeros().toPlainString();
        }

        private static String micros(GeneratedEvent e) {
            return e.occurredAt.truncatedTo(ChronoUnit.MICROS).toString();
        }
    }

    /** Asserts that Postgres holds exactly the expected rows for the run's tenants. */
    public static void assertPostgresEquals(String run, State expected) throws Exception {
        try (Connection c = LocalServices.postgres()) {
            assertPostgresEquals(c, run, expected);
        }
    }

    private static void assertPostgresEquals(Connection c, String run, State expected) throws Exception {
        String tenants = " WHERE tenant_id LIKE '" + run + "-%'";
        assertThat(rows(c, "SELECT tenant_id, order_id, customer_id, status, amount, paid_amount, currency, items,"
                + " created_at, updated_at, version FROM orders" + tenants))
                .as("orders").containsExactlyInAnyOrderEntriesOf(expected.orders);
        assertThat(rows(c, "SELECT tenant_id, agent_id, decisions, approved, rejected, escalated, errors, cost_usd,"
                + " input_tokens, output_tokens, last_decision_at, last_outcome, version FROM agents" + tenants))
                .as("agents").containsExactlyInAnyOrderEntriesOf(expected.agents);
        assertThat(rows(c, "SELECT tenant_id, name, value, unit, updated_at, version FROM metrics_current" + tenants))
                .as("metrics_current").containsExactlyInAnyOrderEntriesOf(expected.metrics);
    }

    /** Rows keyed by their first two columns, values normalised for comparison. */
    private static Map<String, List<Object>> rows(Connection c, String sql) throws Exception {
        Map<String, List<Object>> out = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 3; i <= n; i++) {
                    Object o = rs.getObject(i);
                    if (o instanceof java.sql.Timestamp) {
                        o = rs.getObject(i, OffsetDateTime.class).toInstant().toString();
                    } else if (o instanceof BigDecimal) {
                        o = ((BigDecimal) o).stripTrailingZeros().toPlainString();
                    } else if (o instanceof Integer) {
                        o = ((Integer) o).longValue();
                    }
                    row.add(o);
                }
                out.put(rs.getString(1) + "|" + rs.getString(2), row);
            }
        }
        return out;
    }

    /**
     * Asserts that the tests' ClickHouse database holds, for the run's tenants, exactly the
     * expected windows in {@code agent_decision_metrics_1m FINAL} and one row per valid event in
     * {@code events FINAL}.
     */
    public static void assertClickHouseEquals(String run, EventGenerator.Log log) throws Exception {
        assertWindowsEqual(run, log);
        assertArchiveEquals(ClickHouseHttp.TEST_DATABASE, run, log, " FINAL");
    }

    /**
     * The same, read without {@code FINAL}: true only once ClickHouse has merged away the
     * re-inserted rows and the earlier emissions of windows (e.g. after {@code OPTIMIZE ... FINAL}).
     */
    public static void assertClickHouseEqualsWithoutFinal(String run, EventGenerator.Log log) throws Exception {
        Map<String, List<Object>> expected = windows(log);
        assertThat(ClickHouseHttp.count("SELECT count() FROM " + ClickHouseHttp.TEST_DATABASE
                + ".agent_decision_metrics_1m WHERE tenant_id LIKE '" + run + "-%'"))
                .as("rows of agent_decision_metrics_1m").isEqualTo(expected.size());
        assertWindowsEqual(clickhouseWindows(ClickHouseHttp.TEST_DATABASE, run, ""), expected);
        assertArchiveEquals(ClickHouseHttp.TEST_DATABASE, run, log, "");
    }

    /** Asserts that {@code agent_decision_metrics_1m FINAL} holds exactly the expected windows. */
    public static void assertWindowsEqual(String run, EventGenerator.Log log) throws Exception {
        assertWindowsEqual(clickhouseWindows(ClickHouseHttp.TEST_DATABASE, run, " FINAL"), windows(log));
    }

    /**
     * The agent-decision windows, keyed {@code tenant|agent|decision_type|window_start_ms}, folded
     * from every distinct decision (the generator's disorder stays far inside the allowed
     * lateness, so none is late): counts by outcome, p50/p95/p99 nearest-rank, cost, token sums,
     * mean confidence.
     */
    private static Map<String, List<Object>> windows(EventGenerator.Log log) {
        Map<String, Map<String, ObjectNode>> windows = new LinkedHashMap<>();
        for (EventGenerator.Record r : log.records) {
            if (r.malformed || !r.event.eventType.equals("agent.decision")) continue;
            long start = Math.floorDiv(r.event.occurredAt.toEpochMilli(), 60_000L) * 60_000L;
            String key = r.event.tenantId + "|" + r.event.aggregateId + "|" + r.event.payload().get("decision_type").asText()
                    + "|" + start;
            windows.computeIfAbsent(key, k -> new HashMap<>()).putIfAbsent(r.event.json.get("event_id").asText(), r.event.payload());
        }
        Map<String, List<Object>> out = new TreeMap<>();
        for (Map.Entry<String, Map<String, ObjectNode>> w : windows.entrySet()) {
            long[] outcomes = new long[4];
            List<Double> latencies = new ArrayList<>();
            BigDecimal cost = BigDecimal.ZERO;
            long in = 0, outTokens = 0;
            double confSum = 0;
            int confN = 0;
            for (ObjectNode p : w.getValue().values()) {
                outcomes[List.of("approved", "rejected", "escalated", "error").indexOf(p.get("outcome").asText())]++;
                latencies.add(p.get("latency_ms").asDouble());
                cost = cost.add(new BigDecimal(p.get("cost_usd").asText()));
                in += p.get("input_tokens").asLong();
                outTokens += p.get("output_tokens").asLong();
                if (p.hasNonNull("confidence")) {
                    confSum += p.get("confidence").asDouble();
                    confN++;
                }
            }
            latencies.sort(null);
            int n = latencies.size();
            List<Object> row = new ArrayList<>(List.of((long) n, outcomes[0], outcomes[1], outcomes[2], outcomes[3]));
            for (int pct : new int[] {50, 95, 99}) {
                int rank = new BigDecimal(pct * n).divide(BigDecimal.valueOf(100), 0, RoundingMode.CEILING).intValue();
                row.add(latencies.get(Math.max(rank, 1) - 1));
            }
            row.add(cost.stripTrailingZeros().toPlainString());
            row.add(in);
            row.add(outTokens);
            row.add(confN == 0 ? null : confSum / confN);
            out.put(w.getKey(), row);
        }
        return out;
    }

    /** {@code agent_decision_metrics_1m FINAL} of the run's tenants, in the shape of {@link #windows}. */
    private static Map<String, List<Object>> clickhouseWindows(String db, String run, String fin) throws Exception {
        Map<String, List<Object>> actual = new TreeMap<>();
        for (String[] r : ClickHouseHttp.rows("SELECT tenant_id, agent_id, decision_type, toUnixTimestamp(window_start),"
                + " decisions, approved, rejected, escalated, errors, latency_ms_p50, latency_ms_p95, latency_ms_p99,"
                + " cost_usd, input_tokens, output_tokens, avg_confidence FROM " + db + ".agent_decision_metrics_1m" + fin
                + " WHERE tenant_id LIKE '" + run + "-%'")) {
            List<Object> row = new ArrayList<>();
            for (int i = 4; i <= 8; i++) row.add(Long.parseLong(r[i]));
            for (int i = 9; i <= 11; i++) row.add(Double.parseDouble(r[i]));
            row.add(new BigDecimal(r[12]).stripTrailingZeros().toPlainString());
            row.add(Long.parseLong(r[13]));
            row.add(Long.parseLong(r[14]));
            row.add(r[15].equals("\\N") ? null : Double.parseDouble(r[15]));
            actual.put(r[0] + "|" + r[1] + "|" + r[2] + "|" + Long.parseLong(r[3]) * 1000, row);
        }
        return actual;
    }

    /**
     * Asserts the windows equal: counts and sums exactly, percentiles within the contract's 1 %,
     * the mean confidence up to floating-point summation order.
     */
    private static void assertWindowsEqual(Map<String, List<Object>> actual, Map<String, List<Object>> expected) {
        assertThat(actual.keySet()).as("windows").containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, List<Object>> e : expected.entrySet()) {
            List<Object> a = actual.get(e.getKey());
            List<Object> x = e.getValue();
            assertThat(a.subList(0, 5)).as("counts of %s", e.getKey()).isEqualTo(x.subList(0, 5));
            for (int i = 5; i <= 7; i++) {
                double want = (Double) x.get(i);
                assertThat((Double) a.get(i)).as("percentile %d of %s", i, e.getKey()).isCloseTo(want, within(want * 0.01));
            }
            assertThat(a.subList(8, 11)).as("sums of %s", e.getKey()).isEqualTo(x.subList(8, 11));
            if (x.get(11) == null) {
                assertThat(a.get(11)).isNull();
            } else {
                assertThat((Double) a.get(11)).isCloseTo((Double) x.get(11), within(1e-9));
            }
        }
    }

    /**
     * Asserts that {@code events FINAL} holds exactly one row per valid event_id of the log, with
     * its type, aggregate, sequence and event time, and a sample's payload unchanged.
     */
    private static void assertArchiveEquals(String db, String run, EventGenerator.Log log, String fin) throws Exception {
        Map<String, List<Object>> expected = new TreeMap<>();
        for (List<GeneratedEvent> stream : log.truth) {
            for (GeneratedEvent e : stream) {
                expected.put(e.json.get("event_id").asText(),
                        List.of(e.eventType, e.aggregateId, e.sequence, e.occurredAt.toEpochMilli()));
            }
        }
        assertThat(distinctValidEvents(log)).isEqualTo(expected.size());
        String where = " FROM " + db + ".events" + fin + " WHERE tenant_id LIKE '" + run + "-%'";
        assertThat(ClickHouseHttp.count("SELECT count()" + where)).as("rows of events%s", fin).isEqualTo(expected.size());
        Map<String, List<Object>> actual = new TreeMap<>();
        for (String[] r : ClickHouseHttp.rows("SELECT event_id, event_type, aggregate_id, sequence, occurred_at_ms" + where)) {
            actual.put(r[0], List.of(r[1], r[2], Long.parseLong(r[3]), Long.parseLong(r[4])));
        }
        assertThat(actual).as("events%s", fin).containsExactlyInAnyOrderEntriesOf(expected);
        GeneratedEvent sample = log.truth.get(0).get(0);
        List<String[]> row = ClickHouseHttp.rows("SELECT payload" + where
                + " AND event_id = '" + sample.json.get("event_id").asText() + "'");
        assertThat(row).hasSize(1);
        assertThat(row.get(0)[0].replace("\\\\", "\\")).isEqualTo(sample.payload().toString());
    }

    /** The number of distinct valid event_ids in the log: the rows of {@code events FINAL}. */
    private static long distinctValidEvents(EventGenerator.Log log) {
        return log.records.stream().filter(r -> !r.malformed)
                .map(r -> r.event.json.get("event_id").asText()).distinct().count();
    }

    /** The values of the log's malformed records, as UTF-8 text. */
    public static List<String> malformedValues(EventGenerator.Log log) {
        List<String> out = new ArrayList<>();
        log.records.stream().filter(r -> r.malformed).forEach(r -> out.add(new String(r.value, StandardCharsets.UTF_8)));
        return out;
    }

    /**
     * The dead-letter topic's values as UTF-8 text, after checking each record: reason and error
     * headers set, the source topic named, and the named partition and offset holding the same
     * bytes in the source topic; the key kept.
     */
    public static List<String> deadLetters(String sourceTopic, String dlqTopic) {
        Map<String, byte[]> source = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : LocalServices.readAll(sourceTopic)) {
            source.put(r.partition() + "/" + r.offset(), r.value());
        }
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : LocalServices.readAll(dlqTopic)) {
            out.add(new String(r.value(), StandardCharsets.UTF_8));
            assertThat(header(r, DeadLetterSerializer.REASON)).isNotBlank();
            assertThat(header(r, DeadLetterSerializer.ERROR)).isNotBlank();
            assertThat(header(r, DeadLetterSerializer.TOPIC)).isEqualTo(sourceTopic);
            String coords = header(r, DeadLetterSerializer.PARTITION) + "/" + header(r, DeadLetterSerializer.OFFSET);
            assertThat(source.get(coords)).as("source record at %s", coords).isEqualTo(r.value());
            assertThat(r.key()).isNotNull();
        }
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
