package dev.shoestring.clickhouse;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * The writer's batch: RowBinary bytes of the buffered rows. Unlike ByteArrayOutputStream it is
 * unsynchronized (the encoders write byte by byte, all from the task thread) and can be cut back
 * to a mark, so a row that fails half-way through encoding leaves no bytes behind.
 */
final class RowBuffer extends OutputStream {
    private byte[] bytes;
    private int size;

    RowBuffer(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    @Override
    public void write(int b) {
        if (size == bytes.length) {
            grow(size + 1);
        }
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (size + len > bytes.length) {
            grow(size + len);
        }
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    private void grow(int needed) {
        if (needed < 0) {
            throw new IllegalStateException("batch larger than 2 GiB");
        }
        bytes = Arrays.copyOf(bytes, Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8, bytes.length * 2L)));
    }

    int size() {
        return size;
    }

    void truncate(int mark) {
        size = mark;
    }

    /** Empties the buffer and keeps its capacity: the next batch will need the same. */
    void clear() {
        size = 0;
    }

    void writeTo(OutputStream out) throws java.io.IOException {
        out.write(bytes, 0, size);
    }
}
