package dev.shoestring.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.event.Event;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ordering, de-duplication and gap handling of the projector, on Flink's operator harness. */
class AggregateProjectorTest {
    private KeyedOneInputStreamOperatorTestHarness<String, Event, AggregateState> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = harness(5);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, AggregateState> harness(int maxPending) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AggregateProjector(maxPending)), Event::aggregateKey, Types.STRING);
        h.open();
        return h;
    }

    static Event order(String id, long seq, String type) {
        Event e = new Event();
        e.eventId = id + "/" + seq;
        e.eventType = type;
        e.tenantId = "t1";
        e.aggregateId = id;
        e.sequence = seq;
        e.occurredAtMicros = 1_000_000L * seq;
        e.payloadJson = "{}";
        switch (type) {
            case "order.created":
                e.customerId = "c";
                e.amount = new BigDecimal("10.50");
                e.currency = "EUR";
                e.items = 2L;
                break;
            case "order.paid":
                e.amount = new BigDecimal("10.50");
                break;
            case "order.shipped":
                e.carrier = "dhl";
                break;
            default:
                break;
        }
        return e;
    }

    static Event decision(String agent, long seq, String outcome, String cost) {
        Event e = new Event();
        e.eventId = agent + "/" + seq;
        e.eventType = "agent.decision";
        e.tenantId = "t1";
        e.aggregateId = agent;
        e.sequence = seq;
        e.occurredAtMicros = 1_000_000L * seq;
        e.outcome = outcome;
        e.costUsd = new BigDecimal(cost);
        e.inputTokens = 10L;
        e.outputTokens = 1L;
        return e;
    }

    private void send(Event... events) throws Exception {
        for (Event e : events) {
            harness.processElement(new StreamRecord<>(e));
        }
    }

    private List<AggregateState> output() {
        return harness.extractOutputValues();
    }

    private List<Long> versions() {
        return output().stream().map(s -> s.version).collect(Collectors.toList());
    }

    @Test
    void appliesInOrderEventsImmediately() throws Exception {
        send(order("o1", 1, "order.created"), order("o1", 2, "order.paid"), order("o1", 3, "order.shipped"));
        assertThat(versions()).containsExactly(1L, 2L, 3L);
        AggregateState last = output().get(2);
        assertThat(last.status).isEqualTo("shipped");
        assertThat(last.amount).isEqualByComparingTo("10.50");
        assertThat(last.paidAmount).isEqualByComparingTo("10.50");
        assertThat(last.createdAtMicros).isEqualTo(1_000_000L);
        assertThat(last.updatedAtMicros).isEqualTo(3_000_000L);
    }

    @Test
    void holdsOutOfOrderEventsUntilTheGapFills() throws Exception {
        send(order("o1", 3, "order.shipped"), order("o1", 2, "order.paid"));
        assertThat(output()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2); // current + the map of held events
        send(order("o1", 1, "order.created"));
        // One emission for the whole drained run, at its final version.
        assertThat(versions()).containsExactly(3L);
        assertThat(output().get(0).status).isEqualTo("shipped");
        assertThat(output().get(0).customerId).isEqualTo("c");
        // The held events are gone from state once applied.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void ignoresDuplicatesAppliedOrHeld() throws Exception {
        send(decision("a1", 1, "approved", "0.10"), decision("a1", 1, "approved", "0.10"),
                decision("a1", 3, "error", "0.30"), decision("a1", 3, "error", "0.30"),
                decision("a1", 2, "rejected", "0.20"), decision("a1", 2, "rejected", "0.20"),
                decision("a1", 1, "approved", "0.10"));
        assertThat(versions()).containsExactly(1L, 3L);
        AggregateState s = output().get(1);
        assertThat(s.decisions).isEqualTo(3);
        assertThat(s.approved).isEqualTo(1);
        assertThat(s.rejected).isEqualTo(1);
        assertThat(s.errors).isEqualTo(1);
        assertThat(s.costUsd).isEqualByComparingTo("0.60");
        assertThat(s.inputTokens).isEqualTo(30);
        assertThat(s.lastOutcome).isEqualTo("error");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void unknownTypesTakeTheirPositionButChangeNothing() throws Exception {
        send(order("o1", 1, "order.created"), order("o1", 3, "order.paid"), order("o1", 2, "order.note_added"));
        assertThat(versions()).containsExactly(1L, 3L);
        assertThat(output().get(1).status).isEqualTo("paid");
        assertThat(output().get(1).position).isEqualTo(3);

        send(order("o2", 1, "order.created"), order("o2", 2, "order.note_added"));
        assertThat(output()).hasSize(3); // the note emitted nothing
    }

    @Test
    void keysAreIndependent() throws Exception {
        send(order("o1", 2, "order.paid"), order("o2", 1, "order.created"));
        assertThat(output()).extracting(s -> s.aggregateId).containsExactly("o2");
    }

    @Test
    void skipsAGapThatNeverFillsOnceTheHoldIsFull() throws Exception {
        // maxPending = 5: sequence 1 never arrives.
        for (long seq = 2; seq <= 6; seq++) {
            send(decision("a1", seq, "approved", "1"));
        }
        assertThat(output()).isEmpty();
        send(decision("a1", 7, "approved", "1"));
        assertThat(versions()).containsExactly(7L);
        assertThat(output().get(0).decisions).isEqualTo(6);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        // The lost event arriving afterwards is treated as a re-delivery.
        send(decision("a1", 1, "approved", "1"));
        assertThat(output()).hasSize(1);
    }

    @Test
    void stateSurvivesASnapshotAndRestore() throws Exception {
        send(order("o1", 1, "order.created"), order("o1", 3, "order.shipped"));
        var snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AggregateProjector(5)), Event::aggregateKey, Types.STRING);
        harness.initializeState(snapshot);
        harness.open();
        send(order("o1", 1, "order.created"), order("o1", 2, "order.paid"));
        assertThat(versions()).containsExactly(3L);
        assertThat(output().get(0).status).isEqualTo("shipped");
        assertThat(output().get(0).paidAmount).isEqualByComparingTo("10.50");
    }
}
