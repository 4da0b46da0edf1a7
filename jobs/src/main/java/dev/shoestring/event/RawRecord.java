package dev.shoestring.event;

/**
 * One Kafka record exactly as it arrived: the bytes plus where it came from. Kept until the event
 * is validated so that an invalid record can go to the dead-letter topic byte-for-byte unchanged.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }
}
