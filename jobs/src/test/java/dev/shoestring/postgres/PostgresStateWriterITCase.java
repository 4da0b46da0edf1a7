package dev.shoestring.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.projection.AggregateState;
import dev.shoestring.testutils.LocalServices;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.Test;

/** The writer against the real Postgres: coalescing, the version guard, and timer flushes. */
class PostgresStateWriterITCase {
    private final String tenant = LocalServices.runId();
    private final PostgresSettings settings = new PostgresSettings(LocalServices.PG_URL, LocalServices.PG_USER, null, Duration.ofSeconds(1));

    private static AggregateState metric(String tenant, String name, long version, double value) {
        AggregateState s = new AggregateState("metric", tenant, name);
        s.version = version;
        s.position = version;
        s.value = value;
        s.unit = "ms";
        s.updatedAtMicros = version * 1_000_000L;
        return s;
    }

    private static AggregateState order(String tenant, String id, long version, String status) {
        AggregateState s = new AggregateState("order", tenant, id);
        s.version = version;
        s.status = status;
        s.amount = new BigDecimal("12.34");
        s.currency = "EUR";
        s.items = 1L;
        s.createdAtMicros = 1_000_000L;
        s.updatedAtMicros = version * 1_000_000L;
        return s;
    }

    private long rowCount(Connection c, String table) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE tenant_id = ?")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Object[] metricRow(Connection c, String name) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT value, version FROM metrics_current WHERE tenant_id = ? AND name = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Object[] {rs.getDouble(1), rs.getLong(2)} : null;
            }
        }
    }

    @Test
    void coalescesFlushesOnTimerAndNeverLowersVersion() throws Exception {
        PostgresSchema.apply(settings);
        TestProcessingTimeService time = new TestProcessingTimeService();
        time.setCurrentTime(0);
        PostgresStateWriter w = new PostgresStateWriter(settings, 1000, time, UnregisteredMetricsGroup.createSinkWriterMetricGroup());
        try (Connection c = LocalServices.postgres()) {
            // A burst on one metric and one order: buffered, nothing written before the interval.
            for (long v = 1; v <= 50; v++) {
                w.write(metric(tenant, "m1", v, v * 1.5), null);
            }
            w.write(order(tenant, "o1", 1, "created"), null);
            w.write(order(tenant, "o1", 2, "paid"), null);
            assertThat(rowCount(c, "metrics_current")).isZero();

            time.setCurrentTime(1000); // the flush timer fires
            assertThat(metricRow(c, "m1")).containsExactly(75.0, 50L);
            assertThat(rowCount(c, "orders")).isEqualTo(1);

            // An older snapshot (a replay after restore) never replaces a newer row.
            w.write(metric(tenant, "m1", 7, -1), null);
            w.flush(false);
            assertThat(metricRow(c, "m1")).containsExactly(75.0, 50L);

            // A newer one does; within the buffer an older one cannot displace a newer one.
            w.write(metric(tenant, "m1", 52, 2.0), null);
            w.write(metric(tenant, "m1", 51, 1.0), null);
            w.flush(true);
            assertThat(metricRow(c, "m1")).containsExactly(2.0, 52L);
        } finally {
            w.close();
        }
    }

    @Test
    void flushesWhenTheBufferIsFull() throws Exception {
        PostgresSchema.apply(settings);
        TestProcessingTimeService time = new TestProcessingTimeService();
        PostgresStateWriter w = new PostgresStateWriter(settings, 10, time, UnregisteredMetricsGroup.createSinkWriterMetricGroup());
        try (Connection c = LocalServices.postgres()) {
            for (int i = 0; i < 25; i++) {
                w.write(metric(tenant, "m" + i, 1, i), null);
            }
            assertThat(rowCount(c, "metrics_current")).isEqualTo(20);
            w.flush(true);
            assertThat(rowCount(c, "metrics_current")).isEqualTo(25);
        } finally {
            w.close();
        }
    }

    @Test
    void transientErrorsAreRecognised() {
        assertThat(PostgresStateWriter.isTransient(new java.sql.SQLException("conn refused", "08001"))).isTrue();
        assertThat(PostgresStateWriter.isTransient(new java.sql.SQLException("shutdown", "57P01"))).isTrue();
        assertThat(PostgresStateWriter.isTransient(new java.sql.SQLException("check violation", "23514"))).isFalse();
    }
}
