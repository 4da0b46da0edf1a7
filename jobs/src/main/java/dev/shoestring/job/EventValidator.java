package dev.shoestring.job;

import dev.shoestring.event.DeadLetter;
import dev.shoestring.event.Event;
import dev.shoestring.event.RawRecord;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Routes parsed records: valid events go on, invalid ones to the {@link #DEAD_LETTERS} side output. */
public class EventValidator extends ProcessFunction<RawRecord, Event> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    /** Accumulator names, summed over the job and printed by {@code run --bounded}. */
    public static final String ACC_VALID = "events-valid";
    public static final String ACC_INVALID = "events-invalid";

    private transient Counter valid;
    private transient Counter invalid;
    private transient LongCounter validTotal;
    private transient LongCounter invalidTotal;

    @Override
    public void open(OpenContext ctx) {
        valid = getRuntimeContext().getMetricGroup().counter("eventsValid");
        invalid = getRuntimeContext().getMetricGroup().counter("eventsInvalid");
        validTotal = new LongCounter();
        invalidTotal = new LongCounter();
        getRuntimeContext().addAccumulator(ACC_VALID, validTotal);
        getRuntimeContext().addAccumulator(ACC_INVALID, invalidTotal);
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<Event> out) {
        if (raw.event == null && raw.invalidReason == null) {
            raw.parse(); // records from a source that did not parse (tests)
        }
        Event e = raw.event;
        if (e == null) {
            invalid.inc();
            invalidTotal.add(1);
            ctx.output(DEAD_LETTERS, DeadLetter.of(raw));
            return;
        }
        valid.inc();
        validTotal.add(1);
        out.collect(e);
    }
}
