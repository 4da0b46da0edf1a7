package dev.shoestring.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlRunnerTest {
    @Test
    void rendersKeysAsSqlLiteralsAndRejectsUnknownOnes() {
        Map<String, String> cfg = new LinkedHashMap<>(SqlRunner.DEFAULTS);
        cfg.put("kafka.topic", "it's");
        assertThat(SqlRunner.render("'topic' = '${kafka.topic}'", cfg)).isEqualTo("'topic' = 'it''s'");
        assertThatThrownBy(() -> SqlRunner.render("${kafka.nope}", cfg)).hasMessageContaining("${kafka.nope}");
    }

    @Test
    void withoutPasswordTheUserGoesIntoTheUrl() {
        Map<String, String> cfg = new LinkedHashMap<>(SqlRunner.DEFAULTS);
        SqlRunner.postgresCredentials(cfg, null);
        assertThat(cfg.get("postgres.jdbc-url")).isEqualTo("jdbc:postgresql://127.0.0.1:15433/shoestring?user=shoestring");
        assertThat(cfg.get("postgres.credentials-option")).isEmpty();
        SqlRunner.postgresCredentials(cfg, "s'cret");
        assertThat(SqlRunner.render("'t'${postgres.credentials-option}", cfg))
                .isEqualTo("'t',\n  'username' = 'shoestring',\n  'password' = 's''cret'");
    }

    @Test
    void theShippedInitScriptUsesOnlyKnownKeys() throws Exception {
        Map<String, String> cfg = new LinkedHashMap<>(SqlRunner.DEFAULTS);
        SqlRunner.postgresCredentials(cfg, null);
        SqlRunner.kafkaOptions(cfg, Map.of());
        String rendered = SqlRunner.render(Files.readString(ShoestringSql.script("00-init.sql")), cfg);
        assertThat(rendered).doesNotContain("${").contains("'topic' = 'events'")
                .contains("'properties.group.id' = 'shoestring-sql',\n");
    }

    @Test
    void kafkaPropertiesBecomeTableOptionsWithSecretsFromTheEnvironmentOnly() throws Exception {
        Map<String, String> cfg = new LinkedHashMap<>(SqlRunner.DEFAULTS);
        SqlRunner.postgresCredentials(cfg, null);
        cfg.put("kafka.properties.security.protocol", "SASL_SSL");
        cfg.put("kafka.properties.sasl.mechanism", "PLAIN");
        SqlRunner.kafkaOptions(cfg, Map.of("SHOESTRING_KAFKA_SASL_JAAS_CONFIG",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"it's\";"));
        String rendered = SqlRunner.render(Files.readString(ShoestringSql.script("00-init.sql")), cfg);
        assertThat(rendered).contains("'properties.group.id' = 'shoestring-sql',\n  'properties.sasl.jaas.config' ="
                + " 'org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"it''s\";',\n"
                + "  'properties.sasl.mechanism' = 'PLAIN',\n  'properties.security.protocol' = 'SASL_SSL',");
        Map<String, String> leaky = new LinkedHashMap<>(SqlRunner.DEFAULTS);
        leaky.put("kafka.properties.ssl.truststore.password", "changeit");
        assertThatThrownBy(() -> SqlRunner.kafkaOptions(leaky, Map.of()))
                .hasMessageContaining("SHOESTRING_KAFKA_SSL_TRUSTSTORE_PASSWORD").satisfies(e -> assertThat(e.getMessage()).doesNotContain("changeit"));
    }

    @Test
    void postgresTlsKeysBecomeJdbcUrlParameters() {
        Map<String, String> cfg = new LinkedHashMap<>(SqlRunner.DEFAULTS);
        cfg.put("postgres.ssl-mode", "verify-full");
        cfg.put("postgres.ssl-root-cert", "/etc/ca dir/root.crt");
        SqlRunner.postgresTls(cfg);
        SqlRunner.postgresCredentials(cfg, null);
        assertThat(cfg.get("postgres.jdbc-url")).isEqualTo("jdbc:postgresql://127.0.0.1:15433/shoestring"
                + "?sslmode=verify-full&sslrootcert=%2Fetc%2Fca+dir%2Froot.crt&user=shoestring");
    }

    @Test
    void flatYamlKeys(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "# comment\nkafka.topic: \"orders\"\npostgres.user: app\nnested:\n  x: 1\n");
        assertThat(SqlRunner.readFlatYaml(f)).containsEntry("kafka.topic", "orders").containsEntry("postgres.user", "app")
                .doesNotContainKey("x");
    }
}
