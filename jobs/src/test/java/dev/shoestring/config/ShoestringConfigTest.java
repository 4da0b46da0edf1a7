package dev.shoestring.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShoestringConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsPointAtTheLocalServices() {
        ShoestringConfig c = ShoestringConfig.defaults();
        assertThat(c.kafkaBootstrapServers).isEqualTo("127.0.0.1:19092");
        assertThat(c.kafkaTopic).isEqualTo("events");
        assertThat(c.kafkaDlqTopic).isEqualTo("events.dlq");
        assertThat(c.stateFlushInterval).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.metricsMaxOutOfOrderness).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.metricsAllowedLateness).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.s3PathStyleAccess).isTrue();
        assertThat(c.postgresPassword).isNull();
    }

    @Test
    void readsFlatAndNestedYamlThenEnvThenSet() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "kafka.topic: orders-log\n"
                + "state:\n  flush-interval: 250 ms\n"
                + "postgres:\n  url: jdbc:postgresql://db:5432/x\n  password: from-file\n");
        ShoestringConfig c = ShoestringConfig.load(f, Map.of("SHOESTRING_POSTGRES_PASSWORD", "from-env"),
                Map.of("kafka.group-id", "g2"));
        assertThat(c.kafkaTopic).isEqualTo("orders-log");
        assertThat(c.stateFlushInterval).isEqualTo(Duration.ofMillis(250));
        assertThat(c.postgresUrl).isEqualTo("jdbc:postgresql://db:5432/x");
        assertThat(c.postgresPassword).isEqualTo("from-env");
        assertThat(c.kafkaGroupId).isEqualTo("g2");
        assertThat(c.describe().get("postgres.password")).isEqualTo("******");
        assertThat(c.describe().toString()).doesNotContain("from-env");
    }

    @Test
    void unknownKeyInFileIsNamed() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "kafka:\n  topik: x\n");
        assertThatThrownBy(() -> ShoestringConfig.load(f, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.topik")
                .hasMessageContaining("unknown key");
    }

    @Test
    void unknownKeyInSetIsNamed() {
        assertThatThrownBy(() -> ShoestringConfig.of(Map.of("state.flush", "1s")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("state.flush"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "kafka.bootstrap-servers | localhost",
            "kafka.bootstrap-servers | ''",
            "kafka.topic | has space",
            "kafka.dlq-topic | events",
            "postgres.url | postgres://x",
            "clickhouse.url | ftp://x",
            "clickhouse.database | drop table;",
            "state.flush-interval | 0 s",
            "state.flush-interval | soon",
            "metrics.allowed-lateness | -1 s",
            "metrics.max-out-of-orderness | five",
            "checkpoints.dir | /no/scheme",
            "s3.endpoint | not a url",
            "s3.path-style-access | yes"})
    void badValueFailsNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> ShoestringConfig.of(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'" + key + "'");
    }

    @Test
    void setSyntax() {
        assertThat(ShoestringConfig.parseSet("kafka.topic=a=b")).isEqualTo(Map.entry("kafka.topic", "a=b"));
        assertThatThrownBy(() -> ShoestringConfig.parseSet("kafka.topic")).isInstanceOf(ConfigException.class);
    }
}
