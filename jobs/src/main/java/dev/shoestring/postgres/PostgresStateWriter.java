package dev.shoestring.postgres;

import dev.shoestring.projection.AggregateState;
import dev.shoestring.sink.BackgroundWrite;
import dev.shoestring.sink.FlushTimer;
import dev.shoestring.sink.SinkHealth;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers the latest snapshot per aggregate and writes the buffer every flush interval, when it
 * holds {@code maxBufferedKeys} aggregates, before each checkpoint barrier and at end of input.
 * A flush is one transaction: one statement per table (per {@link #ROWS_PER_STATEMENT} rows),
 * committed together.
 *
 * <p>A flush runs on a thread of its own, one at a time ({@link BackgroundWrite}): the projector
 * goes on while Postgres writes the previous flush; a checkpoint barrier waits for it. Flushes
 * reach Postgres in order, and the version guard would absorb any re-write anyway. A failed
 * flush is retried with exponential backoff (logged at WARN, counted in
 * {@code postgresWriteRetries}, {@code postgresDown} = 1 until a write succeeds again:
 * {@link SinkHealth}); while it retries, the next flush blocks the task, so back-pressure stops
 * the source instead of dropping anything: two buffers of at most {@code maxBufferedKeys} rows
 * in memory. Only after {@link #MAX_ATTEMPTS} attempts (~45 s) does the writer throw, failing
 * the task so Flink restarts it from the last checkpoint.
 */
class PostgresStateWriter implements SinkWriter<AggregateState> {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresStateWriter.class);

    /**
     * A memory bound (~300 B per buffered aggregate, so ~15 MB per subtask), high enough that the
     * flush interval, not the bound, decides a flush at 1M aggregates (5,000 coalesced little).
     */
    static final int DEFAULT_MAX_BUFFERED_KEYS = 50_000;
    static final int MAX_ATTEMPTS = 10;
    /** Rows bound into one upsert statement (one array per column): bounds a statement's size. */
    static final int ROWS_PER_STATEMENT = 10_000;
    private static final long INITIAL_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 10_000;

    private final PostgresSettings settings;
    private final int maxBufferedKeys;
    /** Rows of the flush on the background thread, until it succeeds (for the gauge). */
    private volatile int inFlightRows;
    private final FlushTimer flushTimer;

    private final BackgroundWrite background = new BackgroundWrite("postgres state flush");
    /** Filled by the task thread; a flush hands it to the background thread whole. */
    private Map<String, AggregateState> buffer = new HashMap<>();
    /** Used by the background thread only. */
    private Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    private final Counter rowsWritten;
    private final Counter flushes;
    private final SinkHealth health;

    PostgresStateWriter(PostgresSettings settings, int maxBufferedKeys, ProcessingTimeService timers,
            MetricGroup metrics) {
        this.settings = settings;
        this.maxBufferedKeys = maxBufferedKeys;
        this.rowsWritten = metrics.counter("postgresRowsWritten");
        this.flushes = metrics.counter("postgresFlushes");
        this.health = new SinkHealth(LOG, "Postgres at " + SinkHealth.endpoint(settings.url), metrics, "postgres",
                "postgresWriteRetries");
        // Rows held and not yet written: the buffer being filled and the flush in flight.
        metrics.gauge("postgresBufferedRows", () -> buffer.size() + inFlightRows);
        this.flushTimer = FlushTimer.start(timers, settings.flushInterval, this::flushBuffer);
    }

    @Override
    public void write(AggregateState s, Context context) throws IOException, InterruptedException {
        String key = s.key();
        AggregateState prev = buffer.get(key);
        if (prev == null || prev.version <= s.version) {
            buffer.put(key, s);
        }
        if (buffer.size() >= maxBufferedKeys) {
            flushBuffer();
        }
    }

    /** Before a checkpoint barrier and at end of input: every buffered change is in Postgres. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        flushBuffer();
        background.await();
    }

    /** Hands the buffer to the background thread (after the previous flush finished) and starts a new one. */
    private void flushBuffer() throws IOException, InterruptedException {
        if (buffer.isEmpty()) {
            background.throwIfFailed();
            return;
        }
        background.await();
        Map<String, AggregateState> batch = buffer;
        buffer = new HashMap<>();
        inFlightRows = batch.size();
        background.submit(() -> writeWithRetries(batch));
    }

    /** On the background thread. */
    private void writeWithRetries(Map<String, AggregateState> batch) throws IOException, InterruptedException {
        Map<String, List<AggregateState>> byKind = new LinkedHashMap<>();
        for (AggregateState s : batch.values()) {
            byKind.computeIfAbsent(s.kind, k -> new ArrayList<>()).add(s);
        }
        long backoff = INITIAL_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                writeTransaction(byKind);
                health.succeeded("writing " + batch.size() + " rows");
                inFlightRows = 0;
                rowsWritten.inc(batch.size());
                flushes.inc();
                return;
            } catch (SQLException e) {
                closeConnection();
                String action = "writing " + batch.size() + " rows";
                if (!isTransient(e) || attempt >= MAX_ATTEMPTS) {
                    health.givingUp(action, attempt);
                    throw new IOException("Writing " + batch.size() + " rows to Postgres ("
                            + SinkHealth.endpoint(settings.url) + ") failed after " + attempt + " attempt(s): "
                            + e.getMessage(), e);
                }
                health.retrying(action, attempt, MAX_ATTEMPTS, backoff, e.getMessage());
                Thread.sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    private void writeTransaction(Map<String, List<AggregateState>> byKind) throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = settings.connect();
            connection.setAutoCommit(false);
            statements.clear();
        }
        try {
            for (Map.Entry<String, List<AggregateState>> e : byKind.entrySet()) {
                PreparedStatement ps = statements.get(e.getKey());
                if (ps == null) {
                    ps = connection.prepareStatement(StateUpserts.sqlFor(e.getKey()));
                    statements.put(e.getKey(), ps);
                }
                List<AggregateState> rows = e.getValue();
                for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
                    StateUpserts.bind(connection, ps, e.getKey(), rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT)));
                    ps.executeUpdate();
                }
            }
            connection.commit();
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is being discarded anyway
            }
            throw e;
        }
    }

    /**
     * Connection loss, server shutdown, resource exhaustion and serialization conflicts pass;
     * anything else (a constraint or data error) would fail the same way again.
     */
    static boolean isTransient(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                String state = ((SQLException) t).getSQLState();
                if (state == null) {
                    return true; // I/O-level failure in the driver
                }
                if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                        || state.equals("40001") || state.equals("40P01")) {
                    return true;
                }
            }
            if (t instanceof java.io.IOException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        // A chained SQLException (a batch's BatchUpdateException, for one) carries the real cause in getNextException.
        SQLException next = e.getNextException();
        return next != null && next != e && isTransient(next);
    }

    private void closeConnection() {
        statements.clear();
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing left to do with a broken connection
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        flushTimer.stop();
        background.close();
        closeConnection();
    }
}
