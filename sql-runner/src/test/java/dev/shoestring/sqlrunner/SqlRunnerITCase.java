package dev.shoestring.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/shoestring sql -f}: exits non-zero when a statement fails (the Flink SQL client itself
 * exits 0), and each UDF of the init script works in SQL as in its unit test.
 */
class SqlRunnerITCase {
    @Test
    void aFailingStatementFailsTheRunEvenAfterGoodOnes() throws Exception {
        ShoestringSql.Result r = ShoestringSql.runText("SELECT 1 AS ok;\nSELECT no_such_column FROM no_such_table;\n");
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("[ERROR]");
        assertThat(r.table(0)).containsExactly(Map.of("ok", "1"));
    }

    @Test
    void aGoodScriptSucceeds() throws Exception {
        ShoestringSql.Result r = ShoestringSql.runText("SELECT AGGREGATE_KIND('order.paid') AS kind;\n");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.table(0)).containsExactly(Map.of("kind", "order"));
    }

    @Test
    void udfsInSql() throws Exception {
        // 13 latencies: nearest-rank p95 is rank 13 (130), p50 rank 7 (70); two groups merge in p_all.
        ShoestringSql.Result r = ShoestringSql.runText("""
                SELECT grp, LATENCY_PERCENTILE(ms, 95) AS p95, LATENCY_PERCENTILE(ms, 50) AS p50,
                       OUTCOME_RATE(outcome, 'approved') AS approved_rate
                FROM (VALUES ('a', 10.0, 'approved'), ('a', 20.0, 'rejected'), ('a', 30.0, 'approved'),
                  ('a', 40.0, 'error'), ('a', 50.0, 'approved'), ('a', 60.0, 'approved'), ('a', 70.0, 'approved'),
                  ('a', 80.0, 'approved'), ('a', 90.0, 'approved'), ('a', 100.0, 'approved'),
                  ('a', 110.0, 'approved'), ('a', 120.0, 'approved'), ('a', 130.0, 'escalated'),
                  ('b', 0.0, 'error'), ('b', 0.0, 'error')) AS t(grp, ms, outcome)
                GROUP BY grp ORDER BY grp;
                SELECT TOKEN_COST('gpt-small', CAST(1200 AS BIGINT), CAST(300 AS BIGINT), 'gpt-small=0.15/0.60') AS cost,
                       EVENT_TIME_MILLIS('2026-03-01T14:00:00.123+02:00') AS ms;
                """);
        assertThat(r.exitCode()).as(r.output()).isZero();
        List<Map<String, String>> t = r.table(0);
        assertThat(t).hasSize(2);
        assertThat(Double.parseDouble(t.get(0).get("p95"))).isCloseTo(130.0, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(Double.parseDouble(t.get(0).get("p50"))).isCloseTo(70.0, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(Double.parseDouble(t.get(0).get("approved_rate"))).isEqualTo(10.0 / 13);
        assertThat(t.get(1)).containsEntry("p95", "0.0").containsEntry("approved_rate", "0.0");
        assertThat(new java.math.BigDecimal(r.table(1).get(0).get("cost"))).isEqualByComparingTo("0.00036");
        assertThat(r.table(1).get(0)).containsEntry("ms", "1772366400123");
    }
}
