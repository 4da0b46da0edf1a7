package dev.shoestring.event;

import java.io.IOException;
import java.math.BigDecimal;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.BigDecSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * {@link Event} between tasks (the projector's network hop): fields written directly, one bit
 * per nullable field, instead of Flink's reflective POJO serializer. JFR on the bench topic: the
 * POJO serializer's reflection was the largest cost of the projector task after its state.
 *
 * <p>Only the stream uses it ({@link #TYPE}); keyed state that holds events keeps its declared
 * POJO type, so savepoints are unaffected. A field added to {@link Event} must be added here
 * (EventSerializerTest compares every field by reflection).
 */
public final class EventSerializer extends TypeSerializerSingleton<Event> {
    private static final long serialVersionUID = 1L;

    public static final EventSerializer INSTANCE = new EventSerializer();
    public static final TypeInformation<Event> TYPE = new EventTypeInfo();

    // Bits of the null mask, one per nullable field.
    private static final int EVENT_ID = 1, EVENT_TYPE = 1 << 1, TENANT_ID = 1 << 2, AGGREGATE_ID = 1 << 3,
            PAYLOAD_JSON = 1 << 4, CUSTOMER_ID = 1 << 5, AMOUNT = 1 << 6, CURRENCY = 1 << 7, ITEMS = 1 << 8,
            CARRIER = 1 << 9, REASON = 1 << 10, DECISION_ID = 1 << 11, DECISION_TYPE = 1 << 12, OUTCOME = 1 << 13,
            LATENCY_MS = 1 << 14, MODEL = 1 << 15, INPUT_TOKENS = 1 << 16, OUTPUT_TOKENS = 1 << 17, COST_USD = 1 << 18,
            CONFIDENCE = 1 << 19, VALUE = 1 << 20, UNIT = 1 << 21;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Event createInstance() {
        return new Event();
    }

    @Override
    public Event copy(Event from) {
        Event c = from.withoutPayloadText();
        c.payloadJson = from.payloadJson;
        return c;
    }

    @Override
    public Event copy(Event from, Event reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    private static int bit(Object field, int bit) {
        return field != null ? bit : 0;
    }

    @Override
    public void serialize(Event e, DataOutputView out) throws IOException {
        int present = bit(e.eventId, EVENT_ID) | bit(e.eventType, EVENT_TYPE) | bit(e.tenantId, TENANT_ID)
                | bit(e.aggregateId, AGGREGATE_ID) | bit(e.payloadJson, PAYLOAD_JSON) | bit(e.customerId, CUSTOMER_ID)
                | bit(e.amount, AMOUNT) | bit(e.currency, CURRENCY) | bit(e.items, ITEMS) | bit(e.carrier, CARRIER)
                | bit(e.reason, REASON) | bit(e.decisionId, DECISION_ID) | bit(e.decisionType, DECISION_TYPE)
                | bit(e.outcome, OUTCOME) | bit(e.latencyMs, LATENCY_MS) | bit(e.model, MODEL)
                | bit(e.inputTokens, INPUT_TOKENS) | bit(e.outputTokens, OUTPUT_TOKENS) | bit(e.costUsd, COST_USD)
                | bit(e.confidence, CONFIDENCE) | bit(e.value, VALUE) | bit(e.unit, UNIT);
        out.writeInt(present);
        out.writeLong(e.sequence);
        out.writeLong(e.occurredAtMicros);
        out.writeInt(e.sourcePartition);
        out.writeLong(e.sourceOffset);
        string(out, e.eventId);
        string(out, e.eventType);
        string(out, e.tenantId);
        string(out, e.aggregateId);
        string(out, e.payloadJson);
        string(out, e.customerId);
        decimal(out, e.amount);
        string(out, e.currency);
        if (e.items != null) out.writeLong(e.items);
        string(out, e.carrier);
        string(out, e.reason);
        string(out, e.decisionId);
        string(out, e.decisionType);
        string(out, e.outcome);
        if (e.latencyMs != null) out.writeDouble(e.latencyMs);
        string(out, e.model);
        if (e.inputTokens != null) out.writeLong(e.inputTokens);
        if (e.outputTokens != null) out.writeLong(e.outputTokens);
        decimal(out, e.costUsd);
        if (e.confidence != null) out.writeDouble(e.confidence);
        if (e.value != null) out.writeDouble(e.value);
        string(out, e.unit);
    }

    private static void string(DataOutputView out, String s) throws IOException {
        if (s != null) {
            StringValue.writeString(s, out);
        }
    }

    private static void decimal(DataOutputView out, BigDecimal d) throws IOException {
        if (d != null) {
            BigDecSerializer.INSTANCE.serialize(d, out);
        }
    }

    @Override
    public Event deserialize(DataInputView in) throws IOException {
        int p = in.readInt();
        Event e = new Event();
        e.sequence = in.readLong();
        e.occurredAtMicros = in.readLong();
        e.sourcePartition = in.readInt();
        e.sourceOffset = in.readLong();
        e.eventId = string(in, p, EVENT_ID);
        e.eventType = string(in, p, EVENT_TYPE);
        e.tenantId = string(in, p, TENANT_ID);
        e.aggregateId = string(in, p, AGGREGATE_ID);
        e.payloadJson = string(in, p, PAYLOAD_JSON);
        e.customerId = string(in, p, CUSTOMER_ID);
        e.amount = (p & AMOUNT) != 0 ? BigDecSerializer.readBigDecimal(in) : null;
        e.currency = string(in, p, CURRENCY);
        e.items = (p & ITEMS) != 0 ? in.readLong() : null;
        e.carrier = string(in, p, CARRIER);
        e.reason = string(in, p, REASON);
        e.decisionId = string(in, p, DECISION_ID);
        e.decisionType = string(in, p, DECISION_TYPE);
        e.outcome = string(in, p, OUTCOME);
        e.latencyMs = (p & LATENCY_MS) != 0 ? in.readDouble() : null;
        e.model = string(in, p, MODEL);
        e.inputTokens = (p & INPUT_TOKENS) != 0 ? in.readLong() : null;
        e.outputTokens = (p & OUTPUT_TOKENS) != 0 ? in.readLong() : null;
        e.costUsd = (p & COST_USD) != 0 ? BigDecSerializer.readBigDecimal(in) : null;
        e.confidence = (p & CONFIDENCE) != 0 ? in.readDouble() : null;
        e.value = (p & VALUE) != 0 ? in.readDouble() : null;
        e.unit = string(in, p, UNIT);
        return e;
    }

    private static String string(DataInputView in, int present, int bit) throws IOException {
        return (present & bit) != 0 ? StringValue.readString(in) : null;
    }

    @Override
    public Event deserialize(Event reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<Event> snapshotConfiguration() {
        return new EventSerializerSnapshot();
    }

    /** The serializer has no configuration: restoring it is creating it. */
    public static final class EventSerializerSnapshot extends SimpleTypeSerializerSnapshot<Event> {
        public EventSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }

    /** The stream type that selects {@link EventSerializer}. */
    static final class EventTypeInfo extends TypeInformation<Event> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<Event> getTypeClass() {
            return Event.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<Event> createSerializer(SerializerConfig config) {
            return INSTANCE;
        }

        @Override
        public String toString() {
            return "Event (EventSerializer)";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof EventTypeInfo;
        }

        @Override
        public int hashCode() {
            return EventTypeInfo.class.hashCode();
        }

        @Override
        public boolean canEqual(Object o) {
            return o instanceof EventTypeInfo;
        }
    }
}
