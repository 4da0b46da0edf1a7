package dev.shoestring.event;

import static dev.shoestring.event.InvalidEventException.Reason.MALFORMED_JSON;
import static dev.shoestring.event.InvalidEventException.Reason.MISSING_FIELD;
import static dev.shoestring.event.InvalidEventException.Reason.NOT_AN_OBJECT;
import static dev.shoestring.event.InvalidEventException.Reason.OUT_OF_RANGE;
import static dev.shoestring.event.InvalidEventException.Reason.WRONG_TYPE;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Parses and validates one record value against CONTRACT §1. Thread-safe and stateless.
 *
 * <p>Strictness choices, where the contract leaves room: duplicate JSON keys and trailing data
 * make a record invalid (a producer bug we would rather surface than guess at); top-level
 * {@code sequence} must be a JSON integer, while payload numbers may also be decimal strings
 * (as the contract allows); decimals are kept exact as {@link BigDecimal}.
 */
public final class EventParser {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Keep "19.90" as written: the archived payload is the producer's JSON, not a rewrite.
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    /** A reader, not readTree: only readers honour FAIL_ON_TRAILING_TOKENS. */
    private static final ObjectReader READER = MAPPER.readerFor(JsonNode.class);

    /** {@code <aggregate>.<verb>}: two non-empty parts of word characters and dashes. */
    private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    /**
     * RFC 3339 date-time with a zone (Z or +hh:mm) and at least millisecond precision. The regex
     * checks the shape (RFC 3339 allows lower-case t and z); java.time checks the ranges.
     */
    private static final Pattern OCCURRED_AT = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}\\.\\d{3,9}([Zz]|[+-]\\d{2}:\\d{2})");
    private static final Pattern DECIMAL_STRING = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern CURRENCY = Pattern.compile("[A-Za-z]{3}");

    /**
     * ClickHouse's portable DateTime is unsigned 32-bit seconds: an event outside it could not be
     * archived, so it is invalid here (and goes to the dead-letter topic) rather than failing a sink.
     */
    static final long MAX_ARCHIVE_SECONDS = 4_294_967_295L;
    /** Decimal(38, 12) in ClickHouse leaves 26 integer digits for a window's sum; 20 per decision keeps room. */
    static final int MAX_COST_INTEGER_DIGITS = 20;

    private EventParser() {}

    public static Event parse(byte[] value) throws InvalidEventException {
        if (value == null) {
            throw new InvalidEventException(MALFORMED_JSON, null, "record has no value");
        }
        JsonNode root;
        try {
            root = value.length == 0 ? null : READER.readValue(value);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(MALFORMED_JSON, null, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEventException(MALFORMED_JSON, null, "not valid JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidEventException(MALFORMED_JSON, null, "empty value");
        }
        if (!root.isObject()) {
            throw new InvalidEventException(NOT_AN_OBJECT, null, "value is JSON " + root.getNodeType() + ", not an object");
        }

        Event e = new Event();
        e.eventId = requiredNonEmptyString(root, "event_id", "event_id");
        e.eventType = requiredNonEmptyString(root, "event_type", "event_type");
        if (!EVENT_TYPE.matcher(e.eventType).matches()) {
            throw new InvalidEventException(OUT_OF_RANGE, "event_type",
                    "event_type must be <aggregate>.<verb>, got '" + e.eventType + "'");
        }
        e.tenantId = requiredNonEmptyString(root, "tenant_id", "tenant_id");
        e.aggregateId = requiredNonEmptyString(root, "aggregate_id", "aggregate_id");
        e.sequence = sequence(root);
        e.occurredAtMicros = occurredAt(root);

        JsonNode payload = required(root, "payload", "payload");
        if (!payload.isObject()) {
            throw new InvalidEventException(WRONG_TYPE, "payload", "payload must be an object, got " + payload.getNodeType());
        }
        e.payloadJson = payload.toString();
        parsePayload(e, payload);
        return e;
    }

    private static void parsePayload(Event e, JsonNode p) throws InvalidEventException {
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
                JsonNode c = p.get("confidence");
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
                BigDecimal v = decimal(required(p, "value", "payload.value"), "payload.value");
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

    private static JsonNode required(JsonNode obj, String name, String path) throws InvalidEventException {
        JsonNode n = obj.get(name);
        if (n == null || n.isNull()) {
            throw new InvalidEventException(MISSING_FIELD, path, path + " is required");
        }
        return n;
    }

    private static String requiredNonEmptyString(JsonNode obj, String name, String path) throws InvalidEventException {
        JsonNode n = required(obj, name, path);
        if (!n.isTextual()) {
            throw new InvalidEventException(WRONG_TYPE, path, path + " must be a string, got " + n.getNodeType());
        }
        String s = n.textValue();
        if (s.isEmpty()) {
            throw new InvalidEventException(OUT_OF_RANGE, path, path + " must not be empty");
        }
        return s;
    }

    private static String string(JsonNode payload, String name) throws InvalidEventException {
        String path = "payload." + name;
        JsonNode n = required(payload, name, path);
        if (!n.isTextual()) {
            throw new InvalidEventException(WRONG_TYPE, path, path + " must be a string, got " + n.getNodeType());
        }
        return n.textValue();
    }

    private static long sequence(JsonNode root) throws InvalidEventException {
        JsonNode n = required(root, "sequence", "sequence");
        if (!n.isIntegralNumber()) {
            throw new InvalidEventException(WRONG_TYPE, "sequence", "sequence must be an integer, got " + n);
        }
        BigInteger b = n.bigIntegerValue();
        if (b.signum() <= 0 || b.bitLength() > 63) {
            throw new InvalidEventException(OUT_OF_RANGE, "sequence", "sequence must be >= 1 (and fit 64 bits), got " + b);
        }
        return b.longValueExact();
    }

    private static long occurredAt(JsonNode root) throws InvalidEventException {
        JsonNode n = required(root, "occurred_at", "occurred_at");
        if (!n.isTextual()) {
            throw new InvalidEventException(WRONG_TYPE, "occurred_at", "occurred_at must be an RFC 3339 string, got " + n.getNodeType());
        }
        String s = n.textValue();
        if (!OCCURRED_AT.matcher(s).matches()) {
            throw new InvalidEventException(OUT_OF_RANGE, "occurred_at",
                    "occurred_at must be RFC 3339 with a zone and at least millisecond precision, got '" + s + "'");
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(s.replace('t', 'T').replace('z', 'Z'), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            long seconds = t.toEpochSecond();
            if (seconds < 0 || seconds > MAX_ARCHIVE_SECONDS) {
                throw new InvalidEventException(OUT_OF_RANGE, "occurred_at", "occurred_at must be within 1970-01-01T00:00:00Z"
                        + " .. 2106-02-07T06:28:15Z (the archive's DateTime range), got '" + s + "'");
            }
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), t.getNano() / 1000);
        } catch (DateTimeException | ArithmeticException ex) {
            throw new InvalidEventException(OUT_OF_RANGE, "occurred_at", "occurred_at is not a valid date-time: '" + s + "'");
        }
    }

    /** A JSON number or a decimal string, exact. */
    static BigDecimal decimal(JsonNode n, String path) throws InvalidEventException {
        if (n.isNumber()) {
            return n.decimalValue();
        }
        if (n.isTextual()) {
            String s = n.textValue().trim();
            if (DECIMAL_STRING.matcher(s).matches()) {
                try {
                    return new BigDecimal(s);
                } catch (NumberFormatException ex) {
                    // fall through to the error below (e.g. an exponent out of range)
                }
            }
            throw new InvalidEventException(WRONG_TYPE, path, path + " must be a number or a decimal string, got '" + n.textValue() + "'");
        }
        throw new InvalidEventException(WRONG_TYPE, path, path + " must be a number, got " + n.getNodeType());
    }

    private static BigDecimal nonNegativeDecimal(JsonNode payload, String name) throws InvalidEventException {
        String path = "payload." + name;
        BigDecimal d = decimal(required(payload, name, path), path);
        if (d.signum() < 0) {
            throw new InvalidEventException(OUT_OF_RANGE, path, path + " must be >= 0, got " + d.toPlainString());
        }
        return d;
    }

    private static long nonNegativeInteger(JsonNode payload, String name) throws InvalidEventException {
        String path = "payload." + name;
        BigDecimal d = nonNegativeDecimal(payload, name);
        try {
            return d.stripTrailingZeros().toBigIntegerExact().longValueExact();
        } catch (ArithmeticException ex) {
            throw new InvalidEventException(WRONG_TYPE, path, path + " must be an integer, got " + d.toPlainString());
        }
    }
}
