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

    /** Hostile identifiers and names: refused at start-up, the key named, nothing reaches SQL or Kafka. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "clickhouse.database | shoestring; DROP TABLE shoestring.events",
            "clickhouse.database | shoestring.events",
            "clickhouse.database | `shoestring`",
            "clickhouse.database | shoe'string",
            "clickhouse.database | shoestring--",
            "clickhouse.database | 1shoestring",
            "clickhouse.database | shoestrіng",
            "clickhouse.database | a/**/b",
            "kafka.topic | events'); DROP TABLE orders; --",
            "kafka.topic | ../events",
            "kafka.topic | ev\u0000ents",
            "kafka.dlq-topic | dlq;rm",
            "kafka.bootstrap-servers | kafka:9092', 'x', 'y', 'JSONEachRow'); DROP TABLE t; --:9092",
            "kafka.bootstrap-servers | a'b:9092",
            "kafka.bootstrap-servers | host:9092;other:9092"})
    void hostileNamesAreRefusedNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> ShoestringConfig.of(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
    }

    @Test
    void anIdentifierLongerThanTheDatabasesAllowIsRefused() {
        assertThatThrownBy(() -> ShoestringConfig.of(Map.of("clickhouse.database", "a".repeat(64))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("clickhouse.database");
        assertThat(ShoestringConfig.of(Map.of("clickhouse.database", "a".repeat(63))).clickhouseDatabase).hasSize(63);
        assertThat(ShoestringConfig.of(Map.of("kafka.bootstrap-servers", "[::1]:9092,kafka-1.internal:9093"))
                .kafkaBootstrapServers).isEqualTo("[::1]:9092,kafka-1.internal:9093");
    }

    @Test
    void ddlRolesDefaultToTheJobsAndTakeTheirPasswordsFromTheEnvironment() {
        ShoestringConfig same = ShoestringConfig.of(Map.of("postgres.user", "job", "clickhouse.user", "chjob"));
        assertThat(same.postgresDdl().user).isEqualTo("job");
        assertThat(same.clickhouseDdl().user).isEqualTo("chjob");

        ShoestringConfig split = ShoestringConfig.load(null,
                Map.of("SHOESTRING_POSTGRES_DDL_PASSWORD", "pg-owner-pw", "SHOESTRING_CLICKHOUSE_DDL_PASSWORD", "ch-owner-pw"),
                Map.of("postgres.user", "shoestring_job", "postgres.ddl-user", "shoestring",
                        "clickhouse.user", "shoestring_job", "clickhouse.ddl-user", "default"));
        assertThat(split.postgres().user).isEqualTo("shoestring_job");
        assertThat(split.postgresDdl().user).isEqualTo("shoestring");
        assertThat(split.postgresDdlPassword).isEqualTo("pg-owner-pw");
        assertThat(split.clickhouseDdl().user).isEqualTo("default");
        assertThat(split.clickhouseDdlPassword).isEqualTo("ch-owner-pw");
        assertThat(split.describe().toString()).doesNotContain("owner-pw").contains("postgres.ddl-user=shoestring");
    }

    @Test
    void postgresTlsKeysParseAndReachTheDriver() throws Exception {
        Path ca = Files.writeString(dir.resolve("root.crt"), "-----BEGIN CERTIFICATE-----\n");
        ShoestringConfig c = ShoestringConfig.of(Map.of("postgres.ssl-mode", "verify-full", "postgres.ssl-root-cert", ca.toString()));
        var p = dev.shoestring.postgres.PostgresSettingsAccess.driverProperties(c.postgres());
        assertThat(p.getProperty("sslmode")).isEqualTo("verify-full");
        assertThat(p.getProperty("sslrootcert")).isEqualTo(ca.toString());
        // The DDL role connects the same way.
        assertThat(dev.shoestring.postgres.PostgresSettingsAccess.driverProperties(
                ShoestringConfig.of(Map.of("postgres.ssl-mode", "require", "postgres.ddl-user", "owner")).postgresDdl())
                .getProperty("sslmode")).isEqualTo("require");
        assertThat(dev.shoestring.postgres.PostgresSettingsAccess.driverProperties(ShoestringConfig.defaults().postgres())
                .getProperty("sslmode")).isNull();
    }

    @Test
    void clickhouseTlsKeysParse() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        ShoestringConfig c = ShoestringConfig.of(Map.of("clickhouse.url", "https://ch.internal:8443",
                "clickhouse.ssl-root-cert", ca.toString(), "clickhouse.ddl-user", "admin"));
        assertThat(c.clickhouse().sslRootCert).isEqualTo(ca.toString());
        assertThat(c.clickhouseDdl().sslRootCert).isEqualTo(ca.toString());
        assertThat(c.clickhouseDdl().url).isEqualTo("https://ch.internal:8443");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "postgres.ssl-mode | verify_full",
            "postgres.ssl-mode | on",
            "postgres.ssl-root-cert | /no/such/root.crt",
            "clickhouse.ssl-root-cert | /no/such/ca.pem"})
    void badTlsValuesFailNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> ShoestringConfig.of(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
    }

    @Test
    void tlsSettingsConflictsAreNamed() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        assertThatThrownBy(() -> ShoestringConfig.of(Map.of("clickhouse.ssl-root-cert", ca.toString())))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("clickhouse.ssl-root-cert"))
                .hasMessageContaining("not https");
        assertThatThrownBy(() -> ShoestringConfig.of(Map.of("postgres.url", "jdbc:postgresql://db/x?sslmode=require",
                "postgres.ssl-mode", "verify-full")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("postgres.url"));
        // TLS in the URL alone is pgjdbc's own way and stays valid.
        assertThat(ShoestringConfig.of(Map.of("postgres.url", "jdbc:postgresql://db/x?sslmode=verify-full")).postgresUrl)
                .endsWith("sslmode=verify-full");
    }

    @Test
    void setSyntax() {
        assertThat(ShoestringConfig.parseSet("kafka.topic=a=b")).isEqualTo(Map.entry("kafka.topic", "a=b"));
        assertThatThrownBy(() -> ShoestringConfig.parseSet("kafka.topic")).isInstanceOf(ConfigException.class);
    }
}
