package dev.shoestring.sqlrunner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code bin/shoestring sql [-c FILE] [--set key=value]... [-f SCRIPT]}: the Flink SQL client in
 * embedded mode with the project's catalog ({@code sql/client/00-init.sql}, its {@code ${key}}
 * placeholders filled from the Shoestring configuration) and the UDF jar.
 *
 * <p>The client runs in a child JVM on this JVM's classpath (or {@code -Dshoestring.sql.classpath}),
 * with {@code FLINK_CONF_DIR} = {@code sql-runner/flink-conf} unless set. Interactive without {@code -f}.
 * With {@code -f} the client's output is copied through and this returns non-zero if any statement
 * failed: the client itself exits 0 after a failed statement, but prints {@code [ERROR]}.
 *
 * <p>Secrets: the Postgres password comes only from {@code SHOESTRING_POSTGRES_PASSWORD}, Kafka
 * secrets only from {@code SHOESTRING_KAFKA_<NAME>} (the job's convention, e.g.
 * {@code SHOESTRING_KAFKA_SASL_JAAS_CONFIG}); the rendered init script lives in a private
 * temporary directory (0700) for the client's lifetime.
 *
 * <p>TLS and SASL: {@code kafka.properties.*} keys become the Kafka tables' {@code properties.*}
 * options (Flink validates them); {@code postgres.ssl-mode} and {@code postgres.ssl-root-cert}
 * become the JDBC URL's {@code sslmode} and {@code sslrootcert}.
 */
public final class SqlRunner {
    public static final String CLIENT_MAIN = "org.apache.flink.table.client.SqlClient";
    static final String ERROR_MARKER = "[ERROR]";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z0-9.-]+)}");

    /** The configuration keys the init script may use, with the defaults of CONTRACT §4. */
    static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("kafka.bootstrap-servers", "127.0.0.1:19092");
        DEFAULTS.put("kafka.topic", "events");
        DEFAULTS.put("kafka.dlq-topic", "events.dlq");
        DEFAULTS.put("postgres.url", "jdbc:postgresql://127.0.0.1:15433/shoestring");
        DEFAULTS.put("postgres.user", "shoestring");
    }

    static final String KAFKA_PROPERTIES = "kafka.properties.";

    private SqlRunner() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs the client as {@code bin/shoestring sql} does; returns its exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        Path root = Path.of(env.getOrDefault("SHOESTRING_ROOT", ".")).toAbsolutePath().normalize();
        Map<String, String> config = new LinkedHashMap<>(DEFAULTS);
        Path script = null;
        Path udfJar = root.resolve("udfs/target/shoestring-udfs.jar");
        Path init = root.resolve("sql/client/00-init.sql");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-f", "--file" -> script = Path.of(value(args, ++i, a));
                case "-c", "--config" -> config.putAll(readFlatYaml(Path.of(value(args, ++i, a))));
                case "--set" -> {
                    String kv = value(args, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set wants key=value, got '" + kv + "'");
                    }
                    config.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
                }
                case "--udfs" -> udfJar = Path.of(value(args, ++i, a));
                case "--init" -> init = Path.of(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown option '" + a
                        + "' (usage: sql [-c FILE] [--set key=value]... [-f SCRIPT])");
            }
        }
        if (script != null && !Files.isRegularFile(script)) {
            throw new IllegalArgumentException("no such script: " + script);
        }
        if (!Files.isRegularFile(udfJar)) {
            throw new IllegalStateException("UDF jar missing: " + udfJar + " (mvn -pl udfs package)");
        }
        postgresTls(config);
        postgresCredentials(config, env.get("SHOESTRING_POSTGRES_PASSWORD"));
        kafkaOptions(config, env);

        Path tmp = Files.createTempDirectory("shoestring-sql-");
        try {
            Path renderedInit = tmp.resolve("00-init.sql");
            Files.writeString(renderedInit, render(Files.readString(init), config));
            Path log = tmp.resolve("sql-client.log");
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            String opts = env.get("SHOESTRING_JAVA_OPTS");
            if (opts != null && !opts.isBlank()) {
                cmd.addAll(List.of(opts.trim().split("\\s+")));
            }
            cmd.add("-Dlog4j.configurationFile=" + root.resolve("sql-runner/flink-conf/log4j-cli.properties"));
            cmd.add("-Dlog.file=" + log);
            // timestamptz read through JDBC becomes TIMESTAMP in the JVM's zone: make that UTC.
            cmd.add("-Duser.timezone=UTC");
            cmd.add("-cp");
            cmd.add(System.getProperty("shoestring.sql.classpath", System.getProperty("java.class.path")));
            cmd.add(CLIENT_MAIN);
            cmd.addAll(List.of("--init", renderedInit.toString(), "--jar", udfJar.toString()));
            if (script != null) {
                cmd.addAll(List.of("-f", script.toAbsolutePath().toString()));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putIfAbsent("FLINK_CONF_DIR", root.resolve("sql-runner/flink-conf").toString());
            if (script == null) {
                return pb.inheritIO().start().waitFor();
            }
            pb.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            boolean failed = false;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.println(line);
                    failed |= line.contains(ERROR_MARKER);
                }
            }
            int code = p.waitFor();
            if (failed || code != 0) {
                err.println("shoestring sql: " + script + " failed" + (code != 0 ? " (client exit " + code + ")" : "")
                        + "; the client's log follows");
                if (Files.exists(log)) {
                    try (Stream<String> lines = Files.lines(log)) {
                        lines.filter(l -> !l.isBlank()).limit(200).forEach(err::println);
                    }
                }
                return code != 0 ? code : 1;
            }
            return 0;
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The init script with each {@code ${key}} replaced; an unknown key is an error naming it. */
    static String render(String template, Map<String, String> config) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = config.get(m.group(1));
            if (v == null) {
                throw new IllegalArgumentException("sql/client/00-init.sql uses ${" + m.group(1)
                        + "}, which is not a configuration key the runner knows: " + config.keySet());
            }
            // Values go inside SQL string literals; the password option is a clause of its own.
            String text = m.group(1).endsWith("-option") ? v : v.replace("'", "''");
            m.appendReplacement(sb, Matcher.quoteReplacement(text));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * Derived keys for the JDBC tables: {@code postgres.jdbc-url} and {@code postgres.credentials-option}.
     * Flink's JDBC connector wants both username and password or neither; without a password (trust
     * or peer auth) the user goes into the URL instead.
     */
    static void postgresCredentials(Map<String, String> config, String password) {
        String url = config.get("postgres.url");
        String user = config.get("postgres.user");
        if (password == null || password.isEmpty()) {
            config.put("postgres.jdbc-url", url.contains("user=") ? url : url + (url.contains("?") ? "&" : "?") + "user=" + user);
            config.put("postgres.credentials-option", "");
        } else {
            config.put("postgres.jdbc-url", url);
            config.put("postgres.credentials-option", ",\n  'username' = '" + user.replace("'", "''")
                    + "',\n  'password' = '" + password.replace("'", "''") + "'");
        }
    }

    /** {@code postgres.ssl-mode} and {@code postgres.ssl-root-cert} as parameters of {@code postgres.url}. */
    static void postgresTls(Map<String, String> config) {
        String url = config.get("postgres.url");
        StringBuilder b = new StringBuilder(url);
        for (String[] kv : new String[][] {{"postgres.ssl-mode", "sslmode"}, {"postgres.ssl-root-cert", "sslrootcert"}}) {
            String v = config.remove(kv[0]);
            if (v != null && !v.isBlank()) {
                b.append(b.indexOf("?") < 0 ? '?' : '&').append(kv[1]).append('=')
                        .append(java.net.URLEncoder.encode(v.trim(), StandardCharsets.UTF_8));
            }
        }
        config.put("postgres.url", b.toString());
    }

    /**
     * {@code kafka.properties-option}: each {@code kafka.properties.<name>} as a Kafka table option
     * {@code 'properties.<name>'}, and each secret (a setting Kafka types as a password) from
     * {@code SHOESTRING_KAFKA_<NAME>}; a secret in the configuration is refused, as the job does.
     */
    static void kafkaOptions(Map<String, String> config, Map<String, String> env) {
        Map<String, String> props = new java.util.TreeMap<>();
        for (Map.Entry<String, String> e : config.entrySet()) {
            if (e.getKey().startsWith(KAFKA_PROPERTIES)) {
                String name = e.getKey().substring(KAFKA_PROPERTIES.length());
                if (isKafkaSecret(name)) {
                    throw new IllegalArgumentException(e.getKey() + " is a secret: set it in the environment as "
                            + kafkaEnvName(name) + ", never in a file or on the command line");
                }
                props.put(name, e.getValue());
            }
        }
        for (String name : org.apache.kafka.clients.consumer.ConsumerConfig.configNames()) {
            String v = isKafkaSecret(name) ? env.get(kafkaEnvName(name)) : null;
            if (v != null && !v.isEmpty()) {
                props.put(name, v);
            }
        }
        StringBuilder option = new StringBuilder();
        props.forEach((k, v) -> option.append(",\n  'properties.").append(k.replace("'", "''")).append("' = '")
                .append(v.replace("'", "''")).append('\''));
        config.put("kafka.properties-option", option.toString());
    }

    private static boolean isKafkaSecret(String name) {
        var key = org.apache.kafka.clients.consumer.ConsumerConfig.configDef().configKeys().get(name);
        return key != null && key.type == org.apache.kafka.common.config.ConfigDef.Type.PASSWORD;
    }

    private static String kafkaEnvName(String name) {
        return "SHOESTRING_KAFKA_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** The flat {@code key: value} lines of a Shoestring YAML file (nested maps are not read here). */
    static Map<String, String> readFlatYaml(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || line.startsWith(" ")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon > 0 && colon < l.length() - 1) {
                String v = l.substring(colon + 1).strip();
                if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                    v = v.substring(1, v.length() - 1);
                }
                m.put(l.substring(0, colon).strip(), v);
            }
        }
        return m;
    }
}
