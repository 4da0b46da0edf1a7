package dev.shoestring.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.event.Event;
import dev.shoestring.event.EventParser;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchGeneratorTest {
    /**
     * Every record must be valid: one malformed record stops the ClickHouse Kafka engine baseline
     * for good. Each aggregate's sequence must be gap-free and in order, so the projection applies
     * every event instead of holding some back.
     */
    @Test
    void everyEventIsValidAndEachAggregateIsInSequence() throws Exception {
        BenchGenerator g = new BenchGenerator("t1", 10_000);
        Map<String, Long> lastSeq = new HashMap<>();
        Map<String, Integer> byKind = new HashMap<>();
        Map<String, Integer> byAgent = new HashMap<>();
        int n = 50_000;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.setLength(0);
            String key = g.next(sb, i);
            Event e = EventParser.parse(sb.toString().getBytes(StandardCharsets.UTF_8));
            assertThat(e.aggregateId).isEqualTo(key);
            String agg = e.tenantId + "/" + e.aggregateId;
            assertThat(e.sequence).as(agg).isEqualTo(lastSeq.getOrDefault(agg, 0L) + 1);
            lastSeq.put(agg, e.sequence);
            byKind.merge(e.eventType.substring(0, e.eventType.indexOf('.')), 1, Integer::sum);
            if (e.eventType.equals("agent.decision")) {
                byAgent.merge(e.aggregateId, 1, Integer::sum);
            }
        }
        // The mix: agent decisions dominant, then orders, then metrics (70/20/10 +- 2 points).
        assertThat(byKind.get("agent") / (double) n).isBetween(0.68, 0.72);
        assertThat(byKind.get("order") / (double) n).isBetween(0.18, 0.22);
        assertThat(byKind.get("metric") / (double) n).isBetween(0.08, 0.12);
        // Zipf(1.0) over 7000 agents: the hottest takes about 1/H(7000) ~ 11 % of the decisions,
        // where a uniform key would take 0.014 %.
        int hottest = byAgent.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertThat(hottest / (double) byKind.get("agent")).isBetween(0.08, 0.14);
    }

    /**
     * A cover pass gives every aggregate exactly one event, its first (sequence 1), the kinds
     * interleaved 70/20/10 from the start; the Zipf traffic after it continues each sequence.
     */
    @Test
    void coverTouchesEveryAggregateOnceThenTrafficContinuesTheSequences() throws Exception {
        BenchGenerator g = new BenchGenerator("t2", 1_000);
        Map<String, Long> lastSeq = new HashMap<>();
        StringBuilder sb = new StringBuilder();
        long total = g.aggregates();
        assertThat(total).isEqualTo(700 + 256 + 100); // orders are at least the 256 in flight
        Map<String, Integer> kindsInFirstTenth = new HashMap<>();
        for (long i = 0; i < total; i++) {
            sb.setLength(0);
            String key = g.cover(sb, "2026-01-01T00:00:00.000Z");
            Event e = EventParser.parse(sb.toString().getBytes(StandardCharsets.UTF_8));
            assertThat(e.aggregateId).isEqualTo(key);
            assertThat(e.sequence).isEqualTo(1);
            assertThat(lastSeq.put(e.tenantId + "/" + e.aggregateId, e.sequence)).as("covered twice: " + key).isNull();
            if (i < total / 10) {
                kindsInFirstTenth.merge(e.eventType.substring(0, e.eventType.indexOf('.')), 1, Integer::sum);
            }
        }
        assertThat(lastSeq).hasSize((int) total);
        assertThat(kindsInFirstTenth).containsOnlyKeys("agent", "order", "metric");
        for (int i = 0; i < 20_000; i++) {
            sb.setLength(0);
            String key = g.next(sb, i);
            Event e = EventParser.parse(sb.toString().getBytes(StandardCharsets.UTF_8));
            String agg = e.tenantId + "/" + key;
            assertThat(lastSeq).containsKey(agg);
            assertThat(e.sequence).as(agg).isEqualTo(lastSeq.get(agg) + 1);
            lastSeq.put(agg, e.sequence);
        }
    }

    @Test
    void zipfRanksStayInRange() {
        Zipf z = new Zipf(3, 1.0);
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        int[] counts = new int[3];
        for (int i = 0; i < 60_000; i++) {
            counts[z.sample(r)]++;
        }
        // 1 : 1/2 : 1/3 normalised by 11/6.
        assertThat(counts[0] / 60_000.0).isBetween(0.53, 0.56);
        assertThat(counts[2] / 60_000.0).isBetween(0.17, 0.19);
    }
}
