package dev.shoestring.job;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.event.DeadLetter;
import dev.shoestring.event.RawRecord;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;

/** The job's Kafka connectors exactly as {@link ShoestringJob} builds them, for tests in other packages. */
public final class JobConnectors {
    private JobConnectors() {}

    public static KafkaSource<RawRecord> source(ShoestringConfig cfg) {
        return ShoestringJob.kafkaSource(cfg, false);
    }

    public static KafkaSink<DeadLetter> deadLetterSink(ShoestringConfig cfg) {
        return ShoestringJob.deadLetterSink(cfg);
    }
}
