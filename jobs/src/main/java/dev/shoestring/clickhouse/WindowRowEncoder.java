package dev.shoestring.clickhouse;

import dev.shoestring.metrics.AgentDecisionWindow;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.util.List;

/**
 * {@link AgentDecisionWindow} to a row of {@code agent_decision_metrics_1m}
 * (sql/clickhouse/V002__agent_decision_metrics_1m.sql, CONTRACT §3).
 */
public final class WindowRowEncoder implements RowEncoder<AgentDecisionWindow> {
    private static final long serialVersionUID = 1L;

    static final int COST_SCALE = 12;
    static final List<String> COLUMNS = List.of("tenant_id", "agent_id", "decision_type", "window_start",
            "decisions", "approved", "rejected", "escalated", "errors",
            "latency_ms_p50", "latency_ms_p95", "latency_ms_p99", "cost_usd", "input_tokens", "output_tokens",
            "avg_confidence", "version");

    @Override
    public String table() {
        return "agent_decision_metrics_1m";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void encode(AgentDecisionWindow w, OutputStream out) throws IOException {
        String what = "window " + w.tenantId + "/" + w.agentId + "/" + w.decisionType;
        long windowStart = RowBinary.checkedDateTimeSeconds(w.windowStartMillis, what + ": window_start");
        if (w.costUsd == null) {
            throw new IllegalArgumentException(what + ": cost_usd is null");
        }
        BigInteger cost;
        try {
            cost = RowBinary.decimal38(w.costUsd, COST_SCALE);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(what + ": cost_usd " + ex.getMessage(), ex);
        }
        RowBinary.string(out, w.tenantId);
        RowBinary.string(out, w.agentId);
        RowBinary.string(out, w.decisionType);
        RowBinary.dateTime(out, windowStart);
        // Counts and token sums are >= 0 by construction (validated inputs, sums of them).
        RowBinary.uint64(out, w.decisions);
        RowBinary.uint64(out, w.approved);
        RowBinary.uint64(out, w.rejected);
        RowBinary.uint64(out, w.escalated);
        RowBinary.uint64(out, w.errors);
        RowBinary.float64(out, w.latencyMsP50);
        RowBinary.float64(out, w.latencyMsP95);
        RowBinary.float64(out, w.latencyMsP99);
        RowBinary.int128(out, cost);
        RowBinary.uint64(out, w.inputTokens);
        RowBinary.uint64(out, w.outputTokens);
        RowBinary.nullableFloat64(out, w.avgConfidence);
        RowBinary.uint64(out, w.version);
    }
}
