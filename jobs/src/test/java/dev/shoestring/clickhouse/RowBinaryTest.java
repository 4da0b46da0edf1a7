package dev.shoestring.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoestring.event.Event;
import dev.shoestring.metrics.AgentDecisionWindow;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The RowBinary bytes of each column type and of one row of each table, computed by hand. */
class RowBinaryTest {
    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("[^0-9a-f]", ""));
    }

    private interface Encoding {
        void to(ByteArrayOutputStream out) throws Exception;
    }

    private static byte[] bytes(Encoding e) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        e.to(out);
        return out.toByteArray();
    }

    @Test
    void scalarTypes() throws Exception {
        assertThat(bytes(o -> RowBinary.int32(o, -2))).isEqualTo(hex("fe ff ff ff"));
        assertThat(bytes(o -> RowBinary.int64(o, 258))).isEqualTo(hex("02 01 00 00 00 00 00 00"));
        // UInt64 above Long.MAX_VALUE is out of our domain; within it the bytes equal Int64's.
        assertThat(bytes(o -> RowBinary.uint64(o, 1))).isEqualTo(hex("01 00 00 00 00 00 00 00"));
        // 0.5 = 0x3FE0000000000000
        assertThat(bytes(o -> RowBinary.float64(o, 0.5))).isEqualTo(hex("00 00 00 00 00 00 e0 3f"));
        assertThat(bytes(o -> RowBinary.nullableFloat64(o, null))).isEqualTo(hex("01"));
        assertThat(bytes(o -> RowBinary.nullableFloat64(o, 0.5))).isEqualTo(hex("00 00 00 00 00 00 00 e0 3f"));
        // 1700000040 = 0x6553F128
        assertThat(bytes(o -> RowBinary.dateTime(o, 1_700_000_040L))).isEqualTo(hex("28 f1 53 65"));
        // 4294967295 (the last second of DateTime) must not come out as -1 of an int
        assertThat(bytes(o -> RowBinary.dateTime(o, RowBinary.UINT32_MAX))).isEqualTo(hex("ff ff ff ff"));
    }

    @Test
    void stringsAreLeb128LengthAndUtf8() throws Exception {
        // "é" is two UTF-8 bytes c3 a9: the length counts bytes, not chars.
        assertThat(bytes(o -> RowBinary.string(o, "é\""))).isEqualTo(hex("03 c3 a9 22"));
        assertThat(bytes(o -> RowBinary.string(o, ""))).isEqualTo(hex("00"));
        // 300 = 0b10_0101100: low 7 bits 0x2c with the continuation bit (0xac), then 0x02.
        byte[] b = bytes(o -> RowBinary.string(o, "x".repeat(300)));
        assertThat(b).hasSize(302);
        assertThat(new byte[] {b[0], b[1], b[2]}).isEqualTo(hex("ac 02 78"));
    }

    @Test
    void decimal38RoundsHalfEvenAndEncodesInt128() throws Exception {
        // 13 decimals to scale 12: ...5 rounds to the even neighbour, not up.
        assertThat(RowBinary.decimal38(new BigDecimal("1.0000000000005"), 12)).isEqualTo(BigInteger.valueOf(1_000_000_000_000L));
        assertThat(RowBinary.decimal38(new BigDecimal("1.0000000000015"), 12)).isEqualTo(BigInteger.valueOf(1_000_000_000_002L));
        // 10^12 = 0xE8D4A51000
        assertThat(bytes(o -> RowBinary.int128(o, BigInteger.valueOf(1_000_000_000_000L))))
                .isEqualTo(hex("00 10 a5 d4 e8 00 00 00  00 00 00 00 00 00 00 00"));
        assertThat(bytes(o -> RowBinary.int128(o, BigInteger.ONE.negate())))
                .isEqualTo(hex("ff ff ff ff ff ff ff ff  ff ff ff ff ff ff ff ff"));
        // 10^38 - 1 = 0x4B3B4CA85A86C47A098A223FFFFFFFFF, the largest Decimal(38, s) unscaled value
        assertThat(bytes(o -> RowBinary.int128(o, BigInteger.TEN.pow(38).subtract(BigInteger.ONE))))
                .isEqualTo(hex("ff ff ff ff 3f 22 8a 09  7a c4 86 5a a8 4c 3b 4b"));
        assertThatThrownBy(() -> RowBinary.decimal38(new BigDecimal("1e26"), 12))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Decimal(38, 12)");
    }

    @Test
    void eventRow() throws Exception {
        Event e = new Event();
        e.eventId = "e";
        e.eventType = "t.x";
        e.tenantId = "T";
        e.aggregateId = "a";
        e.sequence = 1;
        e.occurredAtMicros = 1_700_000_000_123_456L; // 2023-11-14T22:13:20.123456Z
        e.payloadJson = "{\"k\":\"é\\\"\"}"; // {"k":"é\""}: 12 UTF-8 bytes
        e.sourcePartition = 3;
        e.sourceOffset = 258;
        assertThat(bytes(o -> new EventRowEncoder().encode(e, o))).isEqualTo(hex(
                "01 65" // event_id
                + " 03 74 2e 78" // event_type
                + " 01 54" // tenant_id
                + " 01 61" // aggregate_id
                + " 01 00 00 00 00 00 00 00" // sequence
                + " 00 f1 53 65" // occurred_at: 1700000000 = 0x6553F100, the floor of the millis
                + " 7b 68 e5 cf 8b 01 00 00" // occurred_at_ms: 1700000000123 = 0x18BCFE5687B
                + " 0c 7b 22 6b 22 3a 22 c3 a9 5c 22 22 7d" // payload
                + " 03 00 00 00" // kafka_partition
                + " 02 01 00 00 00 00 00 00")); // kafka_offset
        assertThat(new EventRowEncoder().columns()).hasSize(10);
    }

    @Test
    void eventBefore1970IsRejectedBeforeAnyByteIsWritten() {
        Event e = new Event();
        e.eventId = "old";
        e.occurredAtMicros = -1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> new EventRowEncoder().encode(e, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event old").hasMessageContaining("DateTime range");
        assertThat(out.size()).isZero();
    }

    @Test
    void windowRow() throws Exception {
        AgentDecisionWindow w = new AgentDecisionWindow();
        w.tenantId = "T";
        w.agentId = "a";
        w.decisionType = "d";
        w.windowStartMillis = 1_700_000_040_000L;
        w.decisions = 3;
        w.approved = 2;
        w.rejected = 1;
        w.latencyMsP50 = 1.5;
        w.latencyMsP95 = 2.0;
        w.latencyMsP99 = 2.0;
        w.costUsd = new BigDecimal("1.0000000000005");
        w.inputTokens = 10;
        w.outputTokens = 20;
        w.avgConfidence = null;
        w.version = 3;
        assertThat(bytes(o -> new WindowRowEncoder().encode(w, o))).isEqualTo(hex(
                "01 54 01 61 01 64" // tenant_id, agent_id, decision_type
                + " 28 f1 53 65" // window_start: 1700000040
                + " 03 00 00 00 00 00 00 00" // decisions
                + " 02 00 00 00 00 00 00 00" // approved
                + " 01 00 00 00 00 00 00 00" // rejected
                + " 00 00 00 00 00 00 00 00" // escalated
                + " 00 00 00 00 00 00 00 00" // errors
                + " 00 00 00 00 00 00 f8 3f" // p50 1.5 = 0x3FF8000000000000
                + " 00 00 00 00 00 00 00 40" // p95 2.0 = 0x4000000000000000
                + " 00 00 00 00 00 00 00 40" // p99
                + " 00 10 a5 d4 e8 00 00 00 00 00 00 00 00 00 00 00" // cost_usd 1.000000000000 (half-even)
                + " 0a 00 00 00 00 00 00 00" // input_tokens
                + " 14 00 00 00 00 00 00 00" // output_tokens
                + " 01" // avg_confidence NULL
                + " 03 00 00 00 00 00 00 00")); // version
        assertThat(new WindowRowEncoder().columns()).hasSize(17);
    }
}
