package dev.shoestring.metrics;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Computes one window's row from all its decisions, each counted once by {@code event_id}
 * (a re-delivered event has the same id and the same event time, so it falls in the same window).
 *
 * <p>Percentiles are exact nearest-rank over the distinct decisions (the window keeps them all
 * in its list state anyway, to de-duplicate; a sort of a minute's decisions costs less than the
 * error bound of a sketch). Money is summed exactly as {@link BigDecimal}.
 *
 * <p>Each firing (the on-time one, then one per late event within the allowed lateness) emits
 * the window with {@code version} = number of distinct decisions. That number only grows, so the
 * most complete emission has the highest version, also when a restart re-emits a window; a
 * firing that adds nothing (a late duplicate) emits nothing.
 */
public class DecisionWindowFunction extends ProcessWindowFunction<Decision, AgentDecisionWindow, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private static final ValueStateDescriptor<Long> EMITTED =
            new ValueStateDescriptor<>("emitted-version", Types.LONG);

    @Override
    public void process(String key, Context ctx, Iterable<Decision> elements, Collector<AgentDecisionWindow> out)
            throws Exception {
        Map<String, Decision> distinct = new HashMap<>();
        for (Decision d : elements) {
            distinct.putIfAbsent(d.eventId, d);
        }
        if (distinct.isEmpty()) {
            return;
        }
        ValueState<Long> emitted = ctx.windowState().getState(EMITTED);
        Long last = emitted.value();
        if (last != null && last >= distinct.size()) {
            return;
        }
        AgentDecisionWindow w = compute(distinct.values(), ctx.window().getStart());
        emitted.update(w.version);
        out.collect(w);
    }

    @Override
    public void clear(Context ctx) {
        ctx.windowState().getState(EMITTED).clear();
    }

    /** The row for these (already distinct) decisions. */
    static AgentDecisionWindow compute(Iterable<Decision> decisions, long windowStart) {
        AgentDecisionWindow w = new AgentDecisionWindow();
        w.windowStartMillis = windowStart;
        w.costUsd = BigDecimal.ZERO;
        double[] latencies = new double[16];
        int n = 0;
        double confidenceSum = 0;
        int confidenceCount = 0;
        for (Decision d : decisions) {
            if (n == 0) {
                w.tenantId = d.tenantId;
                w.agentId = d.agentId;
                w.decisionType = d.decisionType;
            }
            switch (d.outcome) {
                case "approved": w.approved++; break;
                case "rejected": w.rejected++; break;
                case "escalated": w.escalated++; break;
                default: w.errors++; break;
            }
            w.costUsd = w.costUsd.add(d.costUsd);
            w.inputTokens += d.inputTokens;
            w.outputTokens += d.outputTokens;
            if (d.confidence != null) {
                confidenceSum += d.confidence;
                confidenceCount++;
            }
            if (n == latencies.length) {
                latencies = Arrays.copyOf(latencies, n * 2);
            }
            latencies[n++] = d.latencyMs;
        }
        Arrays.sort(latencies, 0, n);
        w.decisions = n;
        w.latencyMsP50 = nearestRank(latencies, n, 50);
        w.latencyMsP95 = nearestRank(latencies, n, 95);
        w.latencyMsP99 = nearestRank(latencies, n, 99);
        w.avgConfidence = confidenceCount == 0 ? null : confidenceSum / confidenceCount;
        w.version = n;
        return w;
    }

    /** Nearest-rank percentile: the value at 1-based rank ceil(p/100 * n) of the sorted values. */
    static double nearestRank(double[] sorted, int n, int p) {
        int rank = (p * n + 99) / 100; // ceil(p * n / 100) in integers: no floating-point edge cases
        return sorted[Math.max(1, rank) - 1];
    }
}
