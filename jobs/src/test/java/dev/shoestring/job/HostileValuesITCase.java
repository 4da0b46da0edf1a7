package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.DeadLetterSerializer;
import dev.shoestring.testutils.ClickHouseHttp;
import dev.shoestring.testutils.HostileStrings;
import dev.shoestring.testutils.LocalServices;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile values through the whole pipeline, run as the least-privilege users (Postgres
 * shoestring_job with the owner as postgres.ddl-user, ClickHouse shoestring_job with its
 * generated password): SQL fragments, quotes, backslashes, control characters and every width of
 * UTF-8 as ids, keys and payload strings come out of Postgres and ClickHouse byte for byte, every
 * table intact. Text no store can hold unchanged (NUL in a Postgres column, unpaired UTF-16
 * surrogates, which have no UTF-8 form) is a dead letter naming the field, instead of a sink that
 * fails forever or a key silently rewritten to '?'.
 */
class HostileValuesITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = LocalServices.miniCluster();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AT = "2026-03-01T12:00:30.000Z";

    private static ObjectNode event(String id, String type, String tenant, String aggregate, ObjectNode payload) {
        ObjectNode e = JSON.createObjectNode();
        e.put("event_id", id).put("event_type", type).put("tenant_id", tenant).put("aggregate_id", aggregate)
                .put("sequence", 1).put("occurred_at", AT);
        e.set("payload", payload);
        return e;
    }

    private static ObjectNode order(String customer, String note) {
        ObjectNode p = JSON.createObjectNode();
        return p.put("customer_id", customer).put("amount", "19.90").put("currency", "EUR").put("items", 2).put("note", note);
    }

    private static ObjectNode metric(String unit) {
        return JSON.createObjectNode().put("value", 1.5).put("unit", unit);
    }

    private static ObjectNode decision(String decisionType, String model) {
        return JSON.createObjectNode().put("decision_id", "d").put("decision_type", decisionType).put("outcome", "approved")
                .put("latency_ms", 12).put("model", model).put("input_tokens", 10).put("output_tokens", 5)
                .put("cost_usd", "0.01");
    }

    private static String hex(String s) {
        return HexFormat.of().withUpperCase().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A ClickHouse string literal (18.16 has no query parameters). */
    private static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Test
    void hostileValuesComeOutByteForByteAndUnstorableOnesAreDeadLetters() throws Exception {
        String run = LocalServices.runId();
        String topic = run + "-events";
        String tenant = run + "-hostile";
        List<String> hostile = HostileStrings.VALUES;

        // 1. Every hostile string as an order id and customer, a metric name and unit, an agent id,
        //    decision type and model, in an unknown type's payload, and inside a tenant id.
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        Map<String, String> unknownPayloads = new HashMap<>();
        for (int i = 0; i < hostile.size(); i++) {
            String h = hostile.get(i);
            List<ObjectNode> events = List.of(
                    event(run + "-o" + i, "order.created", tenant, h, order(h, h)),
                    event(run + "-m" + i, "metric.changed", tenant, h, metric(h)),
                    event(run + "-a" + i, "agent.decision", tenant, h, decision(h, h)),
                    event(run + "-u" + i, "custom.thing", tenant, "u" + i, JSON.createObjectNode().put("note", h)),
                    // (the longest id, 1 KiB, is a tenant here too: the tenant and the run prefix are added below)
                    event(run + "-t" + i, "order.created", tenantWith(tenant, h), "o", order("c", "n")));
            unknownPayloads.put(run + "-u" + i, events.get(3).get("payload").toString());
            for (ObjectNode e : events) {
                records.add(Map.entry(e.get("aggregate_id").asText(), JSON.writeValueAsBytes(e)));
            }
        }
        // Text the stores cannot hold unchanged: each must become a dead letter naming its field.
        Map<String, String> unstorable = Map.of(
                "tenant_id", JSON.writeValueAsString(event(run + "-x1", "order.created", tenant + "\u0000", "o", order("c", "n"))),
                "aggregate_id", JSON.writeValueAsString(event(run + "-x2", "metric.changed", tenant, "m\u0000", metric("ms"))),
                "payload.customer_id", JSON.writeValueAsString(event(run + "-x3", "order.created", tenant, "o-x3", order("c\u0000", "n"))),
                "payload.unit", JSON.writeValueAsString(event(run + "-x4", "metric.changed", tenant, "m-x4", metric("\u0000"))),
                "event_id", JSON.writeValueAsString(event(run + "-x5\u0000", "custom.thing", tenant, "u", JSON.createObjectNode())));
        // A key longer than a Postgres index entry may be: the state sink would fail on it forever.
        String tooLong = JSON.writeValueAsString(event(run + "-x6", "metric.changed", tenant,
                HostileStrings.VALUES.get(HostileStrings.VALUES.size() - 1) + "x", metric("ms")));
        Map<String, String> unpaired = Map.of(
                "aggregate_id", "{\"event_id\":\"" + run + "-s1\",\"event_type\":\"metric.changed\",\"tenant_id\":\"" + tenant
                        + "\",\"aggregate_id\":\"m\\ud800\",\"sequence\":1,\"occurred_at\":\"" + AT
                        + "\",\"payload\":{\"value\":1,\"unit\":\"ms\"}}",
                "payload", "{\"event_id\":\"" + run + "-s2\",\"event_type\":\"custom.thing\",\"tenant_id\":\"" + tenant
                        + "\",\"aggregate_id\":\"u\",\"sequence\":1,\"occurred_at\":\"" + AT
                        + "\",\"payload\":{\"note\":\"low \\udc00 then high \\ud83d\"}}");
        Set<String> invalidValues = new HashSet<>();
        for (String json : unstorable.values()) {
            records.add(Map.entry("x", json.getBytes(StandardCharsets.UTF_8)));
            invalidValues.add(json);
        }
        records.add(Map.entry("x", tooLong.getBytes(StandardCharsets.UTF_8)));
        invalidValues.add(tooLong);
        for (String json : unpaired.values()) {
            records.add(Map.entry("x", json.getBytes(StandardCharsets.UTF_8)));
            invalidValues.add(json);
        }
        LocalServices.createTopic(topic, 2);
        LocalServices.produce(topic, records);

        // 2. The job, bounded, as the least-privilege users; the DDL as the owner and the admin.
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("SHOESTRING_CLICKHOUSE_PASSWORD", System.getenv("SHOESTRING_CH_JOB_PASSWORD"));
        Map<String, String> settings = LocalServices.settings(topic, Map.of(
                ShoestringConfig.PG_USER, LocalServices.PG_JOB_USER,
                ShoestringConfig.PG_DDL_USER, LocalServices.PG_USER,
                ShoestringConfig.CH_USER, LocalServices.CH_JOB_USER,
                ShoestringConfig.CH_DDL_USER, LocalServices.CH_USER,
                ShoestringConfig.FLUSH_INTERVAL, "200 ms"));
        ShoestringConfig cfg = ShoestringConfig.load(null, env, settings);
        LocalServices.applyPostgresRoles();
        Preflight.run(cfg);
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment(LocalServices.noRestarts());
        flink.setParallelism(2);
        flink.enableCheckpointing(500);
        ShoestringJob.define(flink, cfg, true);
        JobExecutionResult result = flink.execute("hostile values IT");
        assertThat(result.<Long>getAccumulatorResult(EventValidator.ACC_INVALID)).isEqualTo((long) invalidValues.size());
        assertThat(result.<Long>getAccumulatorResult(EventValidator.ACC_VALID)).isEqualTo(5L * hostile.size());

        // 3. Postgres: every hostile string back, byte for byte (compared as UTF-8 hex).
        try (Connection c = LocalServices.postgres()) {
            for (String h : hostile) {
                assertThat(pgHex(c, "SELECT customer_id FROM orders WHERE tenant_id = ? AND order_id = ?", tenant, h))
                        .as("orders " + HostileStrings.label(h)).isEqualTo(hex(h));
                assertThat(pgHex(c, "SELECT unit FROM metrics_current WHERE tenant_id = ? AND name = ?", tenant, h))
                        .as("metrics_current " + HostileStrings.label(h)).isEqualTo(hex(h));
                assertThat(pgHex(c, "SELECT agent_id FROM agents WHERE tenant_id = ? AND agent_id = ?", tenant, h))
                        .as("agents " + HostileStrings.label(h)).isEqualTo(hex(h));
                assertThat(pgHex(c, "SELECT tenant_id FROM orders WHERE tenant_id = ? AND order_id = ?", tenantWith(tenant, h), "o"))
                        .as("tenant " + HostileStrings.label(h)).isEqualTo(hex(tenantWith(tenant, h)));
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM orders WHERE tenant_id LIKE ? || '%'")) {
                ps.setString(1, run);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("one order per hostile string and per hostile tenant").isEqualTo(2L * hostile.size());
                }
            }
            for (String table : List.of("orders", "agents", "metrics_current")) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
                    rs.next();
                    assertThat(rs.getBoolean(1)).as(table + " still there").isTrue();
                }
            }
        }

        // 4. ClickHouse: the archive and the windows, compared as hex of the stored bytes.
        String db = ClickHouseHttp.TEST_DATABASE;
        Set<String> archivedIds = new HashSet<>();
        for (String[] row : ClickHouseHttp.rows("SELECT event_type, hex(aggregate_id), event_id, hex(payload) FROM " + db
                + ".events FINAL WHERE tenant_id = " + literal(tenant))) {
            archivedIds.add(row[0] + " " + row[1]);
            if (row[0].equals("custom.thing")) {
                assertThat(row[3]).as("payload of " + row[2]).isEqualTo(hex(unknownPayloads.get(row[2])));
            }
        }
        Set<String> windowKeys = new HashSet<>();
        for (String[] row : ClickHouseHttp.rows("SELECT hex(agent_id), hex(decision_type), decisions FROM " + db
                + ".agent_decision_metrics_1m FINAL WHERE tenant_id = " + literal(tenant))) {
            windowKeys.add(row[0] + " " + row[1] + " " + row[2]);
        }
        for (String h : hostile) {
            for (String type : List.of("order.created", "metric.changed", "agent.decision")) {
                assertThat(archivedIds).as(type + " " + HostileStrings.label(h)).contains(type + " " + hex(h));
            }
            assertThat(windowKeys).as("window " + HostileStrings.label(h)).contains(hex(h) + " " + hex(h) + " 1");
        }
        assertThat(ClickHouseHttp.count("SELECT count() FROM " + db + ".events FINAL WHERE tenant_id LIKE "
                + literal(run + "%"))).isEqualTo(5L * hostile.size());
        assertThat(ClickHouseHttp.count("SELECT count() FROM system.tables WHERE database = " + literal(db)
                + " AND name IN ('events', 'agent_decision_metrics_1m')")).isEqualTo(2);

        // 5. The unstorable records: dead letters, unchanged, each naming its field.
        Map<String, String> errors = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : LocalServices.readAll(cfg.kafkaDlqTopic)) {
            errors.put(new String(r.value(), StandardCharsets.UTF_8),
                    new String(r.headers().lastHeader(DeadLetterSerializer.ERROR).value(), StandardCharsets.UTF_8));
        }
        assertThat(errors.keySet()).isEqualTo(invalidValues);
        unstorable.forEach((field, json) -> assertThat(errors.get(json)).as(field).startsWith(field).contains("NUL"));
        unpaired.forEach((field, json) -> assertThat(errors.get(json)).as(field).startsWith(field).contains("surrogate"));
        assertThat(errors.get(tooLong)).startsWith("aggregate_id is 1025 bytes of UTF-8, at most 1024");
    }

    /** The run's tenant followed by {@code h}, cut to the 1 KiB a tenant id may have. */
    private static String tenantWith(String tenant, String h) {
        String t = tenant + h;
        while (t.getBytes(StandardCharsets.UTF_8).length > 1024) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    private static String pgHex(Connection c, String select, String tenant, String key) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT encode(convert_to(v, 'UTF8'), 'hex') FROM (" + select + ") q(v)")) {
            ps.setString(1, tenant);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1).toUpperCase() : null;
            }
        }
    }
}
