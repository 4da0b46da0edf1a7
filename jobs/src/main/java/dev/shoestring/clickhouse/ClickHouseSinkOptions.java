package dev.shoestring.clickhouse;

import java.io.Serializable;
import java.time.Duration;

/**
 * Batching and retry of a {@link ClickHouseSink}. The defaults suit ClickHouse: it wants few,
 * large inserts (each insert is a new part on disk that merges must absorb), so a batch closes at
 * 50,000 rows or 8 MiB, and at least every 2 s so dashboards stay fresh.
 */
public final class ClickHouseSinkOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_ROWS = 50_000;
    public static final int DEFAULT_MAX_BYTES = 8 << 20;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(2);
    static final int DEFAULT_MAX_ATTEMPTS = 10;
    static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

    final int maxRows;
    final int maxBytes;
    final Duration flushInterval;
    final int maxAttempts;
    final Duration initialBackoff;
    final Duration maxBackoff;

    private ClickHouseSinkOptions(int maxRows, int maxBytes, Duration flushInterval, int maxAttempts,
            Duration initialBackoff, Duration maxBackoff) {
        if (maxRows < 1 || maxBytes < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("maxRows, maxBytes and maxAttempts must be >= 1");
        }
        if (flushInterval.isNegative() || flushInterval.isZero() || initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("flush interval must be > 0 and 0 <= initial backoff <= max backoff");
        }
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
        this.flushInterval = flushInterval;
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    public static ClickHouseSinkOptions defaults() {
        return new ClickHouseSinkOptions(DEFAULT_MAX_ROWS, DEFAULT_MAX_BYTES, DEFAULT_FLUSH_INTERVAL,
                DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF);
    }

    public ClickHouseSinkOptions withMaxRows(int rows) {
        return new ClickHouseSinkOptions(rows, maxBytes, flushInterval, maxAttempts, initialBackoff, maxBackoff);
    }

    public ClickHouseSinkOptions withMaxBytes(int bytes) {
        return new ClickHouseSinkOptions(maxRows, bytes, flushInterval, maxAttempts, initialBackoff, maxBackoff);
    }

    public ClickHouseSinkOptions withFlushInterval(Duration interval) {
        return new ClickHouseSinkOptions(maxRows, maxBytes, interval, maxAttempts, initialBackoff, maxBackoff);
    }

    /** For tests: how long a writer keeps retrying before it fails the task. */
    ClickHouseSinkOptions withRetries(int attempts, Duration initial, Duration max) {
        return new ClickHouseSinkOptions(maxRows, maxBytes, flushInterval, attempts, initial, max);
    }

    @Override
    public String toString() {
        return "ClickHouseSinkOptions{maxRows=" + maxRows + ", maxBytes=" + maxBytes + ", flushInterval=" + flushInterval
                + ", maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff + "}";
    }
}
