package dev.shoestring.sink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;

/**
 * What a sink writer reports about its database while it retries: a WARN line per failed attempt
 * that names the database and how long it has been failing, an INFO line when a write succeeds
 * again (with the outage's length), and metrics for alerts: {@code <prefix>Down} (1 from the
 * first failed attempt until the next success, else 0), {@code <prefix>DownMs} (how long the
 * current failure has lasted) and the existing retry counter. The gauges are read by the metric
 * reporters' thread while the writing thread sleeps between attempts, hence the volatile field.
 */
public final class SinkHealth {
    private final Logger log;
    private final String what;
    private final Counter retries;
    private volatile long downSinceMillis;
    private int failedAttempts;

    /**
     * @param what the database as the log names it, e.g. "Postgres at jdbc:postgresql://db:5432/x"
     * @param prefix metric name prefix, e.g. "postgres"
     * @param retryCounter the existing name of the retry counter, e.g. "postgresWriteRetries"
     */
    public SinkHealth(Logger log, String what, MetricGroup metrics, String prefix, String retryCounter) {
        this.log = log;
        this.what = what;
        this.retries = metrics.counter(retryCounter);
        metrics.gauge(prefix + "Down", () -> downSinceMillis == 0 ? 0 : 1);
        metrics.gauge(prefix + "DownMs", () -> {
            long since = downSinceMillis;
            return since == 0 ? 0L : System.currentTimeMillis() - since;
        });
    }

    /** An attempt failed and will be retried after {@code backoffMs}. */
    public void retrying(String action, int attempt, int maxAttempts, long backoffMs, String error) {
        if (downSinceMillis == 0) {
            downSinceMillis = System.currentTimeMillis();
        }
        failedAttempts++;
        retries.inc();
        log.warn("{} is failing for {} s: {} failed (attempt {}/{}), retrying in {} ms: {}", what,
                seconds(System.currentTimeMillis() - downSinceMillis), action, attempt, maxAttempts, backoffMs, error);
    }

    /** An attempt failed for the last time: the caller throws and the job restarts. */
    public void givingUp(String action, int attempt) {
        long since = downSinceMillis == 0 ? System.currentTimeMillis() : downSinceMillis;
        log.error("{} still failing after {} attempt(s) over {} s: {} fails the task; the job restarts from its"
                + " last checkpoint", what, attempt, seconds(System.currentTimeMillis() - since), action);
    }

    /** A write succeeded: if it was failing, say that it is back. */
    public void succeeded(String action) {
        long since = downSinceMillis;
        if (since != 0) {
            log.info("{} is back: {} succeeded after {} failed attempt(s), {} s after the first failure", what, action,
                    failedAttempts, seconds(System.currentTimeMillis() - since));
            downSinceMillis = 0;
            failedAttempts = 0;
        }
    }

    /** A URL for a log line: without query parameters or user info, which may hold credentials. */
    public static String endpoint(String url) {
        if (url == null) {
            return null;
        }
        String u = url.replaceFirst("[?#].*$", "");
        return u.replaceFirst("//[^/@]*@", "//");
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.1f", millis / 1000.0);
    }
}
