package dev.shoestring.bench;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.EventValidator;
import dev.shoestring.job.FlinkSettings;
import dev.shoestring.job.Preflight;
import dev.shoestring.job.ShoestringJob;
import dev.shoestring.job.ShoestringJob.Output;
import dev.shoestring.job.ShoestringTopology;
import dev.shoestring.kafka.Topics;
import dev.shoestring.projection.AggregateProjector;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * {@code bin/shoestring bench [--quick] [...]}: issue 7's measurements. Every figure is a ratio to
 * a baseline measured in the same run on the same machine, against the same topic, because
 * absolute numbers drift on a shared 2-core machine.
 *
 * <p>Order of a run: generate once into a fresh topic; raw consume (the ceiling); ClickHouse's
 * Kafka engine; then the Flink runs (ARCHIVE only, the full pipeline, STATE only, the naive
 * upsert job), each a bounded read of the whole topic on a local cluster in this JVM with the
 * checkpoints of flink-conf/local (every 10 s, RocksDB, on Ceph). Then freshness at half the
 * sustained rate ({@link Freshness}), the scale points each in a JVM of its own ({@link Scale}),
 * recovery from SIGKILL ({@link Recovery}); then the table, the settings and the PNG plots.
 */
public final class Bench {
    static final String PG_DATABASE = "shoestring_bench";
    static final String CH_DATABASE = "shoestring_bench";
    static final int PARALLELISM = 2;

    /** The rows of the results table; the smoke test parses them by these names. */
    static final String ROW_GENERATOR = "generator produce";
    static final String ROW_PIPELINE = "full pipeline vs raw Kafka consume";
    static final String ROW_ARCHIVE = "archive path vs ClickHouse Kafka engine";
    static final String ROW_STATE = "state projection vs naive upsert";
    static final String ROW_PG_ROWS = "Postgres rows written per event";
    static final String ROW_FRESH_PG_P50 = "freshness p50, produce to Postgres row";
    static final String ROW_FRESH_PG_P99 = "freshness p99, produce to Postgres row";
    static final String ROW_FRESH_CH_P50 = "freshness p50, produce to ClickHouse row";
    static final String ROW_FRESH_CH_P99 = "freshness p99, produce to ClickHouse row";
    static final String ROW_RECOVERY = "recovery: SIGKILL to caught up";

    static String rowScaleThroughput(long aggregates) {
        return "scale: full pipeline at " + aggregates + " aggregates";
    }

    static String rowScaleHeap(long aggregates) {
        return "scale: heap used, peak, at " + aggregates + " aggregates";
    }

    static String rowScaleRss(long aggregates) {
        return "scale: process RSS, peak, at " + aggregates + " aggregates";
    }

    /** How long a quick run's recovery watches the steady pipeline before the kill. */
    static final Duration QUICK_STEADY = Duration.ofSeconds(15);

    /** The parts of a run, all by default. */
    enum Part { THROUGHPUT, FRESHNESS, SCALE, RECOVERY }

    private Bench() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    static final class Options {
        boolean quick;
        long events = -1;
        int aggregates = -1;
        int partitions = 4;
        boolean keepTopic;
        Path out;
        Set<Part> parts = EnumSet.allOf(Part.class);
        List<Long> scaleAggregates;
        long scaleTraffic = -1;
        int freshnessSeconds = -1;
        double rate = -1;
        String childHeap = "2g";
        long recoveryAggregates = -1;
        long recoveryTraffic = -1;
        Duration scaleBudget;
        Duration recoveryTimeout;
    }

    static final String USAGE = String.join("\n",
            "usage: bin/shoestring bench [options]   (defaults: full run; quick run in brackets)",
            "  --quick                       small sizes for a smoke run; results in bench/results/<date>-quick.md",
            "  --parts LIST                  of throughput,freshness,scale,recovery (all)",
            "  --events N, --aggregates N    the throughput topic (2M events over 1M aggregates [200k over 10k])",
            "  --partitions N                partitions of every topic (4)",
            "  --freshness-seconds N         freshness: the measured window (60 [15])",
            "  --rate EV_PER_S               freshness and recovery rate (half the full pipeline's rate; needed without throughput)",
            "  --scale-aggregates N,N,...    scale points (10000,1000000,10000000 [10000])",
            "  --scale-traffic N             Zipf events after the one-event-per-aggregate pass (1M [50k])",
            "  --scale-budget-minutes N      a scale point still running then is stopped; its rate is a lower bound (20 [5])",
            "  --child-heap SIZE             -Xmx of the scale and recovery JVMs (2g)",
            "  --recovery-aggregates N       recovery state: one event per aggregate (1M [20k]) ...",
            "  --recovery-traffic N          ... then N Zipf events (0 [20k])",
            "  --recovery-timeout-minutes N  for keeping up before the kill and for catching up after it (15 [5])",
            "  --out DIR                     results folder (bench/results)",
            "  --keep-topic                  keep the run's topics (dropped by default)");

    private static long count(String s) {
        return Long.parseLong(s.replace("_", ""));
    }

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": o.quick = true; break;
                case "--events": o.events = count(args[++i]); break;
                case "--aggregates": o.aggregates = Math.toIntExact(count(args[++i])); break;
                case "--partitions": o.partitions = Integer.parseInt(args[++i]); break;
                case "--out": o.out = Path.of(args[++i]); break;
                case "--keep-topic": o.keepTopic = true; break;
                case "--parts":
                    o.parts = EnumSet.noneOf(Part.class);
                    for (String p : args[++i].split(",")) {
                        o.parts.add(Part.valueOf(p.trim().toUpperCase(Locale.ROOT)));
                    }
                    break;
                case "--scale-aggregates":
                    o.scaleAggregates = new ArrayList<>();
                    for (String p : args[++i].split(",")) {
                        o.scaleAggregates.add(count(p.trim()));
                    }
                    break;
                case "--scale-traffic": o.scaleTraffic = count(args[++i]); break;
                case "--freshness-seconds": o.freshnessSeconds = Integer.parseInt(args[++i]); break;
                case "--rate": o.rate = Double.parseDouble(args[++i]); break;
                case "--child-heap": o.childHeap = args[++i]; break;
                case "--recovery-aggregates": o.recoveryAggregates = count(args[++i]); break;
                case "--recovery-traffic": o.recoveryTraffic = count(args[++i]); break;
                case "--scale-budget-minutes": o.scaleBudget = Duration.ofMinutes(Long.parseLong(args[++i])); break;
                case "--recovery-timeout-minutes": o.recoveryTimeout = Duration.ofMinutes(Long.parseLong(args[++i])); break;
                case "-h": case "--help":
                    throw new IllegalArgumentException("usage");
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (o.events < 0) o.events = o.quick ? 200_000 : 2_000_000;
        if (o.aggregates < 0) o.aggregates = o.quick ? 10_000 : 1_000_000;
        if (o.scaleAggregates == null) {
            o.scaleAggregates = o.quick ? List.of(10_000L) : List.of(10_000L, 1_000_000L, 10_000_000L);
        }
        if (o.scaleTraffic < 0) o.scaleTraffic = o.quick ? 50_000 : 1_000_000;
        if (o.freshnessSeconds < 0) o.freshnessSeconds = o.quick ? 15 : 60;
        if (o.recoveryAggregates < 0) o.recoveryAggregates = o.quick ? 20_000 : 1_000_000;
        if (o.recoveryTraffic < 0) o.recoveryTraffic = o.quick ? 20_000 : 0;
        if (o.scaleBudget == null) o.scaleBudget = Duration.ofMinutes(o.quick ? 5 : 20);
        if (o.recoveryTimeout == null) o.recoveryTimeout = Duration.ofMinutes(o.quick ? 5 : 15);
        if (o.parts.contains(Part.FRESHNESS) || o.parts.contains(Part.RECOVERY)) {
            if (!o.parts.contains(Part.THROUGHPUT) && o.rate <= 0) {
                throw new IllegalArgumentException("freshness and recovery run at half the sustained rate: with --parts"
                        + " leaving out throughput, give it as --rate");
            }
        }
        if (o.out == null) {
            String root = System.getenv().getOrDefault("SHOESTRING_ROOT", ".");
            o.out = Path.of(root, "bench", "results");
        }
        return o;
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(USAGE + ("usage".equals(e.getMessage()) ? "" : "\nshoestring bench: " + e.getMessage()));
            return 2;
        }
        String runId = "b" + Long.toString(System.currentTimeMillis(), 36);
        String topic = "bench-" + runId;
        ShoestringConfig cfg = awaitServices(() -> config(runId, topic));
        log("run " + runId + ": parts " + o.parts + "; " + o.events + " events over " + o.aggregates + " aggregates, topic "
                + topic + " (" + o.partitions + " partitions)");
        long t0 = System.nanoTime();
        try (Run run = new Run(runId, cfg, o)) {
            int rc = measure(o, run, out, args);
            log(String.format(Locale.ROOT, "bench finished in %.1f s", (System.nanoTime() - t0) / 1e9));
            return rc;
        }
    }

    private static int measure(Options o, Run run, PrintStream out, String[] args) throws Exception {
        long started = System.nanoTime();
        ShoestringConfig cfg = run.cfg;
        String runId = run.id;
        String topic = cfg.kafkaTopic;
        List<String[]> rows = new ArrayList<>();
        Map<String, String> notes = new LinkedHashMap<>();
        Map<String, List<double[]>> throughputSeries = new LinkedHashMap<>();
        Map<String, Double> throughputMarkers = new LinkedHashMap<>();
        List<String> wallTimes = new ArrayList<>();
        ClickHouseHttp ch = run.ch;
        Configuration flink = run.flink;
        String date = LocalDate.now(ZoneOffset.UTC) + "-" + (o.quick ? "quick" : "full");
        Files.createDirectories(o.out);

        notes.put("run", runId + ", topic " + topic + "; each figure is one sample, on a machine shared with other work:"
                + " compare ratios over several runs before concluding");
        notes.put("machine", Runtime.getRuntime().availableProcessors() + " CPUs (nproc), " + memTotal() + " RAM; every service on it");
        notes.put("versions", "Java " + System.getProperty("java.version") + ", Flink " + EnvironmentInformation.getVersion()
                + ", Kafka client " + AppInfoParser.getVersion() + ", ClickHouse " + ch.query("SELECT version()")
                + ", PostgreSQL " + pgVersion(cfg));
        notes.put("pipeline runs", "ShoestringJob (all projections) on a local cluster in one JVM, parallelism " + PARALLELISM
                + ", flink-conf/local (RocksDB, incremental checkpoints every 10 s on " + cfg.checkpointsDir
                + "); a bounded run's rate = valid events / Flink's net runtime, which includes task deployment and the final flushes");

        double sustained = o.rate > 0 ? o.rate * 2 : Double.NaN;
        if (o.parts.contains(Part.THROUGHPUT)) {
            sustained = throughput(o, run, rows, notes, throughputSeries, wallTimes);
        }
        double half = sustained / 2;

        if (o.parts.contains(Part.FRESHNESS)) {
            ShoestringConfig fc = run.subConfig("f");
            BenchGenerator fg = new BenchGenerator(runId + "-f", o.aggregates);
            run.preflight(fc);
            long t = System.nanoTime();
            Freshness.Result f = Freshness.run(fc, flink, ch, fg, half, Duration.ofSeconds(o.quick ? 5 : 15),
                    Duration.ofSeconds(o.freshnessSeconds), runId);
            wallTimes.add(String.format(Locale.ROOT, "freshness %.1f s", (System.nanoTime() - t) / 1e9));
            run.dropSub("f");
            Freshness.Latency pg = f.latencies().get(Freshness.POSTGRES);
            Freshness.Latency chl = f.latencies().get(Freshness.CLICKHOUSE);
            Freshness.Latency kafka = f.latencies().get(Freshness.KAFKA);
            Freshness.Latency engine = f.latencies().get(Freshness.CH_ENGINE);
            for (Freshness.Latency l : f.latencies()) {
                log(String.format(Locale.ROOT, "freshness %s: p50 %.0f ms, p99 %.0f ms, max %.0f ms, %d probes, %d not seen",
                        l.name(), l.p50Millis(), l.p99Millis(), l.maxMillis(), l.micros().getTotalCount(), l.notSeen()));
            }
            rows.add(row(ROW_FRESH_PG_P50, pg.p50Millis(), "ms", kafka.p50Millis(), "- (baseline: a bare Kafka consumer of the same records)"));
            rows.add(row(ROW_FRESH_PG_P99, pg.p99Millis(), "ms", kafka.p99Millis(), "value <= 1500 ms" + notSeen(pg)));
            rows.add(row(ROW_FRESH_CH_P50, chl.p50Millis(), "ms", engine.p50Millis(), "- (baseline: ClickHouse Kafka engine + MV)"));
            rows.add(row(ROW_FRESH_CH_P99, chl.p99Millis(), "ms", engine.p99Millis(), "value <= 1500 ms" + notSeen(chl)));
            notes.put("freshness", String.format(Locale.ROOT, "the full pipeline unbounded on a new topic while the generator runs paced at"
                    + " %.0f ev/s (half the sustained rate, the full pipeline figure above; achieved %.0f ev/s), same mix and %d aggregates;"
                    + " every %d ms one probe event (metric.changed of its own tenant, on %d keys, sequence counting up) is sent and its"
                    + " produce time taken just before send(); observers poll where it shows: Postgres metrics_current.version every %d ms,"
                    + " ClickHouse events max(sequence) every %d ms, a bare KafkaConsumer (the transport's floor, baseline of the Postgres"
                    + " rows) and ClickHouse's Kafka engine + MV on the same topic running alongside (baseline of the ClickHouse rows,"
                    + " ~7.5 s flushes); a probe counts as visible at the first poll showing its sequence or a later one of its key (a"
                    + " coalesced write carries it). Measured: the %d probes sent during %.0f s after a warm-up (%.0f s: job start until a"
                    + " probe was visible everywhere, plus %d s); latencies in an HdrHistogram (3 significant digits); the poll interval"
                    + " adds up to that interval. Flush intervals: state.flush-interval %s, ClickHouse sink %s s or 50k rows; checkpoints"
                    + " every 10 s run during the window. Not seen within %d s: Postgres %d, ClickHouse %d, Kafka %d, engine %d",
                    f.targetRate(), f.generated().eventsPerSecond(), o.aggregates, Freshness.PROBE_EVERY.toMillis(), BenchGenerator.PROBES,
                    Freshness.PG_POLL_MILLIS, Freshness.CH_POLL_MILLIS, f.probes(), f.measuredSeconds(), f.warmupSeconds(),
                    o.quick ? 5 : 15, cfg.stateFlushInterval.toMillis() / 1000.0 + " s", dev.shoestring.clickhouse.ClickHouseSinkOptions.DEFAULT_FLUSH_INTERVAL.toSeconds(),
                    Freshness.DRAIN.toSeconds(), pg.notSeen(), chl.notSeen(), kafka.notSeen(), engine.notSeen()));
            Path png = o.out.resolve(date + "-freshness.png");
            Plots.latencyCdf(png, f.latencies(), f.targetRate());
            notes.put("plot: latency CDF", "![freshness CDF](" + png.getFileName() + ")");
        }

        if (o.parts.contains(Part.SCALE)) {
            List<Scale.Point> points = new ArrayList<>();
            for (long a : o.scaleAggregates) {
                long t = System.nanoTime();
                Scale.Point p = Scale.run(run, a, o.scaleTraffic, o.childHeap, o.scaleBudget);
                wallTimes.add(String.format(Locale.ROOT, "scale %d %.1f s", a, (System.nanoTime() - t) / 1e9));
                log(String.format(Locale.ROOT, "scale %d aggregates (%d in state): %.0f ev/s; heap used peak %s, committed peak %s,"
                        + " after GC peak %s; RSS peak %s", a, p.stateRows(), p.eventsPerSecond(), mib(p.heapUsedPeak()),
                        mib(p.heapCommittedPeak()), mib(p.heapAfterGcPeak()), mib(p.vmHwm())));
                points.add(p);
                throughputSeries.put("scale " + a + " aggregates", OffsetSampler.rates(p.offsets(), 0));
            }
            Scale.Point base = points.get(0);
            Scale.Point top = points.get(points.size() - 1);
            for (Scale.Point p : points) {
                boolean isBase = p == base;
                boolean isTop = p == top && points.size() > 1;
                String unfinished = p.finished() ? "" : " (stopped at the " + o.scaleBudget.toMinutes() + " min budget: a lower bound)";
                rows.add(row(rowScaleThroughput(p.aggregates()), p.eventsPerSecond(), "ev/s", isBase ? Double.NaN : base.eventsPerSecond(),
                        (isBase ? "- (baseline of the rows below)" : isTop && p.aggregates() >= 10_000_000 ? ">= 0.5 (10M vs 10k)" : "-")
                        + unfinished));
                rows.add(row(rowScaleHeap(p.aggregates()), p.heapUsedPeak() / 1048576.0, "MiB",
                        isBase ? Double.NaN : base.heapUsedPeak() / 1048576.0,
                        p.aggregates() >= 10_000_000 ? "value <= 2048 MiB (heap capped at -Xmx" + o.childHeap + ")" : "-"));
                rows.add(row(rowScaleRss(p.aggregates()), p.vmHwm() / 1048576.0, "MiB",
                        isBase ? Double.NaN : base.vmHwm() / 1048576.0, "-"));
            }
            StringBuilder detail = new StringBuilder();
            for (Scale.Point p : points) {
                detail.append(String.format(Locale.ROOT, "; %d aggregates: %d events (%d covering each aggregate once + %d Zipf,"
                                + " %.2f events per aggregate), %d rows in Postgres afterwards, %.0f ev/s over %.1f s "
                                + (p.finished() ? "net" : "until stopped at the budget, " + p.valid() + " events committed by then") + ","
                                + " heap used/committed/after-GC peaks %s/%s/%s of max %s, RSS sampled peak %s, VmHWM %s, generator %.0f ev/s",
                        p.aggregates(), p.events(), p.events() - p.traffic(), p.traffic(), p.events() / (double) p.aggregates(),
                        p.stateRows(), p.eventsPerSecond(), p.netSeconds(), mib(p.heapUsedPeak()), mib(p.heapCommittedPeak()),
                        mib(p.heapAfterGcPeak()), mib(p.heapMax()), mib(p.rssPeak()), mib(p.vmHwm()), p.generatorRate()));
            }
            notes.put("scale", "each point its own topic and databases, checkpoints every 10 s on local disk (file://, not Ceph: the local Ceph keeps objects in a 4 GB in-memory store, which the retained checkpoints of 10M aggregates filled), the full pipeline bounded in a JVM of its own (bench.BenchChild,"
                    + " -Xmx" + o.childHeap + ": the heap budget of the target, so the target holds when the run completes at the"
                    + " throughput shown; the peaks show the headroom): first one event per aggregate (the state then holds every"
                    + " aggregate, its event times rising evenly over the hour before, as the aggregates' history), then the Zipf mix;"
                    + " a point not finished within " + o.scaleBudget.toMinutes() + " min is stopped"
                    + " and reported as the events committed by then over the time it ran (a lower bound); heap sampled every 200 ms through the MemoryMXBean, heap after GC from the"
                    + " collectors' notifications, RSS from /proc/self/status (VmRSS sampled, VmHWM the kernel's peak; it counts RocksDB's"
                    + " native memory); RocksDB's memory is Flink's managed memory of a local cluster" + detail);
            if (points.size() > 0) {
                Path png = o.out.resolve(date + "-scale.png");
                Plots.scale(png, points);
                notes.put("plot: scale curve", "![scale curve](" + png.getFileName() + ")");
            }
        }

        if (o.parts.contains(Part.RECOVERY)) {
            long t = System.nanoTime();
            Recovery.Result r = Recovery.run(run, o.recoveryAggregates, o.recoveryTraffic, half, o.childHeap,
                    o.quick ? QUICK_STEADY : Recovery.STEADY, o.recoveryTimeout);
            wallTimes.add(String.format(Locale.ROOT, "recovery %.1f s", (System.nanoTime() - t) / 1e9));
            String phases = String.format(Locale.ROOT, "process started %.1f s after the kill; job known to the new local cluster at %.1f s"
                    + " (JVM, cluster start, preflight, submission); every task RUNNING at %.1f s (deployment and state restore); caught"
                    + " up at %.1f s", r.processStarted(), r.jobKnown(), r.tasksRunning(), r.caughtUp());
            log("recovery: " + phases);
            double value = r.caughtUpInTime() ? r.caughtUp() : r.keptUp() ? r.timeoutSeconds() : Double.NaN;
            rows.add(row(ROW_RECOVERY, value, "s", r.coldStartRunning(), "value <= 60 s"
                    + (r.caughtUpInTime() ? "" : r.keptUp() ? " (NOT caught up within " + (long) r.timeoutSeconds() + " s)"
                    : String.format(Locale.ROOT, " (not measured: the first run did not keep up with %.0f ev/s within %d s)",
                            r.rate(), (long) r.timeoutSeconds()))));
            notes.put("recovery", String.format(Locale.ROOT, "bin/shoestring run (ShoestringCli run, unbounded, -Xmx%s) in a child process"
                    + " on a topic of %d events (one per aggregate, then %d Zipf) over %d aggregates; once it had processed them, the"
                    + " generator paced at %.0f ev/s from then on, through the kill and the restart; once it kept up (a commit showing at most " + Recovery.KEEP_UP.toSeconds()
                    + " s of traffic not yet committed) and then run steady for %d s (largest lag right after a commit: %.0f events),"
                    + " SIGKILL 5 s after a checkpoint's commit, at once `run --from-latest-checkpoint` (restored %s; checkpointed"
                    + " size of the last checkpoint before the kill %s); caught up = a commit after the restart showing a lag at most"
                    + " the steady one plus one second of traffic, so the figure is late by up to one checkpoint interval (10 s);"
                    + " %d rows in Postgres afterwards (the aggregates and %d probe keys the paced generator adds). Phases: %s. Baseline: the same command's cold start without state, process"
                    + " start to every task RUNNING (%.1f s)",
                    o.childHeap, r.prefill(), r.prefill() - r.aggregates(), r.aggregates(), r.rate(), (o.quick ? QUICK_STEADY : Recovery.STEADY).toSeconds(),
                    r.steadyLagEvents(), r.restoredFrom(), mib(r.checkpointedBytes()), r.stateRows(), BenchGenerator.PROBES, phases,
                    r.coldStartRunning()));
            throughputSeries.put("recovery run (kill, restart)", OffsetSampler.rates(r.offsets(), 0));
            if (r.keptUp()) {
                throughputMarkers.put("SIGKILL", r.killAt());
            }
        }

        if (!throughputSeries.isEmpty()) {
            Path png = o.out.resolve(date + "-throughput.png");
            Plots.throughput(png, throughputSeries, throughputMarkers);
            notes.put("plot: throughput over time", "![throughput over time](" + png.getFileName() + ")"
                    + " (committed offsets sampled every 0.5-1 s; they move once per checkpoint, so each point is the rate over one"
                    + " checkpoint interval; a bounded run's last stretch after its final checkpoint is not committed)");
        }
        notes.put("run wall times", String.join(", ", wallTimes));
        notes.put("command", String.format(Locale.ROOT, "`bin/shoestring bench%s`, %.0f s until these results were written",
                args.length == 0 ? "" : " " + String.join(" ", args), (System.nanoTime() - started) / 1e9)
                + (o.quick ? "; quick sizes are a smoke run: job start-up dominates its short runs (the scale point most), so"
                        + " compare figures with a full run, not with a quick one" : ""));

        String md = render(o, rows, notes);
        out.println(md);
        Path file = o.out.resolve(date + ".md");
        Files.writeString(file, md);
        log("results written to " + file);
        return 0;
    }

    private static String notSeen(Freshness.Latency l) {
        return l.notSeen() == 0 ? "" : " (" + l.notSeen() + " probes never seen: not in the figure)";
    }

    static String mib(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    /** The throughput part (the first part of issue 7); returns the sustained rate of the full pipeline. */
    private static double throughput(Options o, Run run, List<String[]> rows, Map<String, String> notes,
            Map<String, List<double[]>> series, List<String> wallTimes) throws Exception {
        ShoestringConfig cfg = run.cfg;
        String runId = run.id;
        String topic = cfg.kafkaTopic;
        ClickHouseHttp ch = run.ch;
        Configuration flink = run.flink;
        BenchGenerator.Result gen = new BenchGenerator(runId, o.aggregates).produce(cfg.kafkaProducerProperties(), topic, o.events);
        log(String.format(Locale.ROOT, "generated %d events (%.0f B avg) in %.1f s: %.0f ev/s",
                gen.events(), (double) gen.bytes() / gen.events(), gen.seconds(), gen.eventsPerSecond()));

        // Baselines that only read Kafka.
        double raw = RawConsume.eventsPerSecond(cfg.kafkaConsumerProperties(), topic, o.events);
        log(String.format(Locale.ROOT, "raw consume: %.0f ev/s", raw));
        // The engine with its default single consumer and with one per core (as the pipeline's
        // parallelism): the faster is the baseline, so it is never handicapped by a setting.
        long engineTimeoutMillis = Math.max(120_000, o.events / 5);
        double engine1 = ClickHouseKafkaEngine.eventsPerSecond(ch, CH_DATABASE, cfg.kafkaBootstrapServers, topic, runId + "-c1",
                1, o.events, engineTimeoutMillis);
        double engineN = ClickHouseKafkaEngine.eventsPerSecond(ch, CH_DATABASE, cfg.kafkaBootstrapServers, topic, runId + "-c" + PARALLELISM,
                PARALLELISM, o.events, engineTimeoutMillis);
        double engine = Math.max(engine1, engineN);
        log(String.format(Locale.ROOT, "ClickHouse Kafka engine + MV: %.0f ev/s with 1 consumer, %.0f ev/s with %d", engine1, engineN, PARALLELISM));

        // The pipeline's runs.
        FlinkRun archive = flinkRun(flink, "bench-archive", env -> ShoestringJob.define(env, cfg.withGroupId(runId + "-archive"),
                true, EnumSet.of(Output.ARCHIVE)), o.events);
        long archived = ch.count("SELECT count() FROM " + CH_DATABASE + ".events WHERE tenant_id LIKE '" + runId + "-%'");
        log(String.format(Locale.ROOT, "ARCHIVE only: %.0f ev/s (%d rows in ClickHouse events)", archive.eventsPerSecond(), archived));
        if (archived < o.events) {
            throw new IllegalStateException("the archive run wrote " + archived + " of " + o.events + " rows");
        }
        FlinkRun full;
        try (OffsetSampler sampler = new OffsetSampler(cfg, topic, runId + "-full", 1000)) {
            full = flinkRun(flink, "bench-full", env -> ShoestringJob.define(env, cfg.withGroupId(runId + "-full"),
                    true, EnumSet.allOf(Output.class)), o.events);
            series.put("full pipeline, bounded (" + o.aggregates + " aggregates)", OffsetSampler.rates(sampler.samples(), 0));
        }
        log(String.format(Locale.ROOT, "full pipeline: %.0f ev/s", full.eventsPerSecond()));

        // State: our projection alone, then the naive per-event upsert, each with its Postgres writes.
        String[] ours = {"orders", "agents", "metrics_current"};
        // The full run already wrote this run's rows; our sink's version guard would then skip
        // every write of the STATE run. Deleting them (counted as deletes, not in the figure)
        // makes the STATE run write from scratch, as a first projection of a log does.
        deleteRunRows(cfg, runId, ours);
        long before = pgRowsWritten(cfg, ours);
        FlinkRun state = flinkRun(flink, "bench-state", env -> ShoestringJob.define(env, cfg.withGroupId(runId + "-state"),
                true, EnumSet.of(Output.STATE)), o.events);
        double ourRows = (pgRowsWritten(cfg, ours) - before) / (double) o.events;
        log(String.format(Locale.ROOT, "STATE only: %.0f ev/s, %.4f Postgres rows per event", state.eventsPerSecond(), ourRows));
        NaiveUpsertSink naiveSink = new NaiveUpsertSink(cfg.postgresUrl, cfg.postgresUser, cfg.postgresPassword);
        naiveSink.createTable();
        String[] naiveTables = {NaiveUpsertSink.TABLE};
        before = pgRowsWritten(cfg, naiveTables);
        FlinkRun naive = flinkRun(flink, "bench-naive-upsert", env -> {
            // The same source and parsing as the pipeline (the baseline pays no extra cost), then
            // one upsert per valid event.
            ShoestringConfig c = cfg.withGroupId(runId + "-naive");
            ShoestringTopology.Outputs t = ShoestringTopology.build(ShoestringJob.source(env, c, true),
                    c.metricsAllowedLateness, AggregateProjector.DEFAULT_MAX_PENDING, false, false);
            t.events.sinkTo(naiveSink).uid("naive-upsert").name("postgres: naive upsert per event");
        }, o.events);
        double naiveRows = (pgRowsWritten(cfg, naiveTables) - before) / (double) o.events;
        log(String.format(Locale.ROOT, "naive upsert: %.0f ev/s, %.4f Postgres rows per event", naive.eventsPerSecond(), naiveRows));

        rows.add(row(ROW_GENERATOR, gen.eventsPerSecond(), "ev/s", Double.NaN, "above every figure below (never the bottleneck)"));
        rows.add(row(ROW_PIPELINE, full.eventsPerSecond(), "ev/s", raw, ">= 0.33"));
        rows.add(row(ROW_ARCHIVE, archive.eventsPerSecond(), "ev/s", engine, ">= 1.0"));
        rows.add(row(ROW_STATE, state.eventsPerSecond(), "ev/s", naive.eventsPerSecond(), ">= 10 (at 1M aggregates)"));
        rows.add(row(ROW_PG_ROWS, ourRows, "rows/ev", naiveRows, "value <= 0.05 (at 1M aggregates)"));

        notes.put("generator", String.format(Locale.ROOT, "%d events, %.0f B avg JSON, %d aggregates (70 %% agents, 20 %% orders, 10 %% metrics),"
                + " agent and metric keys Zipf(1.0), orders as interleaved lifecycles; mix 70 %% agent.decision, 20 %% order.*, 10 %% metric.changed;"
                + " all valid; acks=all, linger 5 ms, batch 256 KB; %d partitions; the topic is filled before any measurement, so no figure is bounded by the generator", gen.events(), (double) gen.bytes() / gen.events(),
                o.aggregates, o.partitions));
        notes.put("raw consume", "one KafkaConsumer, byte[] (no deserialisation), max.poll.records 10000, all partitions, to the end offsets");
        notes.put("ClickHouse Kafka engine", String.format(Locale.ROOT, "Kafka('" + cfg.kafkaBootstrapServers + "', topic, new group, JSONEachRow),"
                + " MV into a MergeTree; six top-level columns, payload skipped (less work than our archive, which stores payload and"
                + " Kafka coordinates); time from attaching the MV to the last row visible; measured with 1 consumer (%.0f ev/s) and"
                + " with kafka_num_consumers %d (%.0f ev/s), each a new group reading the whole topic: the faster is the baseline",
                engine1, PARALLELISM, engineN));
        notes.put("naive upsert", "same Flink source and parsing, then INSERT ... ON CONFLICT DO UPDATE per event, JDBC batches of "
                + NaiveUpsertSink.BATCH + ", commit per batch (what a Kafka Connect JDBC sink in upsert mode does)");
        notes.put("rows written", "pg_stat_user_tables n_tup_ins + n_tup_upd deltas (orders, agents, metrics_current vs "
                + NaiveUpsertSink.TABLE + ") / events");
        wallTimes.add(String.format(Locale.ROOT, "generate %.1f s, archive %.1f s, full %.1f s, state %.1f s, naive %.1f s",
                gen.seconds(), archive.wallSeconds(), full.wallSeconds(), state.wallSeconds(), naive.wallSeconds()));
        return full.eventsPerSecond();
    }

    interface Attempt<T> {
        T call() throws Exception;
    }

    /**
     * The services may be restarting (`bin/shoestring up` by someone else on a shared machine):
     * wait for them up to 90 s rather than fail the run at its first statement.
     */
    static ShoestringConfig awaitServices(Attempt<ShoestringConfig> configure) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                ShoestringConfig cfg = configure.call();
                new ClickHouseHttp(cfg.clickhouseUrl, cfg.clickhouseUser, cfg.clickhousePassword).query("SELECT 1");
                pgVersion(cfg);
                return cfg;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                log("waiting for the services: " + e);
                Thread.sleep(2000);
            }
        }
    }

    static String[] row(String figure, double value, String unit, double baseline, String target) {
        String v = Double.isNaN(value) ? "n/a" : fmt(value) + " " + unit;
        String b = Double.isNaN(baseline) ? "-" : fmt(baseline) + " " + unit;
        String r = Double.isNaN(value) || Double.isNaN(baseline) || baseline == 0 ? "-" : String.format(Locale.ROOT, "%.3f", value / baseline);
        return new String[] {figure, v, b, r, target};
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    static String render(Options o, List<String[]> rows, Map<String, String> notes) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Shoestring bench, ").append(LocalDate.now(ZoneOffset.UTC)).append(o.quick ? " (quick)" : " (full)").append("\n\n");
        sb.append("| figure | value | baseline | ratio | target |\n|---|---|---|---|---|\n");
        for (String[] r : rows) {
            sb.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        sb.append("\n## Settings\n\n");
        notes.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        sb.append("\n## Profile\n\n")
          .append("What the profiles showed, what was changed and what each change bought:")
          .append(" [docs/design/performance.md](../../docs/design/performance.md).\n");
        return sb.toString();
    }

    /** Endpoints from `bin/shoestring env` (SHOESTRING_*), the bench's own databases, a run's own topics. */
    static ShoestringConfig config(String runId, String topic) throws Exception {
        return ShoestringConfig.load(null, System.getenv(), sets(runId, topic, PG_DATABASE, CH_DATABASE, "checkpoints"));
    }

    /**
     * The configuration keys of a run (no secrets: those come from the environment): group
     * {@code group}, topic {@code topic} (created by the caller), the Postgres database
     * {@code pgDatabase} (created here if missing), the ClickHouse database {@code chDatabase}
     * (the preflight creates it), checkpoints under {@code s3://<bucket>/bench/<runId>/<checkpoints>}.
     */
    static Map<String, String> sets(String group, String topic, String pgDatabase, String chDatabase, String checkpoints)
            throws Exception {
        Map<String, String> env = System.getenv();
        String pgService = env.getOrDefault("SHOESTRING_PG_URL", "jdbc:postgresql://127.0.0.1:15433/shoestring");
        String pgUser = env.getOrDefault("SHOESTRING_PG_USER", "shoestring");
        String pgUrl = ensurePgDatabase(pgService, pgUser, env.get("SHOESTRING_POSTGRES_PASSWORD"), pgDatabase);
        Map<String, String> sets = new LinkedHashMap<>();
        sets.put(ShoestringConfig.KAFKA_BOOTSTRAP, env.getOrDefault("SHOESTRING_KAFKA", "127.0.0.1:19092"));
        sets.put(ShoestringConfig.KAFKA_TOPIC, topic);
        sets.put(ShoestringConfig.KAFKA_DLQ_TOPIC, topic + ".dlq");
        sets.put(ShoestringConfig.KAFKA_GROUP_ID, group);
        sets.put(ShoestringConfig.PG_URL, pgUrl);
        sets.put(ShoestringConfig.PG_USER, pgUser);
        sets.put(ShoestringConfig.CH_URL, env.getOrDefault("SHOESTRING_CH_URL", "http://127.0.0.1:18123"));
        sets.put(ShoestringConfig.CH_USER, env.getOrDefault("SHOESTRING_CH_USER", "default"));
        sets.put(ShoestringConfig.CH_DATABASE, chDatabase);
        String s3 = env.get("SHOESTRING_S3_ENDPOINT");
        if (s3 == null || s3.isEmpty()) {
            throw new IllegalStateException("SHOESTRING_S3_ENDPOINT is not set: checkpoints go to Ceph (eval \"$(bin/shoestring env)\")");
        }
        sets.put(ShoestringConfig.S3_ENDPOINT, s3);
        String runId = group.contains("-") ? group.substring(0, group.indexOf('-')) : group;
        sets.put(ShoestringConfig.CHECKPOINTS_DIR, benchPrefix(runId) + "/" + checkpoints);
        return sets;
    }

    /** Where a run keeps its checkpoints on S3. */
    static String benchPrefix(String runId) {
        return "s3://" + System.getenv().getOrDefault("SHOESTRING_S3_BUCKET", "shoestring") + "/bench/" + runId;
    }

    private static final java.util.regex.Pattern DB_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]*");

    static String ensurePgDatabase(String serviceUrl, String user, String password, String database) throws Exception {
        if (!DB_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("database name " + database);
        }
        int slash = serviceUrl.lastIndexOf('/');
        int query = serviceUrl.indexOf('?', slash);
        String url = serviceUrl.substring(0, slash + 1) + database + (query < 0 ? "" : serviceUrl.substring(query));
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(serviceUrl, p);
                java.sql.PreparedStatement st = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            st.setString(1, database);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    try (Statement create = c.createStatement()) {
                        create.execute("CREATE DATABASE " + database); // checked against DB_NAME above
                    }
                }
            }
        }
        return url;
    }

    /** Drops a database of the bench's own (a scale or recovery run's), closing its leftover sessions. */
    static void dropPgDatabase(String database) throws Exception {
        if (!DB_NAME.matcher(database).matches() || !database.startsWith(PG_DATABASE + "_")) {
            throw new IllegalArgumentException("not a bench run's database: " + database);
        }
        Map<String, String> env = System.getenv();
        Properties p = new Properties();
        p.setProperty("user", env.getOrDefault("SHOESTRING_PG_USER", "shoestring"));
        if (env.get("SHOESTRING_POSTGRES_PASSWORD") != null) p.setProperty("password", env.get("SHOESTRING_POSTGRES_PASSWORD"));
        // FORCE ends the sessions of our own role; an autovacuum worker (the superuser's) or a
        // session of a process that just ended may still hold it a moment: retry.
        for (int attempt = 1; ; attempt++) {
            try (Connection c = DriverManager.getConnection(env.getOrDefault("SHOESTRING_PG_URL",
                    "jdbc:postgresql://127.0.0.1:15433/shoestring"), p); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
                return;
            } catch (java.sql.SQLException e) {
                if (attempt >= 10) {
                    throw e;
                }
                Thread.sleep(2000);
            }
        }
    }

    /**
     * What one bench run holds besides its main topic: the sub-runs (freshness, each scale point,
     * recovery), each with its own topic, Postgres and ClickHouse databases and checkpoints, all
     * dropped when the sub-run ends or, at the latest, when the run closes.
     */
    static final class Run implements AutoCloseable {
        final String id;
        final ShoestringConfig cfg;
        final Options o;
        final Configuration flink;
        final ClickHouseHttp ch;
        final Path workDir;
        private final Map<String, ShoestringConfig> subs = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> subSets = new LinkedHashMap<>();

        Run(String id, ShoestringConfig cfg, Options o) throws Exception {
            this.id = id;
            this.cfg = cfg;
            this.o = o;
            this.ch = new ClickHouseHttp(cfg.clickhouseUrl, cfg.clickhouseUser, cfg.clickhousePassword);
            this.flink = flinkConfig(cfg);
            FlinkSettings.initFileSystems(flink);
            this.workDir = Files.createTempDirectory("shoestring-bench-" + id + "-");
            if (o.parts.contains(Part.THROUGHPUT)) {
                try (Admin admin = Topics.admin(cfg)) {
                    Topics.create(admin, cfg.kafkaTopic, o.partitions);
                }
                preflight(cfg);
            }
        }

        /** A sub-run's configuration, topic and databases, checkpoints on Ceph. */
        ShoestringConfig subConfig(String name) throws Exception {
            return subConfig(name, false);
        }

        /**
         * A sub-run's configuration, topic and databases; with {@code localCheckpoints} its
         * checkpoints go to the run's work folder on local disk instead of Ceph: the local Ceph
         * keeps objects in a 4 GB in-memory store, which the retained checkpoints of 10M
         * aggregates filled (Ceph then refused every write and delete, and the run hung).
         */
        ShoestringConfig subConfig(String name, boolean localCheckpoints) throws Exception {
            String topic = "bench-" + id + "-" + name;
            String db = PG_DATABASE + "_" + id + "_" + name;
            try (Admin admin = Topics.admin(cfg)) {
                Topics.create(admin, topic, o.partitions);
            }
            Map<String, String> sets = Bench.sets(id + "-" + name, topic, db, db, name + "/checkpoints");
            if (localCheckpoints) {
                sets.put(ShoestringConfig.CHECKPOINTS_DIR, workDir.resolve(name).resolve("checkpoints").toUri().toString());
            }
            ShoestringConfig c = ShoestringConfig.load(null, System.getenv(), sets);
            subs.put(name, c);
            subSets.put(name, sets);
            return c;
        }

        /** The configuration keys of a sub-run, for a child process (secrets stay in the environment). */
        Map<String, String> sets(ShoestringConfig c) {
            for (Map.Entry<String, ShoestringConfig> e : subs.entrySet()) {
                if (e.getValue() == c) {
                    return subSets.get(e.getKey());
                }
            }
            throw new IllegalArgumentException("not a sub-run's configuration");
        }

        void preflight(ShoestringConfig c) throws Exception {
            for (Preflight.Step s : Preflight.steps(c, EnumSet.allOf(Output.class))) {
                s.action.run();
            }
        }

        /** Rows in the state tables: the aggregates the projection holds. */
        long stateRows(ShoestringConfig c) throws Exception {
            try (Connection conn = pg(c); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM agents) + (SELECT count(*) FROM metrics_current)")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        void dropSub(String name) {
            ShoestringConfig c = subs.remove(name);
            subSets.remove(name);
            if (c == null) {
                return;
            }
            try {
                dropPgDatabase(PG_DATABASE + "_" + id + "_" + name);
            } catch (Exception e) {
                log("could not drop the Postgres database of " + name + ": " + e);
            }
            try {
                ch.query("DROP DATABASE IF EXISTS " + c.clickhouseDatabase);
            } catch (Exception e) {
                log("could not drop the ClickHouse database of " + name + ": " + e);
            }
            deleteTopics(c);
            deleteS3(benchPrefix(id) + "/" + name);
        }

        private void deleteTopics(ShoestringConfig c) {
            if (o.keepTopic) {
                return;
            }
            // A full run leaves GBs in Kafka: the topics are this run's alone, drop them.
            try (Admin admin = Topics.admin(c)) {
                admin.deleteTopics(List.of(c.kafkaTopic, c.kafkaDlqTopic)).all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                log("could not delete topic " + c.kafkaTopic + ": " + e);
            }
        }

        /** Retained checkpoints (cancelled and killed jobs keep theirs) live in Ceph's memory store. */
        private static void deleteS3(String prefix) {
            try {
                org.apache.flink.core.fs.Path p = new org.apache.flink.core.fs.Path(prefix);
                p.getFileSystem().delete(p, true);
            } catch (Exception e) {
                log("could not delete " + prefix + ": " + e);
            }
        }

        @Override
        public void close() {
            for (String name : new ArrayList<>(subs.keySet())) {
                dropSub(name);
            }
            if (o.parts.contains(Part.THROUGHPUT)) {
                deleteTopics(cfg);
            }
            deleteS3(benchPrefix(id));
            try (var files = Files.walk(workDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (Exception e) {
                log("could not delete " + workDir + ": " + e);
            }
        }
    }

    static Connection pg(ShoestringConfig cfg) throws Exception {
        return cfg.postgres().connect();
    }

    /**
     * Inserted plus updated tuples of these tables. Backends report their counts when they end
     * (the sinks close their connections at the end of a bounded run); the pause lets the
     * statistics of the last ones arrive.
     */
    static long pgRowsWritten(ShoestringConfig cfg, String[] tables) throws Exception {
        Thread.sleep(1500);
        try (Connection c = pg(cfg); Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = st.executeQuery("SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables"
                    + " WHERE relname IN ('" + String.join("','", tables) + "')")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void deleteRunRows(ShoestringConfig cfg, String runId, String[] tables) throws Exception {
        try (Connection c = pg(cfg); Statement st = c.createStatement()) {
            for (String t : tables) {
                st.executeUpdate("DELETE FROM " + t + " WHERE tenant_id LIKE '" + runId + "-%'");
            }
        }
    }

    private static String pgVersion(ShoestringConfig cfg) throws Exception {
        try (Connection c = pg(cfg); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (Exception e) {
            // not Linux: leave it unknown
        }
        return "unknown";
    }

    static Configuration flinkConfig(ShoestringConfig cfg) {
        String dir = System.getenv("FLINK_CONF_DIR");
        Configuration flink = FlinkSettings.load(dir == null || dir.isEmpty() ? null : Path.of(dir), cfg);
        // Another local cluster (the demo, a test) may hold the profile's REST port: any free one.
        flink.set(RestOptions.PORT, 0);
        flink.set(RestOptions.BIND_PORT, "0");
        return flink;
    }

    /** One bounded Flink run: valid events read, Flink's net runtime and the wall time of execute(). */
    record FlinkRun(long validEvents, double netSeconds, double wallSeconds) {
        double eventsPerSecond() {
            return validEvents / netSeconds;
        }
    }

    static FlinkRun flinkRun(Configuration flink, String name, Consumer<StreamExecutionEnvironment> define, long expected)
            throws Exception {
        StreamExecutionEnvironment env = environment(flink);
        define.accept(env);
        long t0 = System.nanoTime();
        JobExecutionResult r = env.execute(name);
        double wall = (System.nanoTime() - t0) / 1e9;
        Object v = r.getAllAccumulatorResults().get(EventValidator.ACC_VALID);
        long valid = v instanceof Number ? ((Number) v).longValue() : 0L;
        if (valid != expected) {
            throw new IllegalStateException(name + " read " + valid + " valid events, expected " + expected);
        }
        return new FlinkRun(valid, r.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0, wall);
    }

    static StreamExecutionEnvironment environment(Configuration flink) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, flink);
        if (env.getCheckpointInterval() <= 0) {
            // flink-conf/local sets 10 s; the same when run without that profile.
            env.enableCheckpointing(Duration.ofSeconds(10).toMillis());
        }
        return env;
    }

    /** Throws if an unbounded job ended (it should run until cancelled). */
    static void checkRunning(JobClient job, String what) throws Exception {
        JobStatus s = job.getJobStatus().get(30, TimeUnit.SECONDS);
        if (s.isGloballyTerminalState()) {
            try {
                job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException(what + " ended: " + s, e.getCause());
            }
            throw new IllegalStateException(what + " ended: " + s);
        }
    }

    static void cancel(JobClient job) {
        try {
            job.cancel().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log("could not cancel job " + job.getJobID() + ": " + e);
        }
    }

    static void log(String s) {
        System.err.println("shoestring bench: " + s);
    }
}
