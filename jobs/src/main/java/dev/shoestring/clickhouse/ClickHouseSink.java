package dev.shoestring.clickhouse;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Appends rows to one ClickHouse table in large RowBinary batches.
 *
 * <p>Guarantee: at least once. The writer inserts its batch before every checkpoint barrier, so a
 * completed checkpoint never covers a row that is not yet in ClickHouse; after a restart the rows
 * since that checkpoint are inserted again. Both our tables are ReplacingMergeTree keyed so that a
 * re-inserted row replaces its twin: read with FINAL, each event and each window appears once.
 *
 * <p>Why not flink-connector-jdbc with clickhouse-jdbc: jdbc-v2 is a layer over the same
 * client-v2, adding SQL parsing and per-value conversion, and its batching needs URL flags to
 * work at all on 18.16 (docs/design/clickhouse-sink.md).
 */
public class ClickHouseSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final ClickHouseSettings settings;
    private final RowEncoder<T> encoder;
    private final ClickHouseSinkOptions options;

    public ClickHouseSink(ClickHouseSettings settings, RowEncoder<T> encoder) {
        this(settings, encoder, ClickHouseSinkOptions.defaults());
    }

    public ClickHouseSink(ClickHouseSettings settings, RowEncoder<T> encoder, ClickHouseSinkOptions options) {
        this.settings = settings;
        this.encoder = encoder;
        this.options = options;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new ClickHouseWriter<>(settings, encoder, options, context.getProcessingTimeService(),
                context.metricGroup());
    }
}
