package dev.shoestring.sink;

import java.time.Duration;
import org.apache.flink.api.common.operators.ProcessingTimeService;

/**
 * Runs a sink writer's flush every interval on the writer's processing-time service, whose
 * callbacks run in the task thread (no locking against write()); a flush that throws fails the
 * task like one called from write(). Stops re-arming once the writer closes.
 */
public final class FlushTimer {
    public interface Flush {
        void run() throws Exception;
    }

    private final ProcessingTimeService timers;
    private final long intervalMs;
    private final Flush flush;
    private boolean stopped;

    private FlushTimer(ProcessingTimeService timers, Duration interval, Flush flush) {
        this.timers = timers;
        this.intervalMs = interval.toMillis();
        this.flush = flush;
    }

    public static FlushTimer start(ProcessingTimeService timers, Duration interval, Flush flush) {
        FlushTimer t = new FlushTimer(timers, interval, flush);
        t.schedule();
        return t;
    }

    private void schedule() {
        timers.registerTimer(timers.getCurrentProcessingTime() + intervalMs, now -> {
            if (!stopped) {
                flush.run();
                schedule();
            }
        });
    }

    public void stop() {
        stopped = true;
    }
}
