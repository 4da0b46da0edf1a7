package dev.shoestring.testutils;

import dev.shoestring.clickhouse.ClickHouseSettings;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.Topics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The real services started by {@code bin/shoestring up} (endpoints from {@code bin/shoestring env},
 * defaults matching it). Integration tests isolate themselves by unique topic names and tenant
 * ids, so they can share one set of services.
 */
public final class LocalServices {
    public static final String KAFKA = env("SHOESTRING_KAFKA", "127.0.0.1:19092");
    /** The database `up` creates; tests never write to it, so the demo's tables stay clean. */
    static final String PG_SERVICE_URL = env("SHOESTRING_PG_URL", "jdbc:postgresql://127.0.0.1:15433/shoestring");
    public static final String PG_USER = env("SHOESTRING_PG_USER", "shoestring");
    public static final String PG_TEST_DATABASE = "shoestring_test";
    /** The job's least-privilege role of sql/postgres/roles.sql (no password: trust on loopback). */
    public static final String PG_JOB_USER = env("SHOESTRING_PG_JOB_USER", "shoestring_job");
    /** The cluster's superuser (`initdb -U postgres`), a DBA's stand-in for running roles.sql. */
    public static final String PG_SUPERUSER = env("SHOESTRING_PG_SUPERUSER", "postgres");
    /** A database of the tests' own on the same server, created on first use. */
    public static final String PG_URL = testDatabase();
    public static final String CH_URL = env("SHOESTRING_CH_URL", "http://127.0.0.1:18123");
    public static final String CH_USER = env("SHOESTRING_CH_USER", "default");
    /** Like PG_TEST_DATABASE: the tests' own, so the demo's `shoestring` database stays clean. */
    public static final String CH_TEST_DATABASE = "shoestring_test";
    /** The job's insert-only user of services/clickhouse/users.xml.in; its password is made by `up`. */
    public static final String CH_JOB_USER = env("SHOESTRING_CH_JOB_USER", "shoestring_job");

    private LocalServices() {}

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    private static String testDatabase() {
        int slash = PG_SERVICE_URL.lastIndexOf('/');
        int query = PG_SERVICE_URL.indexOf('?', slash);
        String url = PG_SERVICE_URL.substring(0, slash + 1) + PG_TEST_DATABASE + (query < 0 ? "" : PG_SERVICE_URL.substring(query));
        Properties p = new Properties();
        p.setProperty("user", PG_USER);
        try (Connection c = DriverManager.getConnection(PG_SERVICE_URL, p);
                var ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, PG_TEST_DATABASE);
            try (var rs = ps.executeQuery(); var st = c.createStatement()) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + PG_TEST_DATABASE); // a constant identifier
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Postgres of `bin/shoestring up` not reachable at " + PG_SERVICE_URL
                    + " (run bin/shoestring up): " + e.getMessage(), e);
        }
        return url;
    }

    /** ClickHouse settings for the tests' database (created by ClickHouseSchema.apply). */
    public static ClickHouseSettings clickhouse() {
        return new ClickHouseSettings(CH_URL, CH_USER, System.getenv("SHOESTRING_CLICKHOUSE_PASSWORD"), CH_TEST_DATABASE);
    }

    /** ClickHouse settings of the job's insert-only user, on the tests' database. */
    public static ClickHouseSettings clickhouseJob() {
        String password = System.getenv("SHOESTRING_CH_JOB_PASSWORD");
        if (password == null || password.isEmpty()) {
            throw new IllegalStateException("SHOESTRING_CH_JOB_PASSWORD not set: run the tests through"
                    + " `bin/shoestring test` (or eval \"$(bin/shoestring env)\")");
        }
        return new ClickHouseSettings(CH_URL, CH_JOB_USER, password, CH_TEST_DATABASE);
    }

    /**
     * Runs sql/postgres/roles.sql in the tests' database as the superuser, as a DBA would once
     * (`bin/shoestring up` does it for the service database): idempotent.
     */
    public static void applyPostgresRoles() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", PG_SUPERUSER);
        try (Connection c = DriverManager.getConnection(PG_URL, p); var st = c.createStatement()) {
            st.execute(java.nio.file.Files.readString(root().resolve("sql/postgres/roles.sql")));
        }
    }

    /** The MiniCluster every pipeline test runs on: parallelism 2, as on a 2-core machine. */
    public static org.apache.flink.test.junit5.MiniClusterExtension miniCluster() {
        return new org.apache.flink.test.junit5.MiniClusterExtension(
                new org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }

    /**
     * A job that fails in a test must fail the test, not restart forever (the default with
     * checkpointing on).
     */
    public static org.apache.flink.configuration.Configuration noRestarts() {
        org.apache.flink.configuration.Configuration c = new org.apache.flink.configuration.Configuration();
        c.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY, "none");
        return c;
    }

    public static final String S3_ENDPOINT = env("SHOESTRING_S3_ENDPOINT", "http://127.0.0.1:17480");
    public static final String S3_BUCKET = env("SHOESTRING_S3_BUCKET", "shoestring");

    /** The repository root (failsafe sets SHOESTRING_ROOT; the fallback is the jobs module's parent). */
    public static java.nio.file.Path root() {
        String r = System.getenv("SHOESTRING_ROOT");
        return (r != null ? java.nio.file.Path.of(r) : java.nio.file.Path.of("..")).toAbsolutePath().normalize();
    }

    /**
     * Initializes Flink's file systems in this JVM as a Flink process would: the local profile
     * (flink-conf/local), the S3 plugin from FLINK_PLUGINS_DIR (never the test classpath), the
     * local Ceph's endpoint and keys from the environment. Returns the Flink configuration.
     */
    public static org.apache.flink.configuration.Configuration initS3(ShoestringConfig cfg) {
        if (cfg.s3AccessKey == null || cfg.s3SecretKey == null) {
            throw new IllegalStateException("SHOESTRING_S3_ACCESS_KEY/SECRET_KEY not set: run the tests through"
                    + " `bin/shoestring test` (or eval \"$(bin/shoestring env)\")");
        }
        var flink = dev.shoestring.job.FlinkSettings.load(root().resolve("flink-conf/local"), cfg);
        dev.shoestring.job.FlinkSettings.initFileSystems(flink);
        return flink;
    }

    public static String runId() {
        return "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** Config pointing at the local services and the given topics. */
    public static ShoestringConfig config(String topic, Map<String, String> more) {
        return ShoestringConfig.load(null, System.getenv(), settings(topic, more));
    }

    /**
     * The configuration keys of {@link #config}, e.g. to write a config file for a job started as
     * its own process: the topic, {@code <topic>.dlq}, group {@code <topic>-group}, the tests'
     * databases.
     */
    public static Map<String, String> settings(String topic, Map<String, String> more) {
        Map<String, String> m = new TreeMap<>();
        m.put(ShoestringConfig.KAFKA_BOOTSTRAP, KAFKA);
        m.put(ShoestringConfig.KAFKA_TOPIC, topic);
        m.put(ShoestringConfig.KAFKA_DLQ_TOPIC, topic + ".dlq");
        m.put(ShoestringConfig.KAFKA_GROUP_ID, topic + "-group");
        m.put(ShoestringConfig.PG_URL, PG_URL);
        m.put(ShoestringConfig.PG_USER, PG_USER);
        m.put(ShoestringConfig.CH_URL, CH_URL);
        m.put(ShoestringConfig.CH_USER, CH_USER);
        m.put(ShoestringConfig.CH_DATABASE, CH_TEST_DATABASE);
        m.put(ShoestringConfig.S3_ENDPOINT, S3_ENDPOINT);
        m.putAll(more);
        return m;
    }

    public static Connection postgres() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", PG_USER);
        return DriverManager.getConnection(PG_URL, p);
    }

    /** An admin client of the local broker. */
    public static Admin admin() {
        return Topics.admin(ShoestringConfig.of(Map.of(ShoestringConfig.KAFKA_BOOTSTRAP, KAFKA)));
    }

    /** Creates the topic and waits for its partition leaders (Topics.create). */
    public static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = admin()) {
            Topics.create(admin, topic, partitions);
        }
    }


    /**
     * An idempotent producer of string keys and byte values, as the event log's producers are,
     * with one request in flight: with more, a first request refused with NOT_LEADER_OR_FOLLOWER
     * while a new partition comes up can be overtaken by the next one, and is then refused with
     * OUT_OF_ORDER_SEQUENCE_NUMBER until it expires, its records lost (KAFKA-15591; seen here under
     * load, right after createTopic).
     */
    public static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Writes the records; fails if one was not acknowledged. */
    public static void produce(String topic, List<Map.Entry<String, byte[]>> records) {
        try (var producer = producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (Map.Entry<String, byte[]> r : records) {
                acks.add(producer.send(new ProducerRecord<>(topic, r.getKey(), r.getValue())));
            }
            producer.flush();
            awaitAcks(acks);
        }
    }

    /** Fails on the first of these sends that the broker did not acknowledge. */
    public static void awaitAcks(List<Future<RecordMetadata>> acks) {
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("a record was not acknowledged: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for acknowledgements", e);
            }
        }
    }

    /** Everything in the topic now, from the beginning to the current end offsets. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 60_000;
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }
}
