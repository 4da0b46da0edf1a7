package dev.shoestring.cli;

import dev.shoestring.config.ConfigException;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.Checkpoints;
import dev.shoestring.job.EventValidator;
import dev.shoestring.job.FlinkSettings;
import dev.shoestring.job.Preflight;
import dev.shoestring.job.ShoestringJob;
import dev.shoestring.projection.AggregateProjector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code shoestring run}: the jobs on a local Flink cluster inside this process. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the Shoestring jobs on a local Flink cluster in this process.")
public final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--bounded", description = "Read from the start to the end offsets present at start-up, flush everything and exit 0.")
    boolean bounded;

    @Option(names = "--from-savepoint", paramLabel = "PATH",
            description = "Start from this savepoint (or retained checkpoint) instead of the committed offsets.")
    String fromSavepoint;

    @Option(names = "--from-latest-checkpoint",
            description = "Resume from the newest complete checkpoint under checkpoints.dir (after a crash).")
    boolean fromLatestCheckpoint;

    @Option(names = "--allow-non-restored-state",
            description = "Start even if the savepoint holds state of an operator that no longer exists (dropped on purpose).")
    boolean allowNonRestoredState;

    @Option(names = {"-p", "--parallelism"}, description = "Parallelism of the local job (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int parallelism;

    static final Duration STOP_GRACE = Duration.ofSeconds(5);

    /** The Flink profile: FLINK_CONF_DIR, as for any Flink process (bin/shoestring sets flink-conf/local). */
    static Path flinkConfDir() {
        String dir = System.getenv("FLINK_CONF_DIR");
        return dir == null || dir.isEmpty() ? null : Path.of(dir);
    }

    private static long total(JobExecutionResult r, String accumulator) {
        Object v = r.getAllAccumulatorResults().get(accumulator);
        return v instanceof Number ? ((Number) v).longValue() : 0L;
    }

    @Override
    public Integer call() throws Exception {
        ShoestringConfig cfg;
        try {
            cfg = config.load();
        } catch (ConfigException e) {
            System.err.println("shoestring: " + e.getMessage());
            return 2;
        }
        if (parallelism < 1) {
            System.err.println("shoestring: --parallelism must be >= 1");
            return 2;
        }
        System.out.println("shoestring: configuration " + cfg.describe().entrySet().stream()
                .filter(e -> e.getValue() != null).map(Object::toString).collect(java.util.stream.Collectors.joining(", ")));

        for (Preflight.Step step : Preflight.steps(cfg)) {
            Startup.retry(step.name, step.action::run);
        }

        Configuration flink = FlinkSettings.load(flinkConfDir(), cfg);
        FlinkSettings.initFileSystems(flink);
        String restore = fromSavepoint;
        if (fromLatestCheckpoint) {
            if (restore != null) {
                System.err.println("shoestring: --from-savepoint and --from-latest-checkpoint exclude each other");
                return 2;
            }
            if (cfg.checkpointsDir == null) {
                System.err.println("shoestring: --from-latest-checkpoint needs config key 'checkpoints.dir'");
                return 2;
            }
            restore = Checkpoints.latest(cfg.checkpointsDir).orElse(null);
            System.out.println(restore == null
                    ? "shoestring: no checkpoint under " + cfg.checkpointsDir + " yet, starting from the committed offsets"
                    : "shoestring: resuming from " + restore);
        }
        if (restore != null) {
            FlinkSettings.restoreFrom(flink, restore, allowNonRestoredState);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
        if (env.getCheckpointInterval() <= 0) {
            env.enableCheckpointing(Duration.ofSeconds(10).toMillis());
        }
        ShoestringJob.define(env, cfg, bounded);

        long t0 = System.nanoTime();
        JobClient job = env.executeAsync(bounded ? "shoestring (bounded)" : "shoestring");
        System.out.println("shoestring: job " + job.getJobID() + " running; Flink REST API on "
                + flink.get(RestOptions.ADDRESS) + ":" + flink.get(RestOptions.PORT));
        JobExecutionResult r = job.getJobExecutionResult().get();
        if (!bounded) {
            // An unbounded job ends only by `shoestring savepoint` (stop-with-savepoint): keep the
            // local cluster up a moment so that the client can fetch the savepoint's path.
            Thread.sleep(STOP_GRACE.toMillis());
        }
        System.out.printf("shoestring: job %s finished in %.1f s: %d valid events, %d invalid (to %s),"
                        + " %d applied, %d duplicates dropped, %d sequence gaps skipped%n",
                r.getJobID(), (System.nanoTime() - t0) / 1e9,
                total(r, EventValidator.ACC_VALID), total(r, EventValidator.ACC_INVALID), cfg.kafkaDlqTopic,
                total(r, AggregateProjector.ACC_APPLIED), total(r, AggregateProjector.ACC_DUPLICATES),
                total(r, AggregateProjector.ACC_GAPS_SKIPPED));
        return 0;
    }
}
