package dev.shoestring.testutils;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter for a MiniCluster in the test's JVM, so a test reads the job's own
 * metrics (sink gauges, checkpoint counts, restarts, Kafka positions) as an operator's dashboard
 * would. Metrics are keyed by their full identifier ({@code <host>.taskmanager.<tm>.<job>.<operator>.<subtask>.<name>}
 * or {@code <host>.jobmanager.<job>.<name>}); those of a finished task attempt are kept apart, so
 * counters can be summed over restarts while gauges are read from the live attempt only.
 * Register with {@link #configure} (the factory is found through META-INF/services, as Flink finds reporters).
 */
public final class CapturedMetrics implements MetricReporter {
    private static final Map<Metric, String> LIVE = new ConcurrentHashMap<>();
    private static final Map<Metric, String> REMOVED = new ConcurrentHashMap<>();

    /** Adds this reporter to a cluster configuration. */
    public static void configure(org.apache.flink.configuration.Configuration conf) {
        conf.setString("metrics.reporter.captured.factory.class", Factory.class.getName());
    }

    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new CapturedMetrics();
        }
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        LIVE.put(metric, group.getMetricIdentifier(name));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        String id = LIVE.remove(metric);
        if (id != null) {
            REMOVED.put(metric, id);
        }
    }

    /** Identifiers of job {@code job} ending in {@code .name}. */
    private static Predicate<String> of(String job, String name) {
        return id -> id.endsWith("." + name) && id.contains("." + job + ".");
    }

    /** Live gauge values of the job's metrics called {@code name}, as numbers. */
    public static List<Long> gauges(String job, String name) {
        List<Long> out = new ArrayList<>();
        Predicate<String> p = of(job, name);
        LIVE.forEach((m, id) -> {
            if (p.test(id) && m instanceof Gauge) {
                Object v = ((Gauge<?>) m).getValue();
                if (v instanceof Number) {
                    out.add(((Number) v).longValue());
                }
            }
        });
        return out;
    }

    /** The sum of the job's live gauges called {@code name} (0 if none). */
    public static long sumOfGauges(String job, String name) {
        return gauges(job, name).stream().mapToLong(Long::longValue).sum();
    }

    /** The largest of the job's live gauges called {@code name} (0 if none). */
    public static long maxOfGauges(String job, String name) {
        return gauges(job, name).stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** The job's counters called {@code name}, summed over every task attempt, finished ones included. */
    public static long counter(String job, String name) {
        Predicate<String> p = of(job, name);
        long sum = 0;
        for (Map<Metric, String> m : List.of(LIVE, REMOVED)) {
            for (Map.Entry<Metric, String> e : m.entrySet()) {
                if (p.test(e.getValue()) && e.getKey() instanceof Counter) {
                    sum += ((Counter) e.getKey()).getCount();
                }
            }
        }
        return sum;
    }

    /** Identifiers of the job's live metrics containing {@code part} (for diagnosis). */
    public static List<String> names(String job, String part) {
        List<String> out = new ArrayList<>();
        LIVE.values().forEach(id -> {
            if (id.contains("." + job + ".") && id.contains(part)) {
                out.add(id);
            }
        });
        return out;
    }

    /** Forgets the metrics of finished jobs. */
    public static void clearRemoved() {
        REMOVED.clear();
    }
}
