package dev.shoestring.projection;

import dev.shoestring.event.Event;
import dev.shoestring.event.EventTypes;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies each aggregate's events in {@code sequence} order, exactly once each, whatever the
 * delivery order or duplication, and emits the new state whenever the row changed.
 *
 * <p>Keyed by {@link Event#aggregateKey()}. An event at or below the aggregate's position is a
 * re-delivery and is dropped. An event ahead of the next expected sequence is held in keyed
 * state until the gap fills, then the held run is applied in order. The hold is bounded:
 * when an aggregate already holds {@code maxPending} events, the gap is declared lost, the
 * position jumps to the lowest held sequence minus one and the held events are applied; the skip
 * is logged and counted ({@code sequenceGapsSkipped}). An event of a skipped sequence that
 * arrives afterwards is then treated as a re-delivery.
 *
 * <p>Output is one state snapshot per change; the Postgres sink coalesces them per key.
 */
public class AggregateProjector extends KeyedProcessFunction<String, Event, AggregateState> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AggregateProjector.class);

    public static final int DEFAULT_MAX_PENDING = 1000;

    private final int maxPending;

    private transient ValueState<AggregateState> current;
    private transient MapState<Long, Event> pending;

    private transient Counter applied;
    private transient Counter duplicates;
    private transient Counter held;
    private transient Counter gapsSkipped;
    private transient long pendingNow;
    private transient LongCounter appliedTotal;
    private transient LongCounter duplicatesTotal;
    private transient LongCounter gapsSkippedTotal;

    /** Accumulator names, summed over the job and printed by {@code run --bounded}. */
    public static final String ACC_APPLIED = "events-applied";
    public static final String ACC_DUPLICATES = "events-duplicate";
    public static final String ACC_GAPS_SKIPPED = "sequence-gaps-skipped";

    public AggregateProjector() {
        this(DEFAULT_MAX_PENDING);
    }

    public AggregateProjector(int maxPending) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be >= 1");
        }
        this.maxPending = maxPending;
    }

    @Override
    public void open(OpenContext ctx) {
        current = getRuntimeContext().getState(
                new ValueStateDescriptor<>("current", TypeInformation.of(AggregateState.class)));
        pending = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending", Types.LONG, TypeInformation.of(Event.class)));
        var group = getRuntimeContext().getMetricGroup();
        applied = group.counter("eventsApplied");
        duplicates = group.counter("eventsDuplicate");
        held = group.counter("eventsHeldOutOfOrder");
        gapsSkipped = group.counter("sequenceGapsSkipped");
        appliedTotal = new LongCounter();
        duplicatesTotal = new LongCounter();
        gapsSkippedTotal = new LongCounter();
        getRuntimeContext().addAccumulator(ACC_APPLIED, appliedTotal);
        getRuntimeContext().addAccumulator(ACC_DUPLICATES, duplicatesTotal);
        getRuntimeContext().addAccumulator(ACC_GAPS_SKIPPED, gapsSkippedTotal);
        // Events waiting for a gap in this subtask since it started (not rebuilt from a restore).
        group.gauge("pendingEvents", () -> Math.max(0L, pendingNow));
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<AggregateState> out) throws Exception {
        AggregateState s = current.value();
        if (s == null) {
            s = new AggregateState(e.aggregateKind(), e.tenantId, e.aggregateId);
        }
        if (e.sequence <= s.position) {
            duplicates.inc();
            duplicatesTotal.add(1);
            return;
        }
        boolean changed = false;
        if (e.sequence == s.position + 1) {
            changed = applyOne(s, e);
        } else {
            if (pending.contains(e.sequence)) {
                duplicates.inc();
            duplicatesTotal.add(1);
                return;
            }
            pending.put(e.sequence, e);
            s.pending++;
            pendingNow++;
            held.inc();
            if (s.pending > maxPending) {
                long lowest = Long.MAX_VALUE;
                for (Long seq : pending.keys()) {
                    lowest = Math.min(lowest, seq);
                }
                LOG.warn("Aggregate {} holds {} events beyond a gap; declaring sequences {}..{} lost and moving on",
                        s, s.pending, s.position + 1, lowest - 1);
                gapsSkipped.inc();
                gapsSkippedTotal.add(1);
                s.position = lowest - 1;
            }
        }
        changed |= drain(s);
        current.update(s);
        if (changed) {
            out.collect(s.copy());
        }
    }

    private boolean applyOne(AggregateState s, Event e) {
        boolean changed = StateFold.apply(s, e);
        applied.inc();
        appliedTotal.add(1);
        return changed;
    }

    /** Applies held events while the next expected sequence is among them. */
    private boolean drain(AggregateState s) throws Exception {
        boolean changed = false;
        while (s.pending > 0) {
            long next = s.position + 1;
            Event e = pending.get(next);
            if (e == null) {
                break;
            }
            pending.remove(next);
            s.pending--;
            pendingNow--;
            changed |= applyOne(s, e);
        }
        return changed;
    }

    /**
     * The projector's input: events of aggregates with a state table, without their payload text
     * (the typed payload fields are what the projection folds).
     */
    public static void projectionInput(Event e, org.apache.flink.util.Collector<Event> out) {
        if (isProjected(e)) {
            out.collect(e.withoutPayloadText());
        }
    }

    /** Only aggregates with a state table go through the projector. */
    public static boolean isProjected(Event e) {
        return EventTypes.PROJECTED_KINDS.contains(e.aggregateKind());
    }
}
