package dev.shoestring.bench;

/**
 * The baseline for the archive path: what a ClickHouse user picks instead of a Flink job,
 * ClickHouse's own Kafka table engine with a materialized view into a MergeTree on the same
 * server, reading the same topic.
 *
 * <p>It is given the easier job, never a handicap: it parses six top-level columns and skips the
 * payload ({@code input_format_skip_unknown_fields=1}, set in the services' users.xml, as a
 * JSONEachRow String column cannot take a nested object on 18.16), while the pipeline stores the
 * payload and the Kafka coordinates too. The server-side {@code auto_offset_reset=smallest}
 * (services/clickhouse/config.xml.in) makes its new consumer group start at the beginning.
 * The rate is records / (time from attaching the view, which starts consumption, until the
 * destination holds every record), as the pipeline's figures include its job start. The engine
 * inserts a block whenever {@code max_block_size} rows are read and the last, partial block once
 * the topic is drained (a poll that returns nothing ends the stream: read in ClickHouse's
 * StorageKafka source of that era, not measured), so its flush interval
 * ({@code stream_flush_interval_ms}, 7.5 s) bounds how long one stream runs, not the throughput. The bench measures it with one consumer (the default) and with as many
 * as the pipeline's parallelism, and takes the faster as the baseline.
 */
final class ClickHouseKafkaEngine {
    private ClickHouseKafkaEngine() {}

    /** A Kafka engine table, its destination MergeTree and (once attached) the view between them. */
    static final class Tables implements AutoCloseable {
        private final ClickHouseHttp ch;
        final String queue;
        final String dest;
        final String view;

        private Tables(ClickHouseHttp ch, String db, String suffix) {
            this.ch = ch;
            this.queue = db + ".kafka_queue_" + suffix;
            this.dest = db + ".kafka_events_" + suffix;
            this.view = db + ".kafka_mv_" + suffix;
        }

        /** Attaching the view starts the consumption. */
        void attach() throws Exception {
            // occurred_at is always 'yyyy-MM-ddTHH:mm:ss.SSSZ' (UTC) from the bench generator.
            ch.query("CREATE MATERIALIZED VIEW " + view + " TO " + dest + " AS SELECT event_id, event_type, tenant_id,"
                    + " aggregate_id, sequence, toDateTime(replaceOne(substring(occurred_at, 1, 19), 'T', ' '), 'UTC') AS occurred_at"
                    + " FROM " + queue);
        }

        @Override
        public void close() throws Exception {
            // The engine keeps consuming while its view exists: detach it first.
            ch.query("DROP TABLE IF EXISTS " + view);
            ch.query("DROP TABLE IF EXISTS " + queue);
            ch.query("DROP TABLE IF EXISTS " + dest);
        }
    }

    /** The engine table on {@code topic} (a consumer group of its own) and its destination, not yet attached. */
    static Tables create(ClickHouseHttp ch, String db, String bootstrap, String topic, String runId) throws Exception {
        return create(ch, db, bootstrap, topic, runId, 1);
    }

    /**
     * As above with {@code consumers} Kafka consumers (the engine's {@code kafka_num_consumers}):
     * their streams are read in parallel, one thread each, into the same view.
     */
    static Tables create(ClickHouseHttp ch, String db, String bootstrap, String topic, String runId, int consumers)
            throws Exception {
        String suffix = runId.replace('-', '_');
        Tables t = new Tables(ch, db, suffix);
        ch.query("CREATE DATABASE IF NOT EXISTS " + db);
        ch.query("CREATE TABLE " + t.queue + " (event_id String, event_type String, tenant_id String, aggregate_id String,"
                + " sequence UInt64, occurred_at String)"
                + " ENGINE = Kafka(" + ClickHouseHttp.literal(bootstrap) + ", " + ClickHouseHttp.literal(topic) + ", "
                + ClickHouseHttp.literal("bench-ch-" + runId) + ", 'JSONEachRow', '\\n', '', " + consumers + ")");
        ch.query("CREATE TABLE " + t.dest + " (event_id String, event_type String, tenant_id String, aggregate_id String,"
                + " sequence UInt64, occurred_at DateTime('UTC'))"
                + " ENGINE = MergeTree() PARTITION BY toYYYYMM(occurred_at) ORDER BY (tenant_id, event_type, occurred_at, event_id)");
        return t;
    }

    static double eventsPerSecond(ClickHouseHttp ch, String db, String bootstrap, String topic, String runId,
            int consumers, long expected, long timeoutMillis) throws Exception {
        try (Tables t = create(ch, db, bootstrap, topic, runId, consumers)) {
            long t0 = System.nanoTime();
            t.attach();
            long n = 0;
            while (n < expected) {
                if (System.nanoTime() - t0 > timeoutMillis * 1_000_000L) {
                    throw new IllegalStateException("the Kafka engine ingested " + n + "/" + expected + " in "
                            + timeoutMillis / 1000 + " s");
                }
                Thread.sleep(100);
                n = ch.count("SELECT count() FROM " + t.dest);
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
