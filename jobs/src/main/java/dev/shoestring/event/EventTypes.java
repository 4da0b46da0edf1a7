package dev.shoestring.event;

import java.util.Set;

/** The event types the projections understand (CONTRACT §1); any other type is archived only. */
public final class EventTypes {
    public static final String ORDER_CREATED = "order.created";
    public static final String ORDER_PAID = "order.paid";
    public static final String ORDER_SHIPPED = "order.shipped";
    public static final String ORDER_CANCELLED = "order.cancelled";
    public static final String AGENT_DECISION = "agent.decision";
    public static final String METRIC_CHANGED = "metric.changed";

    public static final String KIND_ORDER = "order";
    public static final String KIND_AGENT = "agent";
    public static final String KIND_METRIC = "metric";

    public static final Set<String> KNOWN = Set.of(
            ORDER_CREATED, ORDER_PAID, ORDER_SHIPPED, ORDER_CANCELLED, AGENT_DECISION, METRIC_CHANGED);

    /** Aggregate kinds that have a current-state table. */
    public static final Set<String> PROJECTED_KINDS = Set.of(KIND_ORDER, KIND_AGENT, KIND_METRIC);

    public static final Set<String> OUTCOMES = Set.of("approved", "rejected", "escalated", "error");

    private EventTypes() {}

    public static String kindOf(String eventType) {
        int dot = eventType.indexOf('.');
        return dot < 0 ? eventType : eventType.substring(0, dot);
    }

    public static boolean isKnown(String eventType) {
        return KNOWN.contains(eventType);
    }
}
