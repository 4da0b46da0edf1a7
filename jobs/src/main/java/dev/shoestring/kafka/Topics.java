package dev.shoestring.kafka;

import dev.shoestring.config.ConfigException;
import dev.shoestring.config.ShoestringConfig;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/** Checks the input topic exists and creates the dead-letter topic when it does not. */
public final class Topics {
    private Topics() {}

    /** An admin client with the configuration's bootstrap servers and {@code kafka.properties.*}. */
    public static Admin admin(ShoestringConfig cfg) {
        Properties p = cfg.kafkaAdminProperties();
        p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        return Admin.create(p);
    }

    public static void ensure(ShoestringConfig cfg) throws Exception {
        try (Admin admin = admin(cfg)) {
            Set<String> names = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            if (!names.contains(cfg.kafkaTopic)) {
                throw new ConfigException(ShoestringConfig.KAFKA_TOPIC, "topic '" + cfg.kafkaTopic
                        + "' does not exist on " + cfg.kafkaBootstrapServers);
            }
            if (!names.contains(cfg.kafkaDlqTopic)) {
                Map<String, TopicDescription> d = admin.describeTopics(List.of(cfg.kafkaTopic)).allTopicNames().get(15, TimeUnit.SECONDS);
                int partitions = d.get(cfg.kafkaTopic).partitions().size();
                create(admin, cfg.kafkaDlqTopic, partitions);
            }
        }
    }

    /**
     * Creates the topic if missing and waits until every partition has a leader: producing into a
     * topic whose partitions have no leader yet can lose the first records (KAFKA-15591).
     */
    public static void create(Admin admin, String topic, int partitions) throws Exception {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) -1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (!hasLeaders(admin, topic)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no leader for every partition of " + topic + " after 30 s");
            }
            Thread.sleep(100);
        }
    }

    private static boolean hasLeaders(Admin admin, String topic) throws Exception {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic);
            return !d.partitions().isEmpty()
                    && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }
}
