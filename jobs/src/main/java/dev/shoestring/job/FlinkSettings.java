package dev.shoestring.job;

import dev.shoestring.config.ShoestringConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;

/**
 * The Flink configuration of a local run: a profile directory ({@code flink-conf/local}, or
 * {@code FLINK_CONF_DIR}) with the same keys as production, plus the locations and S3 settings
 * from Shoestring's own config. Also loads Flink's filesystem plugins (the S3 plugin from
 * {@code FLINK_PLUGINS_DIR}), as a Flink cluster does at start-up.
 */
public final class FlinkSettings {
    private FlinkSettings() {}

    /** Reads {@code config.yaml} from {@code confDir} and overlays Shoestring's settings. */
    public static Configuration load(Path confDir, ShoestringConfig cfg) {
        Configuration flink = confDir != null && Files.isDirectory(confDir)
                ? GlobalConfiguration.loadConfiguration(confDir.toString())
                : new Configuration();
        return overlay(flink, cfg);
    }

    /** Shoestring's keys mapped onto Flink's (CONTRACT §4 keys win over the profile). */
    public static Configuration overlay(Configuration flink, ShoestringConfig cfg) {
        if (cfg.checkpointsDir != null) {
            flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, cfg.checkpointsDir);
        }
        if (cfg.savepointsDir != null) {
            flink.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, cfg.savepointsDir);
        }
        // The S3 plugins read these keys (and mirror them to fs.s3a.*).
        if (cfg.s3Endpoint != null) {
            flink.setString("s3.endpoint", cfg.s3Endpoint);
        }
        if (cfg.s3AccessKey != null) {
            flink.setString("s3.access-key", cfg.s3AccessKey);
        }
        if (cfg.s3SecretKey != null) {
            flink.setString("s3.secret-key", cfg.s3SecretKey);
        }
        flink.setString("s3.path.style.access", Boolean.toString(cfg.s3PathStyleAccess));
        return flink;
    }

    /** Resume from a savepoint or retained checkpoint. */
    public static void restoreFrom(Configuration flink, String path, boolean allowNonRestoredState) {
        flink.set(StateRecoveryOptions.SAVEPOINT_PATH, path);
        flink.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, allowNonRestoredState);
    }

    /**
     * Initializes Flink's file systems with the plugins under {@code FLINK_PLUGINS_DIR} (for the
     * S3 plugin) and this configuration's S3 settings. Global to the JVM, like in a Flink process.
     */
    public static synchronized void initFileSystems(Configuration flink) {
        // Re-initializing with the same settings would load the S3 plugin again (and re-register
        // its JMX beans, with a warning each time): once per configuration is enough.
        if (flink.equals(initializedWith)) {
            return;
        }
        FileSystem.initialize(flink, PluginUtils.createPluginManagerFromRootFolder(flink));
        initializedWith = new Configuration(flink);
    }

    private static Configuration initializedWith;
}
