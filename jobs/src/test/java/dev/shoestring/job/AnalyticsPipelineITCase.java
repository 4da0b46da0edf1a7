package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.event.RawRecord;
import dev.shoestring.testutils.ExpectedOutputs;
import dev.shoestring.testutils.FailOnceAfterCheckpoint;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.tools.EventGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The analytical side end to end on a MiniCluster at parallelism 2 against the real Kafka,
 * ClickHouse and Postgres: `agent_decision_metrics_1m FINAL` equals windows computed
 * independently from the generated log, and `events FINAL` holds one row per valid event_id;
 * then the same with a task failure injected after the first checkpoint.
 */
class AnalyticsPipelineITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = LocalServices.miniCluster();

    @Test
    void windowsAndArchiveAreExact() throws Exception {
        runAndVerify(false);
    }

    @Test
    void exactAfterAFailureMidStream() throws Exception {
        runAndVerify(true);
    }

    private void runAndVerify(boolean injectFailure) throws Exception {
        // 1. Duplicates, in-aggregate disorder, unknown types and malformed records.
        String run = LocalServices.runId();
        String topic = run + "-events";
        EventGenerator.Log log = new EventGenerator(11, run + "-")
                .tenants(2).orders(200).agents(10).decisionsPerAgent(150).metrics(5).changesPerMetric(20)
                .duplicateRate(0.05).swapRate(0.1).malformedRate(0.01).unknownTypeRate(0.03)
                .generate();
        LocalServices.createTopic(topic, 4);
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        log.records.forEach(r -> records.add(Map.entry(r.key, r.value)));
        LocalServices.produce(topic, records);

        // 2. The job, bounded; optionally with a failure after the first completed checkpoint.
        ShoestringConfig cfg = LocalServices.config(topic, Map.of());
        Preflight.run(cfg);
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, java.time.Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        DataStream<RawRecord> raw = ShoestringJob.source(env, cfg, true);
        if (injectFailure) {
            FailOnceAfterCheckpoint.FAILED.set(false);
            raw = raw.map(new FailOnceAfterCheckpoint<RawRecord>()).returns(TypeInformation.of(RawRecord.class));
        }
        ShoestringJob.attachSinks(ShoestringTopology.build(raw, cfg.metricsAllowedLateness), cfg);
        env.execute("analytics IT");
        if (injectFailure) {
            assertThat(FailOnceAfterCheckpoint.FAILED.get()).as("the failure was injected").isTrue();
        }

        // 3. The windows and the archive equal an independent computation.
        ExpectedOutputs.assertClickHouseEquals(run, log);
    }
}
