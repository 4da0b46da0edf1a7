package dev.shoestring.postgres;

import dev.shoestring.config.ConfigException;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.sink.SinkHealth;
import dev.shoestring.sql.SqlScripts;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the DDL of {@code sql/postgres/} (shipped inside the jar) idempotently. Runs once in the
 * client before the job starts, under an advisory lock so two starting jobs do not race.
 *
 * <p>Two roles: the DDL runs as {@code postgres.ddl-user} (the tables' owner); the job writes as
 * {@code postgres.user}, which needs no more than sql/postgres/roles.sql gives
 * {@code shoestring_writer}. Without a DDL role the job's role applies the DDL when it may create
 * tables in its schema; when it may not (the least-privilege setup, the DDL applied beforehand)
 * it only checks. Either way the job's role must then be able to INSERT, UPDATE and SELECT each
 * state table, or start-up fails naming {@code postgres.user}.
 */
public final class PostgresSchema {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSchema.class);

    /** In order; each file is idempotent (CREATE ... IF NOT EXISTS, GRANT). */
    static final List<String> SCRIPTS = List.of(
            "sql/postgres/V001__state_tables.sql",
            "sql/postgres/V002__grants.sql");
    /** The tables the job writes (sql/postgres/V001__state_tables.sql). */
    static final List<String> TABLES = List.of("orders", "agents", "metrics_current");
    private static final long LOCK_ID = 0x5405_7121L;

    private PostgresSchema() {}

    /** One role for both. */
    public static void apply(PostgresSettings settings) throws SQLException, IOException {
        apply(settings, settings);
    }

    public static void apply(PostgresSettings ddl, PostgresSettings job) throws SQLException, IOException {
        boolean sameRole = ddl.user == null ? job.user == null : ddl.user.equals(job.user);
        try (Connection c = connect(ddl, sameRole ? ShoestringConfig.PG_USER : ShoestringConfig.PG_DDL_USER)) {
            if (mayCreateTables(c)) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_xact_lock(" + LOCK_ID + ")");
                    for (String script : SCRIPTS) {
                        st.execute(SqlScripts.read(script));
                    }
                }
                c.commit();
            } else if (!sameRole) {
                throw new ConfigException(ShoestringConfig.PG_DDL_USER, "role '" + ddl.user + "' may not create tables in"
                        + " schema " + currentSchema(c) + ": name the tables' owner (or a role with CREATE on the schema)");
            } else {
                LOG.info("Postgres role '{}' may not create tables; checking that the state tables exist instead", job.user);
            }
        }
        checkCanWrite(job, sameRole);
    }

    /**
     * A refused login (SQLSTATE class 28: no such role, wrong password) is a setting to fix, not
     * a server to wait for: it fails start-up naming the key instead of being retried.
     */
    private static Connection connect(PostgresSettings s, String key) throws SQLException {
        try {
            return s.connect();
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("28")) {
                throw new ConfigException(key, "role '" + s.user + "' cannot log in to " + SinkHealth.endpoint(s.url) + " (" + e.getMessage()
                        + "); its password comes from " + (key.equals(ShoestringConfig.PG_USER)
                                ? "SHOESTRING_POSTGRES_PASSWORD" : "SHOESTRING_POSTGRES_DDL_PASSWORD"));
            }
            throw e;
        }
    }

    /** True if the connected role may create tables in the schema unqualified names resolve to. */
    private static boolean mayCreateTables(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_schema() IS NOT NULL"
                        + " AND has_schema_privilege(current_schema(), 'CREATE')")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static String currentSchema(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_schema()")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * The job's role sees each table and may INSERT, UPDATE and SELECT it (the upsert reads the
     * existing row's version and the proposed row). Table names are constants, bound anyway.
     */
    static void checkCanWrite(PostgresSettings job, boolean sameRole) throws SQLException {
        List<String> missing = new ArrayList<>();
        List<String> denied = new ArrayList<>();
        try (Connection c = connect(job, ShoestringConfig.PG_USER);
                // One privilege per call: a list ('INSERT, UPDATE') means any of them.
                PreparedStatement ps = c.prepareStatement("SELECT r IS NOT NULL, coalesce(has_table_privilege(r, 'INSERT')"
                        + " AND has_table_privilege(r, 'UPDATE') AND has_table_privilege(r, 'SELECT'), false)"
                        + " FROM (SELECT to_regclass(?) AS r) t")) {
            for (String table : TABLES) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        missing.add(table);
                    } else if (!rs.getBoolean(2)) {
                        denied.add(table);
                    }
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException(sameRole ? ShoestringConfig.PG_USER : ShoestringConfig.PG_DDL_USER,
                    "tables " + missing + " are not visible to role '" + job.user + "'" + (sameRole
                            ? ", which may not create them: set postgres.ddl-user to the tables' owner, or apply the DDL"
                                    + " with `bin/shoestring schema`"
                            : " after the DDL ran: does postgres.url (currentSchema) point both roles at the same schema?"));
        }
        if (!denied.isEmpty()) {
            throw new ConfigException(ShoestringConfig.PG_USER, "role '" + job.user + "' may not INSERT, UPDATE and"
                    + " SELECT tables " + denied + ": GRANT shoestring_writer TO " + job.user
                    + " (sql/postgres/roles.sql) and apply the DDL again (it grants shoestring_writer its rights)");
        }
    }
}
