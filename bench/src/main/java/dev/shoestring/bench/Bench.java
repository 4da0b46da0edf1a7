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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * {@code bin/shoestring bench [--quick] [--events N] [--aggregates N]}: the first part of issue 7.
 * Every figure is a ratio to a baseline measured in the same run on the same machine, against
 * the same topic, because absolute numbers drift on a shared 2-core machine.
 *
 * <p>Order of a run: generate once into a fresh topic; raw consume (the ceiling); ClickHouse's
 * Kafka engine; then the Flink runs (ARCHIVE only, the full pipeline, STATE only, the naive
 * upsert job), each a bounded read of the whole topic on a local cluster in this JVM with the
 * checkpoints of flink-conf/local (every 10 s, RocksDB, on Ceph).
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
    }

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": o.quick = true; break;
                case "--events": o.events = Long.parseLong(args[++i].replace("_", "")); break;
                case "--aggregates": o.aggregates = Integer.parseInt(args[++i].replace("_", "")); break;
                case "--partitions": o.partitions = Integer.parseInt(args[++i]); break;
                case "--out": o.out = Path.of(args[++i]); break;
                case "--keep-topic": o.keepTopic = true; break;
                case "-h": case "--help":
                    throw new IllegalArgumentException("usage");
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (o.events < 0) o.events = o.quick ? 200_000 : 2_000_000;
        if (o.aggregates < 0) o.aggregates = o.quick ? 10_000 : 1_000_000;
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
            System.err.println("usage: bin/shoestring bench [--quick] [--events N] [--aggregates N] [--partitions N] [--out DIR] [--keep-topic]"
                    + ("usage".equals(e.getMessage()) ? "" : "\nshoestring bench: " + e.getMessage()));
            return 2;
        }
        String runId = "b" + Long.toString(System.currentTimeMillis(), 36);
        String topic = "bench-" + runId;
        ShoestringConfig cfg = awaitServices(() -> config(runId, topic));
        log("run " + runId + ": " + o.events + " events over " + o.aggregates + " aggregates, topic " + topic
                + " (" + o.partitions + " partitions)");

        List<String[]> rows = new ArrayList<>();
        Map<String, String> notes = new LinkedHashMap<>();

        // 1. Generate.
        try (Admin admin = Topics.admin(cfg)) {
            Topics.create(admin, topic, o.partitions);
        }
        try {
            return measure(o, runId, topic, cfg, rows, notes, out);
        } finally {
            if (!o.keepTopic) {
                // A full run leaves ~0.7 GB in Kafka: the topic is this run's alone, drop it.
                try (Admin admin = Topics.admin(cfg)) {
                    admin.deleteTopics(List.of(topic, cfg.kafkaDlqTopic)).all().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    log("could not delete topic " + topic + ": " + e);
                }
            }
        }
    }

    private static int measure(Options o, String runId, String topic, ShoestringConfig cfg, List<String[]> rows,
            Map<String, String> notes, PrintStream out) throws Exception {
        BenchGenerator.Result gen = new BenchGenerator(runId, o.aggregates).produce(cfg.kafkaProducerProperties(), topic, o.events);
        log(String.format(Locale.ROOT, "generated %d events (%.0f B avg) in %.1f s: %.0f ev/s",
                gen.events(), (double) gen.bytes() / gen.events(), gen.seconds(), gen.eventsPerSecond()));

        // 2. Baselines that only read Kafka.
        double raw = RawConsume.eventsPerSecond(cfg.kafkaConsumerProperties(), topic, o.events);
        log(String.format(Locale.ROOT, "raw consume: %.0f ev/s", raw));
        ClickHouseHttp ch = new ClickHouseHttp(cfg.clickhouseUrl, cfg.clickhouseUser, cfg.clickhousePassword);
        double engine = ClickHouseKafkaEngine.eventsPerSecond(ch, CH_DATABASE, cfg.kafkaBootstrapServers, topic, runId,
                o.events, Math.max(120_000, o.events / 5));
        log(String.format(Locale.ROOT, "ClickHouse Kafka engine + MV: %.0f ev/s", engine));

        // 3. The pipeline's runs.
        Configuration flink = flinkConfig(cfg);
        FlinkSettings.initFileSystems(flink);
        for (Preflight.Step s : Preflight.steps(cfg, EnumSet.allOf(Output.class))) {
            s.action.run();
        }
        FlinkRun archive = flinkRun(flink, "bench-archive", env -> ShoestringJob.define(env, cfg.withGroupId(runId + "-archive"),
                true, EnumSet.of(Output.ARCHIVE)), o.events);
        long archived = ch.count("SELECT count() FROM " + CH_DATABASE + ".events WHERE tenant_id LIKE '" + runId + "-%'");
        log(String.format(Locale.ROOT, "ARCHIVE only: %.0f ev/s (%d rows in ClickHouse events)", archive.eventsPerSecond(), archived));
        if (archived < o.events) {
            throw new IllegalStateException("the archive run wrote " + archived + " of " + o.events + " rows");
        }
        FlinkRun full = flinkRun(flink, "bench-full", env -> ShoestringJob.define(env, cfg.withGroupId(runId + "-full"),
                true, EnumSet.allOf(Output.class)), o.events);
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

        notes.put("run", runId + ", topic " + topic + "; each figure is one sample, on a machine shared with other work:"
                + " compare ratios over several runs before concluding");
        notes.put("machine", Runtime.getRuntime().availableProcessors() + " CPUs (nproc), " + memTotal() + " RAM; every service on it");
        notes.put("versions", "Java " + System.getProperty("java.version") + ", Flink " + EnvironmentInformation.getVersion()
                + ", Kafka client " + AppInfoParser.getVersion() + ", ClickHouse " + ch.query("SELECT version()")
                + ", PostgreSQL " + pgVersion(cfg));
        notes.put("generator", String.format(Locale.ROOT, "%d events, %.0f B avg JSON, %d aggregates (70 %% agents, 20 %% orders, 10 %% metrics),"
                + " agent and metric keys Zipf(1.0), orders as interleaved lifecycles; mix 70 %% agent.decision, 20 %% order.*, 10 %% metric.changed;"
                + " all valid; acks=all, linger 5 ms, batch 256 KB; %d partitions; the topic is filled before any measurement, so no figure is bounded by the generator", gen.events(), (double) gen.bytes() / gen.events(),
                o.aggregates, o.partitions));
        notes.put("pipeline runs", "ShoestringJob on a local cluster in one JVM, parallelism " + PARALLELISM
                + ", bounded (earliest to the end offsets at start), flink-conf/local (RocksDB, checkpoints every 10 s on "
                + cfg.checkpointsDir + "); rate = valid events / Flink's net runtime, which includes task deployment and the final flushes");
        notes.put("raw consume", "one KafkaConsumer, byte[] (no deserialisation), max.poll.records 10000, all partitions, to the end offsets");
        notes.put("ClickHouse Kafka engine", "Kafka('" + cfg.kafkaBootstrapServers + "', topic, new group, JSONEachRow), one consumer,"
                + " MV into a MergeTree; six top-level columns, payload skipped (less work than our archive, which stores payload and"
                + " Kafka coordinates); time from attaching the MV to the last row visible (includes its ~7.5 s flush)");
        notes.put("naive upsert", "same Flink source and parsing, then INSERT ... ON CONFLICT DO UPDATE per event, JDBC batches of "
                + NaiveUpsertSink.BATCH + ", commit per batch (what a Kafka Connect JDBC sink in upsert mode does)");
        notes.put("rows written", "pg_stat_user_tables n_tup_ins + n_tup_upd deltas (orders, agents, metrics_current vs "
                + NaiveUpsertSink.TABLE + ") / events");
        notes.put("run wall times", String.format(Locale.ROOT, "generate %.1f s, archive %.1f s, full %.1f s, state %.1f s, naive %.1f s",
                gen.seconds(), archive.wallSeconds(), full.wallSeconds(), state.wallSeconds(), naive.wallSeconds()));

        String md = render(o, rows, notes);
        out.println(md);
        Files.createDirectories(o.out);
        Path file = o.out.resolve(LocalDate.now(ZoneOffset.UTC) + "-" + (o.quick ? "quick" : "full") + ".md");
        Files.writeString(file, md);
        log("results written to " + file);
        return 0;
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
        String v = fmt(value) + " " + unit;
        String b = Double.isNaN(baseline) ? "-" : fmt(baseline) + " " + unit;
        String r = Double.isNaN(baseline) || baseline == 0 ? "-" : String.format(Locale.ROOT, "%.3f", value / baseline);
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
        sb.append("\n## Not done yet (issue 7, later parts)\n\n")
          .append("- freshness p50/p99 (produce to row visible) at half the sustained rate\n")
          .append("- scale: throughput and TaskManager heap/RSS at 10k, 1M and 10M aggregates (the 10M run)\n")
          .append("- recovery: SIGKILL to caught-up with a large state\n")
          .append("- PNG plots (throughput over time, latency CDF, scale curve)\n")
          .append("- profiling (async-profiler/JFR) and fixes of the hot spots\n");
        return sb.toString();
    }

    /** Endpoints from `bin/shoestring env` (SHOESTRING_*), the bench's own databases, a run's own topics. */
    static ShoestringConfig config(String runId, String topic) throws Exception {
        Map<String, String> env = System.getenv();
        String pgService = env.getOrDefault("SHOESTRING_PG_URL", "jdbc:postgresql://127.0.0.1:15433/shoestring");
        String pgUser = env.getOrDefault("SHOESTRING_PG_USER", "shoestring");
        String pgUrl = ensurePgDatabase(pgService, pgUser, env.get("SHOESTRING_POSTGRES_PASSWORD"));
        Map<String, String> sets = new LinkedHashMap<>();
        sets.put(ShoestringConfig.KAFKA_BOOTSTRAP, env.getOrDefault("SHOESTRING_KAFKA", "127.0.0.1:19092"));
        sets.put(ShoestringConfig.KAFKA_TOPIC, topic);
        sets.put(ShoestringConfig.KAFKA_DLQ_TOPIC, topic + ".dlq");
        sets.put(ShoestringConfig.KAFKA_GROUP_ID, runId);
        sets.put(ShoestringConfig.PG_URL, pgUrl);
        sets.put(ShoestringConfig.PG_USER, pgUser);
        sets.put(ShoestringConfig.CH_URL, env.getOrDefault("SHOESTRING_CH_URL", "http://127.0.0.1:18123"));
        sets.put(ShoestringConfig.CH_USER, env.getOrDefault("SHOESTRING_CH_USER", "default"));
        sets.put(ShoestringConfig.CH_DATABASE, CH_DATABASE);
        String s3 = env.get("SHOESTRING_S3_ENDPOINT");
        if (s3 == null || s3.isEmpty()) {
            throw new IllegalStateException("SHOESTRING_S3_ENDPOINT is not set: checkpoints go to Ceph (eval \"$(bin/shoestring env)\")");
        }
        sets.put(ShoestringConfig.S3_ENDPOINT, s3);
        sets.put(ShoestringConfig.CHECKPOINTS_DIR, "s3://" + env.getOrDefault("SHOESTRING_S3_BUCKET", "shoestring")
                + "/bench/" + runId + "/checkpoints");
        return ShoestringConfig.load(null, env, sets);
    }

    static String ensurePgDatabase(String serviceUrl, String user, String password) throws Exception {
        int slash = serviceUrl.lastIndexOf('/');
        int query = serviceUrl.indexOf('?', slash);
        String url = serviceUrl.substring(0, slash + 1) + PG_DATABASE + (query < 0 ? "" : serviceUrl.substring(query));
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(serviceUrl, p);
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, PG_DATABASE);
            try (ResultSet rs = ps.executeQuery(); Statement st = c.createStatement()) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + PG_DATABASE); // a constant identifier
                }
            }
        }
        return url;
    }

    private static Connection pg(ShoestringConfig cfg) throws Exception {
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
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, flink);
        if (env.getCheckpointInterval() <= 0) {
            // flink-conf/local sets 10 s; the same when run without that profile.
            env.enableCheckpointing(Duration.ofSeconds(10).toMillis());
        }
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

    private static void log(String s) {
        System.err.println("shoestring bench: " + s);
    }
}
