package dev.shoestring.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Java side of {@code bin/shoestring}: the commands that run Flink or talk to Kafka.
 * (Service start/stop lives in the shell script, which needs no JVM.)
 */
@Command(name = "shoestring", mixinStandardHelpOptions = true, version = "shoestring 0.1.0",
        description = "Event-sourcing HTAP pipeline on Apache Flink.",
        subcommands = {RunCommand.class, SavepointCommand.class, ReplayCommand.class, DemoCommand.class, GenerateCommand.class,
                SchemaCommand.class})
public final class ShoestringCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new ShoestringCli())
                // A bad setting found after parsing (a role that may not write its tables): the
                // message names the key; a stack trace would only bury it.
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof dev.shoestring.config.ConfigException) {
                        System.err.println("shoestring: " + e.getMessage());
                        return 2;
                    }
                    throw e;
                })
                .execute(args);
        System.exit(code);
    }
}
