package dev.shoestring.job;

import dev.shoestring.clickhouse.ClickHouseSink;
import dev.shoestring.clickhouse.ClickHouseSinkOptions;
import dev.shoestring.clickhouse.EventRowEncoder;
import dev.shoestring.clickhouse.WindowRowEncoder;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.event.DeadLetter;
import dev.shoestring.event.RawRecord;
import dev.shoestring.kafka.DeadLetterSerializer;
import dev.shoestring.kafka.RawRecordDeserializer;
import dev.shoestring.postgres.PostgresStateSink;
import dev.shoestring.projection.AggregateProjector;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The Shoestring job: Kafka {@code events} in; current state to Postgres, invalid records to the
 * dead-letter topic, every valid event and 1-minute agent-decision windows to ClickHouse.
 *
 * <p>Guarantees: each aggregate's events are applied in sequence order exactly once whatever
 * the duplication or disorder of delivery; Postgres converges to that state (at-least-once,
 * version-guarded idempotent writes). Each invalid record reaches the dead-letter topic at least
 * once, exactly once in a failure-free run. ClickHouse rows are idempotent: read with
 * {@code FINAL}, each event_id and each window appears once after any restart
 * (docs/design/clickhouse-exactly-once.md).
 */
public final class ShoestringJob {
    private ShoestringJob() {}

    /**
     * A Kafka partition with no record for this long stops holding back the watermark, so a quiet
     * partition does not stall the windows of the busy ones.
     */
    public static final Duration IDLE_PARTITION_TIMEOUT = Duration.ofSeconds(10);

    /** The projections a run writes; a replay may pick some. */
    public enum Output {
        /** Current state into Postgres. */
        STATE,
        /** Invalid records into the dead-letter topic. */
        DLQ,
        /** Every valid event into ClickHouse {@code events}. */
        ARCHIVE,
        /** Agent-decision windows into ClickHouse {@code agent_decision_metrics_1m}. */
        METRICS
    }

    /** Adds the production source, topology and sinks to {@code env}. */
    public static ShoestringTopology.Outputs define(StreamExecutionEnvironment env, ShoestringConfig cfg, boolean bounded) {
        return define(env, cfg, bounded, EnumSet.allOf(Output.class));
    }

    /**
     * Adds the source, topology and the sinks of {@code outputs}. A branch without a sink is not
     * part of the job at all: a replay of METRICS alone never runs the projector nor opens Postgres.
     */
    public static ShoestringTopology.Outputs define(StreamExecutionEnvironment env, ShoestringConfig cfg, boolean bounded,
            Set<Output> outputs) {
        return define(env, cfg, bounded, outputs, SinkLimits.DEFAULTS);
    }

    /** As above, with the sinks' buffers bounded by {@code limits} (tests of back-pressure use small ones). */
    static ShoestringTopology.Outputs define(StreamExecutionEnvironment env, ShoestringConfig cfg, boolean bounded,
            Set<Output> outputs, SinkLimits limits) {
        ShoestringTopology.Outputs out = ShoestringTopology.build(source(env, cfg, bounded), cfg.metricsAllowedLateness,
                AggregateProjector.DEFAULT_MAX_PENDING, outputs.contains(Output.STATE), outputs.contains(Output.METRICS));
        attachSinks(out, cfg, outputs, limits);
        return out;
    }

    /** How much each sink writer buffers before it writes (and blocks while it cannot). */
    record SinkLimits(int postgresMaxBufferedKeys, ClickHouseSinkOptions clickhouse) {
        static final SinkLimits DEFAULTS =
                new SinkLimits(PostgresStateSink.DEFAULT_MAX_BUFFERED_KEYS, ClickHouseSinkOptions.defaults());
    }

    /**
     * The Kafka source with per-partition event-time watermarks. Every Shoestring pipeline starts
     * here, so this also turns on object reuse: no operator of ours keeps or changes a record it
     * was given (the sinks encode or copy at write, the projector emits a copy of its state), so
     * the per-record deep copy between chained operators buys nothing. JFR on the bench topic:
     * those copies (reflective POJO copies) were ~10 % of the source task.
     */
    public static DataStream<RawRecord> source(StreamExecutionEnvironment env, ShoestringConfig cfg, boolean bounded) {
        env.getConfig().enableObjectReuse();
        return env
                .fromSource(kafkaSource(cfg, bounded), watermarks(cfg, bounded), "kafka: " + cfg.kafkaTopic)
                .uid(ShoestringTopology.UID_SOURCE);
    }

    /** The production sinks: Postgres state, the dead-letter topic, the ClickHouse archive and metrics. */
    public static void attachSinks(ShoestringTopology.Outputs out, ShoestringConfig cfg) {
        attachSinks(out, cfg, EnumSet.allOf(Output.class));
    }

    public static void attachSinks(ShoestringTopology.Outputs out, ShoestringConfig cfg, Set<Output> outputs) {
        attachSinks(out, cfg, outputs, SinkLimits.DEFAULTS);
    }

    private static void attachSinks(ShoestringTopology.Outputs out, ShoestringConfig cfg, Set<Output> outputs,
            SinkLimits limits) {
        if (outputs.contains(Output.STATE)) {
            out.stateChanges
                .sinkTo(new PostgresStateSink(cfg.postgres(), limits.postgresMaxBufferedKeys()))
                .uid(ShoestringTopology.UID_POSTGRES_SINK)
                .name("postgres: current state");
        }
        if (outputs.contains(Output.DLQ)) {
            out.deadLetters
                .sinkTo(deadLetterSink(cfg))
                .uid(ShoestringTopology.UID_DLQ_SINK)
                .name("kafka: " + cfg.kafkaDlqTopic);
        }
        if (outputs.contains(Output.ARCHIVE)) {
            out.events
                .sinkTo(new ClickHouseSink<>(cfg.clickhouse(), new EventRowEncoder(), limits.clickhouse()))
                .uid(ShoestringTopology.UID_CLICKHOUSE_EVENTS_SINK)
                .name("clickhouse: events");
        }
        if (outputs.contains(Output.METRICS)) {
            out.decisionWindows
                .sinkTo(new ClickHouseSink<>(cfg.clickhouse(), new WindowRowEncoder(), limits.clickhouse()))
                .uid(ShoestringTopology.UID_CLICKHOUSE_METRICS_SINK)
                .name("clickhouse: agent_decision_metrics_1m");
            out.lateDecisions
                .sinkTo(new DiscardingSink<>())
                .uid(ShoestringTopology.UID_LATE_DISCARD)
                .name("late decisions (counted, archived only)");
        }
    }

    /**
     * Event time is {@code occurred_at}; the source tracks it per Kafka partition (records are
     * parsed in the source), the watermark trails the highest event time by
     * {@code metrics.max-out-of-orderness}. The running job also marks a quiet partition idle,
     * but only while its sibling partitions deliver ({@link PartitionWatermarks}: an outage
     * must not make partitions idle).
     */
    static WatermarkStrategy<RawRecord> watermarks(ShoestringConfig cfg, boolean bounded) {
        // A bounded read has no quiet partitions: each is read to its end. Idleness there would
        // only let a partition that starts late (a slow reader at start-up) be overtaken by the
        // watermark of the others, turning its early events into late ones.
        if (bounded) {
            return WatermarkStrategy.<RawRecord>forBoundedOutOfOrderness(cfg.metricsMaxOutOfOrderness)
                    .withTimestampAssigner((r, kafkaTimestamp) -> r.eventTimeMillis());
        }
        return new PartitionWatermarks(cfg.metricsMaxOutOfOrderness, IDLE_PARTITION_TIMEOUT);
    }

    static KafkaSource<RawRecord> kafkaSource(ShoestringConfig cfg, boolean bounded) {
        var b = KafkaSource.<RawRecord>builder()
                // kafka.properties.* first (security settings); the source's own settings win.
                .setProperties(cfg.kafkaConsumerProperties())
                .setBootstrapServers(cfg.kafkaBootstrapServers)
                .setTopics(cfg.kafkaTopic)
                .setGroupId(cfg.kafkaGroupId)
                .setDeserializer(new RawRecordDeserializer())
                .setProperty("client.id.prefix", cfg.kafkaGroupId + "-source");
        if (bounded) {
            // Backfill/replay: from the start to the end offsets present when the job starts.
            b.setStartingOffsets(OffsetsInitializer.earliest()).setBounded(OffsetsInitializer.latest());
        } else {
            b.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                    .setProperty("partition.discovery.interval.ms", "60000");
        }
        return b.build();
    }

    static KafkaSink<DeadLetter> deadLetterSink(ShoestringConfig cfg) {
        return KafkaSink.<DeadLetter>builder()
                .setKafkaProducerConfig(cfg.kafkaProducerProperties())
                .setBootstrapServers(cfg.kafkaBootstrapServers)
                .setRecordSerializer(new DeadLetterSerializer(cfg.kafkaDlqTopic))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
