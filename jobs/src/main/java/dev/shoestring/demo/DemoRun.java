package dev.shoestring.demo;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.FlinkSettings;
import dev.shoestring.job.ShoestringJob;
import dev.shoestring.metrics.LateDecisionCounter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One demo session: resume from the previous demo's savepoint (if any), start the job and the
 * traffic, refresh the live view every second, and on Ctrl-C or at the end of {@code --duration}
 * stop the traffic, let the job catch up, and stop it with a savepoint that the next demo resumes.
 */
public final class DemoRun {
    private final ShoestringConfig cfg;
    private final Path flinkConfDir;
    private final int parallelism;
    private final int rate;
    private final boolean fresh;
    private final Path stateFile;
    private final String tenantPrefix;
    private final AtomicBoolean stopRequested = new AtomicBoolean();

    public DemoRun(ShoestringConfig cfg, Path flinkConfDir, int parallelism, int rate, boolean fresh) {
        this(cfg, flinkConfDir, parallelism, rate, fresh, defaultStateFile(), "");
    }

    /** With an own state file and tenant prefix: for tests that must not disturb a developer's demo. */
    public DemoRun(ShoestringConfig cfg, Path flinkConfDir, int parallelism, int rate, boolean fresh, Path stateFile,
            String tenantPrefix) {
        this.cfg = cfg;
        this.flinkConfDir = flinkConfDir;
        this.parallelism = parallelism;
        this.rate = rate;
        this.fresh = fresh;
        this.stateFile = stateFile;
        this.tenantPrefix = tenantPrefix;
    }

    /** Where the last demo's savepoint path is kept (in the local data folder, not in the repo). */
    static Path defaultStateFile() {
        String dir = System.getenv("SHOESTRING_DATA_DIR");
        return Path.of(dir == null || dir.isEmpty() ? ".shoestring" : dir, "demo-savepoint");
    }

    public void requestStop() {
        stopRequested.set(true);
    }

    public int run(Duration limit, boolean tty, PrintStream out) throws Exception {
        Configuration flink = FlinkSettings.load(flinkConfDir, cfg);
        FlinkSettings.initFileSystems(flink);
        Path state = stateFile;
        if (!fresh && Files.exists(state)) {
            String savepoint = Files.readString(state, StandardCharsets.UTF_8).trim();
            out.println("shoestring: resuming the previous demo from " + savepoint + " (--fresh to start over)");
            FlinkSettings.restoreFrom(flink, savepoint, false);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
        if (env.getCheckpointInterval() <= 0) {
            env.enableCheckpointing(10_000);
        }
        ShoestringJob.define(env, cfg, false);
        JobClient job = env.executeAsync("shoestring demo");
        String rest = "http://" + flink.get(RestOptions.ADDRESS) + ":" + flink.get(RestOptions.PORT);

        LiveTraffic traffic = new LiveTraffic(cfg.kafkaProducerProperties(), cfg.kafkaTopic, rate, tenantPrefix);
        traffic.continueFrom(currentVersions());
        Thread producer = new Thread(traffic, "demo-traffic");
        producer.setDaemon(true);
        producer.start();
        installInterruptHandler();

        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        try (DemoMonitor monitor = new DemoMonitor(cfg, rest, job.getJobID().toHexString())) {
            while (!stopRequested.get() && System.nanoTime() < deadline) {
                if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    out.println("shoestring: the job ended on its own: " + job.getJobStatus().get());
                    job.getJobExecutionResult().get();
                    return 1;
                }
                DemoStats s = monitor.collect();
                s.lateDecisions = late(job);
                if (tty) {
                    out.print(LiveView.frame(s)); // no newline: a 24th line would scroll the title away
                    out.flush();
                } else {
                    out.println(LiveView.line(s));
                }
                Thread.sleep(1000);
            }
            out.println();
            out.println("shoestring: stopping the traffic, letting the job catch up, then stopping it with a savepoint...");
            traffic.stop();
            producer.join(10_000);
            long catchUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            DemoStats s = monitor.collect();
            while (s.consumerLag != 0 && System.nanoTime() < catchUp) {
                Thread.sleep(1000);
                s = monitor.collect();
            }
            String savepoint = job.stopWithSavepoint(false, cfg.savepointsDir, SavepointFormatType.CANONICAL)
                    .get(5, TimeUnit.MINUTES);
            job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            Files.createDirectories(state.getParent());
            Files.writeString(state, savepoint, StandardCharsets.UTF_8);
            out.println("shoestring: " + traffic.produced.get() + " events generated (" + traffic.failed.get()
                    + " not acknowledged by Kafka); job stopped with savepoint " + savepoint);
            out.println("shoestring: run `bin/shoestring demo` again to resume from it; `bin/shoestring down` stops the services.");
            return 0;
        }
    }

    private static long late(JobClient job) {
        try {
            Object v = job.getAccumulators().get(2, TimeUnit.SECONDS).get(LateDecisionCounter.ACC_LATE);
            return v instanceof Number ? ((Number) v).longValue() : 0;
        } catch (Exception e) {
            return -1;
        }
    }

    /** Agents' and metrics' versions in Postgres, so the traffic continues their sequences. */
    private Map<String, Long> currentVersions() {
        Map<String, Long> v = new HashMap<>();
        try (Connection c = cfg.postgres().connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT tenant_id, agent_id, version FROM agents")) {
                while (rs.next()) v.put(rs.getString(1) + "/agent/" + rs.getString(2), rs.getLong(3));
            }
            try (ResultSet rs = st.executeQuery("SELECT tenant_id, name, version FROM metrics_current")) {
                while (rs.next()) v.put(rs.getString(1) + "/metric/" + rs.getString(2), rs.getLong(3));
            }
        } catch (Exception e) {
            // fresh start: sequences from 1
        }
        return v;
    }

    /** Ctrl-C asks for a clean stop (with a savepoint) instead of killing the JVM and its local cluster. */
    private void installInterruptHandler() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> requestStop());
        } catch (IllegalArgumentException e) {
            // no such signal here: Ctrl-C then ends the JVM without a savepoint
        }
    }
}
