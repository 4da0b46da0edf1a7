package dev.shoestring.postgres;

import dev.shoestring.event.EventTypes;
import dev.shoestring.projection.AggregateState;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The version-guarded upserts, one per table. Values are always bound as parameters. The
 * {@code WHERE t.version < EXCLUDED.version} guard makes a write idempotent and monotonic: a
 * replayed or re-ordered flush can never replace a row with an older one.
 */
final class StateUpserts {
    static final String ORDERS = "INSERT INTO orders AS t (tenant_id, order_id, customer_id, status, amount, paid_amount,"
            + " currency, items, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
            + " ON CONFLICT (tenant_id, order_id) DO UPDATE SET customer_id = EXCLUDED.customer_id,"
            + " status = EXCLUDED.status, amount = EXCLUDED.amount, paid_amount = EXCLUDED.paid_amount,"
            + " currency = EXCLUDED.currency, items = EXCLUDED.items, created_at = EXCLUDED.created_at,"
            + " updated_at = EXCLUDED.updated_at, version = EXCLUDED.version"
            + " WHERE t.version < EXCLUDED.version";

    static final String AGENTS = "INSERT INTO agents AS t (tenant_id, agent_id, decisions, approved, rejected, escalated,"
            + " errors, cost_usd, input_tokens, output_tokens, last_decision_at, last_outcome, version)"
            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
            + " ON CONFLICT (tenant_id, agent_id) DO UPDATE SET decisions = EXCLUDED.decisions,"
            + " approved = EXCLUDED.approved, rejected = EXCLUDED.rejected, escalated = EXCLUDED.escalated,"
            + " errors = EXCLUDED.errors, cost_usd = EXCLUDED.cost_usd, input_tokens = EXCLUDED.input_tokens,"
            + " output_tokens = EXCLUDED.output_tokens, last_decision_at = EXCLUDED.last_decision_at,"
            + " last_outcome = EXCLUDED.last_outcome, version = EXCLUDED.version"
            + " WHERE t.version < EXCLUDED.version";

    static final String METRICS = "INSERT INTO metrics_current AS t (tenant_id, name, value, unit, updated_at, version)"
            + " VALUES (?,?,?,?,?,?)"
            + " ON CONFLICT (tenant_id, name) DO UPDATE SET value = EXCLUDED.value, unit = EXCLUDED.unit,"
            + " updated_at = EXCLUDED.updated_at, version = EXCLUDED.version"
            + " WHERE t.version < EXCLUDED.version";

    private StateUpserts() {}

    static String sqlFor(String kind) {
        switch (kind) {
            case EventTypes.KIND_ORDER: return ORDERS;
            case EventTypes.KIND_AGENT: return AGENTS;
            case EventTypes.KIND_METRIC: return METRICS;
            default: throw new IllegalArgumentException("no state table for aggregate kind " + kind);
        }
    }

    static void bind(PreparedStatement ps, AggregateState s) throws SQLException {
        int i = 1;
        ps.setString(i++, s.tenantId);
        ps.setString(i++, s.aggregateId);
        switch (s.kind) {
            case EventTypes.KIND_ORDER:
                ps.setString(i++, s.customerId);
                ps.setString(i++, s.status);
                ps.setBigDecimal(i++, s.amount);
                ps.setBigDecimal(i++, s.paidAmount);
                ps.setString(i++, s.currency);
                if (s.items == null) ps.setNull(i++, Types.BIGINT); else ps.setLong(i++, s.items);
                if (s.createdAtMicros == null) ps.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
                else ps.setObject(i++, timestamp(s.createdAtMicros));
                ps.setObject(i++, timestamp(s.updatedAtMicros));
                ps.setLong(i, s.version);
                break;
            case EventTypes.KIND_AGENT:
                ps.setLong(i++, s.decisions);
                ps.setLong(i++, s.approved);
                ps.setLong(i++, s.rejected);
                ps.setLong(i++, s.escalated);
                ps.setLong(i++, s.errors);
                ps.setBigDecimal(i++, s.costUsd);
                ps.setLong(i++, s.inputTokens);
                ps.setLong(i++, s.outputTokens);
                ps.setObject(i++, timestamp(s.updatedAtMicros));
                ps.setString(i++, s.lastOutcome);
                ps.setLong(i, s.version);
                break;
            case EventTypes.KIND_METRIC:
                ps.setDouble(i++, s.value);
                ps.setString(i++, s.unit);
                ps.setObject(i++, timestamp(s.updatedAtMicros));
                ps.setLong(i, s.version);
                break;
            default:
                throw new IllegalArgumentException("no state table for aggregate kind " + s.kind);
        }
    }

    static OffsetDateTime timestamp(long epochMicros) {
        Instant t = Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L),
                Math.floorMod(epochMicros, 1_000_000L) * 1000L);
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
