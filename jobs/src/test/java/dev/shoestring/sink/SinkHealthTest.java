package dev.shoestring.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.testutils.RecordingMetricGroup;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SinkHealthTest {
    private final RecordingMetricGroup metrics = new RecordingMetricGroup();
    private final SinkHealth health = new SinkHealth(LoggerFactory.getLogger(SinkHealthTest.class), "Postgres at x",
            metrics, "postgres", "postgresWriteRetries");

    @Test
    void downFromTheFirstFailedAttemptUntilTheNextSuccess() throws Exception {
        assertThat(metrics.gaugeValue("postgresDown")).isEqualTo(0);
        health.succeeded("writing 3 rows");
        assertThat(metrics.gaugeValue("postgresDown")).isEqualTo(0);

        health.retrying("writing 3 rows", 1, 10, 200, "Connection refused");
        Thread.sleep(20);
        health.retrying("writing 3 rows", 2, 10, 400, "Connection refused");
        assertThat(metrics.gaugeValue("postgresDown")).isEqualTo(1);
        assertThat((Long) metrics.gaugeValue("postgresDownMs")).isGreaterThanOrEqualTo(20L);
        assertThat(metrics.count("postgresWriteRetries")).isEqualTo(2);

        health.succeeded("writing 3 rows");
        assertThat(metrics.gaugeValue("postgresDown")).isEqualTo(0);
        assertThat(metrics.gaugeValue("postgresDownMs")).isEqualTo(0L);
        assertThat(metrics.count("postgresWriteRetries")).isEqualTo(2);
    }

    @Test
    void endpointsInLogLinesLoseQueryParametersAndUserInfo() {
        assertThat(SinkHealth.endpoint("jdbc:postgresql://db:5432/x?user=a&password=secret"))
                .isEqualTo("jdbc:postgresql://db:5432/x");
        assertThat(SinkHealth.endpoint("http://user:secret@ch:8123/")).isEqualTo("http://ch:8123/");
        assertThat(SinkHealth.endpoint("http://127.0.0.1:18123")).isEqualTo("http://127.0.0.1:18123");
    }
}
