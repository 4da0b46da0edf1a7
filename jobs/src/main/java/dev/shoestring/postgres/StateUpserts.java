package dev.shoestring.postgres;

import dev.shoestring.event.EventTypes;
import dev.shoestring.projection.AggregateState;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The version-guarded upserts, one statement per table and flush: each column's values are bound
 * as one array parameter and the rows come from {@code unnest}, so a flush of thousands of
 * aggregates is one statement per table instead of one per row. Values are always bound as
 * parameters. The {@code WHERE t.version < EXCLUDED.version} guard makes a write idempotent and
 * monotonic: a replayed or re-ordered flush can never replace a row with an older one.
 *
 * <p>Measured (JFR, bench topic, 1M aggregates): the per-row JDBC batch (bind and encode 6 to 13
 * parameters per row, one executor start per row on the server) was 45 % of the projector task.
 * A flush never holds a key twice (the writer coalesces per aggregate), as ON CONFLICT DO UPDATE
 * requires within one statement.
 */
final class StateUpserts {
    static final String ORDERS = "INSERT INTO orders AS t (tenant_id, order_id, customer_id, status, amount, paid_amount,"
            + " currency, items, created_at, updated_at, version)"
            + " SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::numeric[], ?::numeric[], ?::text[],"
            + " ?::bigint[], ?::timestamptz[], ?::timestamptz[], ?::bigint[])"
            + " ON CONFLICT (tenant_id, order_id) DO UPDATE SET customer_id = EXCLUDED.customer_id,"
            + " status = EXCLUDED.status, amount = EXCLUDED.amount, paid_amount = EXCLUDED.paid_amount,"
            + " currency = EXCLUDED.currency, items = EXCLUDED.items, created_at = EXCLUDED.created_at,"
            + " updated_at = EXCLUDED.updated_at, version = EXCLUDED.version"
            + " WHERE t.version < EXCLUDED.version";

    static final String AGENTS = "INSERT INTO agents AS t (tenant_id, agent_id, decisions, approved, rejected, escalated,"
            + " errors, cost_usd, input_tokens, output_tokens, last_decision_at, last_outcome, version)"
            + " SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],"
            + " ?::numeric[], ?::bigint[], ?::bigint[], ?::timestamptz[], ?::text[], ?::bigint[])"
            + " ON CONFLICT (tenant_id, agent_id) DO UPDATE SET decisions = EXCLUDED.decisions,"
            + " approved = EXCLUDED.approved, rejected = EXCLUDED.rejected, escalated = EXCLUDED.escalated,"
            + " errors = EXCLUDED.errors, cost_usd = EXCLUDED.cost_usd, input_tokens = EXCLUDED.input_tokens,"
            + " output_tokens = EXCLUDED.output_tokens, last_decision_at = EXCLUDED.last_decision_at,"
            + " last_outcome = EXCLUDED.last_outcome, version = EXCLUDED.version"
            + " WHERE t.version < EXCLUDED.version";

    static final String METRICS = "INSERT INTO metrics_current AS t (tenant_id, name, value, unit, updated_at, version)"
            + " SELECT * FROM unnest(?::text[], ?::text[], ?::float8[], ?::text[], ?::timestamptz[], ?::bigint[])"
            + " ON CONFLICT (tenant_id, name) DO UPDATE SET value = EXCLUDED.value, unit = EXCLUDED.unit,"
            + " updated_at = EXCLUDED.updated_at, version = EXCLUDED.version"
            + " WHERE t.version < EXCLUDED.version";

    /** The Postgres type of each array parameter, in order, per table. */
    private static final String[] ORDER_TYPES = {"text", "text", "text", "text", "numeric", "numeric", "text", "int8",
            "timestamptz", "timestamptz", "int8"};
    private static final String[] AGENT_TYPES = {"text", "text", "int8", "int8", "int8", "int8", "int8", "numeric", "int8",
            "int8", "timestamptz", "text", "int8"};
    private static final String[] METRIC_TYPES = {"text", "text", "float8", "text", "timestamptz", "int8"};

    /** Exact to the microsecond, with the offset, in a form Postgres' timestamptz input reads. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx");

    private StateUpserts() {}

    static String sqlFor(String kind) {
        switch (kind) {
            case EventTypes.KIND_ORDER: return ORDERS;
            case EventTypes.KIND_AGENT: return AGENTS;
            case EventTypes.KIND_METRIC: return METRICS;
            default: throw new IllegalArgumentException("no state table for aggregate kind " + kind);
        }
    }

    private static String[] typesFor(String kind) {
        switch (kind) {
            case EventTypes.KIND_ORDER: return ORDER_TYPES;
            case EventTypes.KIND_AGENT: return AGENT_TYPES;
            case EventTypes.KIND_METRIC: return METRIC_TYPES;
            default: throw new IllegalArgumentException("no state table for aggregate kind " + kind);
        }
    }

    /** Binds the rows of one table (all of {@code kind}, distinct keys) as one array per column. */
    static void bind(Connection c, PreparedStatement ps, String kind, List<AggregateState> rows) throws SQLException {
        String[] types = typesFor(kind);
        String[][] columns = new String[types.length][rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            String[] row = row(rows.get(r));
            for (int col = 0; col < types.length; col++) {
                columns[col][r] = row[col];
            }
        }
        for (int col = 0; col < types.length; col++) {
            ps.setArray(col + 1, c.createArrayOf(types[col], columns[col]));
        }
    }

    /**
     * One row's column values as Postgres text input: exact (BigDecimal's plain string, a
     * double's shortest round-trip form, microsecond timestamps), null for SQL NULL.
     */
    static String[] row(AggregateState s) {
        switch (s.kind) {
            case EventTypes.KIND_ORDER:
                return new String[] {s.tenantId, s.aggregateId, s.customerId, s.status, plain(s.amount), plain(s.paidAmount),
                        s.currency, s.items == null ? null : Long.toString(s.items),
                        s.createdAtMicros == null ? null : timestamp(s.createdAtMicros), timestamp(s.updatedAtMicros),
                        Long.toString(s.version)};
            case EventTypes.KIND_AGENT:
                return new String[] {s.tenantId, s.aggregateId, Long.toString(s.decisions), Long.toString(s.approved),
                        Long.toString(s.rejected), Long.toString(s.escalated), Long.toString(s.errors), plain(s.costUsd),
                        Long.toString(s.inputTokens), Long.toString(s.outputTokens), timestamp(s.updatedAtMicros),
                        s.lastOutcome, Long.toString(s.version)};
            case EventTypes.KIND_METRIC:
                return new String[] {s.tenantId, s.aggregateId, s.value == null ? null : Double.toString(s.value), s.unit,
                        timestamp(s.updatedAtMicros), Long.toString(s.version)};
            default:
                throw new IllegalArgumentException("no state table for aggregate kind " + s.kind);
        }
    }

    private static String plain(BigDecimal d) {
        return d == null ? null : d.toPlainString();
    }

    static String timestamp(long epochMicros) {
        Instant t = Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L),
                Math.floorMod(epochMicros, 1_000_000L) * 1000L);
        return TIMESTAMP.format(OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
    }
}
