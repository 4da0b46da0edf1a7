package dev.shoestring.cli;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.Topics;
import dev.shoestring.tools.EventGenerator;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code shoestring generate}: writes a generated event log (with duplicates, disorder, bad records) to Kafka. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Produce generated events (orders, agent decisions, metrics) to the events topic.")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--orders", defaultValue = "300") int orders;
    @Option(names = "--agents", defaultValue = "12") int agents;
    @Option(names = "--metrics", defaultValue = "10") int metrics;
    @Option(names = "--decisions-per-agent", defaultValue = "60") int decisionsPerAgent;
    @Option(names = "--tenants", defaultValue = "3") int tenants;
    @Option(names = "--duplicates", defaultValue = "0.05", description = "Share of re-delivered events.") double duplicates;
    @Option(names = "--malformed", defaultValue = "0.01", description = "Share of malformed records.") double malformed;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--partitions", defaultValue = "4", description = "Partitions when the topic must be created.") int partitions;

    @Override
    public Integer call() throws Exception {
        ShoestringConfig cfg = config.load();
        EventGenerator.Log log = new EventGenerator(seed, "")
                .tenants(tenants).orders(orders).agents(agents).metrics(metrics)
                .decisionsPerAgent(decisionsPerAgent).duplicateRate(duplicates).malformedRate(malformed)
                .generate();
        try (Admin admin = Topics.admin(cfg)) {
            Topics.create(admin, cfg.kafkaTopic, partitions);
        }
        Properties p = cfg.kafkaProducerProperties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (EventGenerator.Record r : log.records) {
                producer.send(new ProducerRecord<>(cfg.kafkaTopic, r.key, r.value), (meta, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            System.err.printf("shoestring: %d of %d records were not acknowledged by Kafka%n", failed.get(), log.records.size());
            return 1;
        }
        System.out.printf("shoestring: produced %d records (%d malformed) to %s%n",
                log.records.size(), log.malformedCount(), cfg.kafkaTopic);
        return 0;
    }
}
