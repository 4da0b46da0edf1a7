package dev.shoestring.projection;

import dev.shoestring.event.Event;
import dev.shoestring.event.EventTypes;

/**
 * How one event changes an aggregate's state (CONTRACT §2). Pure: the caller guarantees events
 * arrive here in sequence order, each once.
 */
public final class StateFold {
    private StateFold() {}

    /**
     * Applies {@code e} to {@code s} and returns true if the row changed. An unknown event type
     * only takes its position in the stream.
     */
    public static boolean apply(AggregateState s, Event e) {
        s.position = e.sequence;
        switch (e.eventType) {
            case EventTypes.ORDER_CREATED:
                s.customerId = e.customerId;
                s.amount = e.amount;
                s.currency = e.currency;
                s.items = e.items;
                s.createdAtMicros = e.occurredAtMicros;
                s.status = "created";
                break;
            case EventTypes.ORDER_PAID:
                s.paidAmount = e.amount;
                s.status = "paid";
                break;
            case EventTypes.ORDER_SHIPPED:
                s.status = "shipped";
                break;
            case EventTypes.ORDER_CANCELLED:
                s.status = "cancelled";
                break;
            case EventTypes.AGENT_DECISION:
                s.decisions++;
                switch (e.outcome) {
                    case "approved": s.approved++; break;
                    case "rejected": s.rejected++; break;
                    case "escalated": s.escalated++; break;
                    default: s.errors++; break;
                }
                s.costUsd = s.costUsd == null ? e.costUsd : s.costUsd.add(e.costUsd);
                s.inputTokens += e.inputTokens;
                s.outputTokens += e.outputTokens;
                s.lastOutcome = e.outcome;
                break;
            case EventTypes.METRIC_CHANGED:
                s.value = e.value;
                s.unit = e.unit;
                break;
            default:
                return false;
        }
        s.version = e.sequence;
        s.updatedAtMicros = e.occurredAtMicros;
        return true;
    }
}
