package dev.shoestring.job;

import dev.shoestring.clickhouse.ClickHouseSchema;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.Topics;
import dev.shoestring.postgres.PostgresSchema;
import java.util.List;

/**
 * What must hold before the job starts: both schemas applied (idempotently) and the topics in
 * place. Run by {@code bin/shoestring run} (each step retried while a service starts) and by the
 * tests, so both start from the same ground.
 */
public final class Preflight {
    /** One named start-up step. */
    public static final class Step {
        public final String name;
        public final Action action;

        Step(String name, Action action) {
            this.name = name;
            this.action = action;
        }
    }

    /** A step's work. */
    public interface Action {
        void run() throws Exception;
    }

    private Preflight() {}

    public static List<Step> steps(ShoestringConfig cfg) {
        return List.of(
                new Step("Postgres schema (" + cfg.postgresUrl + ")", () -> PostgresSchema.apply(cfg.postgres())),
                new Step("ClickHouse schema (" + cfg.clickhouseUrl + ")", () -> ClickHouseSchema.apply(cfg.clickhouse())),
                new Step("Kafka topics (" + cfg.kafkaBootstrapServers + ")", () -> Topics.ensure(cfg)));
    }

    /** All steps once, no retry. */
    public static void run(ShoestringConfig cfg) throws Exception {
        for (Step s : steps(cfg)) {
            s.action.run();
        }
    }
}
