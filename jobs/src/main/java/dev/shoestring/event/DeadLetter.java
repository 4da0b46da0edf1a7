package dev.shoestring.event;

/** An invalid record on its way to the dead-letter topic: the original bytes and why. */
public class DeadLetter {
    /** Stable, machine-readable reason, one of {@link InvalidEventException.Reason}. */
    public String reason;
    /** Human-readable detail naming the offending field. */
    public String detail;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public DeadLetter() {}

    public static DeadLetter of(RawRecord raw) {
        DeadLetter d = new DeadLetter();
        d.reason = raw.invalidReason;
        d.detail = raw.invalidDetail;
        d.sourceTopic = raw.topic;
        d.sourcePartition = raw.partition;
        d.sourceOffset = raw.offset;
        d.timestamp = raw.timestamp;
        d.key = raw.key;
        d.value = raw.value;
        return d;
    }
}
