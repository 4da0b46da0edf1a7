package dev.shoestring.job;

import dev.shoestring.event.RawRecord;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

/**
 * The running job's event time, per Kafka partition: the highest {@code occurred_at} seen minus
 * the max out-of-orderness (Flink's {@link BoundedOutOfOrdernessWatermarks}), and a partition that
 * stays quiet <em>while the other partitions of its source subtask keep delivering</em> is marked
 * idle after {@code idleTimeout}, so that it does not hold back the windows of the busy ones.
 *
 * <p>Why not {@link WatermarkStrategy#withIdleness}: it counts any stretch without records as
 * idleness. During an outage every partition is quiet - the broker is down, or a sink chained to
 * the source blocks the task thread in its retries (Flink 2.2 pauses the idleness clock for
 * back-pressure, not for time spent in chained operators) - so after 10 s every partition is
 * idle. On recovery the partitions resume one after another, and the watermark of the first one
 * to deliver its backlog overtakes the others: their events arrive behind it, more than the
 * allowed lateness for a backlog of minutes, and are dropped from the windows (measured with
 * ClickHouse down for 30 s: the first three minutes of the agents of one partition missing).
 * Here quiet time counts only while a sibling partition delivers, and at most
 * {@link #MAX_COUNTED_GAP} per periodic emit (a longer gap is a blocked task), so an outage that
 * stops the whole subtask never makes a partition idle.
 *
 * <p>One exception: while a subtask has read nothing at all since it started, its quiet time
 * counts too. A subtask without a partition of its own (more subtasks than partitions) would
 * otherwise hold back every window forever (the savepoint fixture IT: one partition, parallelism
 * 2). An outage from the very start cannot leave a backlog behind an overtaking watermark: no
 * partition has delivered yet, and when the broker is back, one fetch brings every partition's
 * records.
 *
 * <p>The price: a subtask whose partitions have delivered and then all went quiet is never idle,
 * so with one partition per subtask a partition without traffic holds back the windows until it
 * gets a record (later windows, never lost events).
 */
public final class PartitionWatermarks implements WatermarkStrategy<RawRecord> {
    private static final long serialVersionUID = 1L;

    /** Periodic emits come every 200 ms (pipeline.auto-watermark-interval); a longer gap was a blocked task. */
    static final Duration MAX_COUNTED_GAP = Duration.ofSeconds(1);

    private final Duration maxOutOfOrderness;
    private final Duration idleTimeout;
    /**
     * Records delivered by any partition of this subtask. The strategy is deserialized once per
     * source subtask, and all its per-partition generators are made by that one instance and run
     * on the task thread.
     */
    private transient SubtaskActivity activity;

    public PartitionWatermarks(Duration maxOutOfOrderness, Duration idleTimeout) {
        this.maxOutOfOrderness = maxOutOfOrderness;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public WatermarkGenerator<RawRecord> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        if (activity == null) {
            activity = new SubtaskActivity();
        }
        return new Generator(maxOutOfOrderness, idleTimeout, context.getInputActivityClock(), activity);
    }

    @Override
    public TimestampAssigner<RawRecord> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return (r, kafkaTimestamp) -> r.eventTimeMillis();
    }

    static final class SubtaskActivity {
        long records;
    }

    /** One partition's generator. */
    static final class Generator implements WatermarkGenerator<RawRecord> {
        private final WatermarkGenerator<RawRecord> watermarks;
        private final long idleNanos;
        private final RelativeClock clock;
        private final SubtaskActivity subtask;

        private long records;
        private long recordsAtLastEmit;
        private long subtaskRecordsAtLastEmit;
        private long lastEmitNanos;
        private long quietNanos;
        private boolean idle;

        Generator(Duration maxOutOfOrderness, Duration idleTimeout, RelativeClock clock, SubtaskActivity subtask) {
            this.watermarks = new BoundedOutOfOrdernessWatermarks<>(maxOutOfOrderness);
            this.idleNanos = idleTimeout.toNanos();
            this.clock = clock;
            this.subtask = subtask;
            this.lastEmitNanos = clock.relativeTimeNanos();
        }

        @Override
        public void onEvent(RawRecord record, long eventTimestamp, WatermarkOutput output) {
            watermarks.onEvent(record, eventTimestamp, output);
            records++;
            subtask.records++;
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            long now = clock.relativeTimeNanos();
            long gap = Math.min(now - lastEmitNanos, MAX_COUNTED_GAP.toNanos());
            lastEmitNanos = now;
            if (records != recordsAtLastEmit) {
                quietNanos = 0;
            } else if (subtask.records != subtaskRecordsAtLastEmit || subtask.records == 0) {
                // Quiet while a sibling partition delivered, or while the whole subtask has had
                // nothing to read since it started (no partition of its own: more subtasks than
                // partitions; or empty partitions).
                quietNanos += gap;
            }
            recordsAtLastEmit = records;
            subtaskRecordsAtLastEmit = subtask.records;
            if (quietNanos >= idleNanos) {
                if (!idle) {
                    output.markIdle();
                    idle = true;
                }
            } else {
                idle = false;
                watermarks.onPeriodicEmit(output);
            }
        }
    }
}
