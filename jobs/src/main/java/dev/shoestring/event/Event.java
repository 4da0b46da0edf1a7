package dev.shoestring.event;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A validated business event (CONTRACT §1). A Flink POJO: the payload fields of every known type
 * are flattened into nullable fields so that Flink serializes it with its own POJO serializer
 * (no Kryo); only the fields of {@link #eventType} are set. {@link #payloadJson} keeps the payload
 * as compact JSON text for the archive.
 */
public class Event {
    public String eventId;
    public String eventType;
    public String tenantId;
    public String aggregateId;
    public long sequence;
    /** Event time in microseconds since the epoch (finer precision is truncated). */
    public long occurredAtMicros;
    public String payloadJson;

    // Where it came from, for diagnostics.
    public int sourcePartition;
    public long sourceOffset;

    // order.*
    public String customerId;
    public BigDecimal amount;
    public String currency;
    public Long items;
    public String carrier;
    public String reason;

    // agent.decision
    public String decisionId;
    public String decisionType;
    public String outcome;
    public Double latencyMs;
    public String model;
    public Long inputTokens;
    public Long outputTokens;
    public BigDecimal costUsd;
    public Double confidence;

    // metric.changed
    public Double value;
    public String unit;

    public Event() {}

    /**
     * A copy without {@link #payloadJson} (its typed payload fields are kept): what the state
     * projection needs. The payload text is most of an event's bytes; the archive has it already,
     * so the projection's network hop and held-events state do not carry it.
     */
    public Event withoutPayloadText() {
        Event c = new Event();
        c.eventId = eventId;
        c.eventType = eventType;
        c.tenantId = tenantId;
        c.aggregateId = aggregateId;
        c.sequence = sequence;
        c.occurredAtMicros = occurredAtMicros;
        c.sourcePartition = sourcePartition;
        c.sourceOffset = sourceOffset;
        c.customerId = customerId;
        c.amount = amount;
        c.currency = currency;
        c.items = items;
        c.carrier = carrier;
        c.reason = reason;
        c.decisionId = decisionId;
        c.decisionType = decisionType;
        c.outcome = outcome;
        c.latencyMs = latencyMs;
        c.model = model;
        c.inputTokens = inputTokens;
        c.outputTokens = outputTokens;
        c.costUsd = costUsd;
        c.confidence = confidence;
        c.value = value;
        c.unit = unit;
        return c;
    }

    /** The part of {@link #eventType} before the dot: the aggregate kind. */
    public String aggregateKind() {
        return EventTypes.kindOf(eventType);
    }

    /** The occurred_at instant in epoch milliseconds. */
    public long occurredAtMillis() {
        return Math.floorDiv(occurredAtMicros, 1000L);
    }

    /**
     * Key of the aggregate (tenant, kind, id), unambiguous whatever characters the ids contain:
     * each part is length-prefixed.
     */
    public String aggregateKey() {
        return aggregateKey(tenantId, aggregateKind(), aggregateId);
    }

    public static String aggregateKey(String tenant, String kind, String id) {
        return tenant.length() + ":" + tenant + kind.length() + ":" + kind + id;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Event)) return false;
        Event e = (Event) o;
        return sequence == e.sequence && occurredAtMicros == e.occurredAtMicros
                && Objects.equals(eventId, e.eventId) && Objects.equals(eventType, e.eventType)
                && Objects.equals(tenantId, e.tenantId) && Objects.equals(aggregateId, e.aggregateId)
                && Objects.equals(payloadJson, e.payloadJson);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, sequence);
    }

    @Override
    public String toString() {
        return eventType + "{id=" + eventId + ", tenant=" + tenantId + ", aggregate=" + aggregateId
                + ", seq=" + sequence + "}";
    }
}
