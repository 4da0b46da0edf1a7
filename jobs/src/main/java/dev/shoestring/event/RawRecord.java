package dev.shoestring.event;

/**
 * One Kafka record as it arrived, parsed in the source: either {@link #event} is set, or
 * {@link #invalidReason} is and {@link #value} keeps the exact bytes for the dead-letter topic.
 *
 * <p>Parsing happens in the Kafka source (not in a later operator) so that event time, and so
 * the watermark, is known per Kafka partition.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    /** The original value; kept only for an invalid record. */
    public byte[] value;
    /** The parsed event, or null if the record is invalid. */
    public Event event;
    public String invalidReason;
    public String invalidDetail;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    /** Parses the value; afterwards exactly one of {@link #event} and {@link #invalidReason} is set. */
    public RawRecord parse() {
        try {
            event = EventParser.parse(value);
            event.sourcePartition = partition;
            event.sourceOffset = offset;
            value = null;
            key = null;
        } catch (InvalidEventException e) {
            invalidReason = e.reason().name();
            invalidDetail = e.getMessage();
        }
        return this;
    }

    /** Event time for the watermark; an invalid record never moves it. */
    public long eventTimeMillis() {
        return event == null ? Long.MIN_VALUE : event.occurredAtMillis();
    }
}
