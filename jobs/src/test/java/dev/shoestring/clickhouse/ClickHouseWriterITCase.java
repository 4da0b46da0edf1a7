package dev.shoestring.clickhouse;

import static dev.shoestring.clickhouse.ClickHouseTestQueries.count;
import static dev.shoestring.clickhouse.ClickHouseTestQueries.literal;
import static dev.shoestring.clickhouse.ClickHouseTestQueries.rows;
import static dev.shoestring.clickhouse.ClickHouseTestQueries.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoestring.event.Event;
import dev.shoestring.metrics.AgentDecisionWindow;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.testutils.RecordingMetricGroup;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The writer against the real ClickHouse 18.16 of {@code bin/shoestring up}, in the tests' own
 * database; each test writes under its own tenant id.
 */
class ClickHouseWriterITCase {
    static final ClickHouseSettings SETTINGS = ClickHouseTestQueries.SETTINGS;
    /** 2023-11-14T22:13:20.123456Z */
    static final long BASE_MICROS = 1_700_000_000_123_456L;
    /** Quotes of both kinds, a backslash, two- to four-byte UTF-8. */
    static final String TRICKY_PAYLOAD = "{\"note\":\"naïve \\\"quoted\\\" 'single' \\\\ 日本語 ✓ 🚀\"}";

    private final String tenant = LocalServices.runId();
    private final TestProcessingTimeService time = new TestProcessingTimeService();
    private final RecordingMetricGroup metrics = new RecordingMetricGroup();

    @BeforeAll
    static void schema() throws Exception {
        ClickHouseSchema.apply(SETTINGS);
        ClickHouseSchema.apply(SETTINGS); // idempotent
    }

    static Event event(String tenant, int i) {
        Event e = new Event();
        e.eventId = tenant + "-e" + i;
        e.eventType = i % 3 == 0 ? "order.created" : i % 3 == 1 ? "agent.decision" : "unknown.thing";
        e.tenantId = tenant;
        e.aggregateId = "agg" + (i % 1000);
        e.sequence = i / 1000 + 1;
        e.occurredAtMicros = BASE_MICROS + i * 1_000_123L;
        e.payloadJson = i == 0 ? TRICKY_PAYLOAD : "{\"i\":" + i + "}";
        e.sourcePartition = i % 4;
        e.sourceOffset = i;
        return e;
    }

    static AgentDecisionWindow window(String tenant, int i, long version) {
        AgentDecisionWindow w = new AgentDecisionWindow();
        w.tenantId = tenant;
        // (i % 50, i % 3) repeats only every 150 rows, and the window moves on every 150 rows.
        w.agentId = "agent-" + (i % 50);
        w.decisionType = "dt" + (i % 3);
        w.windowStartMillis = 1_700_000_040_000L + (i / 150) * 60_000L;
        w.decisions = version;
        w.approved = version;
        w.latencyMsP50 = 10.5;
        w.latencyMsP95 = 20.25;
        w.latencyMsP99 = 30.125;
        // 13 decimals: the 13th is a 5 after an even digit, so half-even rounds down.
        w.costUsd = i == 0 ? new BigDecimal("12345678901234567890.1234567890125") : BigDecimal.valueOf(i, 3);
        w.inputTokens = 100L * i;
        w.outputTokens = 7;
        w.avgConfidence = i % 2 == 0 ? null : 0.75;
        w.version = version;
        return w;
    }

    private <T> ClickHouseWriter<T> writer(RowEncoder<T> encoder, ClickHouseSinkOptions options) {
        return new ClickHouseWriter<>(SETTINGS, encoder, options, time, metrics);
    }

    private String where() {
        return " WHERE tenant_id = " + literal(tenant);
    }

    @Test
    void writesLargeBatchesAndReadsBackExactValues() throws Exception {
        try (ClickHouseWriter<Event> w = writer(new EventRowEncoder(), ClickHouseSinkOptions.defaults().withMaxRows(10_000))) {
            for (int i = 0; i < 120_000; i++) {
                w.write(event(tenant, i), null);
            }
            // Cut by size alone (the timer did not fire): nothing left in the filling batch; the last
            // of the 12 inserts may still be in flight on the background thread (the gauge counts it).
            assertThat(((Number) metrics.gaugeValue("clickhouseBufferedRows")).longValue()).isIn(0L, 10_000L);
            assertThat(metrics.count("clickhouseInserts")).isBetween(11L, 12L);
            w.flush(true);
        }
        assertThat(metrics.count("clickhouseInserts")).isEqualTo(12);
        assertThat(metrics.count("clickhouseRowsWritten")).isEqualTo(120_000);
        assertThat(metrics.gaugeValue("clickhouseRowsPerInsert")).isEqualTo(10_000L);
        assertThat(metrics.count("clickhouseInsertRetries")).isZero();

        String events = table("events");
        assertThat(count("SELECT count() FROM " + events + where())).isEqualTo(120_000);
        assertThat(count("SELECT sum(kafka_offset) FROM " + events + where())).isEqualTo(119_999L * 120_000L / 2);
        Map<String, Object> first = rows("SELECT event_type, aggregate_id, sequence, toUnixTimestamp(occurred_at) AS s,"
                + " toString(occurred_at) AS text, occurred_at_ms, payload, kafka_partition, kafka_offset FROM " + events
                + where() + " AND event_id = " + literal(tenant + "-e0")).get(0);
        assertThat(first.get("event_type")).isEqualTo("order.created");
        assertThat(first.get("aggregate_id")).isEqualTo("agg0");
        assertThat(((Number) first.get("sequence")).longValue()).isEqualTo(1);
        assertThat(((Number) first.get("s")).longValue()).isEqualTo(1_700_000_000L);
        assertThat(first.get("text")).isEqualTo("2023-11-14 22:13:20"); // the column is DateTime('UTC')
        assertThat(first.get("occurred_at_ms")).isEqualTo(1_700_000_000_123L);
        assertThat(first.get("payload")).isEqualTo(TRICKY_PAYLOAD);
        Map<String, Object> later = rows("SELECT occurred_at_ms, toUnixTimestamp(occurred_at) AS s, kafka_partition FROM "
                + events + where() + " AND event_id = " + literal(tenant + "-e119999")).get(0);
        long ms = (BASE_MICROS + 119_999L * 1_000_123L) / 1000;
        assertThat(later.get("occurred_at_ms")).isEqualTo(ms);
        assertThat(((Number) later.get("s")).longValue()).isEqualTo(ms / 1000);
        assertThat(((Number) later.get("kafka_partition")).intValue()).isEqualTo(3);
    }

    @Test
    void windowsWithDecimalsAndNullsInByteSizedBatches() throws Exception {
        try (ClickHouseWriter<AgentDecisionWindow> w = writer(new WindowRowEncoder(),
                ClickHouseSinkOptions.defaults().withMaxBytes(32 * 1024))) {
            for (int i = 0; i < 3_000; i++) {
                w.write(window(tenant, i, 1), null);
            }
            w.flush(true);
        }
        // ~150 bytes a row: a batch closes by bytes every ~220 rows.
        assertThat(metrics.count("clickhouseInserts")).isBetween(5L, 30L);
        assertThat(metrics.count("clickhouseRowsWritten")).isEqualTo(3_000);

        String windows = table("agent_decision_metrics_1m");
        assertThat(count("SELECT count() FROM " + windows + " FINAL" + where())).isEqualTo(3_000);
        assertThat(count("SELECT sum(input_tokens) FROM " + windows + where())).isEqualTo(100L * 2_999 * 3_000 / 2);
        Map<String, Object> w0 = rows("SELECT toString(cost_usd) AS cost, cost_usd, isNull(avg_confidence) AS n,"
                + " toUnixTimestamp(window_start) AS s, latency_ms_p99 FROM " + windows + where()
                + " AND agent_id = 'agent-0' AND decision_type = 'dt0' AND window_start = toDateTime(1700000040)").get(0);
        assertThat(w0.get("cost")).isEqualTo("12345678901234567890.123456789012");
        assertThat((BigDecimal) w0.get("cost_usd")).isEqualByComparingTo("12345678901234567890.123456789012");
        assertThat(((Number) w0.get("n")).intValue()).isEqualTo(1);
        assertThat(((Number) w0.get("s")).longValue()).isEqualTo(1_700_000_040L);
        assertThat(w0.get("latency_ms_p99")).isEqualTo(30.125);
        Map<String, Object> w1 = rows("SELECT toString(cost_usd) AS cost, ifNull(avg_confidence, -1) AS c FROM " + windows + where()
                + " AND agent_id = 'agent-1' AND decision_type = 'dt1' AND window_start = toDateTime(1700000040)").get(0);
        assertThat(w1.get("cost")).isEqualTo("0.001000000000");
        assertThat(w1.get("c")).isEqualTo(0.75);
    }

    @Test
    void flushesOnTheTimerAndBeforeACheckpoint() throws Exception {
        time.setCurrentTime(0);
        try (ClickHouseWriter<Event> w = writer(new EventRowEncoder(), ClickHouseSinkOptions.defaults())) {
            for (int i = 0; i < 5; i++) {
                w.write(event(tenant, i), null);
            }
            assertThat(metrics.gaugeValue("clickhouseBufferedRows")).isEqualTo(5);
            assertThat(count("SELECT count() FROM " + table("events") + where())).isZero();

            time.setCurrentTime(2_000); // the flush interval passes: the insert runs in the background
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (count("SELECT count() FROM " + table("events") + where()) < 5 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(count("SELECT count() FROM " + table("events") + where())).isEqualTo(5);
            // Held until the insert succeeded (the gauge counts the batch in flight), then none.
            while (((Number) metrics.gaugeValue("clickhouseBufferedRows")).longValue() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(((Number) metrics.gaugeValue("clickhouseBufferedRows")).longValue()).isZero();

            w.write(event(tenant, 5), null);
            w.flush(false); // what Flink calls before a checkpoint barrier
            assertThat(count("SELECT count() FROM " + table("events") + where())).isEqualTo(6);
            w.flush(false); // nothing buffered: no empty insert
        }
        assertThat(metrics.count("clickhouseInserts")).isEqualTo(2);
    }

    @Test
    void reDeliveredEventsAndReEmittedWindowsAreOneRowWithFinal() throws Exception {
        try (ClickHouseWriter<Event> w = writer(new EventRowEncoder(), ClickHouseSinkOptions.defaults())) {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 1_000; i++) {
                    w.write(event(tenant, i), null);
                }
                w.flush(false);
            }
        }
        assertThat(metrics.count("clickhouseRowsWritten")).isEqualTo(2_000);
        String events = table("events");
        assertThat(count("SELECT count() FROM " + events + " FINAL" + where())).isEqualTo(1_000);
        assertThat(count("SELECT uniqExact(event_id) FROM " + events + where())).isEqualTo(1_000);

        try (ClickHouseWriter<AgentDecisionWindow> w = writer(new WindowRowEncoder(), ClickHouseSinkOptions.defaults())) {
            w.write(window(tenant, 7, 2), null);
            w.flush(false);
            w.write(window(tenant, 7, 5), null); // a late decision re-emits the window, version grows
            w.flush(false);
            w.write(window(tenant, 7, 2), null); // a replay after restore re-sends an older emission
            w.flush(false);
        }
        List<Map<String, Object>> finalRows = rows("SELECT decisions, version FROM " + table("agent_decision_metrics_1m")
                + " FINAL" + where());
        assertThat(finalRows).hasSize(1);
        assertThat(((Number) finalRows.get(0).get("decisions")).longValue()).isEqualTo(5);
    }

    @Test
    void retriesWithBackoffThenFailsNamingTableAndUrl() throws Exception {
        ClickHouseSettings closedPort = new ClickHouseSettings("http://127.0.0.1:1", "default", null, SETTINGS.database);
        ClickHouseSinkOptions options = ClickHouseSinkOptions.defaults()
                .withRetries(4, Duration.ofMillis(1), Duration.ofMillis(4));
        try (ClickHouseWriter<Event> w = new ClickHouseWriter<>(closedPort, new EventRowEncoder(), options, time, metrics)) {
            w.write(event(tenant, 0), null);
            assertThatThrownBy(() -> w.flush(false))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(SETTINGS.database + ".events")
                    .hasMessageContaining("http://127.0.0.1:1")
                    .hasMessageContaining("after 4 attempt(s)");
        }
        assertThat(metrics.count("clickhouseInsertRetries")).isEqualTo(3);
        assertThat(metrics.count("clickhouseInserts")).isZero();
        assertThat(metrics.gaugeValue("clickhouseDown")).as("down until an insert succeeds").isEqualTo(1);
    }

    /** An insert that fails on the background thread fails the task at the next batch: never lost silently. */
    @Test
    void aBackgroundFailureSurfacesAtTheNextBatch() throws Exception {
        ClickHouseSettings closedPort = new ClickHouseSettings("http://127.0.0.1:1", "default", null, SETTINGS.database);
        ClickHouseSinkOptions options = ClickHouseSinkOptions.defaults().withMaxRows(1)
                .withRetries(2, Duration.ofMillis(1), Duration.ofMillis(1));
        try (ClickHouseWriter<Event> w = new ClickHouseWriter<>(closedPort, new EventRowEncoder(), options, time, metrics)) {
            w.write(event(tenant, 0), null); // a full batch: handed to the background thread, which fails
            assertThatThrownBy(() -> w.write(event(tenant, 1), null))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Inserting 1 rows into " + SETTINGS.database + ".events")
                    .hasMessageContaining("after 2 attempt(s)");
        }
        assertThat(metrics.count("clickhouseInserts")).isZero();
    }

    @Test
    void anErrorThatWouldRecurFailsAtOnce() throws Exception {
        // A database that does not exist: 18.16 answers 404, retrying cannot help.
        ClickHouseSettings missing = new ClickHouseSettings(SETTINGS.url, SETTINGS.user, null, "shoestring_no_such_db");
        try (ClickHouseWriter<Event> w = new ClickHouseWriter<>(missing, new EventRowEncoder(), ClickHouseSinkOptions.defaults(), time, metrics)) {
            w.write(event(tenant, 0), null);
            assertThatThrownBy(() -> w.flush(false))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("shoestring_no_such_db.events")
                    .hasMessageContaining("after 1 attempt(s)")
                    .hasMessageContaining("doesn't exist");
        }
        assertThat(metrics.count("clickhouseInsertRetries")).isZero();
    }

    @Test
    void aRowThatCannotBeEncodedLeavesNoBytesInTheBatch() throws Exception {
        try (ClickHouseWriter<Event> w = writer(new EventRowEncoder(), ClickHouseSinkOptions.defaults())) {
            w.write(event(tenant, 1), null);
            Event before1970 = event(tenant, 2);
            before1970.occurredAtMicros = -5_000_000L;
            assertThatThrownBy(() -> w.write(before1970, null)).isInstanceOf(IllegalArgumentException.class);
            w.write(event(tenant, 3), null);
            w.flush(true); // a stray partial row would make the server reject the whole batch
        }
        assertThat(count("SELECT count() FROM " + table("events") + where())).isEqualTo(2);
    }

    /** Not a benchmark harness: one timed run, recorded in docs/design/clickhouse-sink.md. */
    @Test
    void throughputOf200kEventRows() throws Exception {
        List<Event> events = new ArrayList<>(200_000);
        for (int i = 0; i < 200_000; i++) {
            events.add(event(tenant, i));
        }
        long t0 = System.nanoTime();
        try (ClickHouseWriter<Event> w = writer(new EventRowEncoder(), ClickHouseSinkOptions.defaults())) {
            for (Event e : events) {
                w.write(e, null);
            }
            w.flush(true);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("ClickHouse sink: 200000 event rows in %d inserts, %.3f s, %.0f rows/s%n",
                metrics.count("clickhouseInserts"), seconds, 200_000 / seconds);
        assertThat(count("SELECT count() FROM " + table("events") + where())).isEqualTo(200_000);
    }
}
