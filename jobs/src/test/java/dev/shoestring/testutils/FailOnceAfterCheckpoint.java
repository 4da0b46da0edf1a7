package dev.shoestring.testutils;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * Passes records through slowly until a checkpoint has completed, then fails the task once
 * (mid-stream), then passes everything at full speed. The flag is static: a MiniCluster restarts
 * the task in the same JVM, and the failure must happen only once per test.
 */
public class FailOnceAfterCheckpoint<T> extends RichMapFunction<T, T> implements CheckpointListener {
    private static final long serialVersionUID = 1L;
    public static final AtomicBoolean FAILED = new AtomicBoolean();
    private transient volatile boolean checkpointed;

    @Override
    public T map(T value) throws Exception {
        if (!FAILED.get()) {
            if (checkpointed && FAILED.compareAndSet(false, true)) {
                throw new RuntimeException("injected failure after the first completed checkpoint");
            }
            Thread.sleep(1); // keep the stream running until a checkpoint completes
        }
        return value;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        checkpointed = true;
    }
}
