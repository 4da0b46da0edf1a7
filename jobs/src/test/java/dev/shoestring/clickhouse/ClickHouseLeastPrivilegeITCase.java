package dev.shoestring.clickhouse;

import static dev.shoestring.clickhouse.ClickHouseTestQueries.count;
import static dev.shoestring.clickhouse.ClickHouseTestQueries.literal;
import static dev.shoestring.clickhouse.ClickHouseTestQueries.rows;
import static dev.shoestring.clickhouse.ClickHouseTestQueries.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import dev.shoestring.config.ConfigException;
import dev.shoestring.event.Event;
import dev.shoestring.testutils.HostileStrings;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.testutils.RecordingMetricGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job's ClickHouse user of {@code bin/shoestring up} (shoestring_job: profile
 * shoestring_writer with allow_ddl = 0, allow_databases = the job's) against the real 18.16:
 * it inserts through the real writer, byte for byte whatever the strings hold, and the server
 * refuses it DDL and every other database. The DDL is applied by the admin ({@code clickhouse.ddl-user}).
 */
class ClickHouseLeastPrivilegeITCase {
    private static final ClickHouseSettings ADMIN = ClickHouseTestQueries.SETTINGS;
    private static final ClickHouseSettings JOB = LocalServices.clickhouseJob();
    /** QUERY_IS_PROHIBITED (allow_ddl = 0), DATABASE_ACCESS_DENIED; 20.5+ would answer ACCESS_DENIED (497). */
    private static final int DDL_PROHIBITED = 392;
    private static final int DATABASE_DENIED = 291;
    private static final String CANARY = "shoestring_it_canary";

    private final String tenant = LocalServices.runId();

    @BeforeAll
    static void schemaAsAdmin() throws Exception {
        ClickHouseSchema.apply(ADMIN, JOB);
        try (Client admin = ClickHouseClients.create(ADMIN)) {
            // What the job user tries to destroy: a table of its database that no test needs.
            ClickHouseSchema.execute(admin, "CREATE TABLE IF NOT EXISTS " + ADMIN.qualify(CANARY)
                    + " (x String) ENGINE = MergeTree() ORDER BY x");
            ClickHouseSchema.execute(admin, "CREATE DATABASE IF NOT EXISTS shoestring_it_other");
            ClickHouseSchema.execute(admin, "CREATE TABLE IF NOT EXISTS shoestring_it_other.t (x String) ENGINE = Memory");
        }
    }

    @Test
    void theJobUserInsertsThroughTheWriterAndHostileStringsComeBackUnchanged() throws Exception {
        List<String> hostile = new ArrayList<>(HostileStrings.VALUES);
        hostile.add("nul\u0000inside"); // ClickHouse strings are bytes: NUL is fine here
        Map<String, Event> sent = new LinkedHashMap<>();
        try (ClickHouseWriter<Event> w = new ClickHouseWriter<>(JOB, new EventRowEncoder(), ClickHouseSinkOptions.defaults(),
                new TestProcessingTimeService(), new RecordingMetricGroup())) {
            for (int i = 0; i < hostile.size(); i++) {
                Event e = ClickHouseWriterITCase.event(tenant, i);
                e.eventId = tenant + "-" + i;
                e.aggregateId = hostile.get(i);
                e.payloadJson = "{\"note\":" + com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                        .writeValueAsString(hostile.get(i)) + "}";
                sent.put(e.eventId, e);
                w.write(e, null);
            }
            w.flush(true);
        }
        List<Map<String, Object>> back = rows("SELECT event_id, aggregate_id, payload FROM " + table("events")
                + " WHERE tenant_id = " + literal(tenant) + " ORDER BY event_id");
        assertThat(back).hasSize(hostile.size());
        for (Map<String, Object> row : back) {
            Event e = sent.get((String) row.get("event_id"));
            assertThat(row.get("aggregate_id")).as(HostileStrings.label(e.aggregateId)).isEqualTo(e.aggregateId);
            assertThat(row.get("payload")).as(HostileStrings.label(e.aggregateId)).isEqualTo(e.payloadJson);
        }
        // The hostile text found by value, too: it went in as data, never as SQL.
        assertThat(count("SELECT count() FROM " + table("events") + " WHERE tenant_id = " + literal(tenant)
                + " AND aggregate_id = " + literal(HostileStrings.VALUES.get(0)))).isEqualTo(1);
    }

    @Test
    void theJobUserIsRefusedDdlAndOtherDatabases() throws Exception {
        Map<String, Integer> refusals = new LinkedHashMap<>();
        String canary = JOB.qualify(CANARY);
        refusals.put("DROP TABLE " + canary, DDL_PROHIBITED);
        refusals.put("TRUNCATE TABLE " + canary, DDL_PROHIBITED);
        refusals.put("ALTER TABLE " + canary + " DELETE WHERE 1", DDL_PROHIBITED);
        refusals.put("ALTER TABLE " + canary + " ADD COLUMN evil String", DDL_PROHIBITED);
        refusals.put("RENAME TABLE " + canary + " TO " + JOB.qualify("shoestring_it_renamed"), DDL_PROHIBITED);
        refusals.put("DETACH TABLE " + canary, DDL_PROHIBITED);
        refusals.put("OPTIMIZE TABLE " + JOB.qualify("events"), DDL_PROHIBITED);
        refusals.put("CREATE TABLE " + JOB.qualify("shoestring_it_evil") + " (x String) ENGINE = Memory", DDL_PROHIBITED);
        refusals.put("CREATE DATABASE shoestring_it_evil", DDL_PROHIBITED);
        refusals.put("SELECT count() FROM shoestring_it_other.t", DATABASE_DENIED);
        refusals.put("INSERT INTO shoestring_it_other.t VALUES ('x')", DATABASE_DENIED);
        refusals.put("DROP TABLE shoestring_it_other.t", DDL_PROHIBITED);
        refusals.put("SELECT count() FROM default.nothing_here", DATABASE_DENIED);
        List<String> allowed = new ArrayList<>();
        try (Client job = ClickHouseClients.create(JOB)) {
            for (Map.Entry<String, Integer> r : refusals.entrySet()) {
                try {
                    ClickHouseSchema.execute(job, r.getKey());
                    allowed.add(r.getKey());
                } catch (RuntimeException e) {
                    assertThat(ClickHouseWriter.serverCode(e)).as(r.getKey() + ": " + e.getMessage()).isEqualTo(r.getValue());
                }
            }
        }
        assertThat(allowed).as("statements the job user must not be allowed").isEmpty();
        assertThat(count("SELECT count() FROM system.tables WHERE database = " + literal(JOB.database)
                + " AND name IN ('events', 'agent_decision_metrics_1m', " + literal(CANARY) + ")")).isEqualTo(3);
    }

    @Test
    void startUpChecksTheJobUserInsteadOfApplyingWhatItMayNot() throws Exception {
        // The job's user alone (no clickhouse.ddl-user): the server refuses it the DDL, so
        // start-up checks that it may insert into the tables (zero rows) and goes on.
        long before = count("SELECT count() FROM " + table("events"));
        ClickHouseSchema.apply(JOB);
        assertThat(count("SELECT count() FROM " + table("events"))).isEqualTo(before);
        // Named as the DDL user it is an error that names the key.
        assertThatThrownBy(() -> ClickHouseSchema.apply(JOB, ADMIN))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("clickhouse.ddl-user"));
        // A wrong password is a setting to fix, not a server to wait for.
        assertThatThrownBy(() -> ClickHouseSchema.apply(ADMIN, JOB.as(JOB.user, "wrong")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("clickhouse.user"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong"));
        // A database it may not reach: named as a privilege problem of the job's user.
        ClickHouseSettings elsewhere = new ClickHouseSettings(ADMIN.url, JOB.user, LocalServices.clickhouseJob().password(),
                "shoestring_it_other");
        assertThatThrownBy(() -> ClickHouseSchema.checkCanInsert(elsewhere, false))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("clickhouse.user"));
    }
}
