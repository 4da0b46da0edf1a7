package dev.shoestring.cli;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.ShoestringJob;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The entry class for a Flink cluster: application mode under the Flink Kubernetes Operator
 * ({@code entryClass} of a FlinkDeployment) or {@code flink run}. Unlike {@code shoestring run}
 * it starts no cluster: checkpointing, state backend, restart strategy and S3 come from the
 * cluster's Flink configuration (flink-conf/production/config.yaml).
 */
@Command(name = "shoestring-job", mixinStandardHelpOptions = true,
        description = "Submit the Shoestring job to the Flink cluster this runs in.")
public final class ClusterJob implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--bounded", description = "Read to the end offsets present at start-up, then finish.")
    boolean bounded;

    @Override
    public Integer call() throws Exception {
        ShoestringConfig cfg = config.loadOrExplain();
        if (cfg == null) {
            return 2;
        }
        Startup.preflight(cfg, java.util.EnumSet.allOf(dev.shoestring.job.ShoestringJob.Output.class));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ShoestringJob.define(env, cfg, bounded);
        env.execute(bounded ? "shoestring (bounded)" : "shoestring");
        return 0;
    }

    public static void main(String[] args) {
        int code = new CommandLine(new ClusterJob()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
