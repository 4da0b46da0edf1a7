package dev.shoestring.cli;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.ShoestringJob.Output;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code shoestring replay}: reprocess the log in bounded mode, from its start or from a
 * savepoint, optionally only some projections (e.g. recompute the metrics after a logic fix),
 * with a progress bar. It reads under its own consumer group, so the live job's offsets are not
 * touched, and it does not re-send dead letters unless asked to.
 *
 * <p>Re-writing is safe: Postgres upserts never lower a version, ClickHouse rows replace their
 * twins (read with FINAL).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Reprocess the log (from the start or a savepoint) in bounded mode, optionally only some projections.")
public final class ReplayCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--from-savepoint", paramLabel = "PATH", description = "Replay from this savepoint instead of the log start.")
    String fromSavepoint;

    @Option(names = "--only", split = ",", paramLabel = "OUTPUT",
            description = "Projections to write: ${COMPLETION-CANDIDATES} (default: STATE,ARCHIVE,METRICS).")
    List<Output> only;

    @Option(names = "--group", paramLabel = "GROUP_ID", description = "Consumer group of the replay (default: <kafka.group-id>-replay-<time>).")
    String group;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "2") int parallelism;

    @Override
    public Integer call() throws Exception {
        ShoestringConfig base = config.loadOrExplain();
        if (base == null) {
            return 2;
        }
        String replayGroup = group != null ? group : base.kafkaGroupId + "-replay-" + System.currentTimeMillis();
        Map<String, String> overrides = new HashMap<>();
        for (String s : config.sets) {
            Map.Entry<String, String> e = ShoestringConfig.parseSet(s);
            overrides.put(e.getKey(), e.getValue());
        }
        overrides.put(ShoestringConfig.KAFKA_GROUP_ID, replayGroup);
        ShoestringConfig cfg = ShoestringConfig.load(config.file, System.getenv(), overrides);

        LocalRunner.Options o = new LocalRunner.Options();
        o.bounded = true;
        o.progress = true;
        o.freshGroup = true;
        o.parallelism = parallelism;
        o.restore = fromSavepoint;
        o.outputs = only == null || only.isEmpty() ? EnumSet.of(Output.STATE, Output.ARCHIVE, Output.METRICS) : EnumSet.copyOf(only);
        // A partial replay drops the state of the projections it leaves out: that is its purpose.
        o.allowNonRestoredState = fromSavepoint != null && !o.outputs.containsAll(EnumSet.allOf(Output.class));
        o.jobName = "shoestring replay " + o.outputs;
        System.out.println("shoestring: replaying " + cfg.kafkaTopic + (fromSavepoint == null ? " from the start" : " from " + fromSavepoint)
                + " into " + o.outputs + " as consumer group " + replayGroup);
        return LocalRunner.run(cfg, o, System.out);
    }
}
