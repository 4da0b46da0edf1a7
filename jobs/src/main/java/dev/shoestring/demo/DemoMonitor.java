package dev.shoestring.demo;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.data_formats.ClickHouseBinaryFormatReader;
import com.clickhouse.client.api.query.QueryResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoestring.clickhouse.ClickHouseClients;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Gathers the live view's numbers from where they really are: Kafka offsets (in, lag, dead
 * letters), Flink's REST API (checkpoints), Postgres (orders), ClickHouse (archive, top agents).
 * A source that does not answer leaves its numbers unknown; the view shows "?".
 */
final class DemoMonitor implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ShoestringConfig cfg;
    private final String restUrl;
    private final String jobId;
    private final Admin admin;
    private final Client clickhouse;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final long started = System.nanoTime();
    private long lastIn = -1;
    private long lastOut = -1;
    private long lastNanos;

    DemoMonitor(ShoestringConfig cfg, String restUrl, String jobId) {
        this.cfg = cfg;
        this.restUrl = restUrl;
        this.jobId = jobId;
        this.admin = Topics.admin(cfg);
        this.clickhouse = ClickHouseClients.create(cfg.clickhouse());
    }

    DemoStats collect() {
        DemoStats s = new DemoStats();
        long now = System.nanoTime();
        s.elapsedSeconds = (now - started) / 1_000_000_000L;
        s.restUrl = restUrl;
        s.checkpointsDir = cfg.checkpointsDir == null ? "(no checkpoints.dir)" : cfg.checkpointsDir;
        try {
            Map<TopicPartition, Long> end = endOffsets(cfg.kafkaTopic);
            s.eventsIn = end.values().stream().mapToLong(Long::longValue).sum();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(cfg.kafkaGroupId)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            s.consumerLag = end.entrySet().stream().mapToLong(e -> {
                OffsetAndMetadata o = committed.get(e.getKey());
                return e.getValue() - (o == null ? 0 : o.offset());
            }).sum();
            s.deadLetters = endOffsets(cfg.kafkaDlqTopic).values().stream().mapToLong(Long::longValue).sum();
        } catch (Exception e) {
            // Kafka unreachable: unknown
        }
        try (QueryResponse r = clickhouse.query("SELECT count() FROM " + cfg.clickhouse().qualify("events"),
                ClickHouseClients.querySettings()).get(5, TimeUnit.SECONDS)) {
            ClickHouseBinaryFormatReader reader = clickhouse.newBinaryFormatReader(r);
            if (reader.hasNext()) {
                reader.next();
                s.eventsArchived = reader.getLong(1);
            }
        } catch (Exception e) {
            // ClickHouse unreachable: unknown
        }
        double dt = lastNanos == 0 ? 0 : (now - lastNanos) / 1e9;
        if (dt > 0 && lastIn >= 0 && s.eventsIn >= 0) s.eventsInPerSecond = (s.eventsIn - lastIn) / dt;
        if (dt > 0 && lastOut >= 0 && s.eventsArchived >= 0) s.eventsOutPerSecond = (s.eventsArchived - lastOut) / dt;
        lastIn = s.eventsIn;
        lastOut = s.eventsArchived;
        lastNanos = now;
        topAgents(s);
        orders(s);
        checkpoints(s);
        return s;
    }

    private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        var d = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> req = d.partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        return admin.listOffsets(req).all().get(5, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private void topAgents(DemoStats s) {
        String sql = "SELECT tenant_id, agent_id, sum(decisions) AS d, max(latency_ms_p95) AS p95 FROM "
                + cfg.clickhouse().qualify("agent_decision_metrics_1m") + " FINAL WHERE window_start >= now() - 300"
                + " GROUP BY tenant_id, agent_id ORDER BY d DESC LIMIT 8";
        try (QueryResponse r = clickhouse.query(sql, ClickHouseClients.querySettings()).get(5, TimeUnit.SECONDS)) {
            ClickHouseBinaryFormatReader reader = clickhouse.newBinaryFormatReader(r);
            while (reader.hasNext()) {
                reader.next();
                s.topAgents.add(new DemoStats.AgentLine(reader.getString(1), reader.getString(2),
                        reader.getLong(3), reader.getDouble(4)));
            }
        } catch (Exception e) {
            // unknown
        }
    }

    private void orders(DemoStats s) {
        try (Connection c = cfg.postgres().connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT status, count(*) FROM orders GROUP BY status")) {
            while (rs.next()) {
                s.ordersByStatus.put(rs.getString(1), rs.getLong(2));
            }
        } catch (Exception e) {
            // unknown
        }
    }

    private void checkpoints(DemoStats s) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(restUrl + "/jobs/" + jobId + "/checkpoints"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode j = JSON.readTree(r.body());
            s.checkpoints = j.path("counts").path("completed").asLong(-1);
            long ack = j.path("latest").path("completed").path("latest_ack_timestamp").asLong(-1);
            s.checkpointAgeSeconds = ack <= 0 ? -1 : Math.max(0, (System.currentTimeMillis() - ack) / 1000);
        } catch (Exception e) {
            // unknown
        }
    }

    @Override
    public void close() {
        admin.close();
        try {
            clickhouse.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
