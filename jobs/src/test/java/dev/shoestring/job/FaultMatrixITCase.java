package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.testutils.CapturedMetrics;
import dev.shoestring.testutils.ClickHouseHttp;
import dev.shoestring.testutils.ExpectedOutputs;
import dev.shoestring.testutils.JobRuns;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.testutils.LogCapture;
import dev.shoestring.testutils.ProgressiveProducer;
import dev.shoestring.testutils.ServiceControl;
import dev.shoestring.tools.EventGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.util.MiniClusterWithClientResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix (issue 9): each outage kind at several points of a run over a generated
 * hostile stream (re-deliveries, disorder, malformed records, unknown types), written by a live
 * producer over 20 s into a fresh topic while the job runs with the local Flink profile
 * (RocksDB, exponential-delay restarts, 3 tolerable failed checkpoints), checkpoints every second
 * on Ceph. The run ends with a draining stop-with-savepoint once every record is committed, and
 * then Postgres and ClickHouse ({@code FINAL}) must equal the failure-free expectation computed
 * from the generator's truth, the dead-letter topic must hold every malformed record (once if
 * the job never restarted), and the job must have said what was down (log lines, metrics).
 * ClickHouse is also read without {@code FINAL}: the re-inserted rows and window re-emissions
 * visible before merges are counted, and after {@code OPTIMIZE ... FINAL} the plain read must be
 * exact too.
 *
 * <p>Kinds: Postgres down 30 s ({@code bin/shoestring down/up}); ClickHouse killed for 30 s (a
 * graceful stop lets it serve its open connections for another ~12 s: not an outage); the Kafka
 * broker stopped, 10 s, started again; Ceph's radosgw (S3) down 30 s; the TaskManager lost
 * (terminated; a new one joins 5 s later). Points: before the first checkpoint (right at
 * submission), mid-stream (half the log produced, a checkpoint done), during the final drain
 * (everything committed, then the fault, then the stop-with-savepoint, retried as an operator
 * would until it succeeds).
 *
 * <p>The default build runs one case of each kind; {@code -Pfaults} (system property
 * {@code shoestring.faults=all}) runs all 15. Each case appends a row to
 * {@code jobs/target/fault-matrix.md}. The services stopped are those of
 * {@code bin/shoestring env}: run it against a second instance (SHOESTRING_PORT_OFFSET) when
 * others use the default one.
 */
class FaultMatrixITCase {
    enum Kind { POSTGRES, CLICKHOUSE, KAFKA, CEPH, TASKMANAGER }

    enum Point { BEFORE_FIRST_CHECKPOINT, MID_STREAM, FINAL_DRAIN }

    record Fault(Kind kind, Point point) {
        @Override
        public String toString() {
            return kind.name().toLowerCase(Locale.ROOT) + " @ " + point.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /** {@code -Pfaults} sets it to {@code all}. */
    static final String MATRIX_PROPERTY = "shoestring.faults";

    static final List<Fault> DEFAULT_CASES = List.of(
            new Fault(Kind.POSTGRES, Point.MID_STREAM),
            new Fault(Kind.CLICKHOUSE, Point.BEFORE_FIRST_CHECKPOINT),
            new Fault(Kind.KAFKA, Point.MID_STREAM),
            new Fault(Kind.CEPH, Point.MID_STREAM),
            new Fault(Kind.TASKMANAGER, Point.FINAL_DRAIN));

    /**
     * The default cases; every case for {@code shoestring.faults=all}; or those named, e.g.
     * {@code -Dshoestring.faults=kafka@final_drain,ceph@mid_stream}.
     */
    static Stream<Fault> cases() {
        String wanted = System.getProperty(MATRIX_PROPERTY, "");
        if (wanted.isBlank()) {
            return DEFAULT_CASES.stream();
        }
        List<Fault> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            for (Point p : Point.values()) {
                String name = (k + "@" + p).toLowerCase(Locale.ROOT);
                if (wanted.equals("all") || List.of(wanted.toLowerCase(Locale.ROOT).split(",")).contains(name)) {
                    out.add(new Fault(k, p));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(MATRIX_PROPERTY + "=" + wanted + " names no case (kind@point, e.g."
                    + " postgres@mid_stream; or all)");
        }
        return out.stream();
    }

    private static final Duration PRODUCE_FOR = Duration.ofSeconds(20);
    private static final int PRODUCE_SLICES = 40;
    private static final Duration CATCH_UP = Duration.ofMinutes(4);
    private static final Duration DRAIN = Duration.ofMinutes(4);

    /** Overrides every outage's length, in seconds (e.g. to see what a longer one does). */
    static final String OUTAGE_PROPERTY = "shoestring.faults.outage";

    static Duration outage(Kind kind) {
        String override = System.getProperty(OUTAGE_PROPERTY, "");
        if (!override.isBlank()) {
            return Duration.ofSeconds(Long.parseLong(override.trim()));
        }
        switch (kind) {
            case POSTGRES:
            case CLICKHOUSE:
                return Duration.ofSeconds(30);
            case KAFKA:
                return Duration.ofSeconds(10);
            case CEPH:
                return Duration.ofSeconds(30);
            default:
                return Duration.ofSeconds(5);
        }
    }

    private static MiniClusterWithClientResource cluster;
    /** The MiniCluster's TaskManagers are numbered in start order; a terminated one keeps its index. */
    private static int taskManager;

    private String down;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        Configuration conf = new Configuration();
        CapturedMetrics.configure(conf);
        cluster = new MiniClusterWithClientResource(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(conf).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());
        cluster.before();
        taskManager = 0;
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.after();
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        if (down != null) {
            restore(Kind.valueOf(down)); // never leave a service down for the next test
        }
        cluster.cancelAllJobs();
        CapturedMetrics.clearRemoved();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputsEqualTheFailureFreeRun(Fault fault) throws Exception {
        Timeline time = new Timeline();
        LogCapture logs = LogCapture.open();
        closeAfter.add(logs);

        // 1. A hostile log of ~4,350 records, a fresh topic, the job with checkpoints on Ceph.
        String run = LocalServices.runId();
        String topic = run + "-events";
        EventGenerator.Log log = new EventGenerator(100 + 10L * fault.kind().ordinal() + fault.point().ordinal(), run + "-")
                .tenants(2).orders(800).agents(12).decisionsPerAgent(150).metrics(10).changesPerMetric(40)
                .duplicateRate(0.05).swapRate(0.08).malformedRate(0.01).unknownTypeRate(0.03)
                .generate();
        LocalServices.createTopic(topic, 4);
        String s3Base = "s3://" + LocalServices.S3_BUCKET + "/it/" + run;
        ShoestringConfig cfg = LocalServices.config(topic, Map.of(
                ShoestringConfig.FLUSH_INTERVAL, "200 ms",
                ShoestringConfig.CHECKPOINTS_DIR, s3Base + "/checkpoints",
                ShoestringConfig.SAVEPOINTS_DIR, s3Base + "/savepoints"));
        Configuration conf = new Configuration(LocalServices.initS3(cfg));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofMillis(500));
        Preflight.run(cfg);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        ShoestringJob.define(env, cfg, false);
        JobClient job = env.executeAsync(run);
        time.mark("submitted");
        Sampler sampler = Sampler.start(run, topic);
        closeAfter.add(sampler);
        ProgressiveProducer producer = ProgressiveProducer.start(topic, log, PRODUCE_FOR, PRODUCE_SLICES);
        closeAfter.add(producer);

        // 2. The fault, at its point.
        long checkpointsBefore;
        CompletableFuture<String> drain = null;
        switch (fault.point()) {
            case BEFORE_FIRST_CHECKPOINT:
                checkpointsBefore = sampler.completedCheckpoints();
                assertThat(checkpointsBefore).as("no checkpoint before the fault").isZero();
                break;
            case MID_STREAM:
                awaitTrue("half the log produced and a checkpoint completed", Duration.ofSeconds(90),
                        () -> producer.produced() >= producer.total() / 2 && sampler.completedCheckpoints() > 0);
                checkpointsBefore = sampler.completedCheckpoints();
                break;
            default:
                producer.awaitAll(PRODUCE_FOR.plusSeconds(60));
                JobRuns.awaitCaughtUp(cfg, topic, job, Duration.ofSeconds(120));
                checkpointsBefore = sampler.completedCheckpoints();
        }
        long producedAtFault = producer.produced();
        long positionAtFault = sampler.position;
        time.mark("fault");
        inject(fault.kind());
        time.mark("down");
        if (fault.point() == Point.FINAL_DRAIN) {
            drain = CompletableFuture.supplyAsync(() -> JobRuns.drain(job, cfg, topic, DRAIN));
        }
        Thread.sleep(outage(fault.kind()).toMillis());
        long failedDuringOutage = sampler.failedCheckpoints();
        long positionAtUp = sampler.position;
        long producedAtUp = producer.produced();
        restore(fault.kind());
        time.mark("up");
        System.out.printf(Locale.ROOT, "fault-matrix %s %s: source position (sum of partition offsets) %d at the fault,"
                + " %d when back; produced %d at the fault, %d when back; retries %d, failed checkpoints %d%n",
                run, fault, positionAtFault, positionAtUp, producedAtFault, producedAtUp, sampler.retries(), failedDuringOutage);

        // 3. Everything produced and committed, then the draining stop (unless it is under way).
        producer.awaitAll(PRODUCE_FOR.plus(CATCH_UP));
        if (drain == null) {
            JobRuns.awaitCaughtUp(cfg, topic, job, CATCH_UP);
            time.mark("caught up");
            drain = CompletableFuture.completedFuture(JobRuns.drain(job, cfg, topic, DRAIN));
        }
        String savepoint = drain.get(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
        time.mark("stopped");
        job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        long recoveredAfterMs = sampler.firstCheckpointAfter(time.at("up")) - time.at("up");
        sampler.close();

        // 4. Exactly the failure-free outputs.
        ExpectedOutputs.assertPostgresEquals(run, ExpectedOutputs.State.from(log.truth));
        ExpectedOutputs.assertClickHouseEquals(run, log);

        // 5. Dead letters: every malformed record, nothing else; once unless the job restarted.
        long restarts = sampler.restarts();
        List<String> deadLetters = ExpectedOutputs.deadLetters(topic, cfg.kafkaDlqTopic);
        List<String> malformed = ExpectedOutputs.malformedValues(log);
        assertThat(new HashSet<>(deadLetters)).isEqualTo(new HashSet<>(malformed));
        Map<String, Integer> copies = new HashMap<>();
        deadLetters.forEach(v -> copies.merge(v, 1, Integer::sum));
        long repeated = copies.values().stream().filter(c -> c > 1).count();
        if (restarts == 0) {
            assertThat(deadLetters).as("each dead letter once: the job never restarted").hasSize(malformed.size());
        }

        // 6. The job said what was down.
        assertReported(fault, cfg.kafkaGroupId, logs, sampler, time);

        // 7. ClickHouse without FINAL: duplicates until merged, exact after OPTIMIZE ... FINAL.
        String tenants = " WHERE tenant_id LIKE '" + run + "-%'";
        String db = ClickHouseHttp.TEST_DATABASE;
        long eventRows = ClickHouseHttp.count("SELECT count() FROM " + db + ".events" + tenants);
        long eventsFinal = ClickHouseHttp.count("SELECT count() FROM " + db + ".events FINAL" + tenants);
        long windowRows = ClickHouseHttp.count("SELECT count() FROM " + db + ".agent_decision_metrics_1m" + tenants);
        long windowsFinal = ClickHouseHttp.count("SELECT count() FROM " + db + ".agent_decision_metrics_1m FINAL" + tenants);
        optimizeFinal(db, "events", "occurred_at", tenants);
        optimizeFinal(db, "agent_decision_metrics_1m", "window_start", tenants);
        ExpectedOutputs.assertClickHouseEqualsWithoutFinal(run, log);

        String row = String.format(Locale.ROOT,
                "| %s | %.1f | %d/%d | %d | %d | %d | %d | %.1f | %.1f | %d (+%d) | %d (+%d) | %d of %d (%d repeated) | %.0f |",
                fault, (time.at("up") - time.at("fault")) / 1e3, producedAtFault, producer.total(), checkpointsBefore,
                restarts, sampler.failedCheckpoints(), sampler.retries(), recoveredAfterMs / 1e3,
                (time.at("stopped") - time.at("up")) / 1e3, eventsFinal, eventRows - eventsFinal, windowsFinal,
                windowRows - windowsFinal, deadLetters.size(), malformed.size(), repeated,
                (time.at("stopped") - time.at("submitted")) / 1e3);
        System.out.println("fault-matrix " + run + " " + row + " savepoint " + savepoint + "; " + time);
        appendReport(row);
        org.apache.flink.core.fs.Path base = new org.apache.flink.core.fs.Path(s3Base);
        base.getFileSystem().delete(base, true);
    }

    // ----------------------------------------------------------------------------------------
    // Faults

    /** Takes the service down; returns how long stopping it took (ms). */
    private long inject(Kind kind) throws Exception {
        down = kind.name();
        switch (kind) {
            case POSTGRES:
                return ServiceControl.run("down", "postgres");
            case CLICKHOUSE:
                return ServiceControl.kill("clickhouse");
            case KAFKA:
                return ServiceControl.run("down", "kafka");
            case CEPH:
                return ServiceControl.stopRadosgw();
            default:
                long t0 = System.nanoTime();
                cluster.getMiniCluster().terminateTaskManager(taskManager).get(1, TimeUnit.MINUTES);
                return (System.nanoTime() - t0) / 1_000_000;
        }
    }

    /** Brings the service back; returns how long it took (ms). */
    private long restore(Kind kind) throws Exception {
        long ms;
        switch (kind) {
            case POSTGRES:
                ms = ServiceControl.run("up", "postgres");
                break;
            case CLICKHOUSE:
                ms = ServiceControl.run("up", "clickhouse");
                break;
            case KAFKA:
                ms = ServiceControl.run("up", "kafka");
                break;
            case CEPH:
                ms = ServiceControl.run("up", "ceph");
                break;
            default:
                long t0 = System.nanoTime();
                cluster.getMiniCluster().startTaskManager();
                taskManager++;
                ms = (System.nanoTime() - t0) / 1_000_000;
        }
        down = null;
        return ms;
    }

    /** What an operator sees for each kind, besides the outputs. */
    private static void assertReported(Fault fault, String group, LogCapture logs, Sampler sampler, Timeline time) {
        switch (fault.kind()) {
            case POSTGRES:
                if (fault.point() == Point.FINAL_DRAIN) {
                    // Everything was written before the fault and the drain adds no state change:
                    // the sink has nothing to write, so it never meets the outage (nor reports it),
                    // and the drain completes while the database is down.
                    break;
                }
                assertThat(logs.containing("Postgres at jdbc:postgresql://", "is failing for")).as("WARN lines").isNotEmpty();
                assertThat(logs.containing("Postgres at jdbc:postgresql://", "is back")).as("INFO line").isNotEmpty();
                assertThat(sampler.maxPostgresDown).as("postgresDown gauge during the outage").isEqualTo(1);
                assertThat(sampler.retries()).as("postgresWriteRetries").isPositive();
                break;
            case CLICKHOUSE:
                if (fault.point() == Point.FINAL_DRAIN) {
                    // As for Postgres: the generated orders run an hour past the last decision, so
                    // every window fired long before the drain; nothing is left to insert.
                    break;
                }
                assertThat(logs.containing("ClickHouse at http://", "is failing for")).as("WARN lines").isNotEmpty();
                assertThat(logs.containing("ClickHouse at http://", "is back")).as("INFO line").isNotEmpty();
                assertThat(sampler.maxClickHouseDown).as("clickhouseDown gauge during the outage").isEqualTo(1);
                assertThat(sampler.retries()).as("clickhouseInsertRetries").isPositive();
                break;
            case KAFKA:
                // The job's own Kafka clients (the source's consumers, or its enumerator's admin
                // client when the broker is down at start) name the broker they cannot reach.
                assertThat(logs.containing("clientId=" + group + "-source", "Connection to node",
                        "/" + LocalServices.KAFKA + ") could not be established"))
                        .as("WARN lines of the job's Kafka clients").isNotEmpty();
                break;
            case CEPH:
                if (fault.point() != Point.FINAL_DRAIN) {
                    // No checkpoint completes while S3 is down (they wait in S3A's retries), and
                    // one completes once it is back.
                    long down = time.at("down") + 2_000;
                    assertThat(sampler.completedBetween(down, time.at("up")))
                            .as("checkpoints completed while S3 was down").isZero();
                    assertThat(sampler.firstCheckpointAfter(time.at("up"))).as("a checkpoint after S3 is back")
                            .isGreaterThanOrEqualTo(time.at("up"));
                }
                break;
            default:
                assertThat(sampler.restarts()).as("the job restarted after losing its TaskManager").isPositive();
        }
    }

    // ----------------------------------------------------------------------------------------
    // Running the job to its end

    /** Merges the run's partitions of a ReplacingMergeTree now, as ClickHouse would eventually. */
    private static void optimizeFinal(String db, String table, String timeColumn, String tenants) throws Exception {
        for (String[] p : ClickHouseHttp.rows("SELECT DISTINCT toYYYYMM(" + timeColumn + ") FROM " + db + "." + table + tenants)) {
            ClickHouseHttp.execute("OPTIMIZE TABLE " + db + "." + table + " PARTITION " + p[0] + " FINAL");
        }
    }

    private interface Condition {
        boolean test() throws Exception;
    }

    private static void awaitTrue(String what, Duration timeout, Condition c) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!c.test()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static synchronized void appendReport(String row) throws Exception {
        Path report = LocalServices.root().resolve("jobs/target/fault-matrix.md");
        if (!Files.exists(report)) {
            Files.writeString(report, "| fault | down s | produced at fault | checkpoints before | restarts"
                    + " | failed checkpoints | sink retries | up -> next checkpoint s | up -> stopped s"
                    + " | events FINAL (+ extra rows without) | windows FINAL (+ extra rows without) | dead letters"
                    + " | run s |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        }
        Files.writeString(report, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Named instants of a case, in ms since the epoch. */
    private static final class Timeline {
        private final Map<String, Long> marks = new java.util.LinkedHashMap<>();

        void mark(String name) {
            marks.put(name, System.currentTimeMillis());
        }

        long at(String name) {
            Long t = marks.get(name);
            if (t == null) {
                throw new IllegalStateException("no mark " + name);
            }
            return t;
        }

        @Override
        public String toString() {
            long t0 = marks.values().iterator().next();
            StringBuilder b = new StringBuilder();
            marks.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(" +")
                    .append(String.format(Locale.ROOT, "%.1f", (v - t0) / 1e3)).append(" s"));
            return b.toString();
        }
    }

    /** Reads the job's metrics every 250 ms for the whole case: maxima and checkpoint times. */
    static final class Sampler implements AutoCloseable {
        private final String job;
        private final Thread thread;
        private volatile boolean stopped;
        volatile long maxPostgresDown;
        volatile long maxClickHouseDown;
        volatile long maxPostgresBuffered;
        volatile long maxClickHouseBufferedBytes;
        volatile long maxRestarts;
        /** The sum over partitions of the source's position (offset of the last record emitted). */
        volatile long position;
        volatile long maxFailedCheckpoints;
        private final AtomicLong completed = new AtomicLong();
        private final List<long[]> checkpointTimes = new java.util.concurrent.CopyOnWriteArrayList<>();

        private Sampler(String job) {
            this.job = job;
            this.thread = new Thread(this::loop, "fault-matrix-sampler");
            thread.setDaemon(true);
        }

        static Sampler start(String job, String topic) {
            Sampler s = new Sampler(job);
            s.thread.start();
            return s;
        }

        private void loop() {
            while (!stopped) {
                try {
                    maxPostgresDown = Math.max(maxPostgresDown, CapturedMetrics.maxOfGauges(job, "postgresDown"));
                    maxClickHouseDown = Math.max(maxClickHouseDown, CapturedMetrics.maxOfGauges(job, "clickhouseDown"));
                    maxPostgresBuffered = Math.max(maxPostgresBuffered, CapturedMetrics.maxOfGauges(job, "postgresBufferedRows"));
                    maxClickHouseBufferedBytes = Math.max(maxClickHouseBufferedBytes,
                            CapturedMetrics.maxOfGauges(job, "clickhouseBufferedBytes"));
                    maxRestarts = Math.max(maxRestarts, CapturedMetrics.maxOfGauges(job, "numRestarts"));
                    maxFailedCheckpoints = Math.max(maxFailedCheckpoints,
                            CapturedMetrics.maxOfGauges(job, "numberOfFailedCheckpoints"));
                    position = CapturedMetrics.sumOfGauges(job, "currentOffset");
                    long c = completedCheckpoints();
                    if (c > completed.get()) {
                        completed.set(c);
                        checkpointTimes.add(new long[] {System.currentTimeMillis(), c});
                    }
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a metric read while its task shuts down; the next round reads again
                }
            }
        }

        /** Completed checkpoints so far (read live: the job's metrics go when it ends). */
        long completedCheckpoints() {
            return CapturedMetrics.maxOfGauges(job, "numberOfCompletedCheckpoints");
        }

        /** The most failed checkpoints seen while the job ran. */
        long failedCheckpoints() {
            return Math.max(maxFailedCheckpoints, CapturedMetrics.maxOfGauges(job, "numberOfFailedCheckpoints"));
        }

        /** The most restarts seen while the job ran. */
        long restarts() {
            return Math.max(maxRestarts, CapturedMetrics.maxOfGauges(job, "numRestarts"));
        }

        /** The sinks' retries, over every attempt of the job. */
        long retries() {
            return CapturedMetrics.counter(job, "postgresWriteRetries") + CapturedMetrics.counter(job, "clickhouseInsertRetries");
        }

        /** How many checkpoints completed between {@code from} and {@code to} (ms). */
        long completedBetween(long from, long to) {
            long before = 0, after = 0;
            for (long[] c : checkpointTimes) {
                if (c[0] <= from) {
                    before = c[1];
                }
                if (c[0] <= to) {
                    after = c[1];
                }
            }
            return after - before;
        }

        /** When the first checkpoint completed after {@code t} (ms), or {@code t - 1} if none did. */
        long firstCheckpointAfter(long t) {
            for (long[] c : checkpointTimes) {
                if (c[0] >= t) {
                    return c[0];
                }
            }
            return t - 1;
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
