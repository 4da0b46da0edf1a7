package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.clickhouse.ClickHouseSinkOptions;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.testutils.CapturedMetrics;
import dev.shoestring.testutils.ExpectedOutputs;
import dev.shoestring.testutils.JobRuns;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.testutils.ServiceControl;
import dev.shoestring.tools.EventGenerator;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Memory stays bounded while a database is down and input keeps arriving. One running job, two
 * outages of 15 s: Postgres down ({@code bin/shoestring down}) while half of a ~42,000-record log
 * arrives, then ClickHouse killed while the other half arrives. In each, the sink blocks in its
 * retries with what it had buffered (at its first failed timed flush: far below its limits of
 * 5,000 aggregates, or 50,000 rows / 8 MiB), back-pressure (or, for the archive sink chained to
 * the source, the blocked source thread itself) stops the Kafka source, and the backlog waits in
 * Kafka: the job's read position stands still for the second half of each outage while the
 * consumer lag grows. Sampled every 250 ms from the job's own metrics. The heap in use is
 * printed (docs/design/outages.md). Afterwards the job catches up and the outputs are exact.
 */
class BackpressureITCase {
    private static final Configuration CLUSTER = new Configuration();

    static {
        CapturedMetrics.configure(CLUSTER);
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(CLUSTER).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Duration OUTAGE = Duration.ofSeconds(15);
    /** The largest encoded event row of this log is far below this. */
    private static final long MAX_ROW_BYTES = 4096;
    /**
     * Sink buffers far smaller than the defaults (50,000 aggregates, 50,000 rows), and a log of
     * ~42,000 records per outage, several times what the sinks and Flink's network buffers hold
     * (measured: ~13,000 records of the projector's input fill the network buffers between the
     * source and the blocked projector): whatever is not in the sinks' two buffers (the one being
     * written, the one being filled) or in the network buffers must wait in Kafka.
     */
    private static final int CLICKHOUSE_MAX_ROWS = 2_000;
    private static final ShoestringJob.SinkLimits LIMITS = new ShoestringJob.SinkLimits(1_000,
            ClickHouseSinkOptions.defaults().withMaxRows(CLICKHOUSE_MAX_ROWS));

    private final List<String> stopped = new ArrayList<>();

    @AfterEach
    void restart() throws Exception {
        for (String s : stopped) {
            ServiceControl.run("up", s);
        }
    }

    @Test
    void sinksBufferUpToTheirLimitsAndTheBacklogStaysInKafka() throws Exception {
        String run = LocalServices.runId();
        String topic = run + "-events";
        EventGenerator.Log log = new EventGenerator(7, run + "-")
                .tenants(2).orders(24_000).agents(20).decisionsPerAgent(800).metrics(40).changesPerMetric(200)
                .duplicateRate(0.05).swapRate(0.08).malformedRate(0.01).unknownTypeRate(0.03)
                .generate();
        LocalServices.createTopic(topic, 4);
        String s3Base = "s3://" + LocalServices.S3_BUCKET + "/it/" + run;
        ShoestringConfig cfg = LocalServices.config(topic, Map.of(
                ShoestringConfig.CHECKPOINTS_DIR, s3Base + "/checkpoints",
                ShoestringConfig.SAVEPOINTS_DIR, s3Base + "/savepoints"));
        Configuration conf = new Configuration(LocalServices.initS3(cfg));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(2));
        Preflight.run(cfg);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        ShoestringJob.define(env, cfg, false, java.util.EnumSet.allOf(ShoestringJob.Output.class), LIMITS);
        JobClient job = env.executeAsync(run);
        awaitMetric(run, "currentOffset", Duration.ofSeconds(60));
        long heapBefore = usedHeapAfterGc();
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        log.records.forEach(r -> records.add(Map.entry(r.key, r.value)));
        int half = records.size() / 2;

        // 1. Postgres down while the first half of the log arrives: the state sink blocks, the
        //    source stops behind it.
        Phase pg = outage(run, topic, "postgres", false, records.subList(0, half), 0);
        assertThat(pg.maxPostgresRows).as("Postgres buffer").isPositive()
                .isLessThanOrEqualTo(2L * LIMITS.postgresMaxBufferedKeys()); // the buffer being filled and the flush in flight
        awaitPosition(run, half, Duration.ofMinutes(2));

        // 2. ClickHouse killed while the second half arrives: the archive sink, chained to the
        //    source, blocks the source itself.
        Phase ch = outage(run, topic, "clickhouse", true, records.subList(half, records.size()), half);
        assertThat(ch.maxClickHouseRows).as("ClickHouse batch rows").isPositive()
                .isLessThanOrEqualTo(2L * CLICKHOUSE_MAX_ROWS); // the batch being filled and the one in flight
        assertThat(ch.maxClickHouseBytes).as("ClickHouse batch bytes")
                .isLessThanOrEqualTo(2L * (ClickHouseSinkOptions.DEFAULT_MAX_BYTES + MAX_ROW_BYTES));
        for (Phase p : List.of(pg, ch)) {
            System.out.printf(Locale.ROOT, "backpressure %s: %s down %d s while %d records arrived (in %.1f s): Postgres"
                            + " buffer max %d rows, ClickHouse batch max %d rows / %d bytes; source read %d of them by"
                            + " half-time and %d by the end (%d waiting in Kafka); heap used after GC %d MB before the"
                            + " test, %d MB at the end of the outage (max sampled %d MB)%n",
                    run, p.service, OUTAGE.toSeconds(), p.records, p.produceSeconds, p.maxPostgresRows, p.maxClickHouseRows,
                    p.maxClickHouseBytes, p.readAtHalf, p.readAtEnd, p.records - p.readAtEnd, heapBefore >> 20,
                    p.heapAfterGc >> 20, p.maxHeap >> 20);
            assertThat(p.down).as("%s reported down (gauge)", p.service).isEqualTo(1);
            assertThat(p.readAtEnd - p.readAtHalf).as("%s down: records read in the second half of the outage", p.service)
                    .isLessThan(100);
            assertThat(p.records - p.readAtEnd).as("%s down: the backlog stays in Kafka", p.service)
                    .isGreaterThan(p.records / 2);
        }
        assertThat(CapturedMetrics.maxOfGauges(run, "numRestarts")).as("no restart: outages shorter than the sinks' retries")
                .isZero();

        // 3. Back: catch up, drain, exact outputs.
        JobRuns.awaitCaughtUp(cfg, topic, job, Duration.ofMinutes(4));
        JobRuns.drain(job, cfg, topic, Duration.ofMinutes(3));
        job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        ExpectedOutputs.assertPostgresEquals(run, ExpectedOutputs.State.from(log.truth));
        ExpectedOutputs.assertClickHouseEquals(run, log);
        org.apache.flink.core.fs.Path base = new org.apache.flink.core.fs.Path(s3Base);
        base.getFileSystem().delete(base, true);
    }

    /** What was sampled every 250 ms during one outage. */
    private static final class Phase {
        String service;
        int records;
        double produceSeconds;
        long maxPostgresRows;
        long maxClickHouseRows;
        long maxClickHouseBytes;
        long maxHeap;
        long heapAfterGc;
        long down;
        /** Records of this phase read by the source (its position minus where the phase started). */
        long readAtHalf = -1;
        long readAtEnd;
    }

    /** Takes {@code service} down, produces {@code records}, samples for {@link #OUTAGE}, brings it back. */
    private Phase outage(String run, String topic, String service, boolean kill, List<Map.Entry<String, byte[]>> records,
            long positionBefore) throws Exception {
        Phase p = new Phase();
        p.service = service;
        p.records = records.size();
        if (kill) {
            ServiceControl.kill(service);
        } else {
            ServiceControl.run("down", service);
        }
        stopped.add(service);
        long t0 = System.nanoTime();
        LocalServices.produce(topic, records);
        p.produceSeconds = (System.nanoTime() - t0) / 1e9;
        String gauge = service.equals("postgres") ? "postgresDown" : "clickhouseDown";
        while (System.nanoTime() - t0 < OUTAGE.toNanos()) {
            p.maxPostgresRows = Math.max(p.maxPostgresRows, CapturedMetrics.maxOfGauges(run, "postgresBufferedRows"));
            p.maxClickHouseRows = Math.max(p.maxClickHouseRows, CapturedMetrics.maxOfGauges(run, "clickhouseBufferedRows"));
            p.maxClickHouseBytes = Math.max(p.maxClickHouseBytes, CapturedMetrics.maxOfGauges(run, "clickhouseBufferedBytes"));
            p.maxHeap = Math.max(p.maxHeap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            p.down = Math.max(p.down, CapturedMetrics.maxOfGauges(run, gauge));
            p.readAtEnd = position(run) - positionBefore;
            if (p.readAtHalf < 0 && System.nanoTime() - t0 > OUTAGE.toNanos() / 2) {
                p.readAtHalf = p.readAtEnd;
            }
            Thread.sleep(250);
        }
        p.heapAfterGc = usedHeapAfterGc();
        ServiceControl.run("up", service);
        stopped.remove(service);
        return p;
    }

    /** Records the source has emitted: the sum over partitions of the offset after the last one read. */
    private static long position(String run) {
        return CapturedMetrics.gauges(run, "currentOffset").stream().mapToLong(o -> o + 1).sum();
    }

    private static void awaitPosition(String run, long records, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (position(run) < records) {
            assertThat(System.nanoTime()).as("source read %d records (now %d)", records, position(run)).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static void awaitMetric(String job, String name, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (CapturedMetrics.gauges(job, name).isEmpty()) {
            assertThat(System.nanoTime()).as("metric %s of job %s registered", name, job).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
