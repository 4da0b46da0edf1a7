package dev.shoestring.cli;

import dev.shoestring.config.ConfigException;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.EventValidator;
import dev.shoestring.job.Preflight;
import dev.shoestring.job.ShoestringJob;
import dev.shoestring.projection.AggregateProjector;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
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

    @Option(names = {"-p", "--parallelism"}, description = "Parallelism of the local job (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int parallelism;

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

        Configuration flink = new Configuration();
        if (cfg.checkpointsDir != null) {
            flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, cfg.checkpointsDir);
        }
        if (cfg.savepointsDir != null) {
            flink.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, cfg.savepointsDir);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
        env.enableCheckpointing(Duration.ofSeconds(10).toMillis());
        ShoestringJob.define(env, cfg, bounded);

        long t0 = System.nanoTime();
        JobExecutionResult r = env.execute(bounded ? "shoestring (bounded)" : "shoestring");
        System.out.printf("shoestring: job %s finished in %.1f s: %d valid events, %d invalid (to %s),"
                        + " %d applied, %d duplicates dropped, %d sequence gaps skipped%n",
                r.getJobID(), (System.nanoTime() - t0) / 1e9,
                total(r, EventValidator.ACC_VALID), total(r, EventValidator.ACC_INVALID), cfg.kafkaDlqTopic,
                total(r, AggregateProjector.ACC_APPLIED), total(r, AggregateProjector.ACC_DUPLICATES),
                total(r, AggregateProjector.ACC_GAPS_SKIPPED));
        return 0;
    }
}
