package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.event.RawRecord;
import dev.shoestring.testutils.ClickHouseHttp;
import dev.shoestring.testutils.FailOnceAfterCheckpoint;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.tools.EventGenerator;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
        assertClickHouseEquals(run, log);
    }

    /**
     * `agent_decision_metrics_1m FINAL` equals the windows computed from the log, and `events FINAL`
     * holds one row per valid event_id of this run's tenants.
     */
    static void assertClickHouseEquals(String run, EventGenerator.Log log) throws Exception {
        assertWindowsEqual(run, log);
        assertArchiveEqual(run, log);
    }

    /** `agent_decision_metrics_1m FINAL` equals the windows computed from the log. */
    static void assertWindowsEqual(String run, EventGenerator.Log log) throws Exception {
        // 3. The windows equal an independent computation over the distinct decisions.
        String db = ClickHouseHttp.TEST_DATABASE;
        Map<String, List<Object>> expected = expectedWindows(log);
        Map<String, List<Object>> actual = new TreeMap<>();
        for (String[] r : ClickHouseHttp.rows("SELECT tenant_id, agent_id, decision_type, toUnixTimestamp(window_start),"
                + " decisions, approved, rejected, escalated, errors, latency_ms_p50, latency_ms_p95, latency_ms_p99,"
                + " cost_usd, input_tokens, output_tokens, avg_confidence FROM " + db + ".agent_decision_metrics_1m FINAL"
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
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
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

    /** `events FINAL` holds one row per valid event_id of this run's tenants, none for malformed records. */
    static void assertArchiveEqual(String run, EventGenerator.Log log) throws Exception {
        String db = ClickHouseHttp.TEST_DATABASE;
        long distinctValid = log.records.stream().filter(r -> !r.malformed)
                .map(r -> r.event.json.get("event_id").asText()).distinct().count();
        String where = " FROM " + db + ".events FINAL WHERE tenant_id LIKE '" + run + "-%'";
        assertThat(ClickHouseHttp.count("SELECT count()" + where)).isEqualTo(distinctValid);
        assertThat(ClickHouseHttp.count("SELECT uniqExact(event_id)" + where)).isEqualTo(distinctValid);
        EventGenerator.GeneratedEvent sample = log.truth.get(0).get(0);
        List<String[]> row = ClickHouseHttp.rows("SELECT event_type, aggregate_id, sequence, occurred_at_ms, payload"
                + where + " AND event_id = '" + sample.json.get("event_id").asText() + "'");
        assertThat(row).hasSize(1);
        assertThat(row.get(0)[0]).isEqualTo(sample.eventType);
        assertThat(row.get(0)[1]).isEqualTo(sample.aggregateId);
        assertThat(Long.parseLong(row.get(0)[2])).isEqualTo(sample.sequence);
        assertThat(Long.parseLong(row.get(0)[3])).isEqualTo(sample.occurredAt.toEpochMilli());
        assertThat(row.get(0)[4].replace("\\\\", "\\")).isEqualTo(sample.payload().toString());
    }

    /**
     * Windows folded from the generator's log with none of the pipeline's code: every distinct
     * decision (the log's disorder stays far inside the allowed lateness, so none is late).
     */
    static Map<String, List<Object>> expectedWindows(EventGenerator.Log log) {
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
}
