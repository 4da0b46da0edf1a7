package dev.shoestring.kafka;

import dev.shoestring.config.ConfigException;
import dev.shoestring.config.ShoestringConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

/**
 * The {@code kafka.properties.*} keys: Kafka client settings passed to every Kafka client the
 * project creates (the job's source and dead-letter producer, the preflight and progress admin
 * clients, the generators), as Flink's Kafka connector passes {@code properties.*}. Typically
 * {@code security.protocol}, {@code sasl.mechanism} and the {@code ssl.*} trust settings.
 *
 * <p>Each name must be a setting of Kafka's consumer, producer or admin client and its value must
 * pass Kafka's own type and validator, checked at start-up and reported under the Shoestring key.
 * Settings Shoestring owns ({@code bootstrap.servers}, {@code group.id}, (de)serializers, ...) are
 * refused with the key to use instead. A client gets only the settings its kind knows.
 *
 * <p>Secrets (every setting Kafka types as PASSWORD: {@code sasl.jaas.config},
 * {@code ssl.truststore.password}, ...) come only from the environment, as
 * {@code SHOESTRING_KAFKA_<NAME>} ({@code sasl.jaas.config} = {@code SHOESTRING_KAFKA_SASL_JAAS_CONFIG}),
 * or for SASL PLAIN and SCRAM as {@code SHOESTRING_KAFKA_SASL_USERNAME} and
 * {@code SHOESTRING_KAFKA_SASL_PASSWORD}, from which the JAAS line is built here.
 */
public final class KafkaClientProperties {
    public static final String PREFIX = ShoestringConfig.KAFKA_PROPERTIES;
    public static final String ENV_PREFIX = "SHOESTRING_KAFKA_";
    public static final String ENV_SASL_USERNAME = "SHOESTRING_KAFKA_SASL_USERNAME";
    public static final String ENV_SASL_PASSWORD = "SHOESTRING_KAFKA_SASL_PASSWORD";

    /** Every consumer, producer and admin setting, by name. */
    private static final Map<String, ConfigDef.ConfigKey> KEYS = new HashMap<>();
    private static final Set<String> CONSUMER = ConsumerConfig.configNames();
    private static final Set<String> PRODUCER = ProducerConfig.configNames();
    private static final Set<String> ADMIN = AdminClientConfig.configNames();

    static {
        KEYS.putAll(AdminClientConfig.configDef().configKeys());
        KEYS.putAll(ProducerConfig.configDef().configKeys());
        KEYS.putAll(ConsumerConfig.configDef().configKeys());
    }

    /** Kafka settings that Shoestring sets itself, with the key (or reason) that governs them. */
    private static final Map<String, String> OWNED = Map.ofEntries(
            Map.entry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "use kafka.bootstrap-servers"),
            Map.entry(ConsumerConfig.GROUP_ID_CONFIG, "use kafka.group-id"),
            Map.entry(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "the job reads raw bytes"),
            Map.entry(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "the job reads raw bytes"),
            Map.entry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "the job writes raw bytes"),
            Map.entry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "the job writes raw bytes"),
            Map.entry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "offsets are committed on checkpoints"),
            Map.entry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "the dead-letter sink is at-least-once"));

    private static final Set<String> SASL_PROTOCOLS = Set.of("SASL_PLAINTEXT", "SASL_SSL");
    /** SASL mechanisms whose JAAS line is built from a user name and password. */
    private static final Map<String, String> LOGIN_MODULES = Map.of(
            "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule",
            "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
            "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");
    private static final Set<String> FILE_SETTINGS = Set.of(
            SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);

    private KafkaClientProperties() {}

    /** True for settings Kafka types as PASSWORD: they may come only from the environment. */
    public static boolean isSecret(String name) {
        ConfigDef.ConfigKey k = KEYS.get(name);
        return k != null && k.type == ConfigDef.Type.PASSWORD;
    }

    /** The environment variable that carries the secret setting {@code name}. */
    public static String envName(String name) {
        return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Refuses a secret given in a file or with {@code --set} (it would end up in a shipped or
     * shared file, or in the process list). {@code key} is the full key, with {@link #PREFIX}.
     */
    public static void checkNotSecret(String key) {
        String name = key.substring(PREFIX.length());
        if (isSecret(name)) {
            throw new ConfigException(key, "is a secret: set it in the environment as " + envName(name)
                    + (name.equals(SaslConfigs.SASL_JAAS_CONFIG)
                            ? " (or " + ENV_SASL_USERNAME + " and " + ENV_SASL_PASSWORD + " for PLAIN and SCRAM)" : "")
                    + ", never in a file or on the command line");
        }
    }

    /**
     * The secret settings found in the environment, as full keys: every PASSWORD setting from its
     * variable, and {@code sasl.jaas.config} built from the SASL user name and password when no
     * JAAS line is given. {@code given} holds the non-secret settings (full keys), for the mechanism.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> env, Map<String, String> given) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigDef.ConfigKey> k : KEYS.entrySet()) {
            if (k.getValue().type == ConfigDef.Type.PASSWORD) {
                String v = env.get(envName(k.getKey()));
                if (v != null && !v.isEmpty()) {
                    out.put(PREFIX + k.getKey(), v);
                }
            }
        }
        String user = env.get(ENV_SASL_USERNAME);
        String password = env.get(ENV_SASL_PASSWORD);
        boolean hasUser = user != null && !user.isEmpty();
        boolean hasPassword = password != null && !password.isEmpty();
        String jaasKey = PREFIX + SaslConfigs.SASL_JAAS_CONFIG;
        if (hasUser != hasPassword) {
            throw new ConfigException(jaasKey, (hasUser ? ENV_SASL_USERNAME : ENV_SASL_PASSWORD) + " is set but "
                    + (hasUser ? ENV_SASL_PASSWORD : ENV_SASL_USERNAME) + " is not: set both");
        }
        if (hasUser && !out.containsKey(jaasKey)) {
            String protocol = given.getOrDefault(PREFIX + CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
            if (!SASL_PROTOCOLS.contains(protocol.toUpperCase(Locale.ROOT))) {
                throw new ConfigException(PREFIX + CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, ENV_SASL_USERNAME
                        + " is set, but security.protocol is " + protocol + ": set SASL_SSL (or unset the variables)");
            }
            String mechanism = given.getOrDefault(PREFIX + SaslConfigs.SASL_MECHANISM, SaslConfigs.DEFAULT_SASL_MECHANISM);
            String module = LOGIN_MODULES.get(mechanism);
            if (module == null) {
                throw new ConfigException(PREFIX + SaslConfigs.SASL_MECHANISM, "is " + mechanism + "; a user name and"
                        + " password (" + ENV_SASL_USERNAME + ") need PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, or give the"
                        + " whole JAAS line as " + envName(SaslConfigs.SASL_JAAS_CONFIG));
            }
            out.put(jaasKey, jaasLine(module, user, password));
        }
        return out;
    }

    /**
     * {@code <module> required username="..." password="...";} with both values quoted so that no
     * character in them can end the value or add an option (Kafka's parser is a StreamTokenizer:
     * backslash escapes inside double quotes).
     */
    static String jaasLine(String module, String user, String password) {
        return module + " required username=" + quote(user) + " password=" + quote(password) + ";";
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /**
     * Checks every {@code kafka.properties.*} entry of {@code values} (full keys) and returns them
     * by Kafka name. Throws {@link ConfigException} naming the key.
     */
    public static Map<String, String> validate(Map<String, String> values) {
        Map<String, String> props = new TreeMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (!e.getKey().startsWith(PREFIX)) {
                continue;
            }
            String key = e.getKey();
            String name = key.substring(PREFIX.length());
            String value = e.getValue() == null ? "" : e.getValue().trim();
            if (OWNED.containsKey(name)) {
                throw new ConfigException(key, "is set by Shoestring: " + OWNED.get(name));
            }
            ConfigDef.ConfigKey k = KEYS.get(name);
            if (k == null) {
                throw new ConfigException(key, "'" + name + "' is not a Kafka consumer, producer or admin client setting");
            }
            try {
                Object parsed = ConfigDef.parseType(name, value, k.type);
                if (k.validator != null) {
                    k.validator.ensureValid(name, parsed);
                }
            } catch (org.apache.kafka.common.config.ConfigException ex) {
                throw new ConfigException(key, isSecret(name) ? "not a valid value (not shown: a secret)" : ex.getMessage());
            }
            if (FILE_SETTINGS.contains(name) && !Files.isReadable(Path.of(value))) {
                throw new ConfigException(key, "no readable file at '" + value + "'");
            }
            props.put(name, value);
        }
        String protocol = props.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT").toUpperCase(Locale.ROOT);
        String jaas = props.get(SaslConfigs.SASL_JAAS_CONFIG);
        String mechanism = props.getOrDefault(SaslConfigs.SASL_MECHANISM, SaslConfigs.DEFAULT_SASL_MECHANISM);
        if (SASL_PROTOCOLS.contains(protocol) && jaas == null && LOGIN_MODULES.containsKey(mechanism)) {
            throw new ConfigException(PREFIX + SaslConfigs.SASL_JAAS_CONFIG, "security.protocol " + protocol + " with "
                    + mechanism + " needs credentials: set " + ENV_SASL_USERNAME + " and " + ENV_SASL_PASSWORD
                    + " (or " + envName(SaslConfigs.SASL_JAAS_CONFIG) + ")");
        }
        if (jaas != null) {
            try {
                JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaas)));
            } catch (IllegalArgumentException ex) {
                // Kafka's message may quote the line, password included.
                throw new ConfigException(PREFIX + SaslConfigs.SASL_JAAS_CONFIG, "not a valid JAAS line"
                        + " (<LoginModule class> required key=\"value\" ...;); not shown: it holds a password");
            }
        }
        return Collections.unmodifiableMap(props);
    }

    /** Client properties for a Kafka consumer: the bootstrap servers and the settings consumers know. */
    public static Properties consumer(String bootstrap, Map<String, String> props) {
        return forClient(bootstrap, props, CONSUMER);
    }

    public static Properties producer(String bootstrap, Map<String, String> props) {
        return forClient(bootstrap, props, PRODUCER);
    }

    public static Properties admin(String bootstrap, Map<String, String> props) {
        return forClient(bootstrap, props, ADMIN);
    }

    private static Properties forClient(String bootstrap, Map<String, String> props, Set<String> known) {
        Properties p = new Properties();
        props.forEach((k, v) -> {
            if (known.contains(k)) {
                p.setProperty(k, v);
            }
        });
        p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }
}
