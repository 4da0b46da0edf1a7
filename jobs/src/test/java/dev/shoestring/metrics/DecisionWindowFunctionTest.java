package dev.shoestring.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionWindowFunctionTest {
    static Decision d(String id, String outcome, double latency, String cost, Double confidence) {
        Decision d = new Decision();
        d.eventId = id;
        d.tenantId = "t";
        d.agentId = "a";
        d.decisionType = "refund";
        d.outcome = outcome;
        d.latencyMs = latency;
        d.costUsd = new BigDecimal(cost);
        d.inputTokens = 10;
        d.outputTokens = 2;
        d.confidence = confidence;
        return d;
    }

    @Test
    void nearestRankPercentiles() {
        double[] v = new double[100];
        for (int i = 0; i < 100; i++) v[i] = i + 1; // 1..100
        assertThat(DecisionWindowFunction.nearestRank(v, 100, 50)).isEqualTo(50);
        assertThat(DecisionWindowFunction.nearestRank(v, 100, 95)).isEqualTo(95);
        assertThat(DecisionWindowFunction.nearestRank(v, 100, 99)).isEqualTo(99);
        // n = 20: ranks ceil(10)=10, ceil(19)=19, ceil(19.8)=20
        assertThat(DecisionWindowFunction.nearestRank(v, 20, 50)).isEqualTo(10);
        assertThat(DecisionWindowFunction.nearestRank(v, 20, 95)).isEqualTo(19);
        assertThat(DecisionWindowFunction.nearestRank(v, 20, 99)).isEqualTo(20);
        // one value: every percentile is that value
        assertThat(DecisionWindowFunction.nearestRank(new double[] {7}, 1, 50)).isEqualTo(7);
        assertThat(DecisionWindowFunction.nearestRank(new double[] {7}, 1, 99)).isEqualTo(7);
    }

    @Test
    void countsSumsExactlyAndAveragesOnlyPresentConfidence() {
        List<Decision> in = new ArrayList<>();
        in.add(d("1", "approved", 30, "0.1", 0.5));
        in.add(d("2", "rejected", 10, "0.2", null));
        in.add(d("3", "escalated", 20, "0.000000000001", 1.0));
        in.add(d("4", "error", 40, "0.3", null));
        AgentDecisionWindow w = DecisionWindowFunction.compute(in, 60_000);
        assertThat(w.decisions).isEqualTo(4);
        assertThat(new long[] {w.approved, w.rejected, w.escalated, w.errors}).containsExactly(1, 1, 1, 1);
        assertThat(w.costUsd).isEqualByComparingTo("0.600000000001"); // 0.1 + 0.2 in floating point would not be
        assertThat(w.inputTokens).isEqualTo(40);
        assertThat(w.outputTokens).isEqualTo(8);
        assertThat(w.avgConfidence).isEqualTo(0.75);
        assertThat(w.latencyMsP50).isEqualTo(20);
        assertThat(w.latencyMsP99).isEqualTo(40);
        assertThat(w.windowStartMillis).isEqualTo(60_000);
        assertThat(w.version).isEqualTo(4);

        AgentDecisionWindow none = DecisionWindowFunction.compute(List.of(d("5", "approved", 1, "0", null)), 0);
        assertThat(none.avgConfidence).isNull();
    }
}
