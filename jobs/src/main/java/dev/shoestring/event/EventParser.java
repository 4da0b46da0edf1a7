package dev.shoestring.event;

import static dev.shoestring.event.InvalidEventException.Reason.MALFORMED_JSON;
import static dev.shoestring.event.InvalidEventException.Reason.MISSING_FIELD;
import static dev.shoestring.event.InvalidEventException.Reason.NOT_AN_OBJECT;
import static dev.shoestring.event.InvalidEventException.Reason.OUT_OF_RANGE;
import static dev.shoestring.event.InvalidEventException.Reason.WRONG_TYPE;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and validates one record value against CONTRACT §1. Thread-safe and stateless.
 *
 * <p>Strictness choices, where the contract leaves room: duplicate JSON keys and trailing data
 * make a record invalid (a producer bug we would rather surface than guess at); top-level
 * {@code sequence} must be a JSON integer, while payload numbers may also be decimal strings
 * (as the contract allows); decimals are kept exact as {@link BigDecimal}.
 *
 * <p>Text the stores cannot hold unchanged is invalid, like an {@code occurred_at} the archive
 * cannot hold: a NUL (U+0000) in a field that becomes a column (Postgres {@code text} refuses it,
 * and the sink would fail on it forever), an unpaired UTF-16 surrogate anywhere ({@code "\\ud800"}
 * is valid JSON syntax but not Unicode text: it has no UTF-8 form and would be stored as '?', so
 * two different ids could become one key), and a tenant or aggregate id over
 * {@value #MAX_KEY_BYTES} bytes of UTF-8 (a Postgres key must fit its index).
 *
 * <p>It reads the record with Jackson's streaming parser in one pass (no tree), copying the
 * payload to compact JSON text as it goes; validation runs after the whole value was read, so
 * a record that is not valid JSON is always {@code MALFORMED_JSON} whatever else is wrong with it.
 * Measured on the bench's 1M-event topic (JFR, 2 cores): the tree parse, the payload's
 * re-serialisation and {@code OffsetDateTime.parse} were two thirds of the source task's time.
 */
public final class EventParser {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** {@code <aggregate>.<verb>}: two non-empty parts of word characters and dashes. */
    private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    /**
     * RFC 3339 date-time with a zone (Z or +hh:mm) and at least millisecond precision. The regex
     * checks the shape (RFC 3339 allows lower-case t and z); java.time checks the ranges.
     */
    private static final Pattern OCCURRED_AT = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})\\.(\\d{3,9})(?:[Zz]|([+-])(\\d{2}):(\\d{2}))");
    private static final Pattern DECIMAL_STRING = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern CURRENCY = Pattern.compile("[A-Za-z]{3}");

    /**
     * ClickHouse's portable DateTime is unsigned 32-bit seconds: an event outside it could not be
     * archived, so it is invalid here (and goes to the dead-letter topic) rather than failing a sink.
     */
    static final long MAX_ARCHIVE_SECONDS = 4_294_967_295L;
    /**
     * tenant_id and aggregate_id together are a Postgres primary key, and a btree entry holds at
     * most 2,704 bytes: a longer key (measured: 3,216 bytes) fails the state sink on every retry.
     * 1 KiB of UTF-8 each keeps the pair well inside.
     */
    static final int MAX_KEY_BYTES = 1024;
    /** Decimal(38, 12) in ClickHouse leaves 26 integer digits for a window's sum; 20 per decision keeps room. */
    static final int MAX_COST_INTEGER_DIGITS = 20;

    // Top-level fields, by slot.
    private static final int EVENT_ID = 0, EVENT_TYPE_F = 1, TENANT_ID = 2, AGGREGATE_ID = 3, SEQUENCE = 4,
            OCCURRED_AT_F = 5, PAYLOAD = 6;
    private static final Map<String, Integer> TOP = Map.of("event_id", EVENT_ID, "event_type", EVENT_TYPE_F,
            "tenant_id", TENANT_ID, "aggregate_id", AGGREGATE_ID, "sequence", SEQUENCE, "occurred_at", OCCURRED_AT_F,
            "payload", PAYLOAD);
    /** The payload fields of the known types (CONTRACT §1); any other payload field is only archived. */
    private static final String[] PAYLOAD_FIELDS = {"customer_id", "amount", "currency", "items", "carrier", "reason",
            "decision_id", "decision_type", "outcome", "latency_ms", "model", "input_tokens", "output_tokens", "cost_usd",
            "confidence", "value", "unit"};
    private static final Map<String, Integer> PAYLOAD_SLOTS;

    static {
        Map<String, Integer> m = new java.util.HashMap<>();
        for (int i = 0; i < PAYLOAD_FIELDS.length; i++) {
            m.put(PAYLOAD_FIELDS[i], i);
        }
        PAYLOAD_SLOTS = Map.copyOf(m);
    }

    private EventParser() {}

    /**
     * One JSON value as read: its token and, for a scalar, its text (a number's text exactly as
     * written, so decimals stay exact). The type names are those of Jackson's JsonNodeType.
     */
    private static final class Val {
        final JsonToken token;
        final String text;

        Val(JsonToken token, String text) {
            this.token = token;
            this.text = text;
        }

        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        String type() {
            switch (token) {
                case VALUE_STRING: return "STRING";
                case VALUE_NUMBER_INT: case VALUE_NUMBER_FLOAT: return "NUMBER";
                case VALUE_TRUE: case VALUE_FALSE: return "BOOLEAN";
                case VALUE_NULL: return "NULL";
                case START_ARRAY: return "ARRAY";
                case START_OBJECT: return "OBJECT";
                default: return token.name();
            }
        }

        @Override
        public String toString() {
            return text != null ? (token == JsonToken.VALUE_STRING ? '"' + text + '"' : text) : type();
        }
    }

    /** What one pass over the record collected; validated once the whole value has been read. */
    private static final class Read {
        final Val[] top = new Val[7];
        final Val[] payload = new Val[PAYLOAD_FIELDS.length];
        String payloadJson;
    }

    public static Event parse(byte[] value) throws InvalidEventException {
        if (value == null) {
            throw new InvalidEventException(MALFORMED_JSON, null, "record has no value");
        }
        if (value.length == 0) {
            throw new InvalidEventException(MALFORMED_JSON, null, "empty value");
        }
        Read r = new Read();
        try (JsonParser p = JSON.createParser(value)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new InvalidEventException(MALFORMED_JSON, null, "empty value");
            }
            if (t != JsonToken.START_OBJECT) {
                Val root = scalarOrSkip(p, t);
                requireEnd(p);
                throw new InvalidEventException(NOT_AN_OBJECT, null, "value is JSON " + root.type() + ", not an object");
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                Integer slot = TOP.get(p.currentName());
                t = p.nextToken();
                if (slot == null) {
                    p.skipChildren(); // unknown top-level field: read (UTF-8 and duplicates checked), ignored
                } else if (slot == PAYLOAD && t == JsonToken.START_OBJECT) {
                    r.payloadJson = readPayload(p, value, r.payload);
                    r.top[PAYLOAD] = new Val(t, null);
                } else {
                    r.top[slot] = scalarOrSkip(p, t);
                }
            }
            requireEnd(p);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(MALFORMED_JSON, null, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEventException(MALFORMED_JSON, null, "not valid JSON: " + e.getMessage());
        }
        return validate(r);
    }

    /** After the root value: only whitespace may follow (a second value or garbage is malformed). */
    private static void requireEnd(JsonParser p) throws IOException, InvalidEventException {
        JsonToken extra = p.nextToken();
        if (extra != null) {
            throw new InvalidEventException(MALFORMED_JSON, null, "not valid JSON: trailing data after the value ("
                    + extra + ")");
        }
    }

    /** A scalar's text; a container is read through (so it is still checked) and kept as its type only. */
    private static Val scalarOrSkip(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
            return new Val(t, null);
        }
        return new Val(t, t == JsonToken.VALUE_NULL ? null : p.getText());
    }

    /**
     * Reads the payload object (the parser is on its START_OBJECT), keeps the values of its known
     * top-level fields, and returns its JSON text: the producer's own bytes when they are
     * compact (no whitespace at all, the usual case: a slice, no re-encoding), else a compact
     * copy. Numbers stay exactly as written either way. Iterative, so a deeply nested payload
     * cannot overflow the stack (Jackson's nesting limit applies).
     */
    private static String readPayload(JsonParser p, byte[] value, Val[] fields) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of input in payload");
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (depth == 1 && t == JsonToken.FIELD_NAME) {
                Integer slot = PAYLOAD_SLOTS.get(p.currentName());
                JsonToken v = p.nextToken();
                if (slot != null) {
                    fields[slot] = new Val(v, v.isScalarValue() && v != JsonToken.VALUE_NULL ? p.getText() : null);
                }
                if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                    depth++;
                }
            }
        }
        int end = (int) p.currentTokenLocation().getByteOffset() + 1;
        for (int i = start; i < end; i++) {
            byte b = value[i];
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                return compact(value, start, end - start);
            }
        }
        return new String(value, start, end - start, StandardCharsets.UTF_8);
    }

    /** A compact copy of one JSON value already read once (so known to be valid). */
    private static String compact(byte[] value, int offset, int length) throws IOException {
        StringWriter out = new StringWriter(length);
        try (JsonParser p = JSON.createParser(value, offset, length); JsonGenerator g = JSON.createGenerator(out)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                writeToken(g, p, t);
            }
        }
        return out.toString();
    }

    private static void writeToken(JsonGenerator g, JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: g.writeStartObject(); break;
            case END_OBJECT: g.writeEndObject(); break;
            case START_ARRAY: g.writeStartArray(); break;
            case END_ARRAY: g.writeEndArray(); break;
            case FIELD_NAME: g.writeFieldName(p.currentName()); break;
            case VALUE_STRING: g.writeString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength()); break;
            case VALUE_NUMBER_INT: case VALUE_NUMBER_FLOAT: g.writeNumber(p.getText()); break;
            case VALUE_TRUE: g.writeBoolean(true); break;
            case VALUE_FALSE: g.writeBoolean(false); break;
            case VALUE_NULL: g.writeNull(); break;
            default: throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
        }
    }

    private static Event validate(Read r) throws InvalidEventException {
        Event e = new Event();
        e.eventId = requiredNonEmptyString(r.top[EVENT_ID], "event_id");
        e.eventType = requiredNonEmptyString(r.top[EVENT_TYPE_F], "event_type");
        if (!EVENT_TYPE.matcher(e.eventType).matches()) {
            throw new InvalidEventException(OUT_OF_RANGE, "event_type",
                    "event_type must be <aggregate>.<verb>, got '" + e.eventType + "'");
        }
        e.tenantId = key(requiredNonEmptyString(r.top[TENANT_ID], "tenant_id"), "tenant_id");
        e.aggregateId = key(requiredNonEmptyString(r.top[AGGREGATE_ID], "aggregate_id"), "aggregate_id");
        e.sequence = sequence(r.top[SEQUENCE]);
        e.occurredAtMicros = occurredAt(r.top[OCCURRED_AT_F]);

        Val payload = required(r.top[PAYLOAD], "payload");
        if (payload.token != JsonToken.START_OBJECT) {
            throw new InvalidEventException(WRONG_TYPE, "payload", "payload must be an object, got " + payload.type());
        }
        e.payloadJson = r.payloadJson;
        checkPayloadSurrogates(r.payloadJson);
        parsePayload(e, r.payload);
        return e;
    }

    private static Val field(Val[] p, String name) {
        return p[PAYLOAD_SLOTS.get(name)];
    }

    private static void parsePayload(Event e, Val[] p) throws InvalidEventException {
        switch (e.eventType) {
            case EventTypes.ORDER_CREATED:
                e.customerId = string(p, "customer_id");
                e.amount = nonNegativeDecimal(p, "amount");
                e.currency = string(p, "currency");
                if (!CURRENCY.matcher(e.currency).matches()) {
                    throw new InvalidEventException(OUT_OF_RANGE, "payload.currency",
                            "payload.currency must be 3 letters, got '" + e.currency + "'");
                }
                e.items = nonNegativeInteger(p, "items");
                break;
            case EventTypes.ORDER_PAID:
                e.amount = nonNegativeDecimal(p, "amount");
                break;
            case EventTypes.ORDER_SHIPPED:
                e.carrier = string(p, "carrier");
                break;
            case EventTypes.ORDER_CANCELLED:
                e.reason = string(p, "reason");
                break;
            case EventTypes.AGENT_DECISION:
                e.decisionId = string(p, "decision_id");
                e.decisionType = string(p, "decision_type");
                e.outcome = string(p, "outcome");
                if (!EventTypes.OUTCOMES.contains(e.outcome)) {
                    throw new InvalidEventException(OUT_OF_RANGE, "payload.outcome",
                            "payload.outcome must be one of approved, rejected, escalated, error; got '" + e.outcome + "'");
                }
                e.latencyMs = nonNegativeDecimal(p, "latency_ms").doubleValue();
                e.model = string(p, "model");
                e.inputTokens = nonNegativeInteger(p, "input_tokens");
                e.outputTokens = nonNegativeInteger(p, "output_tokens");
                e.costUsd = nonNegativeDecimal(p, "cost_usd");
                if (e.costUsd.precision() - e.costUsd.scale() > MAX_COST_INTEGER_DIGITS) {
                    throw new InvalidEventException(OUT_OF_RANGE, "payload.cost_usd",
                            "payload.cost_usd must be below 1e" + MAX_COST_INTEGER_DIGITS + ", got " + e.costUsd.toPlainString());
                }
                Val c = field(p, "confidence");
                if (c != null && !c.isNull()) {
                    BigDecimal conf = decimal(c, "payload.confidence");
                    if (conf.signum() < 0 || conf.compareTo(BigDecimal.ONE) > 0) {
                        throw new InvalidEventException(OUT_OF_RANGE, "payload.confidence",
                                "payload.confidence must be in [0,1], got " + conf.toPlainString());
                    }
                    e.confidence = conf.doubleValue();
                }
                break;
            case EventTypes.METRIC_CHANGED:
                BigDecimal v = decimal(required(field(p, "value"), "payload.value"), "payload.value");
                double d = v.doubleValue();
                if (Double.isInfinite(d)) {
                    throw new InvalidEventException(OUT_OF_RANGE, "payload.value", "payload.value is out of the double range");
                }
                e.value = d;
                e.unit = string(p, "unit");
                break;
            default:
                // Unknown type: valid, archived as-is, never applied.
        }
    }

    private static Val required(Val n, String path) throws InvalidEventException {
        if (n == null || n.isNull()) {
            throw new InvalidEventException(MISSING_FIELD, path, path + " is required");
        }
        return n;
    }

    private static String requiredNonEmptyString(Val v, String path) throws InvalidEventException {
        Val n = required(v, path);
        if (n.token != JsonToken.VALUE_STRING) {
            throw new InvalidEventException(WRONG_TYPE, path, path + " must be a string, got " + n.type());
        }
        if (n.text.isEmpty()) {
            throw new InvalidEventException(OUT_OF_RANGE, path, path + " must not be empty");
        }
        return storable(n.text, path);
    }

    private static String string(Val[] payload, String name) throws InvalidEventException {
        String path = "payload." + name;
        Val n = required(field(payload, name), path);
        if (n.token != JsonToken.VALUE_STRING) {
            throw new InvalidEventException(WRONG_TYPE, path, path + " must be a string, got " + n.type());
        }
        return storable(n.text, path);
    }

    private static String key(String s, String path) throws InvalidEventException {
        // UTF-8 takes at most 3 bytes per char (a 4-byte code point is 2 chars): count only when it could matter.
        if (s.length() * 3 > MAX_KEY_BYTES) {
            int bytes = s.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_KEY_BYTES) {
                throw new InvalidEventException(OUT_OF_RANGE, path, path + " is " + bytes + " bytes of UTF-8, at most "
                        + MAX_KEY_BYTES + " (it is part of a Postgres primary key)");
            }
        }
        return s;
    }

    /** {@code s} if every store can hold it unchanged as a column: no NUL, no unpaired surrogate. */
    static String storable(String s, String path) throws InvalidEventException {
        if (s.indexOf('\0') >= 0) {
            throw new InvalidEventException(OUT_OF_RANGE, path, path + " must not contain NUL (U+0000): Postgres text cannot hold it");
        }
        checkPairedSurrogates(s, path);
        return s;
    }

    private static void checkPairedSurrogates(String s, String path) throws InvalidEventException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a pair: one code point above U+FFFF
                continue;
            }
            throw new InvalidEventException(OUT_OF_RANGE, path, path + " holds an unpaired surrogate \\u"
                    + Integer.toHexString(c) + " at char " + i + ": not Unicode text, it has no UTF-8 form");
        }
    }

    /**
     * The archived payload must be Unicode text too. Its JSON is the producer's bytes (escapes
     * kept as written) or a compact copy (escapes decoded): a lone surrogate hides in a
     * {@code \\u} escape or is a char of its own. Neither is there in almost every payload, so
     * the strings are only re-read when one could be.
     */
    private static void checkPayloadSurrogates(String json) throws InvalidEventException {
        boolean suspect = json.contains("\\u");
        for (int i = 0; !suspect && i < json.length(); i++) {
            suspect = Character.isSurrogate(json.charAt(i));
        }
        if (!suspect) {
            return;
        }
        try (JsonParser p = JSON.createParser(json)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) {
                    checkPairedSurrogates(p.getText(), "payload");
                }
            }
        } catch (IOException e) {
            throw new InvalidEventException(MALFORMED_JSON, "payload", "not valid JSON: " + e.getMessage());
        }
    }

    private static long sequence(Val v) throws InvalidEventException {
        Val n = required(v, "sequence");
        if (n.token != JsonToken.VALUE_NUMBER_INT) {
            throw new InvalidEventException(WRONG_TYPE, "sequence", "sequence must be an integer, got " + n);
        }
        BigInteger b = new BigInteger(n.text);
        if (b.signum() <= 0 || b.bitLength() > 63) {
            throw new InvalidEventException(OUT_OF_RANGE, "sequence", "sequence must be >= 1 (and fit 64 bits), got " + b);
        }
        return b.longValueExact();
    }

    /**
     * The regex has checked the shape and captured the parts; java.time's factories check the
     * ranges (month 13, February 30, hour 24 fail). Measured: about ten times cheaper than
     * {@code OffsetDateTime.parse} with ISO_OFFSET_DATE_TIME, which was 19 % of the source task.
     */
    private static long occurredAt(Val v) throws InvalidEventException {
        Val n = required(v, "occurred_at");
        if (n.token != JsonToken.VALUE_STRING) {
            throw new InvalidEventException(WRONG_TYPE, "occurred_at", "occurred_at must be an RFC 3339 string, got " + n.type());
        }
        String s = n.text;
        Matcher m = OCCURRED_AT.matcher(s);
        if (!m.matches()) {
            throw new InvalidEventException(OUT_OF_RANGE, "occurred_at",
                    "occurred_at must be RFC 3339 with a zone and at least millisecond precision, got '" + s + "'");
        }
        try {
            LocalDate date = LocalDate.of(num(m, 1), num(m, 2), num(m, 3));
            LocalTime time = LocalTime.of(num(m, 4), num(m, 5), num(m, 6));
            String fraction = m.group(7);
            // 3 to 9 digits; finer than microseconds is truncated, as the event model keeps micros.
            int micros = fraction.length() >= 6 ? Integer.parseInt(fraction.substring(0, 6))
                    : Integer.parseInt(fraction) * (fraction.length() == 3 ? 1000 : fraction.length() == 4 ? 100 : 10);
            int offsetSeconds = 0;
            if (m.group(8) != null) {
                ZoneOffset offset = ZoneOffset.ofHoursMinutes(num(m, 9), num(m, 10));
                offsetSeconds = "-".equals(m.group(8)) ? -offset.getTotalSeconds() : offset.getTotalSeconds();
            }
            long seconds = date.toEpochDay() * 86_400L + time.toSecondOfDay() - offsetSeconds;
            if (seconds < 0 || seconds > MAX_ARCHIVE_SECONDS) {
                throw new InvalidEventException(OUT_OF_RANGE, "occurred_at", "occurred_at must be within 1970-01-01T00:00:00Z"
                        + " .. 2106-02-07T06:28:15Z (the archive's DateTime range), got '" + s + "'");
            }
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), micros);
        } catch (DateTimeException | ArithmeticException ex) {
            throw new InvalidEventException(OUT_OF_RANGE, "occurred_at", "occurred_at is not a valid date-time: '" + s + "'");
        }
    }

    private static int num(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }

    /** A JSON number or a decimal string, exact. */
    private static BigDecimal decimal(Val n, String path) throws InvalidEventException {
        if (n.token == JsonToken.VALUE_NUMBER_INT || n.token == JsonToken.VALUE_NUMBER_FLOAT) {
            try {
                return new BigDecimal(n.text);
            } catch (NumberFormatException ex) {
                throw new InvalidEventException(OUT_OF_RANGE, path, path + " is out of range: " + n.text);
            }
        }
        if (n.token == JsonToken.VALUE_STRING) {
            String s = n.text.trim();
            if (DECIMAL_STRING.matcher(s).matches()) {
                try {
                    return new BigDecimal(s);
                } catch (NumberFormatException ex) {
                    // fall through to the error below (e.g. an exponent out of range)
                }
            }
            throw new InvalidEventException(WRONG_TYPE, path, path + " must be a number or a decimal string, got '" + n.text + "'");
        }
        throw new InvalidEventException(WRONG_TYPE, path, path + " must be a number, got " + n.type());
    }

    private static BigDecimal nonNegativeDecimal(Val[] payload, String name) throws InvalidEventException {
        String path = "payload." + name;
        BigDecimal d = decimal(required(field(payload, name), path), path);
        if (d.signum() < 0) {
            throw new InvalidEventException(OUT_OF_RANGE, path, path + " must be >= 0, got " + d.toPlainString());
        }
        return d;
    }

    private static long nonNegativeInteger(Val[] payload, String name) throws InvalidEventException {
        String path = "payload." + name;
        BigDecimal d = nonNegativeDecimal(payload, name);
        try {
            return d.stripTrailingZeros().toBigIntegerExact().longValueExact();
        } catch (ArithmeticException ex) {
            throw new InvalidEventException(WRONG_TYPE, path, path + " must be an integer, got " + d.toPlainString());
        }
    }
}
