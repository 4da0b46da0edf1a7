package dev.shoestring.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackgroundWriteTest {

    @Test
    void writesRunInTheOrderTheyWereSubmitted() throws Exception {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundWrite w = new BackgroundWrite("test-write")) {
            for (int i = 0; i < 50; i++) {
                int n = i;
                w.submit(() -> order.add(n));
            }
            w.await();
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add(i);
        }
        assertEquals(expected, order);
    }

    @Test
    void aFailedWriteIsThrownOnceByAwait() throws Exception {
        try (BackgroundWrite w = new BackgroundWrite("test-write")) {
            w.submit(() -> {
                throw new IOException("database gone");
            });
            IOException e = assertThrows(IOException.class, w::await);
            assertEquals("database gone", e.getMessage());
            w.await(); // thrown once: nothing left in flight
        }
    }

    @Test
    void throwIfFailedReportsAFinishedFailureWithoutWaitingForARunningWrite() throws Exception {
        try (BackgroundWrite w = new BackgroundWrite("test-write")) {
            CountDownLatch release = new CountDownLatch(1);
            w.submit(() -> release.await(10, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            w.throwIfFailed(); // still running: returns at once
            assertEquals(0, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
            release.countDown();
            w.await();

            CountDownLatch failed = new CountDownLatch(1);
            w.submit(() -> {
                failed.countDown();
                throw new IllegalStateException("insert refused");
            });
            failed.await();
            // The write has thrown; wait until its future is done, then the check must report it.
            IOException e = null;
            for (int i = 0; i < 100 && e == null; i++) {
                try {
                    w.throwIfFailed();
                    Thread.sleep(10);
                } catch (IOException thrown) {
                    e = thrown;
                }
            }
            assertEquals("insert refused", e == null ? null : e.getMessage());
        }
    }
}
