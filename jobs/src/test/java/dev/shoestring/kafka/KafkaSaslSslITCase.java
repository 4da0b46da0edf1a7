package dev.shoestring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.EventValidator;
import dev.shoestring.job.Preflight;
import dev.shoestring.job.ShoestringJob;
import dev.shoestring.testutils.ClickHouseHttp;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.testutils.SecureKafkaBroker;
import dev.shoestring.tools.EventGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real SASL_SSL connection: a broker of its own with only a SASL_SSL listener (PLAIN, a
 * self-signed certificate), and the job configured the way a user would, with
 * {@code kafka.properties.*} and the credentials in {@code SHOESTRING_KAFKA_SASL_USERNAME} and
 * {@code _PASSWORD}. Preflight's admin client, the source, the dead-letter producer and the
 * progress watcher all get through; a wrong password is refused by the broker.
 */
class KafkaSaslSslITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = LocalServices.miniCluster();

    private static ShoestringConfig config(SecureKafkaBroker broker, String topic, String password) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(KafkaClientProperties.ENV_SASL_USERNAME, SecureKafkaBroker.USER);
        env.put(KafkaClientProperties.ENV_SASL_PASSWORD, password);
        return ShoestringConfig.load(null, env, LocalServices.settings(topic, Map.of(
                ShoestringConfig.KAFKA_BOOTSTRAP, broker.bootstrap(),
                "kafka.properties.security.protocol", "SASL_SSL",
                "kafka.properties.sasl.mechanism", "PLAIN",
                "kafka.properties.ssl.truststore.location", broker.caPem().toString(),
                "kafka.properties.ssl.truststore.type", "PEM")));
    }

    @Test
    void everyKafkaClientOfTheJobWorksOverSaslSsl() throws Exception {
        try (SecureKafkaBroker broker = SecureKafkaBroker.start()) {
            String run = LocalServices.runId();
            String topic = run + "-events";
            ShoestringConfig cfg = config(broker, topic, broker.password());

            // 1. A wrong password: the broker refuses the admin client, start-up fails.
            ShoestringConfig wrong = config(broker, topic, "not-" + broker.password());
            try (Admin admin = Topics.admin(wrong)) {
                assertThatThrownBy(() -> Topics.create(admin, topic, 2)).hasRootCauseInstanceOf(SaslAuthenticationException.class);
            }

            // 2. The topic and a log with malformed records, through the configured clients.
            try (Admin admin = Topics.admin(cfg)) {
                Topics.create(admin, topic, 2);
            }
            EventGenerator.Log log = new EventGenerator(5, run + "-").tenants(1).orders(30).agents(2)
                    .decisionsPerAgent(20).metrics(2).changesPerMetric(5).duplicateRate(0).swapRate(0)
                    .malformedRate(0.05).unknownTypeRate(0).generate();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            try (var producer = new KafkaProducer<>(cfg.kafkaProducerProperties(), new StringSerializer(), new ByteArraySerializer())) {
                for (EventGenerator.Record r : log.records) {
                    acks.add(producer.send(new ProducerRecord<>(topic, r.key, r.value)));
                }
            }
            LocalServices.awaitAcks(acks);
            assertThat(log.malformedCount()).isPositive();

            // 3. Preflight (creates the dead-letter topic) and the job, bounded: source, DLQ and archive.
            Preflight.run(cfg);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(LocalServices.noRestarts());
            env.setParallelism(2);
            env.enableCheckpointing(500);
            ShoestringJob.define(env, cfg, true, EnumSet.of(ShoestringJob.Output.DLQ, ShoestringJob.Output.ARCHIVE));
            JobExecutionResult result = env.execute("SASL_SSL IT");
            long valid = log.records.size() - log.malformedCount();
            assertThat(result.<Long>getAccumulatorResult(EventValidator.ACC_INVALID)).isEqualTo(log.malformedCount());
            assertThat(result.<Long>getAccumulatorResult(EventValidator.ACC_VALID)).isEqualTo(valid);
            assertThat(ClickHouseHttp.count("SELECT count() FROM " + ClickHouseHttp.TEST_DATABASE + ".events FINAL"
                    + " WHERE tenant_id LIKE '" + run + "-%'")).isEqualTo(valid);

            // 4. The dead letters, read back over SASL_SSL too.
            long dead = 0;
            try (var consumer = new KafkaConsumer<>(cfg.kafkaConsumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                consumer.partitionsFor(cfg.kafkaDlqTopic, Duration.ofSeconds(30))
                        .forEach(i -> parts.add(new TopicPartition(cfg.kafkaDlqTopic, i.partition())));
                dead = consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
            }
            assertThat(dead).isEqualTo(log.malformedCount());

            // 5. The progress watcher (replay's progress bar, the demo's lag) reads the group's offsets.
            try (OffsetProgress progress = OffsetProgress.start(cfg, topic, cfg.kafkaGroupId)) {
                assertThat(progress.committed()).hasSize(2);
            }
        }
    }
}
