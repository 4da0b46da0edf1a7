package dev.shoestring.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The ceiling for reading the log: one bare KafkaConsumer, bytes only, no deserialisation,
 * from the beginning to the end offsets. Consumer defaults apart from a larger poll batch.
 */
final class RawConsume {
    private RawConsume() {}

    /** @param consumerConfig bootstrap servers and kafka.properties.* (ShoestringConfig.kafkaConsumerProperties) */
    static double eventsPerSecond(Properties consumerConfig, String topic, long expected) {
        Properties p = new Properties();
        p.putAll(consumerConfig);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            if (total < expected) {
                throw new IllegalStateException("topic " + topic + " holds " + total + " records, expected " + expected);
            }
            long n = 0;
            long bytes = 0;
            long t0 = System.nanoTime();
            while (n < total) {
                ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : rs) {
                    bytes += r.value().length; // touch the bytes, as any reader does
                }
                n += rs.count();
                if ((System.nanoTime() - t0) > Duration.ofMinutes(10).toNanos()) {
                    throw new IllegalStateException("raw consume read " + n + "/" + total + " in 10 min");
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return bytes >= 0 ? n / s : 0;
        }
    }
}
