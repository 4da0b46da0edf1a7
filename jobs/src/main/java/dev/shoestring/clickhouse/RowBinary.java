package dev.shoestring.clickhouse;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * ClickHouse's RowBinary encoding of the column types our tables use: fixed-width integers and
 * floats little-endian, String as a LEB128 length and UTF-8 bytes, Nullable as a 0/1 byte before
 * the value, Decimal as its unscaled integer, DateTime as UInt32 seconds.
 *
 * <p>Written here rather than with client-v2's helpers: its {@code RowBinaryFormatSerializer} is
 * marked experimental and delegates to {@code BinaryStreamUtils}, which is deprecated, takes
 * UInt64 only as a BigInteger, allocates an array per number, and truncates decimals instead of
 * rounding. The format is small, stable since long before 18.16, and pinned by RowBinaryTest.
 */
final class RowBinary {
    static final long UINT32_MAX = 0xFFFF_FFFFL;
    private static final BigInteger DECIMAL38_LIMIT = BigInteger.TEN.pow(38);

    private RowBinary() {}

    static void int32(OutputStream out, int v) throws IOException {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    static void int64(OutputStream out, long v) throws IOException {
        for (int shift = 0; shift < 64; shift += 8) {
            out.write((int) (v >>> shift));
        }
    }

    /** UInt64 from a Java long that the caller has checked to be >= 0. */
    static void uint64(OutputStream out, long v) throws IOException {
        int64(out, v);
    }

    static void float64(OutputStream out, double v) throws IOException {
        int64(out, Double.doubleToLongBits(v));
    }

    static void string(OutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        varUInt(out, utf8.length);
        out.write(utf8);
    }

    static void varUInt(OutputStream out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** DateTime: UInt32 seconds since the epoch, the only range 18.16's DateTime has. */
    static void dateTime(OutputStream out, long epochSeconds) throws IOException {
        int32(out, (int) epochSeconds);
    }

    static void nullableFloat64(OutputStream out, Double v) throws IOException {
        if (v == null) {
            out.write(1);
        } else {
            out.write(0);
            float64(out, v);
        }
    }

    /**
     * The unscaled value of a Decimal(38, scale), rounded half-even to the column's scale (no
     * bias when many rounded values are summed again in queries).
     */
    static BigInteger decimal38(BigDecimal v, int scale) {
        BigInteger unscaled = v.setScale(scale, RoundingMode.HALF_EVEN).unscaledValue();
        // 18.16 stores whatever Int128 it receives; a value past 38 digits would read back wrong.
        if (unscaled.abs().compareTo(DECIMAL38_LIMIT) >= 0) {
            throw new IllegalArgumentException(v.toPlainString() + " does not fit Decimal(38, " + scale + ")");
        }
        return unscaled;
    }

    /** Int128, two's complement, little-endian; the value must be in range (see decimal38). */
    static void int128(OutputStream out, BigInteger v) throws IOException {
        int64(out, v.longValue());
        int64(out, v.shiftRight(64).longValue());
    }

    /** Seconds for a DateTime column; throws for instants 18.16's UInt32 DateTime cannot hold. */
    static long checkedDateTimeSeconds(long epochMillis, String what) {
        long seconds = Math.floorDiv(epochMillis, 1000L);
        if (seconds < 0 || seconds > UINT32_MAX) {
            throw new IllegalArgumentException(what + " " + java.time.Instant.ofEpochMilli(epochMillis)
                    + " is outside ClickHouse's DateTime range (1970-01-01 to 2106-02-07)");
        }
        return seconds;
    }
}
