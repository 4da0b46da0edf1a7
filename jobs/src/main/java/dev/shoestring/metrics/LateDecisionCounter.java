package dev.shoestring.metrics;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Counts decisions that arrived beyond the allowed lateness (metric {@code lateDecisions},
 * accumulator {@value #ACC_LATE}). They are still archived in ClickHouse {@code events}: only
 * their window no longer changes.
 */
public class LateDecisionCounter extends RichMapFunction<Decision, Decision> {
    private static final long serialVersionUID = 1L;
    public static final String ACC_LATE = "decisions-late";

    private transient Counter late;
    private transient LongCounter lateTotal;

    @Override
    public void open(OpenContext ctx) {
        late = getRuntimeContext().getMetricGroup().counter("lateDecisions");
        lateTotal = new LongCounter();
        getRuntimeContext().addAccumulator(ACC_LATE, lateTotal);
    }

    @Override
    public Decision map(Decision d) {
        late.inc();
        lateTotal.add(1);
        return d;
    }
}
