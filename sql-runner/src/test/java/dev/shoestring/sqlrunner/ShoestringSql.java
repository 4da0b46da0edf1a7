package dev.shoestring.sqlrunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/shoestring sql -f SCRIPT} - the command users run - with the given settings, and
 * reads the client's tableau output back as rows.
 */
final class ShoestringSql {
    /** The repository root (failsafe sets SHOESTRING_ROOT; the fallback is this module's parent). */
    static final Path ROOT = Path.of(System.getenv().getOrDefault("SHOESTRING_ROOT", "..")).toAbsolutePath().normalize();

    /** Exit code and output of one run. */
    record Result(int exitCode, String output) {
        /** The rows of the n-th (0-based) result table, each a column -> value map ("<NULL>" is null). */
        List<Map<String, String>> table(int n) {
            List<List<String>> tables = new ArrayList<>();
            for (String chunk : output.split("Flink SQL>")) {
                List<String> lines = chunk.lines().filter(l -> l.startsWith("|")).toList();
                if (!lines.isEmpty()) {
                    tables.add(lines);
                }
            }
            if (n >= tables.size()) {
                throw new AssertionError("no result table " + n + " in:\n" + output);
            }
            List<String> lines = tables.get(n);
            List<String> header = cells(lines.get(0));
            List<Map<String, String>> rows = new ArrayList<>();
            for (String l : lines.subList(1, lines.size())) {
                List<String> c = cells(l);
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    row.put(header.get(i), c.get(i).equals("<NULL>") ? null : c.get(i));
                }
                rows.add(row);
            }
            return rows;
        }

        private static List<String> cells(String line) {
            String inner = line.substring(1, line.lastIndexOf('|'));
            return Arrays.stream(inner.split("\\|", -1)).map(String::trim).toList();
        }
    }

    private ShoestringSql() {}

    static Result run(Path script, String... settings) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/shoestring").toString(), "sql"));
        for (String s : settings) {
            cmd.add("--set");
            cmd.add(s);
        }
        cmd.add("-f");
        cmd.add(script.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // The build ran just before (package precedes integration-test): never a nested mvn.
        pb.environment().put("SHOESTRING_SQL_NO_BUILD", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/shoestring sql did not finish");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs SQL text written to a temporary script. */
    static Result runText(String sql, String... settings) throws IOException, InterruptedException {
        Path f = Files.createTempFile("shoestring-test-", ".sql");
        try {
            Files.writeString(f, sql);
            return run(f, settings);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    static Path script(String name) {
        return ROOT.resolve("sql/client").resolve(name);
    }
}
