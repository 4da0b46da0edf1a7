package dev.shoestring.metrics;

import dev.shoestring.event.Event;
import java.math.BigDecimal;

/** The part of an {@code agent.decision} event the windows need: small, so window state stays small. */
public class Decision {
    public String eventId;
    public String tenantId;
    public String agentId;
    public String decisionType;
    public long occurredAtMillis;
    public String outcome;
    public double latencyMs;
    public BigDecimal costUsd;
    public long inputTokens;
    public long outputTokens;
    /** Null when the decision carries none. */
    public Double confidence;

    public Decision() {}

    public static Decision of(Event e) {
        Decision d = new Decision();
        d.eventId = e.eventId;
        d.tenantId = e.tenantId;
        d.agentId = e.aggregateId;
        d.decisionType = e.decisionType;
        d.occurredAtMillis = e.occurredAtMillis();
        d.outcome = e.outcome;
        d.latencyMs = e.latencyMs;
        d.costUsd = e.costUsd;
        d.inputTokens = e.inputTokens;
        d.outputTokens = e.outputTokens;
        d.confidence = e.confidence;
        return d;
    }

    /** Window key (tenant, agent, decision type), unambiguous: each part is length-prefixed. */
    public String windowKey() {
        return tenantId.length() + ":" + tenantId + agentId.length() + ":" + agentId + decisionType;
    }
}
