package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.OffsetProgress;
import dev.shoestring.testutils.ExpectedOutputs;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.tools.EventGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database down for 30 s while the job runs: the sink retries with backoff (and, past its
 * attempts, the job restarts from its last checkpoint); when the database is back, the job catches
 * up and the outputs equal the failure-free result: nothing lost, nothing doubled.
 */
class OutageITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = LocalServices.miniCluster();

    private String stopped;

    private static void service(String action, String name) throws Exception {
        Process p = new ProcessBuilder(LocalServices.root().resolve("bin/shoestring").toString(), action, name)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("bin/shoestring %s %s: %s", action, name, out).isZero();
    }

    @AfterEach
    void restart() throws Exception {
        if (stopped != null) {
            service("up", stopped); // never leave a service down for the next test
        }
    }

    @Test
    void postgresDownForThirtySeconds() throws Exception {
        outage("postgres");
    }

    @Test
    void clickhouseDownForThirtySeconds() throws Exception {
        outage("clickhouse");
    }

    private void outage(String service) throws Exception {
        String run = LocalServices.runId();
        String topic = run + "-events";
        EventGenerator.Log log = new EventGenerator(53, run + "-")
                .tenants(2).orders(300).agents(6).decisionsPerAgent(100).metrics(5).changesPerMetric(20)
                .duplicateRate(0.05).swapRate(0.08).malformedRate(0.01).unknownTypeRate(0.03)
                .generate();
        LocalServices.createTopic(topic, 4);
        ShoestringConfig cfg = LocalServices.config(topic, Map.of());
        Preflight.run(cfg);

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(3));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(1000);
        ShoestringJob.define(env, cfg, false);
        JobClient job = env.executeAsync("outage IT: " + service);
        try {
            // 1. The service goes down, then the events arrive.
            service("down", service);
            stopped = service;
            List<Map.Entry<String, byte[]>> records = new ArrayList<>();
            log.records.forEach(r -> records.add(Map.entry(r.key, r.value)));
            LocalServices.produce(topic, records);
            Thread.sleep(30_000);
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState())
                    .as("the job survives the outage").isFalse();

            // 2. Back up: the job catches up.
            service("up", service);
            stopped = null;
            try (OffsetProgress progress = OffsetProgress.start(cfg, topic, cfg.kafkaGroupId)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
                while (!progress.done(progress.committed())) {
                    assertThat(System.nanoTime()).as("caught up in time: %s", progress.render(progress.committed()))
                            .isLessThan(deadline);
                    Thread.sleep(500);
                }
            }
            // Drain: fire the windows and flush every sink, then compare with the failure-free result.
            job.stopWithSavepoint(true, "file://" + System.getProperty("java.io.tmpdir") + "/outage-" + run,
                    SavepointFormatType.CANONICAL).get(3, TimeUnit.MINUTES);
            job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        } finally {
            if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
        ExpectedOutputs.assertPostgresEquals(run, ExpectedOutputs.State.from(log.truth));
        ExpectedOutputs.assertClickHouseEquals(run, log);
    }
}
