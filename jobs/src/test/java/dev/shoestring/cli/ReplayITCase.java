package dev.shoestring.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.testutils.ClickHouseHttp;
import dev.shoestring.testutils.ExpectedOutputs;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.tools.EventGenerator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * `shoestring replay --only METRICS` from the log start, through the real command line: the
 * metrics table comes out exactly as computed independently, twice in a row, and Postgres, the
 * archive and the dead-letter topic are never touched.
 */
class ReplayITCase {
    @Test
    void replayOfTheMetricsAloneReproducesThemAndTouchesNothingElse() throws Exception {
        String run = LocalServices.runId();
        String topic = run + "-events";
        EventGenerator.Log log = new EventGenerator(31, run + "-")
                .tenants(2).orders(100).agents(6).decisionsPerAgent(100).metrics(4).changesPerMetric(10)
                .duplicateRate(0.05).swapRate(0.08).malformedRate(0.01).unknownTypeRate(0.03)
                .generate();
        LocalServices.createTopic(topic, 4);
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        log.records.forEach(r -> records.add(Map.entry(r.key, r.value)));
        LocalServices.produce(topic, records);
        LocalServices.createTopic(topic + ".dlq", 4);

        List<String> args = new ArrayList<>(List.of("replay", "--only", "METRICS"));
        for (Map.Entry<String, String> e : Map.of(
                ShoestringConfig.KAFKA_BOOTSTRAP, LocalServices.KAFKA,
                ShoestringConfig.KAFKA_TOPIC, topic,
                ShoestringConfig.KAFKA_DLQ_TOPIC, topic + ".dlq",
                ShoestringConfig.PG_URL, LocalServices.PG_URL,
                ShoestringConfig.CH_URL, LocalServices.CH_URL,
                ShoestringConfig.CH_DATABASE, ClickHouseHttp.TEST_DATABASE).entrySet()) {
            args.add("--set");
            args.add(e.getKey() + "=" + e.getValue());
        }
        for (int pass = 1; pass <= 2; pass++) {
            int code = new CommandLine(new ShoestringCli()).execute(args.toArray(new String[0]));
            assertThat(code).as("exit code of replay pass %d", pass).isZero();
            ExpectedOutputs.assertWindowsEqual(run, log);
        }

        assertThat(ClickHouseHttp.count("SELECT count() FROM " + ClickHouseHttp.TEST_DATABASE
                + ".events WHERE tenant_id LIKE '" + run + "-%'")).as("archive rows").isZero();
        try (Connection c = LocalServices.postgres(); Statement st = c.createStatement()) {
            for (String table : List.of("orders", "agents", "metrics_current")) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table + " WHERE tenant_id LIKE '" + run + "-%'")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("%s rows", table).isZero();
                }
            }
        }
        assertThat(LocalServices.readAll(topic + ".dlq")).as("dead letters re-sent").isEmpty();
    }
}
