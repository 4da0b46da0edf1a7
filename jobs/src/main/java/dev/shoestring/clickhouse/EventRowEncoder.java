package dev.shoestring.clickhouse;

import dev.shoestring.event.Event;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** {@link Event} to a row of {@code events} (sql/clickhouse/V001__events.sql, CONTRACT §3). */
public final class EventRowEncoder implements RowEncoder<Event> {
    private static final long serialVersionUID = 1L;

    static final List<String> COLUMNS = List.of("event_id", "event_type", "tenant_id", "aggregate_id", "sequence",
            "occurred_at", "occurred_at_ms", "payload", "kafka_partition", "kafka_offset");

    @Override
    public String table() {
        return "events";
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void encode(Event e, OutputStream out) throws IOException {
        long millis = e.occurredAtMillis();
        long seconds = RowBinary.checkedDateTimeSeconds(millis, "event " + e.eventId + ": occurred_at");
        RowBinary.string(out, e.eventId);
        RowBinary.string(out, e.eventType);
        RowBinary.string(out, e.tenantId);
        RowBinary.string(out, e.aggregateId);
        RowBinary.uint64(out, e.sequence); // validated >= 1
        RowBinary.dateTime(out, seconds);
        RowBinary.int64(out, millis);
        RowBinary.string(out, e.payloadJson);
        RowBinary.int32(out, e.sourcePartition);
        RowBinary.int64(out, e.sourceOffset);
    }
}
