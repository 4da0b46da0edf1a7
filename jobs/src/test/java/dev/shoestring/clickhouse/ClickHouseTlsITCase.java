package dev.shoestring.clickhouse;

import static dev.shoestring.clickhouse.ClickHouseTestQueries.count;
import static dev.shoestring.clickhouse.ClickHouseTestQueries.literal;
import static dev.shoestring.clickhouse.ClickHouseTestQueries.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.event.Event;
import dev.shoestring.testutils.HttpsFront;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.testutils.RecordingMetricGroup;
import dev.shoestring.testutils.TestCertificate;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to ClickHouse for real: the local server behind an HTTPS front with a self-signed
 * certificate. With {@code clickhouse.url: https://...} and {@code clickhouse.ssl-root-cert}
 * naming that certificate, start-up's check and the writer get through as the job's user;
 * without the root certificate the handshake fails (the JVM does not trust it), nothing is sent.
 */
class ClickHouseTlsITCase {
    @TempDir
    Path dir;

    @Test
    void theRootCertificateSettingIsWhatMakesTheConnectionTrusted() throws Exception {
        TestCertificate cert = TestCertificate.create(dir);
        ClickHouseSettings job = LocalServices.clickhouseJob();
        ClickHouseSchema.apply(ClickHouseTestQueries.SETTINGS, job);
        String tenant = LocalServices.runId();
        try (HttpsFront front = HttpsFront.start(cert, job.url)) {
            Map<String, String> env = Map.of("SHOESTRING_CLICKHOUSE_PASSWORD", job.password());
            ShoestringConfig cfg = ShoestringConfig.load(null, env, Map.of(
                    ShoestringConfig.CH_URL, front.url(),
                    ShoestringConfig.CH_USER, job.user,
                    ShoestringConfig.CH_DATABASE, job.database,
                    ShoestringConfig.CH_SSL_ROOT_CERT, cert.pem.toString()));
            ClickHouseSettings tls = cfg.clickhouse();

            ClickHouseSchema.checkCanInsert(tls, false);
            try (ClickHouseWriter<Event> w = new ClickHouseWriter<>(tls, new EventRowEncoder(), ClickHouseSinkOptions.defaults(),
                    new TestProcessingTimeService(), new RecordingMetricGroup())) {
                for (int i = 0; i < 100; i++) {
                    w.write(ClickHouseWriterITCase.event(tenant, i), null);
                }
                w.flush(true);
            }
            assertThat(count("SELECT count() FROM " + table("events") + " WHERE tenant_id = " + literal(tenant))).isEqualTo(100);

            ClickHouseSettings untrusted = new ClickHouseSettings(front.url(), job.user, job.password(), job.database);
            assertThatThrownBy(() -> ClickHouseSchema.checkCanInsert(untrusted, false))
                    .satisfies(e -> assertThat(causes(e)).anyMatch(t -> t instanceof javax.net.ssl.SSLHandshakeException));
        }
    }

    private static java.util.List<Throwable> causes(Throwable e) {
        java.util.List<Throwable> out = new java.util.ArrayList<>();
        for (Throwable t = e; t != null && !out.contains(t); t = t.getCause()) {
            out.add(t);
        }
        return out;
    }
}
