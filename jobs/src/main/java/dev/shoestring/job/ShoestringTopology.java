package dev.shoestring.job;

import dev.shoestring.event.DeadLetter;
import dev.shoestring.event.Event;
import dev.shoestring.event.EventSerializer;
import dev.shoestring.event.EventTypes;
import dev.shoestring.event.RawRecord;
import dev.shoestring.metrics.AgentDecisionWindow;
import dev.shoestring.metrics.Decision;
import dev.shoestring.metrics.DecisionWindowFunction;
import dev.shoestring.metrics.LateDecisionCounter;
import dev.shoestring.projection.AggregateProjector;
import dev.shoestring.projection.AggregateState;
import java.time.Duration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/**
 * The topology as a pure function from the parsed record stream (with event-time timestamps and
 * watermarks) to the output streams; sources and sinks are attached by the caller, so tests can
 * swap them.
 *
 * <p>The uids below name operator state in savepoints: never change a released one.
 */
public final class ShoestringTopology {
    public static final String UID_SOURCE = "kafka-events-source";
    public static final String UID_VALIDATE = "validate-events";
    public static final String UID_PROJECT = "project-aggregate-state";
    public static final String UID_POSTGRES_SINK = "postgres-state-sink";
    public static final String UID_DLQ_SINK = "kafka-dead-letter-sink";
    public static final String UID_DECISION_WINDOWS = "agent-decision-windows-1m";
    public static final String UID_LATE_DECISIONS = "late-decisions-counter";
    public static final String UID_CLICKHOUSE_EVENTS_SINK = "clickhouse-events-sink";
    public static final String UID_CLICKHOUSE_METRICS_SINK = "clickhouse-agent-metrics-sink";
    // Stateless operators get uids too: production runs with pipeline.auto-generate-uids=false,
    // so a forgotten uid fails at submission instead of silently breaking savepoints later.
    public static final String UID_FILTER_PROJECTED = "filter-projected-aggregates";
    public static final String UID_FILTER_DECISIONS = "filter-agent-decisions";
    public static final String UID_TO_DECISION = "to-decision";
    public static final String UID_LATE_DISCARD = "late-decisions-discard";

    public static final Duration WINDOW = Duration.ofMinutes(1);

    /** Decisions later than the allowed lateness: no longer counted in their window. */
    public static final OutputTag<Decision> LATE_DECISIONS = new OutputTag<>("late-decisions") {};

    /** What the topology produces. */
    public static final class Outputs {
        /** Every valid event, known type or not. */
        public final DataStream<Event> events;
        /** Invalid records, unchanged, with the reason. */
        public final DataStream<DeadLetter> deadLetters;
        /** A state snapshot per aggregate change, for the Postgres sink to coalesce. */
        public final DataStream<AggregateState> stateChanges;
        /** Emissions of 1-minute agent-decision windows (on time, then once per late change). */
        public final DataStream<AgentDecisionWindow> decisionWindows;
        /** Decisions beyond the allowed lateness (after they were counted in a metric). */
        public final DataStream<Decision> lateDecisions;

        Outputs(DataStream<Event> events, DataStream<DeadLetter> deadLetters, DataStream<AggregateState> stateChanges,
                DataStream<AgentDecisionWindow> decisionWindows, DataStream<Decision> lateDecisions) {
            this.events = events;
            this.deadLetters = deadLetters;
            this.stateChanges = stateChanges;
            this.decisionWindows = decisionWindows;
            this.lateDecisions = lateDecisions;
        }
    }

    private ShoestringTopology() {}

    public static Outputs build(DataStream<RawRecord> records, Duration allowedLateness) {
        return build(records, allowedLateness, AggregateProjector.DEFAULT_MAX_PENDING, true, true);
    }

    /**
     * Every operator added to a DataStream job runs, sink or not: a replay that leaves out a
     * projection must not build its branch (its output stream is then null).
     */
    public static Outputs build(DataStream<RawRecord> records, Duration allowedLateness, int maxPendingPerAggregate,
            boolean withState, boolean withMetrics) {
        SingleOutputStreamOperator<Event> events = records
                .process(new EventValidator())
                .uid(UID_VALIDATE)
                .name("validate events");
        DataStream<DeadLetter> deadLetters = events.getSideOutput(EventValidator.DEAD_LETTERS);

        // The uid names the stateless step that picks the projected events; it also drops their
        // payload text, which the projector never reads (measured: most of the bytes it was sent),
        // and sends them with EventSerializer rather than the reflective POJO serializer.
        DataStream<AggregateState> stateChanges = !withState ? null : events
                .flatMap(AggregateProjector::projectionInput, EventSerializer.TYPE)
                .uid(UID_FILTER_PROJECTED)
                .name("known aggregates")
                .keyBy(Event::aggregateKey)
                .process(new AggregateProjector(maxPendingPerAggregate))
                .uid(UID_PROJECT)
                .name("project aggregate state");

        if (!withMetrics) {
            return new Outputs(events, deadLetters, stateChanges, null, null);
        }
        SingleOutputStreamOperator<AgentDecisionWindow> windows = events
                .filter(e -> EventTypes.AGENT_DECISION.equals(e.eventType))
                .uid(UID_FILTER_DECISIONS)
                .name("agent decisions")
                .map(Decision::of)
                .uid(UID_TO_DECISION)
                .name("to decision")
                .keyBy(Decision::windowKey)
                .window(TumblingEventTimeWindows.of(WINDOW))
                .allowedLateness(allowedLateness)
                .sideOutputLateData(LATE_DECISIONS)
                .process(new DecisionWindowFunction())
                .uid(UID_DECISION_WINDOWS)
                .name("agent decisions per minute");

        DataStream<Decision> late = windows.getSideOutput(LATE_DECISIONS)
                .map(new LateDecisionCounter())
                .uid(UID_LATE_DECISIONS)
                .name("count late decisions");
        return new Outputs(events, deadLetters, stateChanges, windows, late);
    }
}
