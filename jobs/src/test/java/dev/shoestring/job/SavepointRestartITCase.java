package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.OffsetProgress;
import dev.shoestring.testutils.ExpectedOutputs;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.tools.EventGenerator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stop-with-savepoint to Ceph (S3, through Flink's plugin) in the middle of a stream, restart from
 * it, finish: Postgres and ClickHouse end exactly as an uninterrupted run (the independent
 * expectation of the other pipeline tests).
 */
class SavepointRestartITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = LocalServices.miniCluster();

    @Test
    void stopWithSavepointOnCephThenResumeEqualsAnUninterruptedRun() throws Exception {
        String run = LocalServices.runId();
        String topic = run + "-events";
        EventGenerator.Log log = new EventGenerator(23, run + "-")
                .tenants(2).orders(250).agents(8).decisionsPerAgent(120).metrics(5).changesPerMetric(20)
                .duplicateRate(0.05).swapRate(0.08).malformedRate(0.01).unknownTypeRate(0.03)
                .generate();
        String savepoints = "s3://" + LocalServices.S3_BUCKET + "/it/" + run + "/savepoints";
        ShoestringConfig cfg = LocalServices.config(topic, Map.of(
                ShoestringConfig.SAVEPOINTS_DIR, savepoints,
                ShoestringConfig.CHECKPOINTS_DIR, "s3://" + LocalServices.S3_BUCKET + "/it/" + run + "/checkpoints"));
        Configuration flink = LocalServices.initS3(cfg);
        LocalServices.createTopic(topic, 4);
        Preflight.run(cfg);

        // 1. The first 60 % of the log, processed by a running job, stopped with a savepoint on Ceph.
        int cut = log.records.size() * 6 / 10;
        LocalServices.produce(topic, entries(log.records.subList(0, cut)));
        JobClient first = start(flink, cfg, null);
        try (OffsetProgress progress = OffsetProgress.start(cfg, topic, cfg.kafkaGroupId)) {
            await(progress, Duration.ofSeconds(90));
        }
        String savepoint = first.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
        first.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        assertThat(savepoint).startsWith(savepoints);

        // 2. The rest of the log arrives while the job is down.
        LocalServices.produce(topic, entries(log.records.subList(cut, log.records.size())));

        // 3. Resume from the savepoint; finish with a draining stop once everything is committed.
        JobClient second = start(flink, cfg, savepoint);
        try (OffsetProgress progress = OffsetProgress.start(cfg, topic, cfg.kafkaGroupId)) {
            await(progress, Duration.ofSeconds(120));
        }
        second.stopWithSavepoint(true, savepoints, SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
        second.getJobExecutionResult().get(1, TimeUnit.MINUTES);

        // 4. Exactly the uninterrupted result.
        ExpectedOutputs.State expected = ExpectedOutputs.State.from(log.truth);
        try (Connection c = LocalServices.postgres()) {
            assertThat(count(c, "orders", run)).isEqualTo(expected.orders.size());
            assertThat(count(c, "agents", run)).isEqualTo(expected.agents.size());
            assertThat(count(c, "metrics_current", run)).isEqualTo(expected.metrics.size());
        }
        ExpectedOutputs.assertPostgresEquals(run, expected);
        ExpectedOutputs.assertClickHouseEquals(run, log);
    }

    private static JobClient start(Configuration base, ShoestringConfig cfg, String savepoint) throws Exception {
        Configuration conf = new Configuration(base);
        conf.addAll(LocalServices.noRestarts());
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(1000);
        ShoestringJob.define(env, cfg, false);
        return env.executeAsync("savepoint IT" + (savepoint == null ? "" : " (resumed)"));
    }

    /** Until the group's committed offsets (committed on checkpoints) reach the end offsets. */
    private static void await(OffsetProgress progress, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!progress.done(progress.committed())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not consumed in time: " + progress.render(progress.committed()));
            }
            Thread.sleep(500);
        }
    }

    private static List<Map.Entry<String, byte[]>> entries(List<EventGenerator.Record> records) {
        List<Map.Entry<String, byte[]>> out = new ArrayList<>();
        records.forEach(r -> out.add(Map.entry(r.key, r.value)));
        return out;
    }

    private static long count(Connection c, String table, String run) throws Exception {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table + " WHERE tenant_id LIKE '" + run + "-%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
