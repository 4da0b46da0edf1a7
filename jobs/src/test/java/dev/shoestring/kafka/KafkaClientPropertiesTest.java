package dev.shoestring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoestring.config.ConfigException;
import dev.shoestring.config.ShoestringConfig;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code kafka.properties.*} keys: they parse (file, --set, environment), bad ones fail naming
 * the key, secrets come only from the environment, and every Kafka client the job builds gets
 * them.
 */
class KafkaClientPropertiesTest {
    @TempDir
    Path dir;

    private Path truststore() throws Exception {
        return Files.writeString(dir.resolve("truststore.p12"), "not read at parse time");
    }

    /** SASL_SSL with SCRAM, as a managed Kafka asks for: file keys plus the two variables. */
    private ShoestringConfig saslSsl() throws Exception {
        Path file = dir.resolve("shoestring.yaml");
        Files.writeString(file, "kafka:\n  bootstrap-servers: kafka-1.internal:9093\n  properties:\n"
                + "    security.protocol: SASL_SSL\n    sasl.mechanism: SCRAM-SHA-512\n"
                + "    ssl.truststore.location: " + truststore() + "\n    ssl.truststore.type: PKCS12\n");
        return ShoestringConfig.load(file, Map.of(
                        "SHOESTRING_KAFKA_SASL_USERNAME", "shoestring",
                        "SHOESTRING_KAFKA_SASL_PASSWORD", "s3cr\"et\\; x=\"y",
                        "SHOESTRING_KAFKA_SSL_TRUSTSTORE_PASSWORD", "changeit"),
                Map.of("kafka.properties.fetch.min.bytes", "1024", "kafka.properties.linger.ms", "20"));
    }

    @Test
    void securitySettingsReachConsumerProducerAndAdminProperties() throws Exception {
        ShoestringConfig c = saslSsl();
        for (Properties p : new Properties[] {c.kafkaConsumerProperties(), c.kafkaProducerProperties(), c.kafkaAdminProperties()}) {
            assertThat(p.getProperty("bootstrap.servers")).isEqualTo("kafka-1.internal:9093");
            assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
            assertThat(p.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
            assertThat(p.getProperty("ssl.truststore.location")).isEqualTo(truststore().toString());
            assertThat(p.getProperty("ssl.truststore.password")).isEqualTo("changeit");
            assertThat(p.getProperty("sasl.jaas.config")).startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required");
        }
        // Each client gets only what its kind knows: no "supplied but not used" warnings.
        assertThat(c.kafkaConsumerProperties()).containsEntry("fetch.min.bytes", "1024").doesNotContainKey("linger.ms");
        assertThat(c.kafkaProducerProperties()).containsEntry("linger.ms", "20").doesNotContainKey("fetch.min.bytes");
        assertThat(c.kafkaAdminProperties()).doesNotContainKeys("linger.ms", "fetch.min.bytes");
    }

    @Test
    void theJaasLineCarriesAnyPasswordVerbatimAndNothingMore() throws Exception {
        String hostile = "s3cr\"et\\; x=\"y";
        String line = saslSsl().kafkaConsumerProperties().getProperty("sasl.jaas.config");
        // Kafka's own parser reads back exactly the two options, the password unchanged.
        var entries = JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(line))).configurationEntries();
        assertThat(entries).hasSize(1);
        AppConfigurationEntry e = entries.get(0);
        assertThat(e.getControlFlag()).isEqualTo(AppConfigurationEntry.LoginModuleControlFlag.REQUIRED);
        assertThat(e.getOptions()).containsOnlyKeys("username", "password");
        assertThat(e.getOptions().get("password")).isEqualTo(hostile);
        assertThat(e.getOptions().get("username")).isEqualTo("shoestring");
        String multiLine = KafkaClientProperties.jaasLine("m.Module", "u", "a\nb\"c");
        assertThat(JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(multiLine)))
                .configurationEntries().get(0).getOptions().get("password")).isEqualTo("a\nb\"c");
    }

    @Test
    void secretsAreMaskedWhenTheConfigurationIsDescribed() throws Exception {
        String described = saslSsl().describe().toString();
        assertThat(described).contains("kafka.properties.security.protocol=SASL_SSL", "kafka.properties.sasl.jaas.config=******",
                "kafka.properties.ssl.truststore.password=******");
        assertThat(described).doesNotContain("s3cr", "changeit");
    }

    @Test
    void aWholeJaasLineMayComeFromTheEnvironment() {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";";
        ShoestringConfig c = ShoestringConfig.load(null, Map.of("SHOESTRING_KAFKA_SASL_JAAS_CONFIG", jaas),
                Map.of("kafka.properties.security.protocol", "SASL_PLAINTEXT", "kafka.properties.sasl.mechanism", "PLAIN"));
        assertThat(c.kafkaAdminProperties().getProperty("sasl.jaas.config")).isEqualTo(jaas);
    }

    @Test
    void theJobsSourceAndDeadLetterSinkCarryTheSettings() throws Exception {
        ShoestringConfig c = saslSsl();
        KafkaSource<?> source = dev.shoestring.job.JobConnectors.source(c);
        Properties sourceProps = (Properties) field(KafkaSource.class, "props").get(source);
        assertThat(sourceProps).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("group.id", c.kafkaGroupId).containsKey("sasl.jaas.config");
        KafkaSink<?> sink = dev.shoestring.job.JobConnectors.deadLetterSink(c);
        Properties sinkProps = (Properties) field(KafkaSink.class, "kafkaProducerConfig").get(sink);
        assertThat(sinkProps).containsEntry("security.protocol", "SASL_SSL").containsEntry("bootstrap.servers", "kafka-1.internal:9093")
                .containsKey("sasl.jaas.config").containsEntry("ssl.truststore.password", "changeit");
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "kafka.properties.security.protocol | SASL_TLS",
            "kafka.properties.security.protocoll | SASL_SSL",
            "kafka.properties.request.timeout.ms | soon",
            "kafka.properties.ssl.truststore.location | /no/such/truststore.p12",
            "kafka.properties.bootstrap.servers | evil:9092",
            "kafka.properties.group.id | other",
            "kafka.properties.value.deserializer | x.Evil",
            "kafka.properties.enable.auto.commit | true",
            "kafka.properties.sasl.jaas.config | org.apache.kafka.common.security.plain.PlainLoginModule required;",
            "kafka.properties.ssl.truststore.password | changeit",
            "kafka.properties.ssl.key.password | changeit"})
    void badKafkaSettingsFailNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> ShoestringConfig.of(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("changeit"));
    }

    @Test
    void aSecretInAFileIsRefusedWithTheVariableToUse() throws Exception {
        Path file = dir.resolve("leaky.yaml");
        Files.writeString(file, "kafka.properties.sasl.jaas.config: x required password=\"hunter2\";\n");
        assertThatThrownBy(() -> ShoestringConfig.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.properties.sasl.jaas.config")
                .hasMessageContaining("SHOESTRING_KAFKA_SASL_JAAS_CONFIG")
                .hasMessageContaining("SHOESTRING_KAFKA_SASL_USERNAME")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void saslWithoutCredentialsOrCredentialsWithoutSaslAreNamed() {
        Map<String, String> scram = Map.of("kafka.properties.security.protocol", "SASL_SSL",
                "kafka.properties.sasl.mechanism", "SCRAM-SHA-256");
        assertThatThrownBy(() -> ShoestringConfig.of(scram))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("kafka.properties.sasl.jaas.config"))
                .hasMessageContaining("SHOESTRING_KAFKA_SASL_USERNAME");
        Map<String, String> env = new HashMap<>(Map.of("SHOESTRING_KAFKA_SASL_USERNAME", "u"));
        assertThatThrownBy(() -> ShoestringConfig.load(null, env, scram))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SHOESTRING_KAFKA_SASL_PASSWORD");
        env.put("SHOESTRING_KAFKA_SASL_PASSWORD", "p");
        assertThatThrownBy(() -> ShoestringConfig.load(null, env, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("kafka.properties.security.protocol"));
        assertThatThrownBy(() -> ShoestringConfig.load(null, env, Map.of("kafka.properties.security.protocol", "SASL_SSL")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("kafka.properties.sasl.mechanism"));
        assertThat(ShoestringConfig.load(null, env, scram).kafkaAdminProperties().getProperty("sasl.jaas.config"))
                .contains("ScramLoginModule");
    }

    @Test
    void withoutKafkaPropertiesTheClientsArePlaintextAsBefore() {
        Properties p = ShoestringConfig.defaults().kafkaConsumerProperties();
        assertThat(p).containsOnlyKeys("bootstrap.servers");
        assertThat(ShoestringConfig.defaults().withGroupId("g").kafkaAdminProperties()).containsOnlyKeys("bootstrap.servers");
    }
}
