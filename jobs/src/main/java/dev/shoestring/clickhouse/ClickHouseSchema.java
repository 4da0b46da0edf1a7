package dev.shoestring.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.data.ClickHouseFormat;
import dev.shoestring.config.ConfigException;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.sink.SinkHealth;
import dev.shoestring.sql.SqlScripts;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the DDL of {@code sql/clickhouse/} (shipped inside the jar) idempotently: the database,
 * then each table (CREATE ... IF NOT EXISTS). Runs once in the client before the job starts.
 * The files run as they are, comments included: 18.16 accepts them.
 *
 * <p>Two users: the DDL runs as {@code clickhouse.ddl-user}; the job inserts as
 * {@code clickhouse.user}, which then needs no right but INSERT (sql/clickhouse/roles.sql, or
 * the users.xml profile on 18.16). Without a DDL user the job's user applies the DDL if it may;
 * if the server refuses it the DDL rights, it only checks. Either way the job's user then inserts
 * zero rows into each table: that proves the tables exist and that it may write them, before the
 * job runs, without writing anything.
 */
public final class ClickHouseSchema {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSchema.class);

    /** In order. {@code {database}} stands for the configured, checked database identifier. */
    static final List<String> SCRIPTS = List.of(
            "sql/clickhouse/V001__events.sql",
            "sql/clickhouse/V002__agent_decision_metrics_1m.sql");

    /** The tables the job inserts into, with their columns. */
    private static final List<RowEncoder<?>> TABLES = List.of(new EventRowEncoder(), new WindowRowEncoder());

    /**
     * "Not allowed" answers: READONLY (164), DATABASE_ACCESS_DENIED (291), QUERY_IS_PROHIBITED
     * (392: allow_ddl = 0 on 18.16), ACCESS_DENIED (497: SQL access control, 20.5+).
     */
    private static final Set<Integer> REFUSED = Set.of(164, 291, 392, 497);
    /** UNKNOWN_TABLE (60), UNKNOWN_DATABASE (81). */
    private static final Set<Integer> MISSING = Set.of(60, 81);
    /** UNKNOWN_USER (192), WRONG_PASSWORD (193), REQUIRED_PASSWORD (194), AUTHENTICATION_FAILED (516). */
    private static final Set<Integer> NOT_AUTHENTICATED = Set.of(192, 193, 194, 516);

    private ClickHouseSchema() {}

    /** One user for both: applies the DDL and checks it may insert. */
    public static void apply(ClickHouseSettings settings) throws IOException {
        apply(settings, settings);
    }

    public static void apply(ClickHouseSettings ddl, ClickHouseSettings job) throws IOException {
        boolean sameUser = ddl.user.equals(job.user);
        try (Client client = ClickHouseClients.create(ddl)) {
            execute(client, "CREATE DATABASE IF NOT EXISTS " + ddl.database);
            for (String script : SCRIPTS) {
                execute(client, SqlScripts.read(script).replace("{database}", ddl.database));
            }
        } catch (RuntimeException e) {
            int code = ClickHouseWriter.serverCode(e);
            if (NOT_AUTHENTICATED.contains(code)) {
                throw notAuthenticated(sameUser ? ShoestringConfig.CH_USER : ShoestringConfig.CH_DDL_USER, ddl, e);
            }
            if (!REFUSED.contains(code)) {
                throw e;
            }
            if (!sameUser) {
                throw new ConfigException(ShoestringConfig.CH_DDL_USER, "user '" + ddl.user + "' may not apply the DDL"
                        + " to database " + ddl.database + " (" + rootMessage(e) + "); grant it shoestring_ddl"
                        + " (sql/clickhouse/roles.sql) or name the database's owner");
            }
            LOG.info("ClickHouse user '{}' may not apply the DDL ({}); checking that the tables exist instead",
                    ddl.user, rootMessage(e));
        }
        checkCanInsert(job, sameUser);
    }

    /** Inserts zero rows into each table as the job's user. */
    static void checkCanInsert(ClickHouseSettings job, boolean sameUser) {
        try (Client client = ClickHouseClients.create(job)) {
            for (RowEncoder<?> table : TABLES) {
                String name = job.qualify(table.table());
                try (InsertResponse ignored = client.insert(name, table.columns(), out -> { }, ClickHouseFormat.RowBinary,
                        new InsertSettings()).join()) {
                    // zero rows: nothing written
                } catch (Exception e) {
                    int code = ClickHouseWriter.serverCode(e);
                    if (NOT_AUTHENTICATED.contains(code)) {
                        throw notAuthenticated(ShoestringConfig.CH_USER, job, e);
                    }
                    if (MISSING.contains(code)) {
                        throw new ConfigException(ShoestringConfig.CH_DATABASE, "table " + name + " does not exist"
                                + (sameUser ? " and user '" + job.user + "' may not create it: set clickhouse.ddl-user"
                                        + " to a user that may, or apply the DDL with `bin/shoestring schema`" : ""));
                    }
                    if (REFUSED.contains(code)) {
                        throw new ConfigException(ShoestringConfig.CH_USER, "user '" + job.user + "' may not insert into "
                                + name + " (" + rootMessage(e) + ")");
                    }
                    throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
                }
            }
        }
    }

    private static ConfigException notAuthenticated(String key, ClickHouseSettings s, Throwable e) {
        return new ConfigException(key, "user '" + s.user + "' cannot log in to " + SinkHealth.endpoint(s.url) + " (" + rootMessage(e)
                + "); its password comes from " + (key.equals(ShoestringConfig.CH_USER)
                        ? "SHOESTRING_CLICKHOUSE_PASSWORD" : "SHOESTRING_CLICKHOUSE_DDL_PASSWORD"));
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

    /** The server's own message when there is one (its first line), else the exception's. */
    private static String rootMessage(Throwable e) {
        Throwable se = ClickHouseWriter.serverException(e);
        String msg = String.valueOf((se != null ? se : e).getMessage());
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }
}
