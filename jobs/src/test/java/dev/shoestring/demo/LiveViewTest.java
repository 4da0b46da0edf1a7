package dev.shoestring.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LiveViewTest {
    static DemoStats sample() {
        DemoStats s = new DemoStats();
        s.elapsedSeconds = 125;
        s.eventsInPerSecond = 312.4;
        s.eventsOutPerSecond = 298;
        s.eventsIn = 38_000;
        s.eventsArchived = 37_450;
        s.consumerLag = 550;
        s.checkpointAgeSeconds = 4;
        s.checkpoints = 12;
        s.deadLetters = 380;
        s.lateDecisions = 41;
        s.ordersByStatus.put("created", 120L);
        s.ordersByStatus.put("paid", 300L);
        s.ordersByStatus.put("shipped", 410L);
        s.ordersByStatus.put("cancelled", 33L);
        for (int i = 0; i < 10; i++) {
            s.topAgents.add(new DemoStats.AgentLine("tenant-with-a-very-long-name-" + i, "agent-" + i, 500 - i, 1234.56 + i));
        }
        s.restUrl = "http://127.0.0.1:18081";
        s.checkpointsDir = "s3://shoestring/checkpoints";
        return s;
    }

    @Test
    void fitsAnEightyByTwentyFourTerminal() {
        String screen = LiveView.screen(sample());
        String[] lines = screen.split("\n", -1);
        assertThat(lines.length).isLessThanOrEqualTo(24);
        for (String line : lines) {
            assertThat(line.length()).as("line '%s'", line).isLessThanOrEqualTo(80);
        }
        assertThat(screen).contains("312 ev/s").contains("consumer lag      550").contains("dead letters      380")
                .contains("4s ago").contains("shipped 410").contains("agent-0").contains("1234.6")
                .contains("http://127.0.0.1:18081").contains("Ctrl-C");
        // Eight agents at most, so the footer stays on screen.
        assertThat(screen).contains("agent-7").doesNotContain("agent-8");
        assertThat(lines[lines.length - 1]).startsWith("Ctrl-C");
    }

    @Test
    void unknownValuesRenderAsQuestionMarks() {
        String screen = LiveView.screen(new DemoStats());
        assertThat(screen).contains("?").contains("none").contains("(none yet)").contains("no closed window yet");
        assertThat(screen.split("\n").length).isLessThanOrEqualTo(24);
    }

    @Test
    void plainLineWhenNotATerminal() {
        String line = LiveView.line(sample());
        assertThat(line).doesNotContain("\n").doesNotContain("\033")
                .isEqualTo("t=125s in=312/s archived=298/s lag=550 checkpoint_age=4s dlq=380 late=41"
                        + " orders={cancelled=33, created=120, paid=300, shipped=410} top=agent-0 500 p95=1234.6");
        assertThat(LiveView.frame(sample())).startsWith("\033[H\033[2J");
    }
}
