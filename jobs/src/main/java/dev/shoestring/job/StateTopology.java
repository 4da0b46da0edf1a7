package dev.shoestring.job;

import dev.shoestring.event.DeadLetter;
import dev.shoestring.event.Event;
import dev.shoestring.event.RawRecord;
import dev.shoestring.projection.AggregateProjector;
import dev.shoestring.projection.AggregateState;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The topology as a pure function from the raw record stream to the output streams; sources and
 * sinks are attached by the caller, so tests can swap them.
 *
 * <p>The uids below name operator state in savepoints: never change a released one.
 */
public final class StateTopology {
    public static final String UID_SOURCE = "kafka-events-source";
    public static final String UID_VALIDATE = "validate-events";
    public static final String UID_PROJECT = "project-aggregate-state";
    public static final String UID_POSTGRES_SINK = "postgres-state-sink";
    public static final String UID_DLQ_SINK = "kafka-dead-letter-sink";

    /** What the topology produces. */
    public static final class Outputs {
        /** Every valid event, known type or not. */
        public final DataStream<Event> events;
        /** Invalid records, unchanged, with the reason. */
        public final DataStream<DeadLetter> deadLetters;
        /** A state snapshot per aggregate change, for the Postgres sink to coalesce. */
        public final DataStream<AggregateState> stateChanges;

        Outputs(DataStream<Event> events, DataStream<DeadLetter> deadLetters, DataStream<AggregateState> stateChanges) {
            this.events = events;
            this.deadLetters = deadLetters;
            this.stateChanges = stateChanges;
        }
    }

    private StateTopology() {}

    public static Outputs build(DataStream<RawRecord> records) {
        return build(records, AggregateProjector.DEFAULT_MAX_PENDING);
    }

    public static Outputs build(DataStream<RawRecord> records, int maxPendingPerAggregate) {
        SingleOutputStreamOperator<Event> events = records
                .process(new EventValidator())
                .uid(UID_VALIDATE)
                .name("validate events");
        DataStream<DeadLetter> deadLetters = events.getSideOutput(EventValidator.DEAD_LETTERS);

        DataStream<AggregateState> stateChanges = events
                .filter(AggregateProjector::isProjected)
                .name("known aggregates")
                .keyBy(Event::aggregateKey)
                .process(new AggregateProjector(maxPendingPerAggregate))
                .uid(UID_PROJECT)
                .name("project aggregate state");
        return new Outputs(events, deadLetters, stateChanges);
    }
}
