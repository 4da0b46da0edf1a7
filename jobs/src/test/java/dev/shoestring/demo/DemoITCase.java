package dev.shoestring.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.Checkpoints;
import dev.shoestring.job.Preflight;
import dev.shoestring.testutils.ClickHouseHttp;
import dev.shoestring.testutils.LocalServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo, non-interactively for a bounded time (as `demo --duration 70s --no-tty`): rows arrive
 * in Postgres and ClickHouse, the DLQ gets the bad records, a checkpoint completes on Ceph, and it
 * returns 0 with the job stopped (by a savepoint the next demo would resume from).
 */
class DemoITCase {
    @TempDir
    Path tmp;

    @Test
    void demoRunsForItsDurationAndStopsCleanly() throws Exception {
        String run = LocalServices.runId();
        String topic = run + "-events";
        ShoestringConfig cfg = LocalServices.config(topic, Map.of(
                ShoestringConfig.CHECKPOINTS_DIR, "s3://" + LocalServices.S3_BUCKET + "/it/" + run + "/checkpoints",
                ShoestringConfig.SAVEPOINTS_DIR, "s3://" + LocalServices.S3_BUCKET + "/it/" + run + "/savepoints"));
        LocalServices.initS3(cfg);
        LocalServices.createTopic(topic, 4);
        Preflight.run(cfg);

        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Path stateFile = tmp.resolve("demo-savepoint");
        DemoRun demo = new DemoRun(cfg, LocalServices.root().resolve("flink-conf/local"), 2, 200, true, stateFile, run + "-");
        int code = demo.run(Duration.ofSeconds(70), false, new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);

        assertThat(code).as(output).isZero();
        assertThat(output).contains("t=10s in=").contains("job stopped with savepoint s3://");
        assertThat(Files.readString(stateFile)).startsWith(cfg.savepointsDir);
        String tenants = " WHERE tenant_id LIKE '" + run + "-%'";
        try (Connection c = LocalServices.postgres(); Statement st = c.createStatement()) {
            for (String table : new String[] {"orders", "agents", "metrics_current"}) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table + tenants)) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("%s rows", table).isPositive();
                }
            }
        }
        String db = ClickHouseHttp.TEST_DATABASE;
        assertThat(ClickHouseHttp.count("SELECT count() FROM " + db + ".events" + tenants)).isGreaterThan(5000);
        assertThat(ClickHouseHttp.count("SELECT count() FROM " + db + ".agent_decision_metrics_1m FINAL" + tenants)).isPositive();
        assertThat(LocalServices.readAll(topic + ".dlq")).as("dead letters").isNotEmpty();
        assertThat(Checkpoints.latest(cfg.checkpointsDir)).as("a completed checkpoint on Ceph").isPresent();
        // Everything stopped: the local cluster's REST port is closed again.
        assertThat(portOpen(18081)).as("local Flink cluster still up").isFalse();
    }

    private static boolean portOpen(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
