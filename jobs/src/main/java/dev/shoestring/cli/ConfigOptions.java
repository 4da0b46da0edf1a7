package dev.shoestring.cli;

import dev.shoestring.config.ShoestringConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The configuration options shared by every command (CONTRACT §4). */
public final class ConfigOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML file with configuration keys.")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set one configuration key (repeatable); wins over the file.")
    List<String> sets = new ArrayList<>();

    /**
     * Parses everything once; on a bad key or value prints the message (naming the key) and
     * returns null, so a command can exit with status 2.
     */
    public ShoestringConfig loadOrExplain() {
        try {
            return load();
        } catch (dev.shoestring.config.ConfigException e) {
            System.err.println("shoestring: " + e.getMessage());
            return null;
        }
    }

    /** Parses everything once; throws ConfigException naming the key. */
    public ShoestringConfig load() {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String s : sets) {
            Map.Entry<String, String> e = ShoestringConfig.parseSet(s);
            overrides.put(e.getKey(), e.getValue());
        }
        return ShoestringConfig.load(file, System.getenv(), overrides);
    }
}
