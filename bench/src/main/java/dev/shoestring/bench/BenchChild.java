package dev.shoestring.bench;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.FlinkSettings;
import dev.shoestring.job.ShoestringJob;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * A bounded full-pipeline run in a JVM of its own, for the scale figures: a fresh process per
 * point, so that its peak heap and resident set ({@code VmHWM}) belong to that point alone.
 * Arguments: the expected number of valid events, then {@code key=value} configuration keys.
 * Prints {@value #MEMORY} lines with the memory peaks so far every 2 s, and at the end one
 * line {@value #RESULT}, each followed by {@code key=value} pairs.
 */
public final class BenchChild {
    static final String RESULT = "BENCH-RESULT";
    static final String MEMORY = "BENCH-MEMORY";

    private BenchChild() {}

    public static void main(String[] args) throws Exception {
        long expected = Long.parseLong(args[0]);
        Map<String, String> sets = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            Map.Entry<String, String> e = ShoestringConfig.parseSet(args[i]);
            sets.put(e.getKey(), e.getValue());
        }
        ShoestringConfig cfg = ShoestringConfig.load(null, System.getenv(), sets);
        try (MemorySampler memory = new MemorySampler(200)) {
            // The peaks so far, every 2 s: a run stopped at its time budget still reports them.
            Thread progress = new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.out.println(MEMORY + " " + memory.report());
                    System.out.flush();
                }
            }, "bench-memory-report");
            progress.setDaemon(true);
            progress.start();
            Configuration flink = Bench.flinkConfig(cfg);
            FlinkSettings.initFileSystems(flink);
            Bench.FlinkRun r = Bench.flinkRun(flink, "bench-scale", env -> ShoestringJob.define(env, cfg, true,
                    EnumSet.allOf(ShoestringJob.Output.class)), expected);
            System.out.println(String.format(Locale.ROOT, "%s valid=%d net=%.3f wall=%.3f %s", RESULT, r.validEvents(),
                    r.netSeconds(), r.wallSeconds(), memory.report()));
        }
        System.out.flush();
        System.exit(0);
    }
}
