package dev.shoestring.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.OffsetProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;

/** Ending a running (unbounded) job the way an operator does: wait until caught up, then drain. */
public final class JobRuns {
    private JobRuns() {}

    /**
     * Until every record is committed: the group's offsets, committed on completed checkpoints,
     * reached the topic's end offsets (so a restart also restores to the end). Errors reading the
     * offsets (the broker down) are retried; fails if the job ends.
     */
    public static void awaitCaughtUp(ShoestringConfig cfg, String topic, JobClient job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()).as("job ended").isFalse();
            try (OffsetProgress progress = OffsetProgress.start(cfg, topic, cfg.kafkaGroupId)) {
                while (System.nanoTime() < deadline) {
                    var committed = progress.committed();
                    last = progress.render(committed);
                    if (progress.done(committed)) {
                        return;
                    }
                    Thread.sleep(500);
                }
            } catch (Exception e) {
                last = e.toString();
                Thread.sleep(1000);
            }
        }
        throw new AssertionError("not caught up after " + timeout + ": " + last);
    }

    /**
     * A draining stop-with-savepoint (fires every window, flushes every sink), retried until it
     * succeeds: a failed one leaves the job running, and between attempts this waits until
     * everything is committed again (a restart may have gone back to the last checkpoint).
     * Returns the savepoint's path.
     */
    public static String drain(JobClient job, ShoestringConfig cfg, String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> failures = new ArrayList<>();
        try {
            while (true) {
                try {
                    return job.stopWithSavepoint(true, cfg.savepointsDir, SavepointFormatType.CANONICAL)
                            .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    failures.add(rootCause(e));
                    JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
                    if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                        throw new AssertionError("drain failed (job " + status + "): " + failures, e);
                    }
                    System.out.println("drain attempt failed, retrying: " + rootCause(e));
                    Thread.sleep(2000);
                    awaitCaughtUp(cfg, topic, job, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                }
            }
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("drain: " + failures, e);
        }
    }

    public static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
    }
}
