package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.event.RawRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/**
 * Two partitions of one source subtask, driven as Flink drives them (one periodic emit every
 * 200 ms for every partition): quiet time makes a partition idle only while the other delivers.
 */
class PartitionWatermarksTest {
    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    private static final Duration IDLE = Duration.ofSeconds(10);
    private static final Duration TICK = Duration.ofMillis(200);

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final PartitionWatermarks strategy = new PartitionWatermarks(OUT_OF_ORDERNESS, IDLE);
    private final Partition a = new Partition();
    private final Partition b = new Partition();
    private long eventTime = 1_767_225_600_000L;

    private final class Partition implements WatermarkOutput {
        final WatermarkGenerator<RawRecord> generator = strategy.createWatermarkGenerator(context());
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        void record() {
            generator.onEvent(new RawRecord(), eventTime, this);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }

    private WatermarkGeneratorSupplier.Context context() {
        return new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        };
    }

    /** Advances the clock by {@code d} in periodic emits; {@code delivering} get a record before each. */
    private void run(Duration d, Partition... delivering) {
        for (long t = 0; t < d.toMillis(); t += TICK.toMillis()) {
            eventTime += TICK.toMillis();
            for (Partition p : delivering) {
                p.record();
            }
            clock.advanceTime(TICK);
            a.generator.onPeriodicEmit(a);
            b.generator.onPeriodicEmit(b);
        }
    }

    @Test
    void aQuietPartitionGoesIdleWhileItsSiblingDelivers() {
        run(Duration.ofSeconds(2), a, b);
        assertThat(b.watermarks).last().isEqualTo(eventTime - OUT_OF_ORDERNESS.toMillis() - 1);
        run(IDLE.minus(TICK), a);
        assertThat(b.idle).as("quiet for less than the timeout").isFalse();
        run(TICK.multipliedBy(2), a);
        assertThat(b.idle).as("quiet for the timeout while a delivered").isTrue();
        assertThat(a.idle).isFalse();

        // Its next record makes it active again, with its own watermark.
        b.record();
        run(TICK, a);
        assertThat(b.idle).isFalse();
        assertThat(b.watermarks).last().isEqualTo(eventTime - TICK.toMillis() - OUT_OF_ORDERNESS.toMillis() - 1);
    }

    @Test
    void noPartitionGoesIdleWhenTheWholeSubtaskIsQuiet() {
        // E.g. the broker is down: nothing arrives for a minute.
        run(Duration.ofSeconds(2), a, b);
        run(Duration.ofSeconds(60));
        assertThat(a.idle).isFalse();
        assertThat(b.idle).isFalse();
        // Back: a delivers its backlog first; b is not idle, so the combined watermark waits for it.
        run(Duration.ofSeconds(3), a);
        assertThat(b.idle).isFalse();
    }

    @Test
    void aBlockedTaskDoesNotCountAsQuietTime() {
        // A record on a, then the task thread blocks for 30 s (a chained sink retrying) before the
        // next periodic emit: b was quiet, a had delivered, but only MAX_COUNTED_GAP of it counts.
        run(Duration.ofSeconds(2), a, b);
        a.record();
        clock.advanceTime(Duration.ofSeconds(30));
        a.generator.onPeriodicEmit(a);
        b.generator.onPeriodicEmit(b);
        assertThat(b.idle).isFalse();
        run(IDLE.minus(PartitionWatermarks.MAX_COUNTED_GAP).minus(TICK.multipliedBy(2)), a);
        assertThat(b.idle).isFalse();
        run(TICK.multipliedBy(3), a);
        assertThat(b.idle).isTrue();
    }

    @Test
    void aSubtaskThatHasReadNothingGoesIdle() {
        // More subtasks than partitions: this subtask's only generator never sees a record.
        run(IDLE.minus(TICK));
        assertThat(a.idle).isFalse();
        run(TICK.multipliedBy(2));
        assertThat(a.idle).as("nothing read since start, for the timeout").isTrue();
        assertThat(b.idle).isTrue();
        // A record ends it, for that partition.
        run(TICK, a);
        assertThat(a.idle).isFalse();
        assertThat(a.watermarks).isNotEmpty();
    }
}
