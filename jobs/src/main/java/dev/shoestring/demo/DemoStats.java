package dev.shoestring.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One snapshot of what the demo's live view shows; every field may be unknown (negative / empty). */
public final class DemoStats {
    /** One agent's line in the "top agents" table. */
    public static final class AgentLine {
        public final String tenant;
        public final String agent;
        public final long decisions;
        public final double p95Ms;

        public AgentLine(String tenant, String agent, long decisions, double p95Ms) {
            this.tenant = tenant;
            this.agent = agent;
            this.decisions = decisions;
            this.p95Ms = p95Ms;
        }
    }

    public long elapsedSeconds;
    public double eventsInPerSecond = -1;
    public double eventsOutPerSecond = -1;
    public long eventsIn = -1;
    public long eventsArchived = -1;
    public long consumerLag = -1;
    /** Seconds since the last completed checkpoint; -1 if none yet. */
    public long checkpointAgeSeconds = -1;
    public long checkpoints = -1;
    public long deadLetters = -1;
    public long lateDecisions = -1;
    public final Map<String, Long> ordersByStatus = new TreeMap<>();
    public final List<AgentLine> topAgents = new ArrayList<>();
    public String restUrl = "";
    public String checkpointsDir = "";
}
