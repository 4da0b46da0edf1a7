package dev.shoestring.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class EventTest {
    /** Every field but the payload text survives, including any field added to Event later. */
    @Test
    void withoutPayloadTextKeepsEveryOtherField() throws Exception {
        for (String type : new String[] {"order.created", "agent.decision", "metric.changed"}) {
            Event e = EventParser.parse(EventParserTest.bytes(EventParserTest.valid(type)));
            e.sourcePartition = 3;
            e.sourceOffset = 42;
            Event c = e.withoutPayloadText();
            assertThat(e.payloadJson).isNotNull();
            assertThat(c.payloadJson).isNull();
            for (Field f : Event.class.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getName().equals("payloadJson")) {
                    continue;
                }
                assertThat(f.get(c)).as(type + " " + f.getName()).isEqualTo(f.get(e));
            }
        }
    }
}
