package dev.shoestring.udfs;

import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code AGGREGATE_KIND(event_type)}: the aggregate kind of an event type, the part before the
 * dot (CONTRACT §1), e.g. {@code 'order'} for {@code 'order.paid'}. NULL for NULL or for a type
 * without the {@code <aggregate>.<verb>} shape.
 *
 * <pre>CREATE FUNCTION AGGREGATE_KIND AS 'dev.shoestring.udfs.AggregateKind';</pre>
 */
public class AggregateKind extends ScalarFunction {
    public String eval(String eventType) {
        if (eventType == null) {
            return null;
        }
        int dot = eventType.indexOf('.');
        if (dot <= 0 || dot == eventType.length() - 1 || eventType.indexOf('.', dot + 1) >= 0) {
            return null;
        }
        return eventType.substring(0, dot);
    }
}
