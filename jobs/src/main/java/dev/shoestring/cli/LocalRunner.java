package dev.shoestring.cli;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.Checkpoints;
import dev.shoestring.job.EventValidator;
import dev.shoestring.job.FlinkSettings;
import dev.shoestring.job.ShoestringJob;
import dev.shoestring.kafka.OffsetProgress;
import dev.shoestring.projection.AggregateProjector;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;

/**
 * Runs the job on a local Flink cluster in this JVM: {@code run} and {@code replay}.
 *
 * <p>A bounded run that starts from a savepoint or checkpoint cannot rely on the Kafka source's
 * own bound: restored splits keep the stopping offsets of the run that wrote them, and a restored
 * bounded enumerator never signals the end (FLINK-31006, open in flink-connector-kafka 5.0). Such
 * a run is therefore unbounded, watched through the committed offsets, and stopped with a
 * draining savepoint (which fires every window and flushes every sink) once every partition has
 * reached the end offsets present at start.
 */
final class LocalRunner {
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    static final Duration WATCHED_CHECKPOINT_INTERVAL = Duration.ofSeconds(2);

    static final class Options {
        boolean bounded;
        String restore;
        boolean allowNonRestoredState;
        int parallelism = 2;
        Set<ShoestringJob.Output> outputs;
        boolean progress;
        String jobName = "shoestring";
        /** The caller already chose a consumer group of this run's own (replay). */
        boolean freshGroup;
    }

    private LocalRunner() {}

    /** The Flink profile: FLINK_CONF_DIR, as for any Flink process (bin/shoestring sets flink-conf/local). */
    static Path flinkConfDir() {
        String dir = System.getenv("FLINK_CONF_DIR");
        return dir == null || dir.isEmpty() ? null : Path.of(dir);
    }

    static String latestCheckpoint(ShoestringConfig cfg) throws Exception {
        FlinkSettings.initFileSystems(FlinkSettings.load(flinkConfDir(), cfg));
        return Checkpoints.latest(cfg.checkpointsDir).orElse(null);
    }

    static int run(ShoestringConfig cfg, Options o, PrintStream out) throws Exception {
        Startup.preflight(cfg, o.outputs);
        Configuration flink = FlinkSettings.load(flinkConfDir(), cfg);
        FlinkSettings.initFileSystems(flink);
        boolean watched = o.bounded && o.restore != null;
        if (watched && cfg.savepointsDir == null) {
            System.err.println("shoestring: a bounded run from a savepoint ends with a draining savepoint:"
                    + " set config key 'savepoints.dir'");
            return 2;
        }
        if (o.restore != null) {
            FlinkSettings.restoreFrom(flink, o.restore, o.allowNonRestoredState);
        }
        if (watched && !o.freshGroup) {
            // The watch reads committed offsets: they must be this run's, not those of an earlier
            // run of the same group (which may be ahead of the savepoint).
            cfg = cfg.withGroupId(cfg.kafkaGroupId + "-resume-" + System.currentTimeMillis());
            out.println("shoestring: bounded resume reads as consumer group " + cfg.kafkaGroupId);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(o.parallelism, flink);
        if (watched || o.progress) {
            env.enableCheckpointing(WATCHED_CHECKPOINT_INTERVAL.toMillis());
        } else if (env.getCheckpointInterval() <= 0) {
            env.enableCheckpointing(Duration.ofSeconds(10).toMillis());
        }
        ShoestringJob.define(env, cfg, o.bounded && !watched, o.outputs);

        long t0 = System.nanoTime();
        OffsetProgress progress = watched || o.progress
                ? OffsetProgress.start(cfg, cfg.kafkaTopic, cfg.kafkaGroupId) : null;
        JobClient job = env.executeAsync(o.jobName);
        out.println("shoestring: job " + job.getJobID() + " running; Flink REST API on "
                + flink.get(RestOptions.ADDRESS) + ":" + flink.get(RestOptions.PORT));
        if (progress != null) {
            try (progress) {
                watch(job, progress, watched, cfg, out);
            }
        }
        JobExecutionResult r = job.getJobExecutionResult().get();
        if (!o.bounded) {
            // An unbounded job ends only by `shoestring savepoint` (stop-with-savepoint): keep the
            // local cluster up a moment so that the client can fetch the savepoint's path.
            Thread.sleep(STOP_GRACE.toMillis());
        }
        out.printf("shoestring: job %s finished in %.1f s: %d valid events, %d invalid, %d applied,"
                        + " %d duplicates dropped, %d sequence gaps skipped%n",
                r.getJobID(), (System.nanoTime() - t0) / 1e9,
                total(r, EventValidator.ACC_VALID), total(r, EventValidator.ACC_INVALID),
                total(r, AggregateProjector.ACC_APPLIED), total(r, AggregateProjector.ACC_DUPLICATES),
                total(r, AggregateProjector.ACC_GAPS_SKIPPED));
        return 0;
    }

    /** Prints progress every second; for a watched run, stops it with a draining savepoint at the end. */
    private static void watch(JobClient job, OffsetProgress progress, boolean stopAtEnd, ShoestringConfig cfg,
            PrintStream out) throws Exception {
        boolean tty = System.console() != null;
        long lastPrint = 0;
        while (isRunning(job)) {
            Map<TopicPartition, Long> committed = progress.committed();
            String line = progress.render(committed);
            long now = System.currentTimeMillis();
            if (tty) {
                System.err.print("\r" + line);
            } else if (now - lastPrint >= 5000) {
                System.err.println(line);
                lastPrint = now;
            }
            if (stopAtEnd && progress.done(committed)) {
                if (tty) {
                    System.err.println();
                }
                String path = stopWithDrain(job, cfg.savepointsDir);
                out.println("shoestring: reached the end offsets; stopped with a draining savepoint: " + path);
                return;
            }
            Thread.sleep(1000);
        }
        if (tty) {
            System.err.println();
        }
        System.err.println(progress.render(progress.committed()));
    }

    /** Stop-with-savepoint, draining; retried while tasks are still starting or finishing a checkpoint. */
    private static String stopWithDrain(JobClient job, String dir) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return job.stopWithSavepoint(true, dir, SavepointFormatType.CANONICAL).get(10, TimeUnit.MINUTES);
            } catch (Exception e) {
                if (attempt >= 10) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }

    /** The per-job local cluster shuts down with its job: a failing status call means "ended". */
    private static boolean isRunning(JobClient job) {
        try {
            return !job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState();
        } catch (Exception e) {
            return false;
        }
    }

    private static long total(JobExecutionResult r, String accumulator) {
        Object v = r.getAllAccumulatorResults().get(accumulator);
        return v instanceof Number ? ((Number) v).longValue() : 0L;
    }
}
