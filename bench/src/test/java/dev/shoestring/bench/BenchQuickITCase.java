package dev.shoestring.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of {@code bin/shoestring bench --quick} against the real services: the run completes
 * and its table parses, every figure present with positive numbers. Deliberately no assertion on
 * the rates themselves: a shared machine's numbers are not a test verdict.
 */
class BenchQuickITCase {
    private static final Pattern NUMBER = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?) ");

    @TempDir
    Path out;

    @Test
    void quickBenchPrintsAParsableTable() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        // Smaller than --quick's default: the smoke test checks the harness, not the machine.
        int rc = Bench.run(new String[] {"--quick", "--events", "50000", "--out", out.toString()},
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(printed).isZero();

        Map<String, String[]> rows = parse(printed);
        assertThat(rows).containsOnlyKeys(Bench.ROW_GENERATOR, Bench.ROW_PIPELINE, Bench.ROW_ARCHIVE, Bench.ROW_STATE,
                Bench.ROW_PG_ROWS);
        rows.forEach((figure, cells) -> {
            assertThat(number(cells[1])).as(figure + " value").isPositive();
            if (!figure.equals(Bench.ROW_GENERATOR)) {
                assertThat(number(cells[2])).as(figure + " baseline").isPositive();
                assertThat(Double.parseDouble(cells[3])).as(figure + " ratio").isPositive();
            }
        });
        try (Stream<Path> files = Files.list(out)) {
            Path file = files.filter(f -> f.getFileName().toString().endsWith("-quick.md")).findFirst().orElseThrow();
            assertThat(parse(Files.readString(file))).containsOnlyKeys(rows.keySet());
        }
    }

    /** The table's data rows by figure: {figure, value, baseline, ratio, target}. */
    static Map<String, String[]> parse(String markdown) {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : markdown.split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| figure") || line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.substring(2, line.length() - 2).split(" \\| ");
            rows.put(cells[0], cells);
        }
        return rows;
    }

    private static double number(String cell) {
        Matcher m = NUMBER.matcher(cell);
        assertThat(m.find()).as("a number in '" + cell + "'").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
