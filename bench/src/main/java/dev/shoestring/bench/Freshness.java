package dev.shoestring.bench;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.ShoestringJob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Freshness: how long after it is produced an event is visible downstream, with the pipeline
 * running unbounded and the generator paced at a fixed rate. Marker approach: the generator
 * sends a probe event (a {@code metric.changed} of a tenant of its own, on one of
 * {@link BenchGenerator#PROBES} keys, its sequence counting up) every {@link #PROBE_EVERY};
 * the time just before the send is its produce time. Observers poll each place the probe
 * becomes visible and record, for every probe, the first poll that shows it (or a later
 * sequence of its key: a coalesced write makes the earlier probe's effect visible too):
 *
 * <ul>
 *   <li>{@link #POSTGRES}: {@code metrics_current.version} of the probe rows (the pipeline);
 *   <li>{@link #CLICKHOUSE}: {@code max(sequence)} of the probe rows in {@code events} (the pipeline);
 *   <li>{@link #KAFKA}: a bare consumer receiving the probe record (the transport's floor);
 *   <li>{@link #CH_ENGINE}: ClickHouse's Kafka engine + materialized view on the same topic,
 *       running alongside (what a ClickHouse user picks instead).
 * </ul>
 */
final class Freshness {
    static final int POSTGRES = 0;
    static final int CLICKHOUSE = 1;
    static final int KAFKA = 2;
    static final int CH_ENGINE = 3;
    static final String[] NAMES = {"Postgres (pipeline)", "ClickHouse events (pipeline)", "Kafka consumer (floor)",
        "ClickHouse Kafka engine + MV"};
    static final Duration PROBE_EVERY = Duration.ofMillis(50);
    static final long PG_POLL_MILLIS = 10;
    static final long CH_POLL_MILLIS = 25;
    private static final Pattern TENANT = Pattern.compile("[a-z0-9-]+");
    private static final Pattern SEQUENCE = Pattern.compile("\"sequence\":(\\d+)");

    /** One probe: its key, sequence, produce time and, per observer, when it was first seen (0: not yet). */
    static final class Probe {
        final String key;
        final long seq;
        final long sentNanos;
        final long[] seenNanos = new long[NAMES.length];

        Probe(String key, long seq, long sentNanos) {
            this.key = key;
            this.seq = seq;
            this.sentNanos = sentNanos;
        }
    }

    /** What one observer saw over the measured window. */
    record Latency(String name, Histogram micros, long notSeen) {
        double p50Millis() {
            return percentileMillis(50);
        }

        double p99Millis() {
            return percentileMillis(99);
        }

        double maxMillis() {
            return micros.getTotalCount() == 0 ? Double.NaN : micros.getMaxValue() / 1000.0;
        }

        /** NaN when the observer saw no probe (an empty histogram would say 0 ms). */
        private double percentileMillis(double p) {
            return micros.getTotalCount() == 0 ? Double.NaN : micros.getValueAtPercentile(p) / 1000.0;
        }
    }

    /** The outcome of a freshness run. */
    record Result(List<Latency> latencies, long probes, double targetRate, BenchGenerator.Result generated,
            double warmupSeconds, double measuredSeconds) {}

    private final List<Probe> probes = new ArrayList<>();
    /** Per observer, per key: probes not yet seen, in sequence order. */
    private final List<Map<String, ArrayDeque<Probe>>> pending = new ArrayList<>();
    private volatile boolean stop;
    private final List<Thread> observers = new ArrayList<>();
    private volatile Exception observerError;

    Freshness() {
        for (int i = 0; i < NAMES.length; i++) {
            pending.add(new HashMap<>());
        }
    }

    void sent(String key, long seq, long nanos) {
        Probe p = new Probe(key, seq, nanos);
        synchronized (this) {
            probes.add(p);
            for (Map<String, ArrayDeque<Probe>> m : pending) {
                m.computeIfAbsent(key, k -> new ArrayDeque<>()).add(p);
            }
        }
    }

    /** Observer {@code o} sees sequence {@code maxSeq} of {@code key} now. */
    synchronized void seen(int o, String key, long maxSeq, long nanos) {
        ArrayDeque<Probe> q = pending.get(o).get(key);
        while (q != null && !q.isEmpty() && q.peek().seq <= maxSeq) {
            q.poll().seenNanos[o] = nanos;
        }
    }

    synchronized boolean allSeen(long fromNanos, long toNanos) {
        for (Probe p : probes) {
            if (p.sentNanos >= fromNanos && p.sentNanos <= toNanos) {
                for (long s : p.seenNanos) {
                    if (s == 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    synchronized boolean anySeenByAll() {
        for (Probe p : probes) {
            boolean all = true;
            for (long s : p.seenNanos) {
                all &= s != 0;
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    synchronized List<Latency> latencies(long fromNanos, long toNanos) {
        List<Latency> out = new ArrayList<>();
        for (int o = 0; o < NAMES.length; o++) {
            Histogram h = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
            long notSeen = 0;
            for (Probe p : probes) {
                if (p.sentNanos < fromNanos || p.sentNanos > toNanos) {
                    continue;
                }
                if (p.seenNanos[o] == 0) {
                    notSeen++;
                } else {
                    h.recordValue(Math.max(0, (p.seenNanos[o] - p.sentNanos) / 1000));
                }
            }
            out.add(new Latency(NAMES[o], h, notSeen));
        }
        return out;
    }

    synchronized long count(long fromNanos, long toNanos) {
        return probes.stream().filter(p -> p.sentNanos >= fromNanos && p.sentNanos <= toNanos).count();
    }

    /** Polls Postgres' probe rows. */
    void observePostgres(String url, String user, String password, String tenant) {
        start("postgres", () -> {
            Properties p = new Properties();
            if (user != null) p.setProperty("user", user);
            if (password != null) p.setProperty("password", password);
            try (Connection c = DriverManager.getConnection(url, p);
                    PreparedStatement st = c.prepareStatement("SELECT name, version FROM metrics_current WHERE tenant_id = ?")) {
                st.setString(1, tenant);
                while (!stop) {
                    try (ResultSet rs = st.executeQuery()) {
                        long now = System.nanoTime();
                        while (rs.next()) {
                            seen(POSTGRES, rs.getString(1), rs.getLong(2), now);
                        }
                    }
                    Thread.sleep(PG_POLL_MILLIS);
                }
            }
        });
    }

    /** Polls a ClickHouse table's probe rows ({@code aggregate_id}, {@code sequence}, {@code tenant_id} columns). */
    void observeClickHouse(int observer, ClickHouseHttp ch, String table, String tenant) {
        if (!TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("tenant " + tenant);
        }
        String sql = "SELECT aggregate_id, max(sequence) FROM " + table + " WHERE tenant_id = '" + tenant
                + "' GROUP BY aggregate_id FORMAT TabSeparated";
        start("clickhouse-" + observer, () -> {
            while (!stop) {
                String body = ch.query(sql);
                long now = System.nanoTime();
                for (String line : body.split("\n")) {
                    int tab = line.indexOf('\t');
                    if (tab > 0) {
                        seen(observer, line.substring(0, tab), Long.parseLong(line.substring(tab + 1).trim()), now);
                    }
                }
                Thread.sleep(CH_POLL_MILLIS);
            }
        });
    }

    /** A bare consumer of the topic (all partitions, from the start), seeing the probe records. */
    void observeKafka(Properties consumerConfig, String topic) {
        start("kafka", () -> {
            Properties p = new Properties();
            p.putAll(consumerConfig);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = c.partitionsFor(topic).stream()
                        .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
                c.assign(parts);
                c.seekToBeginning(parts);
                while (!stop) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                        if (r.key() != null && r.key().startsWith("probe-")) {
                            long now = System.nanoTime();
                            Matcher m = SEQUENCE.matcher(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                            if (m.find()) {
                                seen(KAFKA, r.key(), Long.parseLong(m.group(1)), now);
                            }
                        }
                    }
                }
            }
        });
    }

    interface Loop {
        void run() throws Exception;
    }

    private void start(String name, Loop loop) {
        Thread t = new Thread(() -> {
            try {
                loop.run();
            } catch (InterruptedException e) {
                // stopped
            } catch (Exception e) {
                if (!stop) {
                    observerError = e;
                }
            }
        }, "bench-freshness-" + name);
        t.setDaemon(true);
        t.start();
        observers.add(t);
    }

    void checkObservers() throws Exception {
        if (observerError != null) {
            throw new IllegalStateException("a freshness observer failed", observerError);
        }
    }

    void stop() throws InterruptedException {
        stop = true;
        for (Thread t : observers) {
            t.join(10_000);
        }
    }

    /**
     * One freshness run: the full pipeline unbounded on {@code cfg}'s (new, empty) topic, the Kafka
     * engine baseline attached to the same topic, the generator paced at {@code rate} with probes.
     * The first {@code warmup} after every observer has seen a probe is not measured (job start,
     * the backlog of the start, the engine's first flush); then probes sent during
     * {@code measure} are measured, waiting up to {@link #DRAIN} for the last of them to show.
     */
    static Result run(ShoestringConfig cfg, Configuration flink, ClickHouseHttp ch, BenchGenerator gen, double rate,
            Duration warmup, Duration measure, String runId) throws Exception {
        Freshness f = new Freshness();
        String tenant = gen.probeTenant();
        try (ClickHouseKafkaEngine.Tables engine = ClickHouseKafkaEngine.create(ch, Bench.CH_DATABASE,
                cfg.kafkaBootstrapServers, cfg.kafkaTopic, runId + "-fresh")) {
            engine.attach();
            StreamExecutionEnvironment env = Bench.environment(flink);
            ShoestringJob.define(env, cfg, false, EnumSet.allOf(ShoestringJob.Output.class));
            JobClient job = env.executeAsync("bench-freshness");
            BenchGenerator.Paced paced = null;
            try {
                f.observePostgres(cfg.postgresUrl, cfg.postgresUser, cfg.postgresPassword, tenant);
                f.observeClickHouse(CLICKHOUSE, ch, cfg.clickhouseDatabase + ".events", tenant);
                f.observeKafka(cfg.kafkaConsumerProperties(), cfg.kafkaTopic);
                f.observeClickHouse(CH_ENGINE, ch, engine.dest, tenant);
                long t0 = System.nanoTime();
                paced = gen.startPaced(cfg.kafkaProducerProperties(), cfg.kafkaTopic, rate, PROBE_EVERY, f::sent);
                while (!f.anySeenByAll()) {
                    f.checkObservers();
                    Bench.checkRunning(job, "the freshness job");
                    if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(3)) {
                        throw new IllegalStateException("no probe visible everywhere within 3 min of the freshness run's start");
                    }
                    Thread.sleep(100);
                }
                Thread.sleep(warmup.toMillis());
                double warmupSeconds = (System.nanoTime() - t0) / 1e9;
                long from = System.nanoTime();
                long until = from + measure.toNanos();
                while (System.nanoTime() < until) {
                    f.checkObservers();
                    Bench.checkRunning(job, "the freshness job");
                    Thread.sleep(200);
                }
                long to = System.nanoTime();
                long drainUntil = to + DRAIN.toNanos();
                while (!f.allSeen(from, to) && System.nanoTime() < drainUntil) {
                    f.checkObservers();
                    Thread.sleep(100);
                }
                BenchGenerator.Result generated = paced.stop();
                paced = null;
                f.stop();
                return new Result(f.latencies(from, to), f.count(from, to), rate, generated, warmupSeconds, (to - from) / 1e9);
            } finally {
                if (paced != null) {
                    try {
                        paced.stop();
                    } catch (Exception e) {
                        // the run failed already; its error is the one to report
                    }
                }
                f.stop();
                Bench.cancel(job);
            }
        }
    }

    /** How long after the measured window its last probes may take to show before they count as not seen. */
    static final Duration DRAIN = Duration.ofSeconds(60);
}
