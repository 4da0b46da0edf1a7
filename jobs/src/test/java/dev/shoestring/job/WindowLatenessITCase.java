package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.metrics.LateDecisionCounter;
import dev.shoestring.testutils.ClickHouseHttp;
import dev.shoestring.testutils.LocalServices;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Allowed lateness on the running (unbounded) job with production watermarks, made deterministic
 * by phases: the test waits until the watermark has provably passed a point (a window fired in
 * ClickHouse) before it produces the late events.
 *
 * <p>Event times (T = 10:00): phase 1 puts decisions every 10 s from T to T+10 min in both
 * partitions, so the watermark settles at T+9:55 (max out-of-orderness 5 s). Window [T+8, T+9)
 * has fired and is still within its 60 s lateness; window [T+7, T+8) is beyond it.
 */
class WindowLatenessITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = LocalServices.miniCluster();

    private static final Instant T = Instant.parse("2026-02-01T10:00:00Z");
    /** Instant.toString() drops a zero fraction, which the contract (rightly) rejects. */
    private static final java.time.format.DateTimeFormatter MILLIS =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(java.time.ZoneOffset.UTC);

    private String run;
    private String topic;

    private String decision(String agent, long seq, Instant at, String id) {
        return "{\"event_id\":\"" + id + "\",\"event_type\":\"agent.decision\",\"tenant_id\":\"" + run + "-t\","
                + "\"aggregate_id\":\"" + agent + "\",\"sequence\":" + seq + ",\"occurred_at\":\"" + MILLIS.format(at) + "\","
                + "\"payload\":{\"decision_id\":\"" + id + "\",\"decision_type\":\"refund\",\"outcome\":\"approved\","
                + "\"latency_ms\":" + (seq * 10) + ",\"model\":\"m\",\"input_tokens\":1,\"output_tokens\":1,\"cost_usd\":\"0.01\"}}";
    }

    private void send(KafkaProducer<String, byte[]> p, int partition, String agent, String json) {
        p.send(new ProducerRecord<>(topic, partition, agent, json.getBytes(StandardCharsets.UTF_8)));
    }

    private long windowDecisions(String agent, Instant windowStart) throws Exception {
        List<String[]> rows = ClickHouseHttp.rows("SELECT decisions, version FROM " + ClickHouseHttp.TEST_DATABASE
                + ".agent_decision_metrics_1m FINAL WHERE tenant_id = '" + run + "-t' AND agent_id = '" + agent
                + "' AND window_start = toDateTime(" + windowStart.getEpochSecond() + ", 'UTC')");
        return rows.isEmpty() ? -1 : Long.parseLong(rows.get(0)[0]);
    }

    private void awaitWindow(String agent, Instant windowStart, long decisions) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (windowDecisions(agent, windowStart) != decisions) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("window " + agent + "@" + windowStart + " never reached " + decisions
                        + " decisions (now " + windowDecisions(agent, windowStart) + ")");
            }
            Thread.sleep(250);
        }
    }

    @Test
    void lateWithinLatenessUpdatesTheWindowBeyondItIsOnlyCounted() throws Exception {
        run = LocalServices.runId();
        topic = run + "-events";
        LocalServices.createTopic(topic, 2);
        ShoestringConfig cfg = LocalServices.config(topic, Map.of());
        Preflight.run(cfg);

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalServices.KAFKA);
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            // Phase 1: one agent per partition, a decision every 10 s for 10 minutes (6 per window).
            for (int i = 0; i <= 60; i++) {
                send(producer, 0, "a0", decision("a0", i + 1, T.plusSeconds(10L * i), run + "-a0-" + i));
                send(producer, 1, "a1", decision("a1", i + 1, T.plusSeconds(10L * i), run + "-a1-" + i));
            }
            producer.flush();

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(LocalServices.noRestarts());
            env.setParallelism(2);
            env.enableCheckpointing(1000);
            ShoestringJob.define(env, cfg, false);
            JobClient job = env.executeAsync("lateness IT");
            try {
                Instant w7 = T.plusSeconds(7 * 60);
                Instant w8 = T.plusSeconds(8 * 60);
                // Window [T+8, T+9) fired: the watermark is past T+9 (and stays below T+9:59).
                awaitWindow("a0", w8, 6);
                awaitWindow("a1", w8, 6);

                // Phase 2: a new decision inside [T+8, T+9) (within lateness), a re-delivery of one
                // already counted there, and a new decision inside [T+7, T+8) (beyond lateness).
                send(producer, 0, "a0", decision("a0", 62, T.plusSeconds(8 * 60 + 25), run + "-a0-late-within"));
                send(producer, 0, "a0", decision("a0", 49, T.plusSeconds(8 * 60), run + "-a0-48"));
                send(producer, 0, "a0", decision("a0", 63, T.plusSeconds(7 * 60 + 30), run + "-a0-late-beyond"));
                producer.flush();

                awaitWindow("a0", w8, 7);
                // Phase 3: close every window, so everything has fired when we look.
                send(producer, 0, "a0", decision("a0", 64, T.plusSeconds(30 * 60), run + "-a0-close"));
                send(producer, 1, "a1", decision("a1", 62, T.plusSeconds(30 * 60), run + "-a1-close"));
                producer.flush();
                awaitWindow("a0", T.plusSeconds(10 * 60), 1);

                assertThat(windowDecisions("a0", w8)).isEqualTo(7);
                assertThat(windowDecisions("a0", w7)).isEqualTo(6);
                assertThat(windowDecisions("a1", w8)).isEqualTo(6);
                // Accumulators of a running job reach the JobManager with the TaskManager heartbeat.
                long late = 0;
                for (long deadline = System.currentTimeMillis() + 60_000; late == 0 && System.currentTimeMillis() < deadline; ) {
                    late = ((Number) job.getAccumulators().get().getOrDefault(LateDecisionCounter.ACC_LATE, 0L)).longValue();
                    Thread.sleep(500);
                }
                assertThat(late).as("decisions counted as late").isEqualTo(1);
                // The late decision is still archived.
                assertThat(ClickHouseHttp.count("SELECT count() FROM " + ClickHouseHttp.TEST_DATABASE
                        + ".events FINAL WHERE event_id = '" + run + "-a0-late-beyond'")).isEqualTo(1);
            } finally {
                job.cancel().get();
            }
        }
    }
}
