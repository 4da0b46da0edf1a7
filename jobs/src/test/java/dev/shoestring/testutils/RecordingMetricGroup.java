package dev.shoestring.testutils;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/** A metric group that keeps what is registered on it, so tests can read a writer's metrics. */
public final class RecordingMetricGroup extends UnregisteredMetricsGroup {
    private final Map<String, Counter> counters = new HashMap<>();
    private final Map<String, Gauge<?>> gauges = new HashMap<>();

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        counters.put(name, counter);
        return counter;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        gauges.put(name, gauge);
        return gauge;
    }

    public long count(String name) {
        Counter c = counters.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no counter " + name + " registered; have " + counters.keySet());
        }
        return c.getCount();
    }

    public Object gaugeValue(String name) {
        Gauge<?> g = gauges.get(name);
        if (g == null) {
            throw new IllegalArgumentException("no gauge " + name + " registered; have " + gauges.keySet());
        }
        return g.getValue();
    }
}
