package dev.shoestring.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group is through a topic, against the end offsets captured when the run
 * started. The Kafka source commits its offsets on every completed checkpoint, so the committed
 * offsets are what is durably processed.
 */
public final class OffsetProgress implements AutoCloseable {
    private final Admin admin;
    private final String group;
    /** partition -> end offset at start (exclusive). */
    private final Map<TopicPartition, Long> end;
    private final long startNanos = System.nanoTime();
    private long startDone = -1;

    private OffsetProgress(Admin admin, String group, Map<TopicPartition, Long> end) {
        this.admin = admin;
        this.group = group;
        this.end = end;
    }

    public static OffsetProgress start(dev.shoestring.config.ShoestringConfig cfg, String topic, String group) throws Exception {
        Admin admin = Topics.admin(cfg);
        try {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> req = description.partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            Map<TopicPartition, Long> end = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
            admin.listOffsets(req).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
            return new OffsetProgress(admin, group, end);
        } catch (Exception e) {
            admin.close();
            throw e;
        }
    }

    /** Committed offset per partition (0 where nothing is committed yet). */
    public Map<TopicPartition, Long> committed() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> c = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : end.keySet()) {
            OffsetAndMetadata o = c.get(tp);
            out.put(tp, o == null ? 0L : o.offset());
        }
        return out;
    }

    /** True when every partition's committed offset reached its end offset at start. */
    public boolean done(Map<TopicPartition, Long> committed) {
        return end.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** One line: per-partition done/total, overall percentage, rate and ETA. */
    public String render(Map<TopicPartition, Long> committed) {
        long total = 0;
        long done = 0;
        StringBuilder parts = new StringBuilder();
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            long d = Math.min(committed.getOrDefault(e.getKey(), 0L), e.getValue());
            total += e.getValue();
            done += d;
            parts.append(" p").append(e.getKey().partition()).append(' ').append(d).append('/').append(e.getValue());
        }
        if (startDone < 0) {
            startDone = done;
        }
        double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
        double rate = (done - startDone) / seconds;
        String eta = rate <= 0 ? "?" : String.format("%.0f s", (total - done) / rate);
        int pct = total == 0 ? 100 : (int) (100 * done / total);
        int width = 20;
        int filled = pct * width / 100;
        return String.format("[%s%s] %3d%% %d/%d records, %.0f rec/s, ETA %s |%s",
                "#".repeat(filled), ".".repeat(width - filled), pct, done, total, rate, eta, parts);
    }

    @Override
    public void close() {
        admin.close();
    }
}
