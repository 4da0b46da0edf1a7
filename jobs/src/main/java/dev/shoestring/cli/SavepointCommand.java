package dev.shoestring.cli;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.FlinkSettings;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobStatusMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code shoestring savepoint}: stop the running job with a savepoint (or, with
 * {@code --keep-running}, trigger one) through the Flink REST API of the local runner, and print
 * its path. Resume with {@code shoestring run --from-savepoint PATH}.
 */
@Command(name = "savepoint", mixinStandardHelpOptions = true,
        description = "Stop the running job with a savepoint (or trigger one) and print its path.")
public final class SavepointCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--job", paramLabel = "JOB_ID", description = "The job (default: the only running one).")
    String jobId;

    @Option(names = "--keep-running", description = "Trigger a savepoint and leave the job running.")
    boolean keepRunning;

    @Option(names = "--dir", paramLabel = "URI", description = "Target directory (default: savepoints.dir).")
    String dir;

    @Override
    public Integer call() throws Exception {
        ShoestringConfig cfg = config.loadOrExplain();
        if (cfg == null) {
            return 2;
        }
        String target = dir != null ? dir : cfg.savepointsDir;
        if (target == null) {
            System.err.println("shoestring: no savepoint directory: set config key 'savepoints.dir' or pass --dir");
            return 2;
        }
        Configuration flink = FlinkSettings.load(LocalRunner.flinkConfDir(), cfg);
        String rest = flink.get(RestOptions.ADDRESS) + ":" + flink.get(RestOptions.PORT);
        try (RestClusterClient<StandaloneClusterId> client = new RestClusterClient<>(flink, StandaloneClusterId.getInstance())) {
            JobID job;
            if (jobId != null) {
                job = JobID.fromHexString(jobId);
            } else {
                List<JobStatusMessage> running = client.listJobs().get(30, TimeUnit.SECONDS).stream()
                        .filter(j -> !j.getJobState().isGloballyTerminalState())
                        .collect(Collectors.toList());
                if (running.size() != 1) {
                    System.err.println("shoestring: expected one running job at " + rest + ", found " + running.size()
                            + (running.isEmpty() ? " (is `shoestring run` running?)" : "; pass --job"));
                    return 1;
                }
                job = running.get(0).getJobId();
            }
            String path = keepRunning
                    ? client.triggerSavepoint(job, target, SavepointFormatType.CANONICAL).get(10, TimeUnit.MINUTES)
                    : client.stopWithSavepoint(job, false, target, SavepointFormatType.CANONICAL).get(10, TimeUnit.MINUTES);
            System.out.println(path);
            System.err.println("shoestring: " + (keepRunning ? "savepoint taken" : "job stopped with a savepoint")
                    + "; resume with: bin/shoestring run --from-savepoint " + path);
            return 0;
        }
    }
}
