package dev.shoestring.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoestring.config.ShoestringConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Recovery: {@code bin/shoestring run} (the real command line, {@code dev.shoestring.cli.ShoestringCli
 * run}) in a child process on a topic holding a large state's history; once that is processed,
 * the generator paced at a fixed rate from then on (producers do not stop for an outage). Once
 * the job keeps up and runs steady, the child is killed with SIGKILL mid-way between two
 * checkpoints and at once started again with {@code --from-latest-checkpoint} (Ceph). Caught up
 * means back to the steady lag: the committed offsets (they advance at each completed
 * checkpoint) show a lag no larger than the largest lag seen right after a commit in the steady
 * period before the kill, plus one second of the generator's rate.
 *
 * <p>Phases of the restart, read from the child's Flink REST API: process start to the job
 * known to the local cluster (JVM, cluster start, preflight, submission); to every task RUNNING
 * (deployment and state restore: Flink tasks are INITIALIZING while they restore); to caught up.
 */
final class Recovery {
    /** What the recovery run measured; times in seconds after the kill; NaN where not reached. */
    record Result(long aggregates, long prefill, long stateRows, long checkpointedBytes, String restoredFrom,
            double rate, double steadyLagEvents, double processStarted, double jobKnown, double tasksRunning,
            double caughtUp, double timeoutSeconds, List<OffsetSampler.Sample> offsets, double killAt, double coldStartRunning) {
        boolean caughtUpInTime() {
            return !Double.isNaN(caughtUp);
        }

        /** The first run never kept up with the paced traffic: no kill, nothing to recover from. */
        boolean keptUp() {
            return !Double.isNaN(killAt);
        }

        static Result notKeepingUp(long aggregates, long prefill, double rate, double timeoutSeconds,
                List<OffsetSampler.Sample> offsets, double coldStart) {
            return new Result(aggregates, prefill, -1, -1, null, rate, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, timeoutSeconds, offsets, Double.NaN, coldStart);
        }
    }

    static final Duration STEADY = Duration.ofSeconds(30);
    /** Keeping up: a commit shows at most this much of the paced traffic not yet committed. */
    static final Duration KEEP_UP = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Recovery() {}

    static Result run(Bench.Run run, long aggregates, long traffic, double rate, String heap, Duration steady, Duration timeout)
            throws Exception {
        String name = "r";
        ShoestringConfig cfg = run.subConfig(name);
        BenchGenerator gen = new BenchGenerator(run.id + "-" + name, Math.toIntExact(aggregates));
        BenchGenerator.Result g = gen.produce(cfg.kafkaProducerProperties(), cfg.kafkaTopic, true, traffic);
        long prefill = g.events();
        Bench.log(String.format(Locale.ROOT, "recovery: prefilled %d events over %d aggregates; the pipeline runs in a child, paced traffic at %.0f ev/s",
                prefill, gen.aggregates(), rate));
        run.preflight(cfg);
        List<String> args = new ArrayList<>(List.of("run", "-p", Integer.toString(Bench.PARALLELISM)));
        run.sets(cfg).forEach((k, v) -> {
            args.add("--set");
            args.add(k + "=" + v);
        });
        List<String> jvm = List.of("-Xmx" + heap);
        int port1 = ChildJvm.freePort();
        Path log1 = run.workDir.resolve("recovery-1.log");
        Path log2 = run.workDir.resolve("recovery-2.log");
        Process first = null;
        Process second = null;
        BenchGenerator.Paced paced = null;
        try (OffsetSampler sampler = new OffsetSampler(cfg, cfg.kafkaTopic, cfg.kafkaGroupId, 500)) {
            first = ChildJvm.start(jvm, "dev.shoestring.cli.ShoestringCli", args,
                    ChildJvm.env("FLINK_CONF_DIR", ChildJvm.flinkConfDir(run.workDir.resolve("flink-conf-1"), port1).toString()), log1);
            long firstStart = System.nanoTime();
            // 1. Caught up with the prefill; on the way, the cold start (no state) to every task RUNNING.
            double coldStart = Double.NaN;
            double prefillDone = Double.NaN;
            String firstJob = null;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                checkAlive(first, log1);
                if (Double.isNaN(coldStart)) {
                    firstJob = firstJob != null ? firstJob : runningJob(port1);
                    if (firstJob != null && allTasksRunning(port1, firstJob)) {
                        coldStart = (System.nanoTime() - firstStart) / 1e9;
                    }
                }
                // The paced traffic starts once the prefill (the state's history) is processed.
                // Keeping up then: a commit shows at most 15 s of traffic not yet committed (one
                // checkpoint interval, 10 s, plus the checkpoint's own time).
                OffsetSampler.Sample s = sampler.last();
                if (paced == null && s != null && s.committed() >= prefill) {
                    paced = gen.startPaced(cfg.kafkaProducerProperties(), cfg.kafkaTopic, rate, Duration.ofSeconds(1), (k, q, t) -> { });
                    prefillDone = sampler.secondsSinceStart();
                }
                if (paced != null && s.committed() > prefill && sampler.secondsSinceStart() - prefillDone > KEEP_UP.toSeconds()
                        && s.lag() <= KEEP_UP.toSeconds() * rate) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    return Result.notKeepingUp(gen.aggregates(), prefill, rate, timeout.toSeconds(), sampler.samples(), coldStart);
                }
                Thread.sleep(200);
            }
            // 2. Steady: the lag right after each commit.
            double steadyFrom = sampler.secondsSinceStart();
            while (sampler.secondsSinceStart() - steadyFrom < steady.toSeconds() || commits(sampler.samples(), steadyFrom) < 2) {
                checkAlive(first, log1);
                Thread.sleep(500);
            }
            double steadyLag = postCommitLagMax(sampler.samples(), steadyFrom);
            // 3. Kill mid-way between two checkpoints: half an interval after a commit.
            long committedBefore = sampler.last().committed();
            while (sampler.last().committed() == committedBefore) {
                checkAlive(first, log1);
                Thread.sleep(100);
            }
            JsonNode checkpoints = restGet(port1, "/jobs/" + runningJob(port1) + "/checkpoints");
            long checkpointed = checkpoints.path("latest").path("completed").path("checkpointed_size").asLong(-1);
            Thread.sleep(5000);
            checkAlive(first, log1);
            long committedAtKill = sampler.last().committed();
            double killAt = sampler.secondsSinceStart();
            long tKill = System.nanoTime();
            first.destroyForcibly(); // SIGKILL
            first.waitFor(30, TimeUnit.SECONDS);
            Bench.log("recovery: killed the pipeline process (SIGKILL) with " + (sampler.last().lag()) + " events of lag; restarting from the latest checkpoint");

            // 4. Restart from the latest checkpoint.
            int port2 = ChildJvm.freePort();
            List<String> args2 = new ArrayList<>(args);
            args2.add("--from-latest-checkpoint");
            second = ChildJvm.start(jvm, "dev.shoestring.cli.ShoestringCli", args2,
                    ChildJvm.env("FLINK_CONF_DIR", ChildJvm.flinkConfDir(run.workDir.resolve("flink-conf-2"), port2).toString()), log2);
            double started = (System.nanoTime() - tKill) / 1e9;
            double known = Double.NaN;
            double running = Double.NaN;
            double caught = Double.NaN;
            String job = null;
            String restored = null;
            double slack = rate; // one second of traffic
            long end = tKill + timeout.toNanos();
            while (System.nanoTime() < end && Double.isNaN(caught)) {
                checkAlive(second, log2);
                double now = (System.nanoTime() - tKill) / 1e9;
                if (job == null) {
                    job = runningJob(port2);
                    if (job != null) {
                        known = now;
                    }
                } else if (Double.isNaN(running)) {
                    if (allTasksRunning(port2, job)) {
                        running = now;
                        restored = restGet(port2, "/jobs/" + job + "/checkpoints").path("latest").path("restored")
                                .path("external_path").asText(null);
                    }
                }
                OffsetSampler.Sample s = sampler.last();
                // A sample taken once the tasks ran, after the restarted job's first commit.
                if (!Double.isNaN(running) && s != null && s.seconds() >= killAt + running
                        && s.committed() > committedAtKill && s.lag() <= steadyLag + slack) {
                    caught = s.seconds() - killAt;
                }
                Thread.sleep(200);
            }
            long rows = run.stateRows(cfg);
            List<OffsetSampler.Sample> offsets = sampler.samples();
            return new Result(gen.aggregates(), prefill, rows, checkpointed, restored, rate, steadyLag, started, known,
                    running, caught, timeout.toSeconds(), offsets, killAt, coldStart);
        } finally {
            if (paced != null) {
                paced.stop();
            }
            for (Process p : new Process[] {first, second}) {
                if (p != null && p.isAlive()) {
                    p.destroy();
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
            run.dropSub(name);
        }
    }

    private static int commits(List<OffsetSampler.Sample> samples, double from) {
        int n = 0;
        long prev = -1;
        for (OffsetSampler.Sample s : samples) {
            if (s.seconds() >= from && prev >= 0 && s.committed() != prev) {
                n++;
            }
            prev = s.committed();
        }
        return n;
    }

    /** The largest lag seen at the first sample after each commit since {@code from}. */
    static double postCommitLagMax(List<OffsetSampler.Sample> samples, double from) {
        long max = 0;
        long prev = -1;
        for (OffsetSampler.Sample s : samples) {
            if (s.seconds() >= from && prev >= 0 && s.committed() != prev) {
                max = Math.max(max, s.lag());
            }
            prev = s.committed();
        }
        return max;
    }

    private static void checkAlive(Process p, Path log) {
        if (!p.isAlive()) {
            throw new IllegalStateException("the pipeline process exited with " + p.exitValue() + " (log " + log + "):\n"
                    + ChildJvm.tail(log, 40));
        }
    }

    static JsonNode restGet(int port, String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.missingNode();
        } catch (Exception e) {
            return JSON.missingNode();
        }
    }

    /** The id of the local cluster's job that is not in a terminal state, or null (cluster not up yet). */
    static String runningJob(int port) {
        for (JsonNode j : restGet(port, "/jobs/overview").path("jobs")) {
            String state = j.path("state").asText();
            if (!state.equals("FAILED") && !state.equals("CANCELED") && !state.equals("FINISHED")) {
                return j.path("jid").asText();
            }
        }
        return null;
    }

    private static boolean allTasksRunning(int port, String job) {
        JsonNode vertices = restGet(port, "/jobs/" + job).path("vertices");
        if (!vertices.isArray() || vertices.isEmpty()) {
            return false;
        }
        for (JsonNode v : vertices) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }
}
