package dev.shoestring.metrics;

import java.math.BigDecimal;

/** One emission of a 1-minute agent-decision window: a row of {@code agent_decision_metrics_1m}. */
public class AgentDecisionWindow {
    public String tenantId;
    public String agentId;
    public String decisionType;
    /** Window start, epoch milliseconds (UTC, at the minute). */
    public long windowStartMillis;
    public long decisions;
    public long approved;
    public long rejected;
    public long escalated;
    public long errors;
    public double latencyMsP50;
    public double latencyMsP95;
    public double latencyMsP99;
    public BigDecimal costUsd;
    public long inputTokens;
    public long outputTokens;
    /** Mean over the decisions that carry a confidence; null if none does. */
    public Double avgConfidence;
    /** Grows with each re-emission (the number of distinct decisions counted). */
    public long version;

    public AgentDecisionWindow() {}

    @Override
    public String toString() {
        return "AgentDecisionWindow{" + tenantId + "/" + agentId + "/" + decisionType + "@" + windowStartMillis
                + ", decisions=" + decisions + ", version=" + version + "}";
    }
}
