package dev.shoestring.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract (copy, serialize, snapshot, duplicate...), every field compared. */
class EventSerializerTest extends SerializerTestBase<Event> {
    @Override
    protected TypeSerializer<Event> createSerializer() {
        return EventSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<Event> getTypeClass() {
        return Event.class;
    }

    @Override
    protected Event[] getTestData() {
        try {
            Event created = EventParser.parse(EventParserTest.bytes(EventParserTest.valid("order.created")));
            created.sourcePartition = 7;
            created.sourceOffset = Long.MAX_VALUE;
            Event decision = EventParser.parse(EventParserTest.bytes(EventParserTest.valid("agent.decision")));
            decision.costUsd = new BigDecimal("-12345678901234567890.123456789012");
            Event metric = EventParser.parse(EventParserTest.bytes(EventParserTest.valid("metric.changed")));
            metric.value = Double.NaN;
            metric.unit = "é\u4e2d\uD83D\uDE00";
            Event unknown = EventParser.parse(EventParserTest.bytes(EventParserTest.valid("invoice.issued")));
            Event stripped = decision.withoutPayloadText();
            return new Event[] {created, decision, metric, unknown, stripped, new Event()};
        } catch (InvalidEventException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void deepEquals(String message, Event should, Event is) {
        for (Field f : Event.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            try {
                assertThat(f.get(is)).as(message + ": " + f.getName()).isEqualTo(f.get(should));
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
    }
}
