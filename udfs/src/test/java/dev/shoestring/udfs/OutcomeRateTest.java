package dev.shoestring.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OutcomeRateTest {
    private final OutcomeRate f = new OutcomeRate();

    @Test
    void shareOfMatchingOutcomesIgnoringNulls() {
        OutcomeRate.Acc acc = f.createAccumulator();
        assertThat(f.getValue(acc)).isNull();
        for (String o : new String[] {"approved", "approved", "rejected", null, "error"}) {
            f.accumulate(acc, o, "approved");
        }
        assertThat(f.getValue(acc)).isEqualTo(0.5);
        f.retract(acc, "rejected", "approved");
        assertThat(f.getValue(acc)).isEqualTo(2.0 / 3);
    }

    @Test
    void mergeAddsCounts() {
        OutcomeRate.Acc a = f.createAccumulator();
        OutcomeRate.Acc b = f.createAccumulator();
        f.accumulate(a, "error", "error");
        f.accumulate(b, "approved", "error");
        f.accumulate(b, "approved", "error");
        f.accumulate(b, "error", "error");
        f.merge(a, List.of(b));
        assertThat(f.getValue(a)).isEqualTo(0.5);
    }
}
