package dev.shoestring.udfs;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code EVENT_TIME_MILLIS(occurred_at)}: epoch milliseconds of an RFC 3339 timestamp with a zone
 * ({@code Z} or an offset such as {@code +02:00}), as the contract's {@code occurred_at} is (CONTRACT
 * §1). Flink's JSON format and {@code TO_TIMESTAMP_LTZ(string)} read only the UTC {@code Z} form, so
 * a producer's {@code +02:00} would be lost without it. Sub-millisecond digits are truncated, like the
 * DataStream job does. NULL for NULL or unparseable input.
 *
 * <pre>CREATE FUNCTION EVENT_TIME_MILLIS AS 'dev.shoestring.udfs.EventTimeMillis';
 * ... event_time AS TO_TIMESTAMP_LTZ(EVENT_TIME_MILLIS(occurred_at), 3)</pre>
 */
public class EventTimeMillis extends ScalarFunction {
    public Long eval(String rfc3339) {
        if (rfc3339 == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(rfc3339.trim()).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }
}
