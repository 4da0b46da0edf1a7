package dev.shoestring.cli;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.job.Preflight;
import dev.shoestring.job.ShoestringJob;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code shoestring schema}: apply the Postgres and ClickHouse DDL (as {@code *.ddl-user}, else
 * {@code *.user}) and check that the job's users may write the tables, then exit. What a database
 * administrator runs once when the job's own users may not create tables (sql/postgres/roles.sql,
 * sql/clickhouse/roles.sql); {@code run} does the same at every start.
 */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Apply the Postgres and ClickHouse DDL and check the job's users may write the tables.")
public final class SchemaCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        ShoestringConfig cfg = config.loadOrExplain();
        if (cfg == null) {
            return 2;
        }
        try {
            for (Preflight.Step step : Preflight.schemaSteps(cfg, EnumSet.allOf(ShoestringJob.Output.class))) {
                Startup.retry(step.name, step.action::run);
                System.out.println("shoestring: " + step.name + ": applied; the job's user may write it");
            }
        } catch (dev.shoestring.config.ConfigException e) {
            System.err.println("shoestring: " + e.getMessage());
            return 2;
        }
        return 0;
    }
}
