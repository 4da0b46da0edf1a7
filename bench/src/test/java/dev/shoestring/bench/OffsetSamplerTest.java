package dev.shoestring.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OffsetSamplerTest {
    private static OffsetSampler.Sample s(double seconds, long committed) {
        return new OffsetSampler.Sample(seconds, committed, 1_000_000);
    }

    /**
     * Two source subtasks commit a checkpoint's offsets a moment apart: both changes are one
     * commit, and the rate is taken between commits, not over the moment between the subtasks.
     */
    @Test
    void aCheckpointsCommitsBySeveralSubtasksAreOneStep() {
        List<double[]> r = OffsetSampler.rates(List.of(
                s(0, 0), s(5, 0), s(10, 40_000), s(10.4, 100_000), s(15, 100_000),
                s(20, 150_000), s(20.5, 200_000), s(30, 200_000)), 0);
        // Steps: 0..10 s at 100k/10 s, then 10..20 s at 100k/10 s.
        assertThat(r).hasSize(4);
        assertThat(r.get(0)).containsExactly(0, 10_000);
        assertThat(r.get(1)).containsExactly(10, 10_000);
        assertThat(r.get(2)).containsExactly(10, 10_000);
        assertThat(r.get(3)).containsExactly(20, 10_000);
    }

    @Test
    void noCommitNoStep() {
        assertThat(OffsetSampler.rates(List.of(s(0, 0), s(1, 0), s(2, 0)), 0)).isEmpty();
        assertThat(OffsetSampler.rates(List.of(), 0)).isEmpty();
    }
}
