package dev.shoestring.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import dev.shoestring.sql.SqlScripts;
import java.io.IOException;
import java.util.List;

/**
 * Applies the DDL of {@code sql/clickhouse/} (shipped inside the jar) idempotently: the database,
 * then each table (CREATE ... IF NOT EXISTS). Runs once in the client before the job starts.
 * The files run as they are, comments included: 18.16 accepts them.
 */
public final class ClickHouseSchema {
    /** In order. {@code {database}} stands for the configured, checked database identifier. */
    static final List<String> SCRIPTS = List.of(
            "sql/clickhouse/V001__events.sql",
            "sql/clickhouse/V002__agent_decision_metrics_1m.sql");

    private ClickHouseSchema() {}

    public static void apply(ClickHouseSettings settings) throws IOException {
        try (Client client = ClickHouseClients.create(settings)) {
            execute(client, "CREATE DATABASE IF NOT EXISTS " + settings.database);
            for (String script : SCRIPTS) {
                execute(client, SqlScripts.read(script).replace("{database}", settings.database));
            }
        }
    }

    /** A statement whose result does not matter; server errors surface as exceptions. */
    static void execute(Client client, String sql) {
        try (QueryResponse ignored = client.query(sql, ClickHouseClients.querySettings()).join()) {
            // DDL returns no rows
        } catch (Exception e) {
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new IllegalStateException(e);
        }
    }
}
