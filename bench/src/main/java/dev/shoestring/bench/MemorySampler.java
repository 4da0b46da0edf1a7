package dev.shoestring.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Memory of this JVM while a pipeline runs in it (a local Flink cluster: the TaskManager's heap is
 * this heap): heap used and committed sampled through the {@link MemoryMXBean}, the heap left
 * after each garbage collection (from the collectors' notifications: the live set plus what the
 * collection did not reach), and the process' resident set from {@code /proc/self/status}
 * ({@code VmRSS} sampled, {@code VmHWM} the kernel's own peak), which also counts RocksDB's native
 * memory, the JIT and thread stacks.
 */
final class MemorySampler implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private volatile boolean stop;
    private volatile long heapUsedPeak;
    private volatile long heapCommittedPeak;
    private volatile long heapAfterGcPeak;
    private volatile long rssPeak;

    MemorySampler(long periodMillis) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, handback) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        return;
                    }
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                    long after = 0;
                    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        if (isHeapPool(e.getKey())) {
                            after += e.getValue().getUsed();
                        }
                    }
                    synchronized (this) {
                        heapAfterGcPeak = Math.max(heapAfterGcPeak, after);
                    }
                }, null, null);
            }
        }
        thread = new Thread(() -> {
            while (!stop) {
                sample();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private static boolean isHeapPool(String name) {
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals(name)) {
                return pool.getType() == java.lang.management.MemoryType.HEAP;
            }
        }
        return false;
    }

    private synchronized void sample() {
        MemoryUsage heap = memory.getHeapMemoryUsage();
        heapUsedPeak = Math.max(heapUsedPeak, heap.getUsed());
        heapCommittedPeak = Math.max(heapCommittedPeak, heap.getCommitted());
        rssPeak = Math.max(rssPeak, procStatusBytes("VmRSS"));
    }

    /** A {@code /proc/self/status} field in bytes (its values are in kB); 0 off Linux. */
    static long procStatusBytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return 0;
    }

    /** key=value pairs, bytes. */
    synchronized String report() {
        sample();
        return String.format(Locale.ROOT, "heapUsedPeak=%d heapCommittedPeak=%d heapAfterGcPeak=%d heapMax=%d rssPeak=%d vmHwm=%d",
                heapUsedPeak, heapCommittedPeak, heapAfterGcPeak, memory.getHeapMemoryUsage().getMax(), rssPeak,
                procStatusBytes("VmHWM"));
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
