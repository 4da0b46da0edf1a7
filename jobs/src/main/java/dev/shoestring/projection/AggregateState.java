package dev.shoestring.projection;

import java.math.BigDecimal;

/**
 * Current state of one aggregate, the row that goes to Postgres (CONTRACT §2). A Flink POJO with
 * the columns of all three tables; {@link #kind} says which are meaningful.
 */
public class AggregateState {
    public String kind;
    public String tenantId;
    public String aggregateId;
    /** Sequence of the latest applied event: the row's {@code version}. 0 before any. */
    public long version;
    /**
     * Highest sequence consumed in order. Usually equals {@link #version}; it runs ahead when an
     * event of an unknown type (archived, never applied) or a skipped gap takes a position.
     */
    public long position;
    /** Number of out-of-order events held for this aggregate, waiting for a gap to fill. */
    public int pending;
    /** occurred_at (epoch micros) of the latest applied event. */
    public long updatedAtMicros;

    // orders
    public String customerId;
    public String status;
    public BigDecimal amount;
    public BigDecimal paidAmount;
    public String currency;
    public Long items;
    public Long createdAtMicros;

    // agents
    public long decisions;
    public long approved;
    public long rejected;
    public long escalated;
    public long errors;
    public BigDecimal costUsd;
    public long inputTokens;
    public long outputTokens;
    public String lastOutcome;

    // metrics_current
    public Double value;
    public String unit;

    public AggregateState() {}

    public AggregateState(String kind, String tenantId, String aggregateId) {
        this.kind = kind;
        this.tenantId = tenantId;
        this.aggregateId = aggregateId;
    }

    public String key() {
        return dev.shoestring.event.Event.aggregateKey(tenantId, kind, aggregateId);
    }

    public AggregateState copy() {
        AggregateState s = new AggregateState(kind, tenantId, aggregateId);
        s.version = version;
        s.position = position;
        s.pending = pending;
        s.updatedAtMicros = updatedAtMicros;
        s.customerId = customerId;
        s.status = status;
        s.amount = amount;
        s.paidAmount = paidAmount;
        s.currency = currency;
        s.items = items;
        s.createdAtMicros = createdAtMicros;
        s.decisions = decisions;
        s.approved = approved;
        s.rejected = rejected;
        s.escalated = escalated;
        s.errors = errors;
        s.costUsd = costUsd;
        s.inputTokens = inputTokens;
        s.outputTokens = outputTokens;
        s.lastOutcome = lastOutcome;
        s.value = value;
        s.unit = unit;
        return s;
    }

    @Override
    public String toString() {
        return kind + "{tenant=" + tenantId + ", id=" + aggregateId + ", version=" + version + "}";
    }
}
