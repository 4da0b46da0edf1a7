package dev.shoestring.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders the demo's live view. On a terminal: a full screen that fits 80x24, redrawn in place.
 * Elsewhere (CI, a pipe): one plain line per refresh, grep-able.
 */
public final class LiveView {
    public static final int WIDTH = 80;
    public static final int HEIGHT = 24;
    private static final String CLEAR = "\033[H\033[2J";

    private LiveView() {}

    /** The full screen: at most {@link #HEIGHT} lines of at most {@link #WIDTH} characters. */
    public static String screen(DemoStats s) {
        List<String> l = new ArrayList<>();
        l.add(fit(String.format("Shoestring demo  %s  up %s", s.restUrl.isEmpty() ? "" : "Flink UI " + s.restUrl,
                duration(s.elapsedSeconds))));
        l.add("-".repeat(WIDTH));
        l.add(fit(String.format("Kafka in   %8s ev/s  total %10s   consumer lag %8s",
                rate(s.eventsInPerSecond), num(s.eventsIn), num(s.consumerLag))));
        l.add(fit(String.format("Archived   %8s ev/s  total %10s   dead letters %8s",
                rate(s.eventsOutPerSecond), num(s.eventsArchived), num(s.deadLetters))));
        l.add(fit(String.format("Checkpoint %8s ago   completed %6s   late decisions %6s",
                s.checkpointAgeSeconds < 0 ? "none" : duration(s.checkpointAgeSeconds), num(s.checkpoints),
                num(s.lateDecisions))));
        l.add(fit("  on " + s.checkpointsDir));
        l.add("");
        l.add("Orders by status (Postgres)");
        StringBuilder orders = new StringBuilder(" ");
        for (Map.Entry<String, Long> e : s.ordersByStatus.entrySet()) {
            orders.append(String.format(" %s %d ", e.getKey(), e.getValue()));
        }
        l.add(fit(s.ordersByStatus.isEmpty() ? "  (none yet)" : orders.toString()));
        l.add("");
        l.add("Top agents, last 5 minutes (ClickHouse agent_decision_metrics_1m FINAL)");
        l.add(fit(String.format("  %-16s %-22s %10s %12s", "tenant", "agent", "decisions", "p95 ms")));
        if (s.topAgents.isEmpty()) {
            l.add("  (no closed window yet: windows close a minute after they start)");
        }
        for (DemoStats.AgentLine a : s.topAgents.subList(0, Math.min(8, s.topAgents.size()))) {
            l.add(fit(String.format("  %-16s %-22s %10d %12.1f", cut(a.tenant, 16), cut(a.agent, 22), a.decisions, a.p95Ms)));
        }
        while (l.size() < HEIGHT - 1) {
            l.add("");
        }
        l.add(fit("Ctrl-C stops with a savepoint; `bin/shoestring demo` again resumes from it."));
        return String.join("\n", l.subList(0, Math.min(HEIGHT, l.size())));
    }

    /** A frame for a terminal: clear, then the screen. */
    public static String frame(DemoStats s) {
        return CLEAR + screen(s);
    }

    /** One line for a non-terminal. */
    public static String line(DemoStats s) {
        String top = s.topAgents.isEmpty() ? "-" : s.topAgents.get(0).agent + " " + s.topAgents.get(0).decisions
                + " p95=" + String.format("%.1f", s.topAgents.get(0).p95Ms);
        return String.format("t=%ds in=%s/s archived=%s/s lag=%s checkpoint_age=%s dlq=%s late=%s orders=%s top=%s",
                s.elapsedSeconds, rate(s.eventsInPerSecond), rate(s.eventsOutPerSecond), num(s.consumerLag),
                s.checkpointAgeSeconds < 0 ? "none" : s.checkpointAgeSeconds + "s", num(s.deadLetters),
                num(s.lateDecisions), s.ordersByStatus, top);
    }

    private static String fit(String s) {
        return s.length() <= WIDTH ? s : s.substring(0, WIDTH);
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    private static String num(long v) {
        return v < 0 ? "?" : Long.toString(v);
    }

    private static String rate(double v) {
        return v < 0 ? "?" : String.format("%.0f", v);
    }

    static String duration(long seconds) {
        return seconds >= 3600 ? String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60)
                : seconds >= 60 ? String.format("%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }
}
