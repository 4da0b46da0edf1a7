package dev.shoestring.k8s;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.apache.flink.annotation.docs.Documentation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DelegatingConfiguration;
import org.apache.flink.configuration.FallbackKey;

/**
 * Every configuration key the Flink on the test classpath declares, found the way Flink's docs
 * generator finds them: the static {@link ConfigOption} fields of the {@code *Options} classes in
 * the Flink jars (flink-core, -runtime, -clients, -statebackend-rocksdb, -kubernetes,
 * -metrics-prometheus, and the S3 plugin's factory), with their deprecated fallback keys.
 *
 * <p>{@link #check} sorts the keys of a configuration into known, deprecated and unknown, and
 * parses every known value with its option's type. Keys Flink itself does not declare:
 * <ul>
 *   <li>{@code s3.*} / {@code fs.s3a.*}: the S3 plugin copies them into Hadoop's S3A
 *       configuration ({@code s3.} becomes {@code fs.s3a.}); they are checked against the key
 *       constants of the S3A version inside the plugin ({@code org.apache.hadoop.fs.s3a.Constants});</li>
 *   <li>{@code metrics.reporter.<name>.<arg>}: the reporter's own arguments, checked against the
 *       {@code ARG_*} constants of its factory class;</li>
 *   <li>{@code kubernetes.operator.*}: read by the operator, not by Flink; checked against the
 *       keys of operator 1.15.0 (src/test/resources/flink-kubernetes-operator-1.15.0-keys.txt),
 *       since the operator's jar is not published to Maven Central.</li>
 * </ul>
 */
final class FlinkOptions {
    private static final Pattern JAR = Pattern.compile("flink-(core|runtime|clients|statebackend-rocksdb|kubernetes|metrics-prometheus|s3-fs-hadoop)-[0-9.]+\\.jar");
    private static final List<String> EXTRA_CLASSES = List.of("org.apache.flink.fs.s3.common.AbstractS3FileSystemFactory");

    /** A declared option and whether its declaration is deprecated. */
    record Declared(ConfigOption<?> option, boolean deprecated, String where) {}

    private final Map<String, List<Declared>> byKey = new HashMap<>();
    /** Deprecated fallback key -> the key to use instead. */
    private final Map<String, String> deprecatedKeys = new HashMap<>();
    /** Options whose key is a suffix of a dynamic prefix, e.g. metrics.reporter.<name>.factory.class. */
    private final Map<Pattern, List<Declared>> suffixOptions = new HashMap<>();
    private final Set<String> s3aKeys = new TreeSet<>();
    private final Set<String> operatorKeys;
    final Set<String> scannedClasses = new TreeSet<>();

    FlinkOptions(Set<String> operatorKeys) {
        this.operatorKeys = operatorKeys;
        List<String> classes = new ArrayList<>(EXTRA_CLASSES);
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            File f = new File(entry);
            if (JAR.matcher(f.getName()).matches()) {
                classes.addAll(optionClasses(f));
            }
        }
        for (String c : classes) {
            scan(c);
        }
        try {
            for (Field f : Class.forName("org.apache.hadoop.fs.s3a.Constants").getFields()) {
                if (f.getType() == String.class && Modifier.isStatic(f.getModifiers())) {
                    String v = (String) f.get(null);
                    if (v != null && v.startsWith("fs.s3a.")) {
                        s3aKeys.add(v);
                    }
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the S3 plugin's Hadoop S3A classes are not on the test classpath", e);
        }
    }

    int size() {
        return byKey.size();
    }

    private static List<String> optionClasses(File jar) {
        List<String> out = new ArrayList<>();
        try (JarFile jf = new JarFile(jar)) {
            for (Enumeration<JarEntry> e = jf.entries(); e.hasMoreElements(); ) {
                String n = e.nextElement().getName();
                if (n.startsWith("org/apache/flink/") && n.endsWith("Options.class") && !n.contains("$") && !n.contains("/shaded/")) {
                    out.add(n.substring(0, n.length() - ".class".length()).replace('/', '.'));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private void scan(String className) {
        Class<?> c;
        try {
            c = Class.forName(className);
        } catch (Throwable e) {
            return; // needs a class this classpath lacks: not one of the configuration classes we use
        }
        scannedClasses.add(className);
        boolean classDeprecated = c.isAnnotationPresent(Deprecated.class);
        for (Field f : c.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !ConfigOption.class.isAssignableFrom(f.getType())) {
                continue;
            }
            ConfigOption<?> o;
            try {
                o = (ConfigOption<?>) f.get(null);
            } catch (IllegalAccessException e) {
                continue;
            }
            Declared d = new Declared(o, classDeprecated || f.isAnnotationPresent(Deprecated.class), className + "." + f.getName());
            Documentation.SuffixOption suffix = f.getAnnotation(Documentation.SuffixOption.class);
            if (o.key().matches("<[^>]+>")) {
                continue; // a stand-in for "any argument" (metrics.reporter.<name>.<parameter>): checked per reporter below
            }
            if (suffix != null) {
                suffixOptions.computeIfAbsent(placeholders(suffix.value() + "." + o.key()), k -> new ArrayList<>()).add(d);
            } else if (o.key().contains("<")) {
                suffixOptions.computeIfAbsent(placeholders(o.key()), k -> new ArrayList<>()).add(d);
            } else {
                byKey.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(d);
            }
            for (FallbackKey fk : o.fallbackKeys()) {
                if (fk.isDeprecated()) {
                    deprecatedKeys.put(fk.getKey(), o.key());
                }
            }
        }
    }

    /** {@code metrics.reporter.<name>.port} as a pattern: each {@code <...>} is one key segment. */
    private static Pattern placeholders(String key) {
        StringBuilder re = new StringBuilder();
        for (String part : key.split("(?=<)|(?<=>)")) {
            re.append(part.startsWith("<") ? "[^.]+" : Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    /** What is wrong with a flat Flink configuration: one line per problem, empty if none. */
    List<String> check(Map<String, String> flat) {
        List<String> problems = new ArrayList<>();
        Configuration conf = Configuration.fromMap(flat);
        for (Map.Entry<String, String> e : flat.entrySet()) {
            String key = e.getKey();
            List<Declared> declared = byKey.get(key);
            if (declared != null) {
                if (declared.stream().allMatch(Declared::deprecated)) {
                    problems.add(key + ": deprecated (" + declared.get(0).where() + ")");
                }
                parse(conf, declared.get(0).option(), key, problems);
            } else if (deprecatedKeys.containsKey(key)) {
                problems.add(key + ": deprecated, use " + deprecatedKeys.get(key));
            } else if (!knownElsewhere(key, flat, conf, problems)) {
                problems.add(key + ": unknown (no Flink ConfigOption, plugin key or operator key of that name)");
            }
        }
        return problems;
    }

    private boolean knownElsewhere(String key, Map<String, String> flat, Configuration conf, List<String> problems) {
        for (Map.Entry<Pattern, List<Declared>> s : suffixOptions.entrySet()) {
            if (s.getKey().matcher(key).matches()) {
                Declared d = s.getValue().get(0);
                if (d.deprecated()) {
                    problems.add(key + ": deprecated (" + d.where() + ")");
                }
                String prefix = key.substring(0, key.length() - d.option().key().length());
                if (key.endsWith(d.option().key())) {
                    parse(new DelegatingConfiguration(conf, prefix), d.option(), key, problems);
                }
                return true;
            }
        }
        if (key.startsWith("kubernetes.operator.")) {
            return operatorKeys.contains(key);
        }
        if (key.startsWith("s3.")) {
            return s3aKeys.contains("fs.s3a." + key.substring(3));
        }
        if (key.startsWith("fs.s3a.")) {
            return s3aKeys.contains(key);
        }
        if (key.startsWith("metrics.reporter.")) {
            return isReporterArgument(key, flat);
        }
        return false;
    }

    /** metrics.reporter.NAME.ARG where ARG is an ARG_* constant of NAME's factory class. */
    private static boolean isReporterArgument(String key, Map<String, String> flat) {
        String[] parts = key.split("\\.", 4);
        if (parts.length < 4) {
            return false;
        }
        String factory = flat.get("metrics.reporter." + parts[2] + ".factory.class");
        if (factory == null) {
            return false;
        }
        try {
            for (Field f : Class.forName(factory).getDeclaredFields()) {
                if (f.getName().startsWith("ARG_") && f.getType() == String.class && Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    if (parts[3].equals(f.get(null))) {
                        return true;
                    }
                }
            }
        } catch (ReflectiveOperationException e) {
            return false;
        }
        return false;
    }

    private static void parse(Configuration conf, ConfigOption<?> option, String key, List<String> problems) {
        try {
            conf.get(option);
        } catch (RuntimeException e) {
            problems.add(key + ": value '" + conf.toMap().get(key) + "' does not parse: " + e.getMessage());
        }
    }

    /** Operator keys from a resource file: one per line, # comments. */
    static Set<String> operatorKeys(String resource) {
        Set<String> keys = new LinkedHashSet<>();
        try (var in = FlinkOptions.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    keys.add(l);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }
}
