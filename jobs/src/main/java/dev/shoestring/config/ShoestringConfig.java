package dev.shoestring.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shoestring.clickhouse.ClickHouseSettings;
import dev.shoestring.kafka.KafkaClientProperties;
import dev.shoestring.postgres.PostgresSettings;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.flink.util.TimeUtils;

/**
 * The one typed configuration of Shoestring (CONTRACT §4), parsed once at start-up.
 *
 * <p>Sources, later ones winning: built-in defaults (the local services of
 * {@code bin/shoestring up}), a YAML file (flat dotted keys or nested maps), the environment
 * (secrets only: {@code SHOESTRING_POSTGRES_PASSWORD}, {@code SHOESTRING_CLICKHOUSE_PASSWORD}, their
 * {@code _DDL_PASSWORD} twins, {@code SHOESTRING_S3_ACCESS_KEY}, {@code SHOESTRING_S3_SECRET_KEY} and the
 * Kafka secrets of {@link KafkaClientProperties}), then {@code --set key=value}.
 * An unknown key or a bad value throws {@link ConfigException} naming the key.
 *
 * <p>Two roles per database: {@code *.user} is what the running job writes as (least privilege:
 * insert and update its tables), {@code *.ddl-user} what start-up applies the DDL as (the tables'
 * owner; defaults to {@code *.user}, which then needs the right to create tables).
 */
public final class ShoestringConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap-servers";
    public static final String KAFKA_TOPIC = "kafka.topic";
    public static final String KAFKA_DLQ_TOPIC = "kafka.dlq-topic";
    public static final String KAFKA_GROUP_ID = "kafka.group-id";
    /** Prefix of the Kafka client settings passed through to every Kafka client (KafkaClientProperties). */
    public static final String KAFKA_PROPERTIES = "kafka.properties.";
    public static final String PG_URL = "postgres.url";
    public static final String PG_USER = "postgres.user";
    public static final String PG_PASSWORD = "postgres.password";
    public static final String PG_DDL_USER = "postgres.ddl-user";
    public static final String PG_DDL_PASSWORD = "postgres.ddl-password";
    public static final String PG_SSL_MODE = "postgres.ssl-mode";
    public static final String PG_SSL_ROOT_CERT = "postgres.ssl-root-cert";
    public static final String CH_URL = "clickhouse.url";
    public static final String CH_USER = "clickhouse.user";
    public static final String CH_PASSWORD = "clickhouse.password";
    public static final String CH_DATABASE = "clickhouse.database";
    public static final String CH_DDL_USER = "clickhouse.ddl-user";
    public static final String CH_DDL_PASSWORD = "clickhouse.ddl-password";
    public static final String CH_SSL_ROOT_CERT = "clickhouse.ssl-root-cert";
    public static final String FLUSH_INTERVAL = "state.flush-interval";
    public static final String MAX_OUT_OF_ORDERNESS = "metrics.max-out-of-orderness";
    public static final String ALLOWED_LATENESS = "metrics.allowed-lateness";
    public static final String CHECKPOINTS_DIR = "checkpoints.dir";
    public static final String SAVEPOINTS_DIR = "savepoints.dir";
    public static final String S3_ENDPOINT = "s3.endpoint";
    public static final String S3_ACCESS_KEY = "s3.access-key";
    public static final String S3_SECRET_KEY = "s3.secret-key";
    public static final String S3_PATH_STYLE = "s3.path-style-access";

    /** Every key with its default; null means "unset". */
    static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put(KAFKA_BOOTSTRAP, "127.0.0.1:19092");
        DEFAULTS.put(KAFKA_TOPIC, "events");
        DEFAULTS.put(KAFKA_DLQ_TOPIC, "events.dlq");
        DEFAULTS.put(KAFKA_GROUP_ID, "shoestring");
        DEFAULTS.put(PG_URL, "jdbc:postgresql://127.0.0.1:15433/shoestring");
        DEFAULTS.put(PG_USER, "shoestring");
        DEFAULTS.put(PG_PASSWORD, null);
        DEFAULTS.put(PG_DDL_USER, null);
        DEFAULTS.put(PG_DDL_PASSWORD, null);
        DEFAULTS.put(PG_SSL_MODE, null);
        DEFAULTS.put(PG_SSL_ROOT_CERT, null);
        DEFAULTS.put(CH_URL, "http://127.0.0.1:18123");
        DEFAULTS.put(CH_USER, "default");
        DEFAULTS.put(CH_PASSWORD, null);
        DEFAULTS.put(CH_DATABASE, "shoestring");
        DEFAULTS.put(CH_DDL_USER, null);
        DEFAULTS.put(CH_DDL_PASSWORD, null);
        DEFAULTS.put(CH_SSL_ROOT_CERT, null);
        DEFAULTS.put(FLUSH_INTERVAL, "1 s");
        DEFAULTS.put(MAX_OUT_OF_ORDERNESS, "5 s");
        DEFAULTS.put(ALLOWED_LATENESS, "60 s");
        DEFAULTS.put(CHECKPOINTS_DIR, null);
        DEFAULTS.put(SAVEPOINTS_DIR, null);
        DEFAULTS.put(S3_ENDPOINT, null);
        DEFAULTS.put(S3_ACCESS_KEY, null);
        DEFAULTS.put(S3_SECRET_KEY, null);
        DEFAULTS.put(S3_PATH_STYLE, "true");
    }

    /** Secrets that may come from the environment instead of a file. */
    static final Map<String, String> ENV_SECRETS = Map.of(
            PG_PASSWORD, "SHOESTRING_POSTGRES_PASSWORD",
            PG_DDL_PASSWORD, "SHOESTRING_POSTGRES_DDL_PASSWORD",
            CH_PASSWORD, "SHOESTRING_CLICKHOUSE_PASSWORD",
            CH_DDL_PASSWORD, "SHOESTRING_CLICKHOUSE_DDL_PASSWORD",
            S3_ACCESS_KEY, "SHOESTRING_S3_ACCESS_KEY",
            S3_SECRET_KEY, "SHOESTRING_S3_SECRET_KEY");

    private static final Set<String> SECRETS = ENV_SECRETS.keySet();
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    /** A host name, IPv4 or bracketed IPv6 address, and a port: nothing that could quote or separate. */
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+]):\\d{1,5}");
    /** pgjdbc's sslmode values. */
    private static final List<String> PG_SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    public final String kafkaBootstrapServers;
    public final String kafkaTopic;
    public final String kafkaDlqTopic;
    public final String kafkaGroupId;
    public final String postgresUrl;
    public final String postgresUser;
    public final String postgresPassword;
    /** The role that applies the DDL; null means {@link #postgresUser}. */
    public final String postgresDdlUser;
    public final String postgresDdlPassword;
    public final String postgresSslMode;
    public final String postgresSslRootCert;
    public final String clickhouseUrl;
    public final String clickhouseUser;
    public final String clickhousePassword;
    public final String clickhouseDatabase;
    /** The user that applies the DDL; null means {@link #clickhouseUser}. */
    public final String clickhouseDdlUser;
    public final String clickhouseDdlPassword;
    public final String clickhouseSslRootCert;
    /** {@code kafka.properties.*} by Kafka name, validated; secrets included (never log them). */
    private final Map<String, String> kafkaProperties;
    public final Duration stateFlushInterval;
    public final Duration metricsMaxOutOfOrderness;
    public final Duration metricsAllowedLateness;
    public final String checkpointsDir;
    public final String savepointsDir;
    public final String s3Endpoint;
    public final String s3AccessKey;
    public final String s3SecretKey;
    public final boolean s3PathStyleAccess;

    /** The validated key/value map this object was built from. */
    private final Map<String, String> raw;

    private ShoestringConfig(Map<String, String> v) {
        raw = new LinkedHashMap<>(v);
        kafkaBootstrapServers = bootstrap(v, KAFKA_BOOTSTRAP);
        kafkaTopic = topic(v, KAFKA_TOPIC);
        kafkaDlqTopic = topic(v, KAFKA_DLQ_TOPIC);
        if (kafkaTopic.equals(kafkaDlqTopic)) {
            throw new ConfigException(KAFKA_DLQ_TOPIC, "must differ from " + KAFKA_TOPIC + " ('" + kafkaTopic + "')");
        }
        kafkaGroupId = nonEmpty(v, KAFKA_GROUP_ID);
        kafkaProperties = KafkaClientProperties.validate(v);
        postgresUrl = prefixed(v, PG_URL, "jdbc:postgresql://");
        postgresUser = v.get(PG_USER);
        postgresPassword = v.get(PG_PASSWORD);
        postgresDdlUser = optional(v, PG_DDL_USER);
        postgresDdlPassword = v.get(PG_DDL_PASSWORD);
        postgresSslMode = optionalOneOf(v, PG_SSL_MODE, PG_SSL_MODES);
        postgresSslRootCert = optionalFile(v, PG_SSL_ROOT_CERT);
        for (String param : List.of("sslmode", "sslrootcert")) {
            if ((postgresSslMode != null || postgresSslRootCert != null) && postgresUrl.matches(".*[?&]" + param + "=.*")) {
                throw new ConfigException(PG_URL, "carries " + param + " and " + PG_SSL_MODE + "/" + PG_SSL_ROOT_CERT
                        + " are set too: set TLS in one place");
            }
        }
        clickhouseUrl = url(v, CH_URL, Set.of("http", "https"));
        clickhouseUser = v.get(CH_USER);
        clickhousePassword = v.get(CH_PASSWORD);
        clickhouseDatabase = identifier(v, CH_DATABASE);
        clickhouseDdlUser = optional(v, CH_DDL_USER);
        clickhouseDdlPassword = v.get(CH_DDL_PASSWORD);
        clickhouseSslRootCert = optionalFile(v, CH_SSL_ROOT_CERT);
        if (clickhouseSslRootCert != null && !clickhouseUrl.startsWith("https:")) {
            throw new ConfigException(CH_SSL_ROOT_CERT, "is for TLS, but " + CH_URL + " is not https: '" + clickhouseUrl + "'");
        }
        stateFlushInterval = duration(v, FLUSH_INTERVAL, false);
        metricsMaxOutOfOrderness = duration(v, MAX_OUT_OF_ORDERNESS, true);
        metricsAllowedLateness = duration(v, ALLOWED_LATENESS, true);
        checkpointsDir = optionalUri(v, CHECKPOINTS_DIR);
        savepointsDir = optionalUri(v, SAVEPOINTS_DIR);
        s3Endpoint = v.get(S3_ENDPOINT) == null ? null : url(v, S3_ENDPOINT, Set.of("http", "https"));
        s3AccessKey = v.get(S3_ACCESS_KEY);
        s3SecretKey = v.get(S3_SECRET_KEY);
        s3PathStyleAccess = bool(v, S3_PATH_STYLE);
    }

    /** Defaults plus the given overrides; no file, no environment. */
    public static ShoestringConfig of(Map<String, String> overrides) {
        return load(null, Map.of(), overrides);
    }

    public static ShoestringConfig defaults() {
        return of(Map.of());
    }

    /**
     * @param file   a YAML file, or null
     * @param env    the process environment (only the secret variables are read)
     * @param sets   {@code --set} values
     */
    public static ShoestringConfig load(Path file, Map<String, String> env, Map<String, String> sets) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        if (file != null) {
            putAll(values, readYaml(file), "in " + file);
        }
        for (Map.Entry<String, String> e : ENV_SECRETS.entrySet()) {
            String fromEnv = env.get(e.getValue());
            if (fromEnv != null && !fromEnv.isEmpty()) {
                values.put(e.getKey(), fromEnv);
            }
        }
        putAll(values, sets, "given with --set");
        values.putAll(KafkaClientProperties.fromEnvironment(env, values));
        return new ShoestringConfig(values);
    }

    /** Parses {@code key=value} as given on the command line. */
    public static Map.Entry<String, String> parseSet(String s) {
        int eq = s.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException(null, "--set expects key=value, got '" + s + "'");
        }
        return Map.entry(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
    }

    private static void putAll(Map<String, String> values, Map<String, String> given, String where) {
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (e.getKey().startsWith(KAFKA_PROPERTIES)) {
                KafkaClientProperties.checkNotSecret(e.getKey());
            } else if (!DEFAULTS.containsKey(e.getKey())) {
                throw new ConfigException(e.getKey(), "unknown key " + where + "; known keys: "
                        + String.join(", ", DEFAULTS.keySet()) + ", " + KAFKA_PROPERTIES + "*");
            }
            values.put(e.getKey(), e.getValue());
        }
    }

    static Map<String, String> readYaml(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException(null, "cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> flat = new TreeMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return flat;
        }
        if (!root.isObject()) {
            throw new ConfigException(null, "config file " + file + " must be a YAML mapping");
        }
        flatten("", root, flat);
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject() && !DEFAULTS.containsKey(key)) {
                flatten(key, v, out);
            } else if (v.isValueNode()) {
                out.put(key, v.isNull() ? null : v.asText());
            } else {
                throw new ConfigException(key, "expected a single value, got " + v.getNodeType());
            }
        }
    }

    // ---- validation helpers: each names its key ----

    private static String nonEmpty(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null || s.isBlank()) {
            throw new ConfigException(key, "must not be empty");
        }
        return s.trim();
    }

    private static String optional(Map<String, String> v, String key) {
        String s = v.get(key);
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String optionalOneOf(Map<String, String> v, String key, List<String> allowed) {
        String s = optional(v, key);
        if (s != null && !allowed.contains(s)) {
            throw new ConfigException(key, "must be one of " + String.join(", ", allowed) + ", got '" + s + "'");
        }
        return s;
    }

    /** A path to a file that must be readable now: a typo fails at start-up, not at the first connection. */
    private static String optionalFile(Map<String, String> v, String key) {
        String s = optional(v, key);
        if (s != null && !Files.isReadable(Path.of(s))) {
            throw new ConfigException(key, "no readable file at '" + s + "'");
        }
        return s;
    }

    private static String bootstrap(Map<String, String> v, String key) {
        String s = nonEmpty(v, key);
        for (String part : s.split(",")) {
            if (!HOST_PORT.matcher(part.trim()).matches()) {
                throw new ConfigException(key, "expected host:port[,host:port...], got '" + s + "'");
            }
        }
        return s;
    }

    private static String topic(Map<String, String> v, String key) {
        String s = nonEmpty(v, key);
        if (!TOPIC.matcher(s).matches() || s.equals(".") || s.equals("..")) {
            throw new ConfigException(key, "not a valid Kafka topic name: '" + s + "'");
        }
        return s;
    }

    private static String identifier(Map<String, String> v, String key) {
        String s = nonEmpty(v, key);
        if (!IDENTIFIER.matcher(s).matches()) {
            throw new ConfigException(key, "must be an identifier ([A-Za-z_][A-Za-z0-9_]*), got '" + s + "'");
        }
        return s;
    }

    private static String prefixed(Map<String, String> v, String key, String prefix) {
        String s = nonEmpty(v, key);
        if (!s.startsWith(prefix)) {
            throw new ConfigException(key, "must start with " + prefix + ", got '" + s + "'");
        }
        return s;
    }

    private static String url(Map<String, String> v, String key, Set<String> schemes) {
        String s = nonEmpty(v, key);
        try {
            URI u = new URI(s);
            if (u.getScheme() == null || !schemes.contains(u.getScheme()) || u.getHost() == null) {
                throw new ConfigException(key, "expected a " + String.join("/", schemes) + " URL, got '" + s + "'");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "not a valid URL: '" + s + "'");
        }
        return s;
    }

    private static String optionalUri(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            URI u = new URI(s.trim());
            if (u.getScheme() == null) {
                throw new ConfigException(key, "must be a URI with a scheme (file://, s3://), got '" + s + "'");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "not a valid URI: '" + s + "'");
        }
        return s.trim();
    }

    private static Duration duration(Map<String, String> v, String key, boolean zeroAllowed) {
        String s = nonEmpty(v, key);
        Duration d;
        try {
            d = TimeUtils.parseDuration(s);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, "not a duration (e.g. 500 ms, 1 s, 2 min): '" + s + "'");
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new ConfigException(key, "must be " + (zeroAllowed ? ">= 0" : "> 0") + ", got '" + s + "'");
        }
        return d;
    }

    private static boolean bool(Map<String, String> v, String key) {
        String s = nonEmpty(v, key).toLowerCase();
        if (!List.of("true", "false").contains(s)) {
            throw new ConfigException(key, "must be true or false, got '" + s + "'");
        }
        return Boolean.parseBoolean(s);
    }

    /** The same configuration under another consumer group. */
    public ShoestringConfig withGroupId(String groupId) {
        Map<String, String> v = new LinkedHashMap<>(raw);
        v.put(KAFKA_GROUP_ID, groupId);
        return new ShoestringConfig(v);
    }

    /** The job's Postgres role: what the state sink writes as. */
    public PostgresSettings postgres() {
        return new PostgresSettings(postgresUrl, postgresUser, postgresPassword, stateFlushInterval,
                postgresSslMode, postgresSslRootCert);
    }

    /** The role that applies the Postgres DDL: {@code postgres.ddl-user}, else the job's. */
    public PostgresSettings postgresDdl() {
        return postgresDdlUser == null ? postgres() : postgres().as(postgresDdlUser, postgresDdlPassword);
    }

    /** The job's ClickHouse user: what the sinks insert as. */
    public ClickHouseSettings clickhouse() {
        return new ClickHouseSettings(clickhouseUrl, clickhouseUser, clickhousePassword, clickhouseDatabase,
                clickhouseSslRootCert);
    }

    /** The user that applies the ClickHouse DDL: {@code clickhouse.ddl-user}, else the job's. */
    public ClickHouseSettings clickhouseDdl() {
        return clickhouseDdlUser == null ? clickhouse() : clickhouse().as(clickhouseDdlUser, clickhouseDdlPassword);
    }

    /** Kafka consumer properties: bootstrap servers and the consumer's {@code kafka.properties.*}. */
    public java.util.Properties kafkaConsumerProperties() {
        return KafkaClientProperties.consumer(kafkaBootstrapServers, kafkaProperties);
    }

    public java.util.Properties kafkaProducerProperties() {
        return KafkaClientProperties.producer(kafkaBootstrapServers, kafkaProperties);
    }

    public java.util.Properties kafkaAdminProperties() {
        return KafkaClientProperties.admin(kafkaBootstrapServers, kafkaProperties);
    }

    /** Every key and value, secrets masked: safe to log. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(KAFKA_BOOTSTRAP, kafkaBootstrapServers);
        m.put(KAFKA_TOPIC, kafkaTopic);
        m.put(KAFKA_DLQ_TOPIC, kafkaDlqTopic);
        m.put(KAFKA_GROUP_ID, kafkaGroupId);
        kafkaProperties.forEach((k, val) -> m.put(KAFKA_PROPERTIES + k, isSecret(KAFKA_PROPERTIES + k) ? mask(val) : val));
        m.put(PG_URL, postgresUrl);
        m.put(PG_USER, postgresUser);
        m.put(PG_PASSWORD, mask(postgresPassword));
        m.put(PG_DDL_USER, postgresDdlUser);
        m.put(PG_DDL_PASSWORD, mask(postgresDdlPassword));
        m.put(PG_SSL_MODE, postgresSslMode);
        m.put(PG_SSL_ROOT_CERT, postgresSslRootCert);
        m.put(CH_URL, clickhouseUrl);
        m.put(CH_USER, clickhouseUser);
        m.put(CH_PASSWORD, mask(clickhousePassword));
        m.put(CH_DATABASE, clickhouseDatabase);
        m.put(CH_DDL_USER, clickhouseDdlUser);
        m.put(CH_DDL_PASSWORD, mask(clickhouseDdlPassword));
        m.put(CH_SSL_ROOT_CERT, clickhouseSslRootCert);
        m.put(FLUSH_INTERVAL, stateFlushInterval.toString());
        m.put(MAX_OUT_OF_ORDERNESS, metricsMaxOutOfOrderness.toString());
        m.put(ALLOWED_LATENESS, metricsAllowedLateness.toString());
        m.put(CHECKPOINTS_DIR, checkpointsDir);
        m.put(SAVEPOINTS_DIR, savepointsDir);
        m.put(S3_ENDPOINT, s3Endpoint);
        m.put(S3_ACCESS_KEY, mask(s3AccessKey));
        m.put(S3_SECRET_KEY, mask(s3SecretKey));
        m.put(S3_PATH_STYLE, Boolean.toString(s3PathStyleAccess));
        return m;
    }

    private static String mask(String secret) {
        return secret == null ? null : "******";
    }

    /** Whether the key holds a secret: masked in {@link #describe()}. */
    static boolean isSecret(String key) {
        return SECRETS.contains(key)
                || key.startsWith(KAFKA_PROPERTIES) && KafkaClientProperties.isSecret(key.substring(KAFKA_PROPERTIES.length()));
    }
}
