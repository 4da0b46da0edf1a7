package dev.shoestring.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoestring.event.InvalidEventException.Reason;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of CONTRACT §1, each with an example that breaks it. */
class EventParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode valid(String type) {
        ObjectNode e = JSON.createObjectNode();
        e.put("event_id", "e-1");
        e.put("event_type", type);
        e.put("tenant_id", "acme");
        e.put("aggregate_id", "a-1");
        e.put("sequence", 1);
        e.put("occurred_at", "2026-03-01T12:00:00.123Z");
        ObjectNode p = e.putObject("payload");
        switch (type) {
            case "order.created":
                p.put("customer_id", "c-1").put("amount", "19.90").put("currency", "EUR").put("items", 2);
                break;
            case "order.paid":
                p.put("amount", 19.90);
                break;
            case "order.shipped":
                p.put("carrier", "dhl");
                break;
            case "order.cancelled":
                p.put("reason", "changed mind");
                break;
            case "agent.decision":
                p.put("decision_id", "d-1").put("decision_type", "refund").put("outcome", "approved")
                        .put("latency_ms", 120.5).put("model", "m").put("input_tokens", 100)
                        .put("output_tokens", 20).put("cost_usd", "0.000123").put("confidence", 0.9);
                break;
            case "metric.changed":
                p.put("value", -3.5).put("unit", "ms");
                break;
            default:
                p.put("anything", true);
        }
        return e;
    }

    static byte[] bytes(ObjectNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Event parse(ObjectNode n) throws InvalidEventException {
        return EventParser.parse(bytes(n));
    }

    @Test
    void parsesEveryKnownTypeAndAnUnknownOne() throws Exception {
        for (String t : new String[] {"order.created", "order.paid", "order.shipped", "order.cancelled",
                "agent.decision", "metric.changed", "invoice.issued"}) {
            Event e = parse(valid(t));
            assertThat(e.eventType).isEqualTo(t);
            assertThat(e.sequence).isEqualTo(1);
            assertThat(e.occurredAtMillis()).isEqualTo(java.time.Instant.parse("2026-03-01T12:00:00.123Z").toEpochMilli());
        }
    }

    @Test
    void keepsDecimalsExactFromNumbersAndStrings() throws Exception {
        ObjectNode n = valid("order.created");
        ((ObjectNode) n.get("payload")).put("amount", new BigDecimal("12345678901234567890.123456789"));
        assertThat(parse(n).amount).isEqualByComparingTo("12345678901234567890.123456789");
        ((ObjectNode) n.get("payload")).put("amount", "0.10");
        assertThat(parse(n).amount).isEqualTo(new BigDecimal("0.10"));
        Event d = parse(valid("agent.decision"));
        assertThat(d.costUsd).isEqualTo(new BigDecimal("0.000123"));
        assertThat(d.confidence).isEqualTo(0.9);
        assertThat(parse(valid("order.created")).items).isEqualTo(2L);
    }

    @Test
    void keepsThePayloadsNumbersAsWritten() throws Exception {
        String json = "{\"event_id\":\"e-1\",\"event_type\":\"order.created\",\"tenant_id\":\"t\",\"aggregate_id\":\"o-1\","
                + "\"sequence\":1,\"occurred_at\":\"2026-03-01T12:00:00.123Z\",\"payload\":{\"customer_id\":\"c\","
                + "\"amount\":19.90,\"currency\":\"EUR\",\"items\":2,\"fx\":1.0E+2}}";
        Event e = EventParser.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(e.payloadJson).isEqualTo("{\"customer_id\":\"c\",\"amount\":19.90,\"currency\":\"EUR\",\"items\":2,\"fx\":1.0E+2}");
    }

    @Test
    void acceptsOffsetsAndFinerPrecisionAndIgnoresUnknownFields() throws Exception {
        ObjectNode n = valid("metric.changed");
        n.put("occurred_at", "2026-03-01T14:00:00.123456+02:00");
        n.put("extra_top_level", 1);
        ((ObjectNode) n.get("payload")).put("extra", "x");
        Event e = parse(n);
        assertThat(e.occurredAtMicros).isEqualTo(java.time.Instant.parse("2026-03-01T12:00:00.123456Z").toEpochMilli() * 1000 + 456);
        assertThat(e.payloadJson).contains("\"extra\":\"x\"");
    }

    @Test
    void confidenceIsOptional() throws Exception {
        ObjectNode n = valid("agent.decision");
        ((ObjectNode) n.get("payload")).remove("confidence");
        assertThat(parse(n).confidence).isNull();
        ((ObjectNode) n.get("payload")).putNull("confidence");
        assertThat(parse(n).confidence).isNull();
    }

    /** The streaming parser's own date-time arithmetic agrees with java.time's ISO parser. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"2026-03-01T12:00:00.123Z", "2026-03-01t12:00:00.123z",
            "1970-01-01T00:00:00.000Z", "2106-02-07T06:28:15.999999Z", "2024-02-29T23:59:59.9999Z",
            "2026-03-01T00:30:00.5000+05:30", "2026-03-01T23:30:00.12345-09:45", "2026-12-31T23:59:59.123456789+00:00",
            "2000-06-15T08:07:06.000001-00:00", "2026-03-01T12:00:00.100+18:00"})
    void occurredAtEqualsJavaTimeParse(String at) throws Exception {
        ObjectNode n = valid("metric.changed");
        n.put("occurred_at", at);
        java.time.OffsetDateTime t = java.time.OffsetDateTime.parse(at.replace('t', 'T').replace('z', 'Z'));
        assertThat(parse(n).occurredAtMicros).isEqualTo(t.toEpochSecond() * 1_000_000L + t.getNano() / 1000);
    }

    @Test
    void occurredAtRangesAreChecked() {
        for (String at : new String[] {"2026-03-01T24:00:00.000Z", "2026-03-01T12:60:00.000Z", "2026-03-01T12:00:60.000Z",
                "2025-02-29T12:00:00.000Z", "2026-03-01T12:00:00.000+19:00", "2026-03-01T12:00:00.000+05:60",
                "2026-00-10T12:00:00.000Z", "2026-03-00T12:00:00.000Z", "2026-03-01T12:00:00.1234567890Z"}) {
            ObjectNode n = valid("metric.changed");
            n.put("occurred_at", at);
            assertThatThrownBy(() -> parse(n)).as(at).isInstanceOfSatisfying(InvalidEventException.class,
                    ex -> assertThat(ex.reason()).isEqualTo(Reason.OUT_OF_RANGE));
        }
    }

    /** Compact payload text is kept as the producer's bytes (escapes and all). */
    @Test
    void compactPayloadIsKeptByteForByte() throws Exception {
        String payload = "{\"a\":1.50,\"s\":\"\\u00e9\",\"n\":{\"x\":[1,2]}}";
        String v = "{\"event_id\":\"e\",\"event_type\":\"x.y\",\"payload\":" + payload + ",\"tenant_id\":\"t\","
                + "\"aggregate_id\":\"a\",\"sequence\":1,\"occurred_at\":\"2026-03-01T12:00:00.123Z\"}";
        assertThat(EventParser.parse(v.getBytes(StandardCharsets.UTF_8)).payloadJson).isEqualTo(payload);
    }

    /** The archive keeps the payload as compact JSON with every number exactly as the producer wrote it. */
    @Test
    void payloadIsCompactJsonWithNumbersAsWritten() throws Exception {
        String v = "{ \"event_id\":\"e\", \"event_type\":\"x.y\", \"tenant_id\":\"t\", \"aggregate_id\":\"a\","
                + " \"sequence\":1, \"occurred_at\":\"2026-03-01T12:00:00.123Z\", \"payload\": { \"a\" : 1.50,"
                + " \"b\": [ 1e2, -0.0000001, {\"c\": \"\\u00e9\\\"\\n\" } ], \"d\": null, \"e\": true,"
                + " \"f\": 12345678901234567890123 } }";
        Event e = EventParser.parse(v.getBytes(StandardCharsets.UTF_8));
        assertThat(e.payloadJson).isEqualTo("{\"a\":1.50,\"b\":[1e2,-0.0000001,{\"c\":\"\u00e9\\\"\\n\"}],\"d\":null,"
                + "\"e\":true,\"f\":12345678901234567890123}");
        assertThat(JSON.readTree(e.payloadJson)).isEqualTo(JSON.readTree(v).get("payload"));
    }

    /** Invalid UTF-8 is malformed wherever it is, also in a field the parser otherwise ignores. */
    @Test
    void invalidUtf8AnywhereIsMalformed() {
        for (String where : new String[] {"extra_top_level", "payload", "payload field"}) {
            ObjectNode n = valid("order.paid");
            String marker = "@@bad@@";
            if (where.equals("payload field")) {
                ((ObjectNode) n.get("payload")).put("note", marker);
            } else if (where.equals("payload")) {
                ((ObjectNode) n.get("payload")).putObject("nested").put("x", marker);
            } else {
                n.putArray(where).add(marker);
            }
            byte[] b = bytes(n);
            String text = new String(b, StandardCharsets.ISO_8859_1);
            int at = text.indexOf(marker);
            b[at] = (byte) 0xff;
            b[at + 1] = (byte) 0xfe;
            assertThatThrownBy(() -> EventParser.parse(b)).as(where).isInstanceOfSatisfying(InvalidEventException.class,
                    ex -> assertThat(ex.reason()).isEqualTo(Reason.MALFORMED_JSON));
        }
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                raw("not JSON", "{\"event_id\": ", Reason.MALFORMED_JSON),
                raw("not UTF-8 JSON", "\u00ff\u00fe", Reason.MALFORMED_JSON),
                raw("trailing garbage", valid("order.paid") + " x", Reason.MALFORMED_JSON),
                raw("duplicate key", "{\"event_id\":\"a\",\"event_id\":\"b\"}", Reason.MALFORMED_JSON),
                raw("empty value", "", Reason.MALFORMED_JSON),
                raw("array", "[1,2]", Reason.NOT_AN_OBJECT),
                raw("string", "\"event\"", Reason.NOT_AN_OBJECT),
                edit("event_id missing", "order.paid", n -> n.remove("event_id"), Reason.MISSING_FIELD),
                edit("event_id null", "order.paid", n -> n.putNull("event_id"), Reason.MISSING_FIELD),
                edit("event_id empty", "order.paid", n -> n.put("event_id", ""), Reason.OUT_OF_RANGE),
                edit("event_id number", "order.paid", n -> n.put("event_id", 7), Reason.WRONG_TYPE),
                edit("event_type missing", "order.paid", n -> n.remove("event_type"), Reason.MISSING_FIELD),
                edit("event_type without dot", "order.paid", n -> n.put("event_type", "order"), Reason.OUT_OF_RANGE),
                edit("event_type empty verb", "order.paid", n -> n.put("event_type", "order."), Reason.OUT_OF_RANGE),
                edit("event_type two dots", "order.paid", n -> n.put("event_type", "a.b.c"), Reason.OUT_OF_RANGE),
                edit("tenant_id missing", "order.paid", n -> n.remove("tenant_id"), Reason.MISSING_FIELD),
                edit("tenant_id empty", "order.paid", n -> n.put("tenant_id", ""), Reason.OUT_OF_RANGE),
                edit("aggregate_id missing", "order.paid", n -> n.remove("aggregate_id"), Reason.MISSING_FIELD),
                edit("aggregate_id empty", "order.paid", n -> n.put("aggregate_id", ""), Reason.OUT_OF_RANGE),
                edit("aggregate_id object", "order.paid", n -> n.putObject("aggregate_id"), Reason.WRONG_TYPE),
                edit("sequence missing", "order.paid", n -> n.remove("sequence"), Reason.MISSING_FIELD),
                edit("sequence zero", "order.paid", n -> n.put("sequence", 0), Reason.OUT_OF_RANGE),
                edit("sequence negative", "order.paid", n -> n.put("sequence", -4), Reason.OUT_OF_RANGE),
                edit("sequence fraction", "order.paid", n -> n.put("sequence", 1.5), Reason.WRONG_TYPE),
                edit("sequence string", "order.paid", n -> n.put("sequence", "1"), Reason.WRONG_TYPE),
                edit("sequence too big", "order.paid", n -> n.put("sequence", new java.math.BigInteger("99999999999999999999")), Reason.OUT_OF_RANGE),
                edit("occurred_at missing", "order.paid", n -> n.remove("occurred_at"), Reason.MISSING_FIELD),
                edit("occurred_at number", "order.paid", n -> n.put("occurred_at", 1700000000000L), Reason.WRONG_TYPE),
                edit("occurred_at without zone", "order.paid", n -> n.put("occurred_at", "2026-03-01T12:00:00.123"), Reason.OUT_OF_RANGE),
                edit("occurred_at seconds only", "order.paid", n -> n.put("occurred_at", "2026-03-01T12:00:00Z"), Reason.OUT_OF_RANGE),
                edit("occurred_at space", "order.paid", n -> n.put("occurred_at", "2026-03-01 12:00:00.123Z"), Reason.OUT_OF_RANGE),
                edit("occurred_at month 13", "order.paid", n -> n.put("occurred_at", "2026-13-01T12:00:00.123Z"), Reason.OUT_OF_RANGE),
                edit("occurred_at Feb 30", "order.paid", n -> n.put("occurred_at", "2026-02-30T12:00:00.123Z"), Reason.OUT_OF_RANGE),
                edit("occurred_at before 1970", "order.paid", n -> n.put("occurred_at", "1969-12-31T23:59:59.999Z"), Reason.OUT_OF_RANGE),
                edit("occurred_at after 2106", "order.paid", n -> n.put("occurred_at", "2106-02-07T06:28:16.000Z"), Reason.OUT_OF_RANGE),
                edit("payload missing", "order.paid", n -> n.remove("payload"), Reason.MISSING_FIELD),
                edit("payload array", "invoice.issued", n -> n.putArray("payload"), Reason.WRONG_TYPE),
                pay("created customer_id missing", "order.created", p -> p.remove("customer_id"), Reason.MISSING_FIELD),
                pay("created customer_id number", "order.created", p -> p.put("customer_id", 5), Reason.WRONG_TYPE),
                pay("created amount negative", "order.created", p -> p.put("amount", "-0.01"), Reason.OUT_OF_RANGE),
                pay("created amount not a number", "order.created", p -> p.put("amount", "12,50"), Reason.WRONG_TYPE),
                pay("created amount boolean", "order.created", p -> p.put("amount", true), Reason.WRONG_TYPE),
                pay("created currency 4 letters", "order.created", p -> p.put("currency", "EURO"), Reason.OUT_OF_RANGE),
                pay("created currency digits", "order.created", p -> p.put("currency", "E1R"), Reason.OUT_OF_RANGE),
                pay("created items negative", "order.created", p -> p.put("items", -1), Reason.OUT_OF_RANGE),
                pay("created items fraction", "order.created", p -> p.put("items", 1.5), Reason.WRONG_TYPE),
                pay("created items missing", "order.created", p -> p.remove("items"), Reason.MISSING_FIELD),
                pay("paid amount missing", "order.paid", p -> p.remove("amount"), Reason.MISSING_FIELD),
                pay("paid amount negative", "order.paid", p -> p.put("amount", -1), Reason.OUT_OF_RANGE),
                pay("shipped carrier missing", "order.shipped", p -> p.remove("carrier"), Reason.MISSING_FIELD),
                pay("shipped carrier number", "order.shipped", p -> p.put("carrier", 1), Reason.WRONG_TYPE),
                pay("cancelled reason missing", "order.cancelled", p -> p.remove("reason"), Reason.MISSING_FIELD),
                pay("decision decision_id missing", "agent.decision", p -> p.remove("decision_id"), Reason.MISSING_FIELD),
                pay("decision decision_type missing", "agent.decision", p -> p.remove("decision_type"), Reason.MISSING_FIELD),
                pay("decision outcome unknown", "agent.decision", p -> p.put("outcome", "maybe"), Reason.OUT_OF_RANGE),
                pay("decision outcome missing", "agent.decision", p -> p.remove("outcome"), Reason.MISSING_FIELD),
                pay("decision latency negative", "agent.decision", p -> p.put("latency_ms", -1), Reason.OUT_OF_RANGE),
                pay("decision latency string", "agent.decision", p -> p.put("latency_ms", "fast"), Reason.WRONG_TYPE),
                pay("decision model missing", "agent.decision", p -> p.remove("model"), Reason.MISSING_FIELD),
                pay("decision input_tokens negative", "agent.decision", p -> p.put("input_tokens", -5), Reason.OUT_OF_RANGE),
                pay("decision output_tokens fraction", "agent.decision", p -> p.put("output_tokens", 2.5), Reason.WRONG_TYPE),
                pay("decision cost negative", "agent.decision", p -> p.put("cost_usd", "-0.1"), Reason.OUT_OF_RANGE),
                pay("decision cost too large", "agent.decision", p -> p.put("cost_usd", "123456789012345678901"), Reason.OUT_OF_RANGE),
                pay("decision cost missing", "agent.decision", p -> p.remove("cost_usd"), Reason.MISSING_FIELD),
                pay("decision confidence above 1", "agent.decision", p -> p.put("confidence", 1.01), Reason.OUT_OF_RANGE),
                pay("decision confidence below 0", "agent.decision", p -> p.put("confidence", -0.01), Reason.OUT_OF_RANGE),
                pay("decision confidence text", "agent.decision", p -> p.put("confidence", "high"), Reason.WRONG_TYPE),
                pay("metric value missing", "metric.changed", p -> p.remove("value"), Reason.MISSING_FIELD),
                pay("metric value text", "metric.changed", p -> p.put("value", "NaN"), Reason.WRONG_TYPE),
                pay("metric value huge", "metric.changed", p -> p.put("value", "1e400"), Reason.OUT_OF_RANGE),
                pay("metric unit missing", "metric.changed", p -> p.remove("unit"), Reason.MISSING_FIELD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejects(String name, byte[] value, Reason reason) {
        assertThatThrownBy(() -> EventParser.parse(value))
                .isInstanceOf(InvalidEventException.class)
                .satisfies(t -> assertThat(((InvalidEventException) t).reason()).isEqualTo(reason))
                .satisfies(t -> assertThat(t.getMessage()).isNotBlank());
    }

    @Test
    void messagesNameTheField() {
        ObjectNode n = valid("order.created");
        ((ObjectNode) n.get("payload")).put("currency", "EURO");
        assertThatThrownBy(() -> parse(n)).hasMessageContaining("payload.currency");
        assertThatThrownBy(() -> EventParser.parse(null)).isInstanceOf(InvalidEventException.class);
    }

    @Test
    void textNoStoreCanHoldUnchangedIsInvalidNamingTheField() {
        // NUL: Postgres text refuses it; for a column it would fail the sink on every retry.
        for (String field : new String[] {"event_id", "tenant_id", "aggregate_id"}) {
            ObjectNode n = valid("order.created");
            n.put(field, "a\u0000b");
            assertThatThrownBy(() -> parse(n)).isInstanceOf(InvalidEventException.class)
                    .hasMessageStartingWith(field + " must not contain NUL")
                    .satisfies(t -> assertThat(((InvalidEventException) t).reason()).isEqualTo(Reason.OUT_OF_RANGE));
        }
        ObjectNode unit = valid("metric.changed");
        ((ObjectNode) unit.get("payload")).put("unit", "\u0000");
        assertThatThrownBy(() -> parse(unit)).hasMessageStartingWith("payload.unit must not contain NUL");
        // An unpaired surrogate, as a JSON escape (valid JSON syntax, not Unicode text).
        String lone = new String(bytes(valid("metric.changed")), StandardCharsets.UTF_8).replace("\"a-1\"", "\"a\\ud800\"");
        assertThatThrownBy(() -> EventParser.parse(lone.getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("aggregate_id holds an unpaired surrogate \\ud800");
        String reversed = new String(bytes(valid("invoice.issued")), StandardCharsets.UTF_8)
                .replace("\"anything\":true", "\"note\":\"\\udc00\\ud800\"");
        assertThatThrownBy(() -> EventParser.parse(reversed.getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("payload holds an unpaired surrogate");
    }

    @Test
    void keysLongerThanAPostgresIndexEntryAllowsAreInvalid() throws Exception {
        ObjectNode n = valid("metric.changed");
        n.put("aggregate_id", "é".repeat(EventParser.MAX_KEY_BYTES / 2)); // 2 bytes each: exactly the limit
        assertThat(parse(n).aggregateId).hasSize(EventParser.MAX_KEY_BYTES / 2);
        n.put("aggregate_id", "é".repeat(EventParser.MAX_KEY_BYTES / 2) + "x");
        assertThatThrownBy(() -> parse(n)).hasMessageStartingWith("aggregate_id is 1025 bytes of UTF-8, at most 1024");
        ObjectNode t = valid("order.created");
        t.put("tenant_id", "t".repeat(5000));
        assertThatThrownBy(() -> parse(t)).hasMessageStartingWith("tenant_id is 5000 bytes");
    }

    @Test
    void hostileButStorableTextIsValidAndKeptExactly() throws Exception {
        for (String h : new String[] {"'); DROP TABLE orders; --", "back\\slash \"q\" 'q'", "emoji 🚀 𝄞 e\u0301",
                "tab\tnew\nline \u0001\u007F", "\uFEFF\u202E"}) {
            ObjectNode n = valid("order.created");
            n.put("aggregate_id", h);
            ((ObjectNode) n.get("payload")).put("customer_id", h).put("note", "x\u0000y");
            Event e = parse(n);
            assertThat(e.aggregateId).isEqualTo(h);
            assertThat(e.customerId).isEqualTo(h);
            // A NUL outside the columns is kept, escaped, in the archived payload JSON.
            assertThat(e.payloadJson).contains("x\\u0000y");
        }
    }

    private static Arguments raw(String name, String value, Reason reason) {
        byte[] b = name.equals("not UTF-8 JSON") ? new byte[] {'"', (byte) 0xff, (byte) 0xfe, '"'}
                : value.getBytes(StandardCharsets.UTF_8);
        return Arguments.of(name, b, reason);
    }

    private static Arguments edit(String name, String type, Consumer<ObjectNode> change, Reason reason) {
        ObjectNode n = valid(type);
        change.accept(n);
        return Arguments.of(name, bytes(n), reason);
    }

    private static Arguments pay(String name, String type, Consumer<ObjectNode> change, Reason reason) {
        ObjectNode n = valid(type);
        change.accept((ObjectNode) n.get("payload"));
        return Arguments.of(name, bytes(n), reason);
    }
}
