package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Operator uids name state in users' savepoints. The job graph is built with generated uids
 * disabled (as in production), so a missing uid fails here; and the released uids are pinned, so
 * renaming one fails here too. Changing this list on purpose means breaking savepoints: say so in
 * the release notes and keep the savepoint fixture test (SavepointCompatibilityITCase) honest.
 */
class OperatorUidTest {
    static final Set<String> RELEASED = Set.of(
            "kafka-events-source",
            "validate-events",
            "filter-projected-aggregates",
            "project-aggregate-state",
            "postgres-state-sink",
            "kafka-dead-letter-sink",
            "clickhouse-events-sink",
            "filter-agent-decisions",
            "to-decision",
            "agent-decision-windows-1m",
            "late-decisions-counter",
            "late-decisions-discard",
            "clickhouse-agent-metrics-sink");

    @Test
    void everyOperatorHasItsReleasedUid() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        ShoestringJob.define(env, ShoestringConfig.defaults(), false);
        StreamGraph graph = env.getStreamGraph();
        graph.getJobGraph(); // fails if any operator lacks a uid

        Set<String> uids = new TreeSet<>();
        for (StreamNode node : graph.getStreamNodes()) {
            String uid = node.getTransformationUID();
            assertThat(uid).as("uid of %s", node.getOperatorName()).isNotNull();
            // Sinks expand into writer/committer nodes whose uids derive from the sink's.
            uids.add(uid.replaceAll("^Sink (Writer|Committer): ", ""));
        }
        assertThat(uids).containsExactlyInAnyOrderElementsOf(RELEASED);
    }
}
