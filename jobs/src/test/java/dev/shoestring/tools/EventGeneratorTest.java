package dev.shoestring.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoestring.event.Event;
import dev.shoestring.event.EventParser;
import dev.shoestring.event.InvalidEventException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The generator's promise to the tests that use it: valid means valid, malformed means invalid. */
class EventGeneratorTest {
    @Test
    void validRecordsParseAndMalformedOnesDoNot() throws Exception {
        EventGenerator.Log log = new EventGenerator(1, "g-").duplicateRate(0.1).malformedRate(0.05).generate();
        Set<String> ids = new HashSet<>();
        int truth = log.truth.stream().mapToInt(java.util.List::size).sum();
        for (EventGenerator.Record r : log.records) {
            if (r.malformed) {
                assertThatThrownBy(() -> EventParser.parse(r.value)).isInstanceOf(InvalidEventException.class);
            } else {
                Event e = EventParser.parse(r.value);
                assertThat(e.aggregateId).isEqualTo(r.key);
                ids.add(e.eventId);
            }
        }
        // Every event of the truth is delivered at least once, and duplicates exist.
        assertThat(ids).hasSize(truth);
        assertThat(log.records.size() - log.malformedCount()).isGreaterThan(truth);
    }

    @Test
    void sameSeedSameLog() {
        var a = new EventGenerator(5, "x-").generate();
        var b = new EventGenerator(5, "x-").generate();
        assertThat(a.records).hasSameSizeAs(b.records);
        for (int i = 0; i < a.records.size(); i++) {
            assertThat(a.records.get(i).value).isEqualTo(b.records.get(i).value);
        }
    }
}
