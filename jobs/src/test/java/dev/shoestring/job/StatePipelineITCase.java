package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.DeadLetterSerializer;
import dev.shoestring.projection.AggregateProjector;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.tools.EventGenerator;
import dev.shoestring.tools.EventGenerator.GeneratedEvent;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The state job end to end on a MiniCluster at parallelism 2 against the real Kafka broker and
 * Postgres of {@code bin/shoestring up}: a generated log with duplicates, swapped events and
 * malformed records ends with Postgres equal, row by row, to a state computed independently
 * from the generator's truth, and every malformed record in the dead-letter topic exactly once.
 */
class StatePipelineITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = LocalServices.miniCluster();

    @Test
    void duplicatesDisorderAndBadRecordsEndInExactState() throws Exception {
        // 1. A log of several thousand events: ~5 % re-deliveries, swaps inside aggregates, ~1 % malformed.
        String run = LocalServices.runId();
        String topic = run + "-events";
        EventGenerator.Log log = new EventGenerator(7, run + "-")
                .tenants(3).orders(600).agents(20).decisionsPerAgent(100).metrics(20).changesPerMetric(30)
                .duplicateRate(0.05).swapRate(0.08).malformedRate(0.01).unknownTypeRate(0.03)
                .generate();
        assertThat(log.records.size()).isGreaterThan(4000);
        assertThat(log.malformedCount()).isGreaterThan(20);

        LocalServices.createTopic(topic, 4);
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        log.records.forEach(r -> records.add(Map.entry(r.key, r.value)));
        LocalServices.produce(topic, records);

        // 2. The job, bounded, exactly as `bin/shoestring run --bounded` builds it.
        ShoestringConfig cfg = LocalServices.config(topic, Map.of(ShoestringConfig.FLUSH_INTERVAL, "200 ms"));
        Preflight.run(cfg);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(LocalServices.noRestarts());
        env.setParallelism(2);
        env.enableCheckpointing(500);
        ShoestringJob.define(env, cfg, true);
        var result = env.execute("state pipeline IT");
        long truthEvents = log.truth.stream().mapToLong(List::size).sum();
        long validDeliveries = log.records.size() - log.malformedCount();
        assertThat(result.<Long>getAccumulatorResult(EventValidator.ACC_INVALID)).isEqualTo(log.malformedCount());
        assertThat(result.<Long>getAccumulatorResult(EventValidator.ACC_VALID)).isEqualTo(validDeliveries);
        assertThat(result.<Long>getAccumulatorResult(AggregateProjector.ACC_APPLIED)).isEqualTo(truthEvents);
        assertThat(result.<Long>getAccumulatorResult(AggregateProjector.ACC_DUPLICATES)).isEqualTo(validDeliveries - truthEvents);
        assertThat(result.<Long>getAccumulatorResult(AggregateProjector.ACC_GAPS_SKIPPED)).isZero();

        // 3. Postgres equals the independently computed state, row by row.
        assertPostgresEquals(run, Expected.from(log.truth));

        // 4. Every malformed record is in the DLQ exactly once, unchanged, with its coordinates.
        Map<String, byte[]> source = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : LocalServices.readAll(topic)) {
            source.put(r.partition() + "/" + r.offset(), r.value());
        }
        List<ConsumerRecord<byte[], byte[]>> dlq = LocalServices.readAll(cfg.kafkaDlqTopic);
        List<String> expectedBad = new ArrayList<>();
        log.records.stream().filter(r -> r.malformed).forEach(r -> expectedBad.add(new String(r.value, StandardCharsets.UTF_8)));
        List<String> actualBad = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            actualBad.add(new String(r.value(), StandardCharsets.UTF_8));
            assertThat(header(r, DeadLetterSerializer.REASON)).isNotBlank();
            assertThat(header(r, DeadLetterSerializer.ERROR)).isNotBlank();
            assertThat(header(r, DeadLetterSerializer.TOPIC)).isEqualTo(topic);
            String coords = header(r, DeadLetterSerializer.PARTITION) + "/" + header(r, DeadLetterSerializer.OFFSET);
            assertThat(source.get(coords)).as("source record at %s", coords).isEqualTo(r.value());
            assertThat(r.key()).isNotNull();
        }
        assertThat(actualBad).containsExactlyInAnyOrderElementsOf(expectedBad);
    }

    /** The three state tables, for this run's tenants, equal the expectation row by row. */
    static void assertPostgresEquals(String run, Expected expected) throws Exception {
        try (Connection c = LocalServices.postgres()) {
            assertThat(rows(c, "SELECT tenant_id, order_id, customer_id, status, amount, paid_amount, currency, items,"
                    + " created_at, updated_at, version FROM orders WHERE tenant_id LIKE '" + run + "-%'"))
                    .containsExactlyInAnyOrderEntriesOf(expected.orders);
            assertThat(rows(c, "SELECT tenant_id, agent_id, decisions, approved, rejected, escalated, errors, cost_usd,"
                    + " input_tokens, output_tokens, last_decision_at, last_outcome, version FROM agents"
                    + " WHERE tenant_id LIKE '" + run + "-%'"))
                    .containsExactlyInAnyOrderEntriesOf(expected.agents);
            assertThat(rows(c, "SELECT tenant_id, name, value, unit, updated_at, version FROM metrics_current"
                    + " WHERE tenant_id LIKE '" + run + "-%'"))
                    .containsExactlyInAnyOrderEntriesOf(expected.metrics);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
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
     * The expected tables, folded from the generator's truth with none of the pipeline's code:
     * per aggregate, the events in sequence order, unknown types skipped.
     */
    static final class Expected {
        final Map<String, List<Object>> orders = new TreeMap<>();
        final Map<String, List<Object>> agents = new TreeMap<>();
        final Map<String, List<Object>> metrics = new TreeMap<>();

        static Expected from(List<List<GeneratedEvent>> truth) {
            Expected x = new Expected();
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
                    x.orders.put(key, new ArrayList<>(java.util.Arrays.asList(
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
            return e.occurredAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString();
        }
    }
}
