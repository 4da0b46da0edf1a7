package dev.shoestring.bench;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Samples, in a thread of its own, a consumer group's committed offsets and the topic's end
 * offsets (both summed over partitions) every {@code period}. The Flink Kafka source commits
 * on each completed checkpoint, so the committed sum moves in steps, one per checkpoint: it is
 * what is durably processed, and its slope between steps is the throughput over time.
 */
final class OffsetSampler implements AutoCloseable {
    /** One sample: seconds since the sampler started, committed and end offsets summed. */
    record Sample(double seconds, long committed, long end) {
        long lag() {
            return Math.max(0, end - committed);
        }
    }

    private final Admin admin;
    private final String topic;
    private final String group;
    private final long periodMillis;
    private final long t0 = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    OffsetSampler(ShoestringConfig cfg, String topic, String group, long periodMillis) {
        this.admin = Topics.admin(cfg);
        this.topic = topic;
        this.group = group;
        this.periodMillis = periodMillis;
        this.thread = new Thread(this::loop, "bench-offset-sampler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    double secondsSinceStart() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private void loop() {
        while (!stop) {
            try {
                Sample s = sampleNow();
                synchronized (samples) {
                    samples.add(s);
                }
            } catch (Exception e) {
                // the group does not exist yet or the broker is busy: the next sample tells
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    Sample sampleNow() throws Exception {
        var description = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> req = description.partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
        double at = secondsSinceStart();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(req).all().get(15, TimeUnit.SECONDS);
        long c = 0;
        long e = 0;
        for (TopicPartition tp : req.keySet()) {
            OffsetAndMetadata o = committed.get(tp);
            c += o == null ? 0 : o.offset();
            e += end.get(tp).offset();
        }
        return new Sample(at, c, e);
    }

    List<Sample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    /** The latest sample, or null before the first. */
    Sample last() {
        synchronized (samples) {
            return samples.isEmpty() ? null : samples.get(samples.size() - 1);
        }
    }

    /**
     * Events/s over time as steps: for each checkpoint's commit, the rate since the previous one
     * held over that interval (a moving average over one checkpoint interval; the interval that
     * spans a restart is a long, low step). Each source subtask commits its own partitions, a
     * moment apart: changes within {@link #COMMIT_GROUP_SECONDS} of a commit's first change
     * belong to that commit.
     */
    static List<double[]> rates(List<Sample> samples, double offsetSeconds) {
        List<double[]> out = new ArrayList<>();
        double prevTime = Double.NaN;
        long prevCommitted = 0;
        double groupTime = Double.NaN;
        long groupCommitted = 0;
        long last = -1;
        for (Sample s : samples) {
            if (last < 0) {
                last = s.committed();
                prevTime = s.seconds();
                prevCommitted = s.committed();
                continue;
            }
            if (s.committed() != last) {
                if (!Double.isNaN(groupTime) && s.seconds() - groupTime > COMMIT_GROUP_SECONDS) {
                    step(out, prevTime, groupTime, groupCommitted - prevCommitted, offsetSeconds);
                    prevTime = groupTime;
                    prevCommitted = groupCommitted;
                    groupTime = Double.NaN;
                }
                if (Double.isNaN(groupTime)) {
                    groupTime = s.seconds();
                }
                groupCommitted = s.committed();
                last = s.committed();
            }
        }
        if (!Double.isNaN(groupTime)) {
            step(out, prevTime, groupTime, groupCommitted - prevCommitted, offsetSeconds);
        }
        return out;
    }

    static final double COMMIT_GROUP_SECONDS = 3;

    private static void step(List<double[]> out, double from, double to, long events, double offsetSeconds) {
        double rate = to - from <= 0 ? 0 : events / (to - from);
        out.add(new double[] {from + offsetSeconds, rate});
        out.add(new double[] {to + offsetSeconds, rate});
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close();
    }
}
