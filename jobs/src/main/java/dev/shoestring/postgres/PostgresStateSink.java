package dev.shoestring.postgres;

import dev.shoestring.projection.AggregateState;
import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes aggregate state snapshots to Postgres, coalesced per aggregate and batched.
 *
 * <p>Guarantee: every state change reaches Postgres at least once; because each upsert is
 * guarded by {@code version}, re-writes are harmless and the table converges to exactly the
 * projection's state. The writer flushes before every checkpoint barrier, so a completed
 * checkpoint never covers a change that is not yet in Postgres.
 *
 * <p>Why not flink-connector-jdbc's JdbcSink: it batches but writes every element, so a burst of
 * events on one order would become one write each; it takes one statement per sink, and we route
 * three tables through one transaction per flush. Coalescing by key is the point of this sink.
 * See docs/design/postgres-flush.md.
 */
public class PostgresStateSink implements Sink<AggregateState> {
    private static final long serialVersionUID = 1L;

    /** The most aggregates a writer buffers: at this many it writes (and blocks while it cannot). */
    public static final int DEFAULT_MAX_BUFFERED_KEYS = PostgresStateWriter.DEFAULT_MAX_BUFFERED_KEYS;

    private final PostgresSettings settings;
    private final int maxBufferedKeys;

    public PostgresStateSink(PostgresSettings settings) {
        this(settings, PostgresStateWriter.DEFAULT_MAX_BUFFERED_KEYS);
    }

    public PostgresStateSink(PostgresSettings settings, int maxBufferedKeys) {
        this.settings = settings;
        this.maxBufferedKeys = maxBufferedKeys;
    }

    @Override
    public SinkWriter<AggregateState> createWriter(WriterInitContext context) throws IOException {
        return new PostgresStateWriter(settings, maxBufferedKeys, context.getProcessingTimeService(),
                context.metricGroup());
    }
}
