package dev.shoestring.cli;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.ShoestringJob;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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

    @Override
    public Integer call() throws Exception {
        ShoestringConfig cfg = config.loadOrExplain();
        if (cfg == null) {
            return 2;
        }
        if (parallelism < 1) {
            System.err.println("shoestring: --parallelism must be >= 1");
            return 2;
        }
        System.out.println("shoestring: configuration " + cfg.describe().entrySet().stream()
                .filter(e -> e.getValue() != null).map(Object::toString).collect(Collectors.joining(", ")));
        LocalRunner.Options o = new LocalRunner.Options();
        o.bounded = bounded;
        o.parallelism = parallelism;
        o.allowNonRestoredState = allowNonRestoredState;
        o.outputs = EnumSet.allOf(ShoestringJob.Output.class);
        o.jobName = bounded ? "shoestring (bounded)" : "shoestring";
        o.restore = fromSavepoint;
        if (fromLatestCheckpoint) {
            if (fromSavepoint != null) {
                System.err.println("shoestring: --from-savepoint and --from-latest-checkpoint exclude each other");
                return 2;
            }
            if (cfg.checkpointsDir == null) {
                System.err.println("shoestring: --from-latest-checkpoint needs config key 'checkpoints.dir'");
                return 2;
            }
            o.restore = LocalRunner.latestCheckpoint(cfg);
            System.out.println(o.restore == null
                    ? "shoestring: no checkpoint under " + cfg.checkpointsDir + " yet, starting from the committed offsets"
                    : "shoestring: resuming from " + o.restore);
        }
        return LocalRunner.run(cfg, o, System.out);
    }
}
