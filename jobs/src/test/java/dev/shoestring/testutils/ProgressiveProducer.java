package dev.shoestring.testutils;

import dev.shoestring.tools.EventGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes a generated log into a topic in equal slices over a duration, as live producers would, on
 * a thread of its own; counts the acknowledged records. A slice waits for its acknowledgements, so
 * while the broker is down the producer stalls (and catches up afterwards) instead of losing
 * records.
 */
public final class ProgressiveProducer implements AutoCloseable {
    private final AtomicLong produced = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final int total;
    private final Thread thread;

    private ProgressiveProducer(String topic, EventGenerator.Log log, Duration over, int slices) {
        this.total = log.records.size();
        this.thread = new Thread(() -> produce(topic, log, over, slices), "progressive-producer-" + topic);
        thread.setDaemon(true);
    }

    public static ProgressiveProducer start(String topic, EventGenerator.Log log, Duration over, int slices) {
        ProgressiveProducer p = new ProgressiveProducer(topic, log, over, slices);
        p.thread.start();
        return p;
    }

    private void produce(String topic, EventGenerator.Log log, Duration over, int slices) {
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> p = LocalServices.producer()) {
            for (int s = 0; s < slices; s++) {
                int to = (int) ((long) total * (s + 1) / slices);
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (int i = (int) ((long) total * s / slices); i < to; i++) {
                    EventGenerator.Record r = log.records.get(i);
                    acks.add(p.send(new ProducerRecord<>(topic, r.key, r.value)));
                }
                p.flush();
                LocalServices.awaitAcks(acks);
                produced.set(to);
                long wait = start + over.toNanos() * (s + 1) / slices - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** Records acknowledged so far. */
    public long produced() {
        return produced.get();
    }

    public int total() {
        return total;
    }

    public boolean done() {
        return !thread.isAlive();
    }

    /** Waits for the whole log, then fails if a record was not acknowledged. */
    public void awaitAll(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("producer still writing after " + timeout + ": " + produced() + " of " + total);
        }
        if (failure.get() != null) {
            throw new AssertionError("producer failed: " + failure.get(), failure.get());
        }
        if (produced() != total) {
            throw new AssertionError("produced " + produced() + " of " + total);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(10_000);
        }
    }
}
