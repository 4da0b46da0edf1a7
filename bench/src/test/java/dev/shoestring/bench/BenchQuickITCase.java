package dev.shoestring.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
        // Recovery (two more JVMs and a steady minute) is left to the quick and full runs.
        int rc = Bench.run(new String[] {"--quick", "--events", "50000", "--parts", "throughput,freshness,scale",
            "--freshness-seconds", "5", "--scale-aggregates", "10000", "--scale-traffic", "20000", "--out", out.toString()},
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(printed).isZero();

        Map<String, String[]> rows = parse(printed);
        String scaleRate = Bench.rowScaleThroughput(10_000);
        String scaleHeap = Bench.rowScaleHeap(10_000);
        String scaleRss = Bench.rowScaleRss(10_000);
        assertThat(rows).containsOnlyKeys(Bench.ROW_GENERATOR, Bench.ROW_PIPELINE, Bench.ROW_ARCHIVE, Bench.ROW_STATE,
                Bench.ROW_PG_ROWS, Bench.ROW_FRESH_PG_P50, Bench.ROW_FRESH_PG_P99, Bench.ROW_FRESH_CH_P50,
                Bench.ROW_FRESH_CH_P99, scaleRate, scaleHeap, scaleRss);
        // The first scale point is the baseline of the others: it has none of its own.
        Set<String> noBaseline = Set.of(Bench.ROW_GENERATOR, scaleRate, scaleHeap, scaleRss);
        rows.forEach((figure, cells) -> {
            assertThat(number(cells[1])).as(figure + " value").isPositive();
            if (!noBaseline.contains(figure)) {
                assertThat(number(cells[2])).as(figure + " baseline").isPositive();
                assertThat(Double.parseDouble(cells[3])).as(figure + " ratio").isPositive();
            }
        });
        Path file;
        try (Stream<Path> files = Files.list(out)) {
            file = files.filter(f -> f.getFileName().toString().endsWith("-quick.md")).findFirst().orElseThrow();
        }
        String md = Files.readString(file);
        assertThat(parse(md)).containsOnlyKeys(rows.keySet());
        // Each plot is written next to the results and linked from them, and is a PNG.
        for (String plot : new String[] {"throughput", "freshness", "scale"}) {
            Path png = out.resolve(file.getFileName().toString().replace(".md", "-" + plot + ".png"));
            assertThat(md).contains("](" + png.getFileName() + ")");
            byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
            assertThat(head).as(png + " is a PNG").containsExactly(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
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
