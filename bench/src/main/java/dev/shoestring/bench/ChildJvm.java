package dev.shoestring.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Starts a Java process on this JVM's classpath (the bench's, which holds the job and Flink). */
final class ChildJvm {
    private ChildJvm() {}

    /** Children still running when the bench JVM exits (Ctrl-C, SIGTERM): killed so none outlives it. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : LIVE) {
                if (p.isAlive()) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }, "bench-child-reaper"));
    }

    static Process start(List<String> jvmOptions, String mainClass, List<String> args, Map<String, String> env, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        // Extra options for every child, e.g. a JFR recording of a scale point:
        // SHOESTRING_BENCH_CHILD_OPTS="-XX:StartFlightRecording=filename=/tmp/scale.jfr".
        String extra = System.getenv("SHOESTRING_BENCH_CHILD_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        String log4j = System.getProperty("log4j.configurationFile");
        if (log4j != null) {
            cmd.add("-Dlog4j.configurationFile=" + log4j);
        }
        cmd.add("-Daws.java.v1.disableDeprecationAnnouncement=true");
        // Under Surefire/Failsafe this is a manifest-only jar whose Class-Path lists everything.
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        return p;
    }

    /**
     * A Flink profile for one child: FLINK_CONF_DIR's config.yaml with the REST port replaced by
     * {@code port} (the local profile's fixed port would clash with any other local run).
     */
    static Path flinkConfDir(Path dir, int port) throws IOException {
        String source = System.getenv("FLINK_CONF_DIR");
        Files.createDirectories(dir);
        String yaml = source == null || source.isEmpty() ? "" : Files.readString(Path.of(source, "config.yaml"));
        if (!yaml.matches("(?s).*\\n  port: \\d+\\n.*")) {
            throw new IllegalStateException("no 'rest: port:' in " + source + "/config.yaml to replace");
        }
        Files.writeString(dir.resolve("config.yaml"), yaml.replaceFirst("\\n  port: \\d+\\n", "\n  port: " + port + "\n"));
        return dir;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Map<String, String> env(String key, String value) {
        Map<String, String> m = new HashMap<>();
        m.put(key, value);
        return m;
    }

    /** The last line of {@code log} that starts with {@code prefix}, as key=value pairs; null if none. */
    static Map<String, String> resultLine(Path log, String prefix) throws IOException {
        List<String> lines = Files.readAllLines(log);
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            if (line.startsWith(prefix + " ")) {
                Map<String, String> out = new HashMap<>();
                for (String kv : line.substring(prefix.length() + 1).trim().split(" ")) {
                    int eq = kv.indexOf('=');
                    out.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                return out;
            }
        }
        return null;
    }

    /** The last lines of a child's log, for an error message. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
