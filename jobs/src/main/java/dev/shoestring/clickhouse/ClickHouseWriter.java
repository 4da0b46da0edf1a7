package dev.shoestring.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;
import dev.shoestring.sink.BackgroundWrite;
import dev.shoestring.sink.FlushTimer;
import dev.shoestring.sink.SinkHealth;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes each row into an in-memory RowBinary batch and inserts the batch as one INSERT when it
 * holds {@code maxRows} rows or {@code maxBytes} bytes, every flush interval, before each
 * checkpoint barrier and at end of input. Rows are encoded on arrival, so object reuse upstream is
 * harmless and the buffer costs bytes, not objects.
 *
 * <p>Inserts run on a thread of their own, one at a time ({@link BackgroundWrite}): the task
 * encodes the next batch while ClickHouse takes the previous one; a checkpoint barrier waits for
 * both. A failed insert is retried, the same bytes, with exponential backoff (logged at WARN,
 * counted in {@code clickhouseInsertRetries}, {@code clickhouseDown} = 1 until an insert succeeds
 * again: {@link SinkHealth}); while it retries, the next full batch blocks the task, so
 * back-pressure stops the source instead of dropping anything: two batches in memory at most,
 * each at most {@code maxRows} rows or {@code maxBytes} bytes plus one row
 * ({@code clickhouseBufferedBytes} counts both). After the last attempt, or at once
 * for an error that would recur (bad credentials, a missing table or column, rejected data), the
 * writer throws and Flink restarts the job from the last checkpoint. A retried insert that had in
 * fact landed only duplicates rows, which the tables' ReplacingMergeTree keys absorb.
 */
class ClickHouseWriter<T> implements SinkWriter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseWriter.class);

    /**
     * Errors that fail the same way on every attempt. 18.16 answers most of them with HTTP 500
     * and no X-ClickHouse-Exception-Code header, so the code is also read from the message.
     */
    private static final Set<Integer> PERMANENT_CODES = Set.of(
            16, // NO_SUCH_COLUMN_IN_TABLE
            27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
            33, // CANNOT_READ_ALL_DATA: the batch does not match the columns
            53); // TYPE_MISMATCH
    private static final Pattern ERROR_CODE = Pattern.compile("Code: (\\d+)");

    private final ClickHouseSettings settings;
    private final RowEncoder<T> encoder;
    private final ClickHouseSinkOptions options;
    private final String table;
    private final List<String> columns;
    private final Client client;
    private final FlushTimer flushTimer;

    private final BackgroundWrite background;
    /** The batch being filled by the task thread. */
    private RowBuffer buffer;
    /** The other batch: owned by the background thread while an insert is in flight. */
    private RowBuffer spare;
    private int bufferedRows;
    private volatile long lastInsertRows;
    /** The batch on the background thread, until its insert succeeds (for the gauges). */
    private volatile int inFlightRows;
    private volatile long inFlightBytes;

    private final Counter inserts;
    private final Counter rowsWritten;
    private final SinkHealth health;

    ClickHouseWriter(ClickHouseSettings settings, RowEncoder<T> encoder, ClickHouseSinkOptions options,
            ProcessingTimeService timers, MetricGroup metrics) {
        this.settings = settings;
        this.encoder = encoder;
        this.options = options;
        this.table = settings.qualify(encoder.table());
        this.columns = encoder.columns();
        columns.forEach(ClickHouseSettings::checkIdentifier);
        // Grows to a full batch once and keeps that capacity: every batch needs about the same.
        this.buffer = new RowBuffer(Math.min(options.maxBytes, 1 << 20));
        this.spare = new RowBuffer(Math.min(options.maxBytes, 1 << 20));
        this.client = ClickHouseClients.create(settings);
        this.background = new BackgroundWrite("clickhouse insert: " + table);
        this.inserts = metrics.counter("clickhouseInserts");
        this.rowsWritten = metrics.counter("clickhouseRowsWritten");
        this.health = new SinkHealth(LOG, "ClickHouse at " + SinkHealth.endpoint(settings.url), metrics, "clickhouse",
                "clickhouseInsertRetries");
        metrics.gauge("clickhouseRowsPerInsert", () -> lastInsertRows);
        // Held and not yet inserted: the batch being filled and the one in flight.
        metrics.gauge("clickhouseBufferedRows", () -> bufferedRows + inFlightRows);
        metrics.gauge("clickhouseBufferedBytes", () -> buffer.size() + inFlightBytes);
        this.flushTimer = FlushTimer.start(timers, options.flushInterval, this::sendBuffer);
    }

    @Override
    public void write(T row, Context context) throws IOException, InterruptedException {
        int mark = buffer.size();
        try {
            encoder.encode(row, buffer);
        } catch (IOException | RuntimeException e) {
            buffer.truncate(mark);
            throw e;
        }
        bufferedRows++;
        if (bufferedRows >= options.maxRows || buffer.size() >= options.maxBytes) {
            sendBuffer();
        }
    }

    /** Before a checkpoint barrier and at end of input: every buffered row is in ClickHouse. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        sendBuffer();
        background.await();
    }

    /** Hands the batch to the background thread (after the previous insert finished) and starts a new one. */
    private void sendBuffer() throws IOException, InterruptedException {
        if (bufferedRows == 0) {
            background.throwIfFailed();
            return;
        }
        background.await();
        RowBuffer batch = buffer;
        int rows = bufferedRows;
        buffer = spare;
        spare = batch;
        buffer.clear();
        bufferedRows = 0;
        inFlightRows = rows;
        inFlightBytes = batch.size();
        background.submit(() -> insertWithRetries(batch, rows));
    }

    /** On the background thread. */
    private void insertWithRetries(RowBuffer batch, int rows) throws IOException, InterruptedException {
        long backoff = options.initialBackoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                insert(batch);
                health.succeeded("inserting " + rows + " rows into " + table);
                inFlightRows = 0;
                inFlightBytes = 0;
                inserts.inc();
                rowsWritten.inc(rows);
                lastInsertRows = rows;
                return;
            } catch (RuntimeException e) {
                String action = "inserting " + rows + " rows into " + table;
                if (isPermanent(e) || attempt >= options.maxAttempts) {
                    health.givingUp(action, attempt);
                    throw new IOException("Inserting " + rows + " rows into " + table + " at "
                            + SinkHealth.endpoint(settings.url) + " failed after " + attempt + " attempt(s): " + describe(e), e);
                }
                health.retrying(action, attempt, options.maxAttempts, backoff, describe(e));
                Thread.sleep(backoff);
                backoff = Math.min(options.maxBackoff.toMillis(), Math.max(1, backoff * 2));
            }
        }
    }

    /** One HTTP request: {@code INSERT INTO db.table (columns) FORMAT RowBinary} with the batch as body. */
    private void insert(RowBuffer batch) {
        try (InsertResponse ignored = client.insert(table, columns, batch::writeTo, ClickHouseFormat.RowBinary,
                new InsertSettings()).join()) {
            // The response carries only statistics; success is that it arrived.
        }
    }

    static boolean isPermanent(Throwable e) {
        ServerException se = serverException(e);
        if (se == null) {
            return false;
        }
        int http = se.getTransportProtocolCode();
        // 401/403 credentials, 404 unknown table or database, 400 malformed query.
        if (http >= 400 && http < 500 && http != 408 && http != 429) {
            return true;
        }
        return PERMANENT_CODES.contains(serverCode(e));
    }

    /** The server's answer in the cause chain, or null (a connection failure, a timeout). */
    static ServerException serverException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ServerException) {
                return (ServerException) t;
            }
        }
        return null;
    }

    /** ClickHouse's error code in the cause chain, or 0 when the server did not answer. */
    static int serverCode(Throwable e) {
        ServerException se = serverException(e);
        return se == null ? 0 : se.getCode() != 0 ? se.getCode() : codeIn(se.getMessage());
    }

    private static int codeIn(String message) {
        Matcher m = ERROR_CODE.matcher(message == null ? "" : message);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The exception and its root cause: client-v2 wraps connection failures in generic messages. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (cause: " + root + ")";
    }

    @Override
    public void close() {
        flushTimer.stop();
        background.close();
        client.close();
    }
}
