package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.Topics;
import dev.shoestring.testutils.ClickHouseHttp;
import dev.shoestring.testutils.LocalServices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Users upgrade from savepoints, so the code must keep reading the state that released code
 * wrote. {@code src/test/resources/savepoints/v1} is a savepoint taken by this code (made by
 * {@code bin/lib/make-savepoint-fixture.sh}); this test restores it without
 * {@code allowNonRestoredState} and shows that every kind of state carried over: the Kafka
 * positions, a projected order with an event held for a gap, an agent's counts, and an open window.
 *
 * <p>A change that breaks the savepoint fails here. To break it on purpose (a new major version):
 * say so in the release notes, add {@code savepoints/v2} with the script and keep v1's test as
 * long as v1 is supported.
 */
class SavepointCompatibilityITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = LocalServices.miniCluster();

    static final String TOPIC = "shoestring-fixture-v1-events";
    static final String TENANT = "fixture-v1";
    static final Path FIXTURE = LocalServices.root().resolve("jobs/src/test/resources/savepoints/v1");

    /** What the fixture's job had read when it was stopped: offsets 0-4 of partition 0. */
    static final List<String> BEFORE = List.of(
            event("o1", "order.created", 1, "10:00:01", "{\"customer_id\":\"c1\",\"amount\":\"10.00\",\"currency\":\"EUR\",\"items\":1}"),
            event("o1", "order.shipped", 3, "10:00:03", "{\"carrier\":\"dhl\"}"),
            decision(1, "10:00:05"),
            decision(2, "10:00:10"),
            decision(3, "10:00:15"));

    static String event(String id, String type, long seq, String time, String payload) {
        return "{\"event_id\":\"" + TENANT + "/" + id + "/" + seq + "\",\"event_type\":\"" + type + "\",\"tenant_id\":\""
                + TENANT + "\",\"aggregate_id\":\"" + id + "\",\"sequence\":" + seq
                + ",\"occurred_at\":\"2026-03-01T" + time + ".000Z\",\"payload\":" + payload + "}";
    }

    static String decision(long seq, String time) {
        return event("a1", "agent.decision", seq, time, "{\"decision_id\":\"d" + seq + "\",\"decision_type\":\"refund\","
                + "\"outcome\":\"approved\",\"latency_ms\":" + (10 * seq) + ",\"model\":\"m\",\"input_tokens\":1,"
                + "\"output_tokens\":1,\"cost_usd\":\"0.5\"}");
    }

    private static ShoestringConfig config() {
        return LocalServices.config(TOPIC, Map.of(ShoestringConfig.KAFKA_GROUP_ID, "fixture-v1-group"));
    }

    /** The topic as the fixture job saw it: recreated, with the same records at the same offsets. */
    private static void recreateTopic(List<String> values) throws Exception {
        try (Admin admin = LocalServices.admin()) {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC)) {
                admin.deleteTopics(List.of(TOPIC)).all().get(30, TimeUnit.SECONDS);
            }
            long deadline = System.currentTimeMillis() + 60_000;
            while (true) {
                try {
                    admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(TOPIC, 1, (short) 1)))
                            .all().get(30, TimeUnit.SECONDS);
                    break;
                } catch (Exception e) {
                    if (System.currentTimeMillis() > deadline) throw e; // still being deleted
                    Thread.sleep(500);
                }
            }
        }
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (String v : values) {
            String key = v.contains("\"aggregate_id\":\"o1\"") ? "o1" : "a1";
            records.add(Map.entry(key, v.getBytes(StandardCharsets.UTF_8)));
        }
        LocalServices.produce(TOPIC, records);
    }

    private static JobClient start(String savepoint) throws Exception {
        Configuration conf = new Configuration(LocalServices.noRestarts());
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(1000);
        ShoestringJob.define(env, config(), false);
        return env.executeAsync("savepoint fixture v1");
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (!condition.call()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(300);
        }
    }

    private static String pg(String sql) throws Exception {
        try (Connection c = LocalServices.postgres(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void clearOutputs() throws Exception {
        try (Connection c = LocalServices.postgres(); Statement st = c.createStatement()) {
            for (String t : List.of("orders", "agents", "metrics_current")) {
                st.execute("DELETE FROM " + t + " WHERE tenant_id = '" + TENANT + "'");
            }
        }
        String where = " WHERE tenant_id = '" + TENANT + "'";
        for (String t : List.of("events", "agent_decision_metrics_1m")) {
            ClickHouseHttp.execute("ALTER TABLE " + ClickHouseHttp.TEST_DATABASE + "." + t + " DELETE" + where);
            await("ClickHouse delete on " + t, () -> ClickHouseHttp.count(
                    "SELECT count() FROM " + ClickHouseHttp.TEST_DATABASE + "." + t + where) == 0);
        }
    }

    @Test
    void theReleasedSavepointStillRestores() throws Exception {
        if (Boolean.getBoolean("shoestring.fixture.regenerate")) {
            regenerate();
        }
        assertThat(FIXTURE.resolve("_metadata")).as("the committed savepoint fixture").exists();
        Preflight.run(withTopic());
        clearOutputs();
        List<String> all = new ArrayList<>(BEFORE);
        all.add(event("o1", "order.paid", 2, "10:00:02", "{\"amount\":\"10.00\"}")); // fills the held gap
        all.add(decision(4, "10:00:20"));                                          // joins the open window
        all.add(decision(5, "10:10:00"));                                          // closes it
        recreateTopic(all);

        JobClient job = start(FIXTURE.toUri().toString());
        try {
            // The order: created (from the savepoint), held "shipped" (from the savepoint), then paid.
            await("order o1 at version 3", () -> "3".equals(pg(
                    "SELECT version FROM orders WHERE tenant_id = '" + TENANT + "' AND order_id = 'o1'")));
            assertThat(pg("SELECT status || ' ' || amount || ' ' || paid_amount || ' ' || customer_id FROM orders"
                    + " WHERE tenant_id = '" + TENANT + "'")).isEqualTo("shipped 10.00 10.00 c1");
            // The agent: three decisions counted before the savepoint, two after.
            await("agent a1 at version 5", () -> "5".equals(pg(
                    "SELECT version FROM agents WHERE tenant_id = '" + TENANT + "'")));
            assertThat(pg("SELECT decisions FROM agents WHERE tenant_id = '" + TENANT + "'")).isEqualTo("5");
            // The window that was open at the savepoint: its three decisions plus the new one.
            String window = "SELECT decisions FROM " + ClickHouseHttp.TEST_DATABASE + ".agent_decision_metrics_1m FINAL"
                    + " WHERE tenant_id = '" + TENANT + "' AND window_start = toDateTime('2026-03-01 10:00:00', 'UTC')";
            await("the restored window", () -> !ClickHouseHttp.rows(window).isEmpty());
            assertThat(ClickHouseHttp.rows(window).get(0)[0]).isEqualTo("4");
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    private static ShoestringConfig withTopic() throws Exception {
        LocalServices.createTopic(TOPIC, 1);
        return config();
    }

    /** Writes a new fixture: the job reads BEFORE and is stopped with a savepoint. */
    private static void regenerate() throws Exception {
        Preflight.run(withTopic());
        clearOutputs();
        recreateTopic(BEFORE);
        JobClient job = start(null);
        await("the fixture input to be applied", () -> "3".equals(pg(
                "SELECT version FROM agents WHERE tenant_id = '" + TENANT + "'")));
        Path tmp = Files.createTempDirectory("fixture");
        String path = job.stopWithSavepoint(false, tmp.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
        job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        if (Files.exists(FIXTURE)) {
            try (Stream<Path> old = Files.walk(FIXTURE)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Path from = Path.of(java.net.URI.create(path));
        Files.createDirectories(FIXTURE);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = FIXTURE.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
        }
        System.out.println("wrote savepoint fixture " + FIXTURE + " from " + path);
    }
}
