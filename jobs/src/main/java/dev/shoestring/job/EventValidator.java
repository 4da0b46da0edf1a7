package dev.shoestring.job;

import dev.shoestring.event.DeadLetter;
import dev.shoestring.event.Event;
import dev.shoestring.event.EventParser;
import dev.shoestring.event.InvalidEventException;
import dev.shoestring.event.RawRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Parses each record; valid events go on, invalid ones go to the {@link #DEAD_LETTERS} side output. */
public class EventValidator extends ProcessFunction<RawRecord, Event> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private transient Counter valid;
    private transient Counter invalid;

    @Override
    public void open(OpenContext ctx) {
        valid = getRuntimeContext().getMetricGroup().counter("eventsValid");
        invalid = getRuntimeContext().getMetricGroup().counter("eventsInvalid");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<Event> out) {
        Event e;
        try {
            e = EventParser.parse(raw.value);
        } catch (InvalidEventException ex) {
            invalid.inc();
            ctx.output(DEAD_LETTERS, DeadLetter.of(raw, ex));
            return;
        }
        e.sourcePartition = raw.partition;
        e.sourceOffset = raw.offset;
        valid.inc();
        out.collect(e);
    }
}
