package dev.shoestring.bench;

import dev.shoestring.config.ShoestringConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One scale point: a topic that first touches every one of {@code aggregates} aggregates once
 * (so the RocksDB state really holds them all), then {@code traffic} events of the Zipf mix; the
 * full pipeline reads it bounded in a JVM of its own ({@link BenchChild}, heap capped by
 * {@code -Xmx}), which reports its throughput, heap and resident set. A point that has not
 * finished within its time budget is stopped; its rate is then the events committed by then over
 * the time it ran (a lower bound), its memory the peaks reported so far.
 */
final class Scale {
    /** What one point measured. */
    record Point(long aggregates, long events, long traffic, double generatorRate, long valid, double netSeconds,
            double wallSeconds, long heapUsedPeak, long heapCommittedPeak, long heapAfterGcPeak, long heapMax,
            long rssPeak, long vmHwm, long stateRows, List<OffsetSampler.Sample> offsets, boolean finished) {
        /** Finished: valid events / net runtime; stopped at the budget: committed events / time until stopped. */
        double eventsPerSecond() {
            return valid / netSeconds;
        }
    }

    private Scale() {}

    static Point run(Bench.Run run, long aggregates, long traffic, String heap, Duration budget) throws Exception {
        String name = "s" + aggregates;
        ShoestringConfig cfg = run.subConfig(name, true);
        BenchGenerator gen = new BenchGenerator(run.id + "-" + name, Math.toIntExact(aggregates));
        BenchGenerator.Result g = gen.produce(cfg.kafkaProducerProperties(), cfg.kafkaTopic, true, traffic);
        long expected = gen.aggregates() + traffic;
        Bench.log(String.format(java.util.Locale.ROOT, "scale %d aggregates: generated %d events (%d covering each aggregate once + %d Zipf) in %.1f s",
                aggregates, g.events(), gen.aggregates(), traffic, g.seconds()));
        run.preflight(cfg);
        Path log = run.workDir.resolve("scale-" + aggregates + ".log");
        List<String> args = new ArrayList<>();
        args.add(Long.toString(expected));
        run.sets(cfg).forEach((k, v) -> args.add(k + "=" + v));
        Process p;
        List<OffsetSampler.Sample> offsets;
        boolean finished;
        double stoppedAfter;
        try (OffsetSampler sampler = new OffsetSampler(cfg, cfg.kafkaTopic, cfg.kafkaGroupId, 1000)) {
            p = ChildJvm.start(List.of("-Xmx" + heap), BenchChild.class.getName(), args, Map.of(), log);
            try {
                finished = p.waitFor(budget.toMillis(), TimeUnit.MILLISECONDS);
                stoppedAfter = sampler.secondsSinceStart();
            } finally {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            offsets = sampler.samples();
        }
        Map<String, String> r = ChildJvm.resultLine(log, finished ? BenchChild.RESULT : BenchChild.MEMORY);
        if (finished && p.exitValue() != 0 || r == null) {
            throw new IllegalStateException("the scale run at " + aggregates + " aggregates failed (exit " + p.exitValue()
                    + ", log " + log + "):\n" + ChildJvm.tail(log, 40));
        }
        long valid;
        double net;
        if (finished) {
            valid = Long.parseLong(r.get("valid"));
            net = Double.parseDouble(r.get("net"));
        } else {
            // Stopped at the budget: what it had durably processed (committed at its checkpoints)
            // over the time it ran, a lower bound of its rate.
            valid = offsets.isEmpty() ? 0 : offsets.get(offsets.size() - 1).committed();
            net = stoppedAfter;
            Bench.log(String.format(java.util.Locale.ROOT, "scale %d aggregates: stopped at the budget of %s with %d of %d events committed",
                    aggregates, budget, valid, expected));
        }
        long rows = run.stateRows(cfg);
        Point point = new Point(aggregates, expected, traffic, g.eventsPerSecond(), valid, net,
                finished ? Double.parseDouble(r.get("wall")) : stoppedAfter, Long.parseLong(r.get("heapUsedPeak")),
                Long.parseLong(r.get("heapCommittedPeak")), Long.parseLong(r.get("heapAfterGcPeak")),
                Long.parseLong(r.get("heapMax")), Long.parseLong(r.get("rssPeak")), Long.parseLong(r.get("vmHwm")), rows, offsets,
                finished);
        run.dropSub(name);
        return point;
    }
}
