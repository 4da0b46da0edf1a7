package dev.shoestring.udfs;

import org.apache.flink.table.functions.AggregateFunction;

/**
 * {@code OUTCOME_RATE(outcome, 'approved')}: the share (0..1) of a group's non-NULL outcomes equal
 * to the given one; NULL for a group without outcomes. One call per rate instead of a
 * {@code SUM(CASE ...) / CAST(COUNT(...) AS DOUBLE)} pair that is easy to get wrong (integer
 * division, NULLs in the denominator). Mergeable and retractable, so it also runs over updating input
 * (e.g. a de-duplicated stream) and in OVER windows.
 *
 * <pre>CREATE FUNCTION OUTCOME_RATE AS 'dev.shoestring.udfs.OutcomeRate';</pre>
 */
public class OutcomeRate extends AggregateFunction<Double, OutcomeRate.Acc> {
    private static final long serialVersionUID = 1L;

    /** Counts of matching and of all non-NULL outcomes. */
    public static class Acc {
        public long matching;
        public long total;
    }

    @Override
    public Acc createAccumulator() {
        return new Acc();
    }

    public void accumulate(Acc acc, String outcome, String wanted) {
        if (outcome != null) {
            acc.total++;
            if (outcome.equals(wanted)) {
                acc.matching++;
            }
        }
    }

    public void retract(Acc acc, String outcome, String wanted) {
        if (outcome != null) {
            acc.total--;
            if (outcome.equals(wanted)) {
                acc.matching--;
            }
        }
    }

    public void merge(Acc acc, Iterable<Acc> others) {
        for (Acc o : others) {
            acc.matching += o.matching;
            acc.total += o.total;
        }
    }

    public void resetAccumulator(Acc acc) {
        acc.matching = 0;
        acc.total = 0;
    }

    @Override
    public Double getValue(Acc acc) {
        return acc.total == 0 ? null : (double) acc.matching / acc.total;
    }
}
