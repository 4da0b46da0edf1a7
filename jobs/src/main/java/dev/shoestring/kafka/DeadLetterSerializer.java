package dev.shoestring.kafka;

import dev.shoestring.event.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Writes a dead letter with the original key and value byte-for-byte and the headers documented
 * in the README: {@value #REASON}, {@value #ERROR}, {@value #TOPIC}, {@value #PARTITION},
 * {@value #OFFSET} (all UTF-8 text).
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    public static final String REASON = "shoestring.dlq.reason";
    public static final String ERROR = "shoestring.dlq.error";
    public static final String TOPIC = "shoestring.dlq.source.topic";
    public static final String PARTITION = "shoestring.dlq.source.partition";
    public static final String OFFSET = "shoestring.dlq.source.offset";

    private final String dlqTopic;

    public DeadLetterSerializer(String dlqTopic) {
        this.dlqTopic = dlqTopic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        List<Header> headers = List.of(
                header(REASON, d.reason),
                header(ERROR, d.detail),
                header(TOPIC, d.sourceTopic),
                header(PARTITION, Integer.toString(d.sourcePartition)),
                header(OFFSET, Long.toString(d.sourceOffset)));
        Long ts = d.timestamp >= 0 ? d.timestamp : null;
        return new ProducerRecord<>(dlqTopic, null, ts, d.key, d.value, headers);
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }
}
