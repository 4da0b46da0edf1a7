package dev.shoestring.postgres;

import dev.shoestring.sql.SqlScripts;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Applies the DDL of {@code sql/postgres/} (shipped inside the jar) idempotently. Runs once in the
 * client before the job starts, under an advisory lock so two starting jobs do not race.
 */
public final class PostgresSchema {
    /** In order; each file is idempotent (CREATE ... IF NOT EXISTS). */
    static final List<String> SCRIPTS = List.of("sql/postgres/V001__state_tables.sql");
    private static final long LOCK_ID = 0x5405_7121L;

    private PostgresSchema() {}

    public static void apply(PostgresSettings settings) throws SQLException, IOException {
        try (Connection c = settings.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK_ID + ")");
                for (String script : SCRIPTS) {
                    st.execute(SqlScripts.read(script));
                }
            }
            c.commit();
        }
    }
}
