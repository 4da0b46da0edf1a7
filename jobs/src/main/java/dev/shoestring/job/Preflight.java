package dev.shoestring.job;

import dev.shoestring.clickhouse.ClickHouseSchema;
import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.kafka.Topics;
import dev.shoestring.postgres.PostgresSchema;
import dev.shoestring.sink.SinkHealth;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What must hold before the job starts: both schemas applied (idempotently, as the DDL roles),
 * the job's roles able to write them, and the topics in place. Run by {@code bin/shoestring run} (each step retried while a service starts) and by the
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
        return steps(cfg, EnumSet.allOf(ShoestringJob.Output.class));
    }

    /** Only what the chosen outputs need: a metrics replay never touches Postgres. */
    public static List<Step> steps(ShoestringConfig cfg, Set<ShoestringJob.Output> outputs) {
        List<Step> steps = schemaSteps(cfg, outputs);
        steps.add(new Step("Kafka topics (" + cfg.kafkaBootstrapServers + ")", () -> Topics.ensure(cfg)));
        return steps;
    }

    /** The database steps alone: {@code bin/shoestring schema}, what an administrator runs once. */
    public static List<Step> schemaSteps(ShoestringConfig cfg, Set<ShoestringJob.Output> outputs) {
        List<Step> steps = new ArrayList<>();
        if (outputs.contains(ShoestringJob.Output.STATE)) {
            steps.add(new Step("Postgres schema (" + SinkHealth.endpoint(cfg.postgresUrl) + ")",
                    () -> PostgresSchema.apply(cfg.postgresDdl(), cfg.postgres())));
        }
        if (outputs.contains(ShoestringJob.Output.ARCHIVE) || outputs.contains(ShoestringJob.Output.METRICS)) {
            steps.add(new Step("ClickHouse schema (" + SinkHealth.endpoint(cfg.clickhouseUrl) + ")",
                    () -> ClickHouseSchema.apply(cfg.clickhouseDdl(), cfg.clickhouse())));
        }
        return steps;
    }

    /** All steps once, no retry. */
    public static void run(ShoestringConfig cfg) throws Exception {
        for (Step s : steps(cfg)) {
            s.action.run();
        }
    }
}
