package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.projection.AggregateProjector;
import dev.shoestring.testutils.ExpectedOutputs;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.tools.EventGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
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
        ExpectedOutputs.assertPostgresEquals(run, ExpectedOutputs.State.from(log.truth));

        // 4. Every malformed record is in the DLQ exactly once, unchanged, with its coordinates.
        assertThat(ExpectedOutputs.deadLetters(topic, cfg.kafkaDlqTopic))
                .containsExactlyInAnyOrderElementsOf(ExpectedOutputs.malformedValues(log));
    }
}
