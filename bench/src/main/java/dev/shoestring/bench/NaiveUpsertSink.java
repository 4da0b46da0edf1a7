package dev.shoestring.bench;

import dev.shoestring.event.Event;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The naive state baseline: what a Kafka Connect JDBC sink in upsert mode (or Flink's JdbcSink)
 * does, one {@code INSERT ... ON CONFLICT DO UPDATE} per event, sent in JDBC batches of
 * {@link #BATCH} (Connect's default batch.size is 3000; 1000 is JdbcSink's default batch) and
 * committed per batch. Batched-insert rewriting stays off (pgjdbc's and Connect's default): a
 * multi-row upsert fails when one batch holds the same key twice ("ON CONFLICT DO UPDATE command
 * cannot affect row a second time"), which Zipf-hot keys make certain.
 */
final class NaiveUpsertSink implements Sink<Event> {
    private static final long serialVersionUID = 1L;
    static final int BATCH = 1000;
    static final String TABLE = "bench_naive_state";

    private final String url;
    private final String user;
    private final String password;

    NaiveUpsertSink(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    Connection connect() throws SQLException {
        java.util.Properties p = new java.util.Properties();
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        p.setProperty("ApplicationName", "shoestring-bench-naive");
        return java.sql.DriverManager.getConnection(url, p);
    }

    void createTable() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (tenant_id text NOT NULL, aggregate_id text NOT NULL,"
                    + " event_type text NOT NULL, sequence bigint NOT NULL, occurred_at_micros bigint NOT NULL,"
                    + " event_id text NOT NULL, payload text NOT NULL, PRIMARY KEY (tenant_id, aggregate_id))");
        }
    }

    @Override
    public SinkWriter<Event> createWriter(WriterInitContext context) throws IOException {
        try {
            return new Writer(connect());
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    private static final class Writer implements SinkWriter<Event> {
        private final Connection connection;
        private final PreparedStatement upsert;
        private int pending;

        Writer(Connection connection) throws SQLException {
            this.connection = connection;
            connection.setAutoCommit(false);
            upsert = connection.prepareStatement("INSERT INTO " + TABLE
                    + " (tenant_id, aggregate_id, event_type, sequence, occurred_at_micros, event_id, payload)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, aggregate_id) DO UPDATE SET"
                    + " event_type = EXCLUDED.event_type, sequence = EXCLUDED.sequence,"
                    + " occurred_at_micros = EXCLUDED.occurred_at_micros, event_id = EXCLUDED.event_id,"
                    + " payload = EXCLUDED.payload");
        }

        @Override
        public void write(Event e, Context context) throws IOException {
            try {
                upsert.setString(1, e.tenantId);
                upsert.setString(2, e.aggregateId);
                upsert.setString(3, e.eventType);
                upsert.setLong(4, e.sequence);
                upsert.setLong(5, e.occurredAtMicros);
                upsert.setString(6, e.eventId);
                upsert.setString(7, e.payloadJson);
                upsert.addBatch();
                if (++pending >= BATCH) {
                    executeBatch();
                }
            } catch (SQLException ex) {
                throw new IOException(ex);
            }
        }

        private void executeBatch() throws SQLException {
            if (pending > 0) {
                upsert.executeBatch();
                connection.commit();
                pending = 0;
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            try {
                executeBatch();
            } catch (SQLException ex) {
                throw new IOException(ex);
            }
        }

        @Override
        public void close() throws Exception {
            try {
                executeBatch();
            } finally {
                connection.close();
            }
        }
    }
}
