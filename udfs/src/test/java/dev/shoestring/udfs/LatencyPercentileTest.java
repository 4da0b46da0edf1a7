package dev.shoestring.udfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyPercentileTest {
    private final LatencyPercentile f = new LatencyPercentile();

    private static double exactNearestRank(double[] values, int p) {
        double[] s = values.clone();
        Arrays.sort(s);
        int rank = Math.max(1, (p * s.length + 99) / 100);
        return s[rank - 1];
    }

    @Test
    void nearestRankOnSmallGroups() {
        // 13 values: p95 is rank ceil(12.35) = 13, where rounding (HdrHistogram's own) would give 12.
        double[] v = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130};
        LatencyPercentile.Acc acc = f.createAccumulator();
        for (double x : v) {
            f.accumulate(acc, x, 95);
        }
        assertThat(f.getValue(acc)).isCloseTo(130.0, within(130 * 0.001));
        acc.percentile = 50;
        assertThat(f.getValue(acc)).isCloseTo(70.0, within(0.07));
        acc.percentile = 1;
        assertThat(f.getValue(acc)).isCloseTo(10.0, within(0.01));
    }

    @Test
    void withinOnePercentOfExactOnRandomData() {
        Random r = new Random(42);
        double[] v = new double[5000];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.round(r.nextDouble() * r.nextDouble() * 20_000 * 10) / 10.0;
        }
        for (int p : new int[] {50, 95, 99, 100}) {
            LatencyPercentile.Acc acc = f.createAccumulator();
            for (double x : v) {
                f.accumulate(acc, x, p);
            }
            double exact = exactNearestRank(v, p);
            assertThat(f.getValue(acc)).as("p%d", p).isCloseTo(exact, within(exact * 0.01));
        }
    }

    @Test
    void mergedAccumulatorsEqualOne() {
        Random r = new Random(7);
        LatencyPercentile.Acc all = f.createAccumulator();
        LatencyPercentile.Acc a = f.createAccumulator();
        LatencyPercentile.Acc b = f.createAccumulator();
        for (int i = 0; i < 1000; i++) {
            double x = r.nextInt(3000) + 0.5;
            f.accumulate(all, x, 99);
            f.accumulate(i % 3 == 0 ? a : b, x, 99);
        }
        LatencyPercentile.Acc merged = f.createAccumulator();
        f.merge(merged, List.of(a, b));
        assertThat(f.getValue(merged)).isEqualTo(f.getValue(all));
    }

    @Test
    void zeroNullsAndEmptyGroups() {
        LatencyPercentile.Acc acc = f.createAccumulator();
        assertThat(f.getValue(acc)).isNull();
        f.accumulate(acc, null, 50);
        assertThat(f.getValue(acc)).isNull();
        f.accumulate(acc, 0.0, 50);
        f.accumulate(acc, 0.0, 50);
        f.accumulate(acc, 5.0, 50);
        assertThat(f.getValue(acc)).isEqualTo(0.0);
        assertThatThrownBy(() -> f.accumulate(acc, -1.0, 50)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> f.accumulate(acc, 1.0, 0)).hasMessageContaining("1..100");
    }
}
