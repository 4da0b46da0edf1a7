package dev.shoestring.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoestring.config.ConfigException;
import dev.shoestring.projection.AggregateState;
import dev.shoestring.testutils.HostileStrings;
import dev.shoestring.testutils.LocalServices;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The least-privilege split against the real Postgres: sql/postgres/roles.sql run once by the
 * superuser, the DDL applied by the owner ({@code postgres.ddl-user}), and the job's role
 * ({@code postgres.user} = shoestring_job) writing state through the real writer, refused
 * everything else with SQLSTATE 42501, and checked at start-up.
 */
class PostgresLeastPrivilegeITCase {
    /** insufficient_privilege */
    private static final String DENIED = "42501";
    private static final PostgresSettings OWNER =
            new PostgresSettings(LocalServices.PG_URL, LocalServices.PG_USER, null, Duration.ofSeconds(1));
    private static final PostgresSettings JOB = OWNER.as(LocalServices.PG_JOB_USER, null);

    private final String tenant = LocalServices.runId();

    @BeforeAll
    static void rolesThenSchema() throws Exception {
        LocalServices.applyPostgresRoles();
        PostgresSchema.apply(OWNER, JOB);
        // A table of the owner's that is none of the job's business.
        try (Connection c = OWNER.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS shoestring_it_private (secret text)");
        }
    }

    private static AggregateState order(String tenant, String id, long version, String customer) {
        AggregateState s = new AggregateState("order", tenant, id);
        s.version = version;
        s.status = version == 1 ? "created" : "paid";
        s.customerId = customer;
        s.amount = new BigDecimal("19.90");
        s.paidAmount = version == 1 ? null : new BigDecimal("19.90");
        s.currency = "EUR";
        s.items = 2L;
        s.createdAtMicros = 1_000_000L;
        s.updatedAtMicros = version * 1_000_000L;
        return s;
    }

    private static AggregateState metric(String tenant, String name, String unit) {
        AggregateState s = new AggregateState("metric", tenant, name);
        s.version = 1;
        s.value = 1.5;
        s.unit = unit;
        s.updatedAtMicros = 1_000_000L;
        return s;
    }

    @Test
    void theJobRoleWritesStateThroughTheWriterWithHostileValuesIntact() throws Exception {
        List<String> hostile = HostileStrings.VALUES;
        PostgresStateWriter w = new PostgresStateWriter(JOB, 1000, new TestProcessingTimeService(),
                UnregisteredMetricsGroup.createSinkWriterMetricGroup());
        try {
            for (int i = 0; i < hostile.size(); i++) {
                // Hostile text as aggregate id (key), as customer id and unit (values), and in the tenant.
                w.write(order(tenant + hostile.get(i), hostile.get(i), 1, hostile.get(i)), null);
                w.write(metric(tenant, hostile.get(i), hostile.get(i)), null);
            }
            w.flush(false);
            // The upsert path (ON CONFLICT DO UPDATE ... WHERE version <) as the job role too.
            for (String h : hostile) {
                w.write(order(tenant + h, h, 2, h + "-v2"), null);
            }
            w.flush(true);
        } finally {
            w.close();
        }
        try (Connection c = OWNER.connect();
                PreparedStatement orders = c.prepareStatement("SELECT order_id, customer_id, version FROM orders WHERE tenant_id = ?");
                PreparedStatement metrics = c.prepareStatement("SELECT unit FROM metrics_current WHERE tenant_id = ? AND name = ?")) {
            for (String h : hostile) {
                orders.setString(1, tenant + h);
                try (ResultSet rs = orders.executeQuery()) {
                    assertThat(rs.next()).as(HostileStrings.label(h)).isTrue();
                    assertThat(rs.getString(1)).as(HostileStrings.label(h)).isEqualTo(h);
                    assertThat(rs.getString(2)).as(HostileStrings.label(h)).isEqualTo(h + "-v2");
                    assertThat(rs.getLong(3)).isEqualTo(2);
                    assertThat(rs.next()).isFalse();
                }
                metrics.setString(1, tenant);
                metrics.setString(2, h);
                try (ResultSet rs = metrics.executeQuery()) {
                    assertThat(rs.next()).as(HostileStrings.label(h)).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(h);
                }
            }
            // Every table is still there, with this run's rows and no others touched.
            for (String table : PostgresSchema.TABLES) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    assertThat(rs.next()).isTrue();
                }
            }
        }
    }

    @Test
    void theJobRoleIsRefusedEverythingButWritingItsTables() throws Exception {
        List<String> statements = List.of(
                "DELETE FROM orders",
                "DELETE FROM metrics_current WHERE tenant_id = 'x'",
                "TRUNCATE orders",
                "TRUNCATE agents, metrics_current",
                "DROP TABLE orders",
                "DROP TABLE IF EXISTS metrics_current",
                "ALTER TABLE agents ADD COLUMN evil text",
                "ALTER TABLE orders DISABLE TRIGGER ALL",
                "CREATE TABLE shoestring_it_evil (x int)",
                "CREATE TEMP TABLE shoestring_it_evil (x int)",
                "CREATE INDEX ON orders (customer_id)",
                "SELECT * FROM shoestring_it_private",
                "INSERT INTO shoestring_it_private VALUES ('x')",
                "SET ROLE " + LocalServices.PG_USER,
                "CREATE SCHEMA evil",
                "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'");
        List<String> allowed = new ArrayList<>();
        try (Connection c = JOB.connect()) {
            assertThat(currentUser(c)).isEqualTo(LocalServices.PG_JOB_USER);
            // Each in a transaction that is rolled back: if one were allowed (the test failing),
            // it still would not empty or drop the shared test database's tables.
            c.setAutoCommit(false);
            for (String sql : statements) {
                try (Statement st = c.createStatement()) {
                    st.execute(sql);
                    allowed.add(sql);
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).as(sql + ": " + e.getMessage()).isEqualTo(DENIED);
                } finally {
                    c.rollback();
                }
            }
        }
        assertThat(allowed).as("statements the job role must not be allowed").isEmpty();
        try (Connection c = OWNER.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.columns"
                        + " WHERE table_name = 'agents' AND column_name = 'evil'")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    void startUpChecksTheJobRoleInsteadOfApplyingWhatItMayNot() throws Exception {
        // The job's role alone (no postgres.ddl-user), the tables in place: it may not create
        // them, so start-up only checks that it may write them.
        PostgresSchema.apply(JOB);

        // A role that may log in but was never granted shoestring_writer: named at start-up.
        try (Connection c = superuser(); Statement st = c.createStatement()) {
            st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shoestring_it_nobody')"
                    + " THEN CREATE ROLE shoestring_it_nobody LOGIN; END IF; END $$");
            st.execute("GRANT CONNECT ON DATABASE " + LocalServices.PG_TEST_DATABASE + " TO shoestring_it_nobody");
        }
        PostgresSettings nobody = OWNER.as("shoestring_it_nobody", null);
        assertThatThrownBy(() -> PostgresSchema.apply(OWNER, nobody))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("postgres.user"))
                .hasMessageContaining("shoestring_it_nobody")
                .hasMessageContaining("GRANT shoestring_writer");
        // The same role named as the DDL role: it may not create tables, which is named too.
        assertThatThrownBy(() -> PostgresSchema.apply(nobody, JOB))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("postgres.ddl-user"));
        // A role that does not exist: a setting to fix, not a server to wait for.
        assertThatThrownBy(() -> PostgresSchema.apply(OWNER, OWNER.as("shoestring_it_no_such_role", null)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("postgres.user"));
    }

    @Test
    void theTlsModeReachesTheDriver() throws Exception {
        // The local server has no TLS: require must refuse to fall back to plain text.
        PostgresSettings tls = new PostgresSettings(LocalServices.PG_URL, LocalServices.PG_JOB_USER, null,
                Duration.ofSeconds(1), "require", null);
        assertThatThrownBy(tls::connect).isInstanceOf(SQLException.class).hasMessageContaining("does not support SSL");
        PostgresSettings plain = new PostgresSettings(LocalServices.PG_URL, LocalServices.PG_JOB_USER, null,
                Duration.ofSeconds(1), "disable", null);
        try (Connection c = plain.connect()) {
            assertThat(currentUser(c)).isEqualTo(LocalServices.PG_JOB_USER);
        }
    }

    private static Connection superuser() throws SQLException {
        return OWNER.as(LocalServices.PG_SUPERUSER, null).connect();
    }

    private static String currentUser(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
