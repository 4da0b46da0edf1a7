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
        String rendered = SqlRunner.render(Files.readString(ShoestringSql.script("00-init.sql")), cfg);
        assertThat(rendered).doesNotContain("${").contains("'topic' = 'events'");
    }

    @Test
    void flatYamlKeys(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "# comment\nkafka.topic: \"orders\"\npostgres.user: app\nnested:\n  x: 1\n");
        assertThat(SqlRunner.readFlatYaml(f)).containsEntry("kafka.topic", "orders").containsEntry("postgres.user", "app")
                .doesNotContainKey("x");
    }
}
