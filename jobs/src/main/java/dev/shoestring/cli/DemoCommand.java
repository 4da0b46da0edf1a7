package dev.shoestring.cli;

import dev.shoestring.config.ConfigException;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.demo.DemoRun;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code shoestring demo}: live traffic, all jobs with checkpoints on Ceph, and a live view. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Generate live traffic, run every job with checkpoints, and show the numbers live.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Stop by itself after this long (e.g. 60s); default: until Ctrl-C.")
    String duration;

    @Option(names = "--no-tty", description = "Plain lines instead of a redrawn screen (automatic when not on a terminal).")
    boolean noTty;

    @Option(names = "--rate", defaultValue = "300", description = "Events per second to generate (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--fresh", description = "Ignore the savepoint of the previous demo.")
    boolean fresh;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "2") int parallelism;

    @Override
    public Integer call() throws Exception {
        ShoestringConfig cfg;
        Duration limit;
        try {
            cfg = config.load();
            limit = duration == null ? null : TimeUtils.parseDuration(duration);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("shoestring: " + e.getMessage());
            return 2;
        }
        if (cfg.savepointsDir == null) {
            System.err.println("shoestring: the demo stops with a savepoint: set config key 'savepoints.dir'"
                    + " (bin/shoestring sets it to the local Ceph)");
            return 2;
        }
        Startup.preflight(cfg, java.util.EnumSet.allOf(dev.shoestring.job.ShoestringJob.Output.class));
        DemoRun run = new DemoRun(cfg, LocalRunner.flinkConfDir(), parallelism, rate, fresh);
        boolean tty = !noTty && System.console() != null;
        return run.run(limit, tty, System.out);
    }
}
