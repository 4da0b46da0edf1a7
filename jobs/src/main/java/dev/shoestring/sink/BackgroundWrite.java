package dev.shoestring.sink;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most one sink write in flight on a thread of its own, so the task thread fills the next
 * batch while the database works on the previous one, instead of idling on its answer.
 *
 * <p>Ordering: a write starts only after the previous one finished ({@link #submit} waits for
 * it), so batches reach the database in the order they were cut. Back-pressure: a full batch
 * waits for the one in flight, so a slow or down database stops the task (and the source) with
 * at most two batches in memory. Failure: a write that throws (after its own retries) fails the
 * task at the next {@link #submit} or {@link #await}. Checkpoints: a writer's {@code flush}
 * submits its batch and {@link #await}s it, so every row before a barrier is written before the
 * checkpoint completes.
 *
 * <p>Measured (JFR, bench topic, archive only): the source task spent 8 s of a 23 s run blocked
 * on ClickHouse's answer to its inserts.
 */
public final class BackgroundWrite implements AutoCloseable {
    /** One batch's write: runs on the background thread, owns its batch until it returns. */
    public interface Write {
        void run() throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundWrite.class);

    private final String threadName;
    private final ExecutorService thread;
    private Future<?> inFlight;

    public BackgroundWrite(String threadName) {
        this.threadName = threadName;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Waits for the write in flight (throwing its failure), then starts {@code write}. Callers
     * {@link #await} before they hand over a batch, so the wait here only guards the ordering.
     */
    public void submit(Write write) throws IOException, InterruptedException {
        await();
        inFlight = thread.submit(() -> {
            write.run();
            return null;
        });
    }

    /** Waits for the write in flight, if any; its failure is thrown here, once. */
    public void await() throws IOException, InterruptedException {
        Future<?> f = inFlight;
        if (f == null) {
            return;
        }
        try {
            f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            if (cause instanceof InterruptedException) {
                throw (InterruptedException) cause;
            }
            throw new IOException(cause.getMessage(), cause);
        } finally {
            inFlight = null;
        }
    }

    /**
     * Without waiting: throws the failure of a write that has finished, so a sink that gave up
     * fails the task at its next flush timer even when there is nothing new to write.
     */
    public void throwIfFailed() throws IOException, InterruptedException {
        Future<?> f = inFlight;
        if (f != null && f.isDone()) {
            await();
        }
    }

    /**
     * Stops the thread; a write still in flight (a cancelled task) is interrupted. JDBC and HTTP
     * calls may not answer an interrupt: one still running after 10 s is logged and left to its
     * socket timeout (the caller closes its connection next, which ends it).
     */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("{}: a write was still running 10 s after the sink closed; its connection is closed under it", threadName);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
