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

    interface Check {
        void run() throws Exception;
    }

    /** Flushes run on the writer's background thread: wait up to 10 s for their effect. */
    private static void eventually(Check check) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
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

            time.setCurrentTime(1000); // the flush timer fires: the write runs in the background
            eventually(() -> assertThat(metricRow(c, "m1")).containsExactly(75.0, 50L));
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
            eventually(() -> assertThat(rowCount(c, "metrics_current")).isEqualTo(20));
            w.flush(true);
            assertThat(rowCount(c, "metrics_current")).isEqualTo(25);
        } finally {
            w.close();
        }
    }

    /**
     * Rows travel as one array per column: every awkward value must come back exactly — array
     * literal syntax in text ("NULL", quotes, braces, commas, backslashes), nulls, decimals beyond
     * double, double extremes and microsecond timestamps — and more rows than one statement holds.
     */
    @Test
    void awkwardValuesRoundTripExactly() throws Exception {
        PostgresSchema.apply(settings);
        TestProcessingTimeService time = new TestProcessingTimeService();
        String[] names = {"NULL", "null", "a,b", "{x}", "\"q\"", "back\\slash", "it's", " spaced ", "",
                "é\u00e8\u4e2d\uD83D\uDE00", "tab\tnew\nline"};
        double[] values = {0.0, -0.0, 1e308, -4.9e-324, 0.1 + 0.2, 123456789.123456789, -1.5, 2.5e-10, 42, 7, 8};
        int many = PostgresStateWriter.ROWS_PER_STATEMENT + 5;
        PostgresStateWriter w = new PostgresStateWriter(settings, 100_000, time, UnregisteredMetricsGroup.createSinkWriterMetricGroup());
        try (Connection c = LocalServices.postgres()) {
            for (int i = 0; i < names.length; i++) {
                AggregateState m = metric(tenant, names[i], 3, values[i]);
                m.unit = names[names.length - 1 - i];
                m.updatedAtMicros = 1_700_000_000_123_456L + i;
                w.write(m, null);
            }
            AggregateState o = order(tenant, "NULL", 1, "created");
            o.customerId = null;
            o.amount = new BigDecimal("12345678901234567890123456789.000000000001");
            o.items = null;
            o.createdAtMicros = null;
            w.write(o, null);
            for (int i = 0; i < many; i++) {
                w.write(order(tenant, "bulk-" + i, 1, "created"), null);
            }
            w.flush(true);

            try (PreparedStatement ps = c.prepareStatement("SELECT name, value, unit, updated_at FROM metrics_current"
                    + " WHERE tenant_id = ?")) {
                ps.setString(1, tenant);
                java.util.Map<String, Object[]> got = new java.util.HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        got.put(rs.getString(1), new Object[] {rs.getDouble(2), rs.getString(3),
                                rs.getObject(4, java.time.OffsetDateTime.class).toInstant()});
                    }
                }
                assertThat(got).hasSize(names.length);
                for (int i = 0; i < names.length; i++) {
                    Object[] row = got.get(names[i]);
                    assertThat(row).as(names[i]).isNotNull();
                    assertThat(Double.doubleToLongBits((Double) row[0])).as(names[i]).isEqualTo(Double.doubleToLongBits(values[i]));
                    assertThat(row[1]).isEqualTo(names[names.length - 1 - i]);
                    assertThat(row[2]).isEqualTo(java.time.Instant.ofEpochSecond(1_700_000_000L, 123_456_000L + i * 1000L));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT customer_id, amount, items, created_at FROM orders"
                    + " WHERE tenant_id = ? AND order_id = 'NULL'")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isNull();
                    assertThat(rs.getBigDecimal(2)).isEqualTo(new BigDecimal("12345678901234567890123456789.000000000001"));
                    assertThat(rs.getObject(3)).isNull();
                    assertThat(rs.getObject(4)).isNull();
                }
            }
            assertThat(rowCount(c, "orders")).isEqualTo(many + 1);
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
