package dev.shoestring.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts the local services of {@code bin/shoestring up} as an outage would: the
 * instance of this test run (SHOESTRING_DATA_DIR and SHOESTRING_PORT_OFFSET from
 * {@code bin/shoestring env}, so a second instance can be used for this while others test on the
 * default one). Each call returns how long it took, in ms.
 */
public final class ServiceControl {
    private ServiceControl() {}

    /** {@code bin/shoestring down|up <service>}; fails the test if it fails. */
    public static long run(String action, String service) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(LocalServices.root().resolve("bin/shoestring").toString(), action, service)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("bin/shoestring %s %s finished", action, service).isTrue();
        assertThat(p.exitValue()).as("bin/shoestring %s %s: %s", action, service, out).isZero();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The data folder of the services this test uses. */
    public static Path dataDir() {
        String d = System.getenv("SHOESTRING_DATA_DIR");
        return d != null && !d.isEmpty() ? Path.of(d) : LocalServices.root().resolve(".shoestring");
    }

    /**
     * Kills a server outright (SIGKILL), as a crash or a lost host would: unlike
     * {@code bin/shoestring down}, which lets ClickHouse finish the requests of its open
     * connections first (measured: ~12 s of inserts still served after SIGTERM while a job keeps
     * its connections busy). {@code run("up", service)} starts it again.
     */
    public static long kill(String service) throws Exception {
        Path pidFile;
        switch (service) {
            case "clickhouse":
                pidFile = dataDir().resolve("clickhouse/clickhouse.pid");
                break;
            default:
                throw new IllegalArgumentException("kill " + service + ": not supported");
        }
        return killPid(pidFile, "clickhouse-server", true);
    }

    private static long killPid(Path pidFile, String command, boolean forcibly) throws Exception {
        long t0 = System.nanoTime();
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(command + " " + pid + " not running"));
        assertThat(p.info().commandLine().orElse("")).as("pid %d is %s", pid, command).contains(command);
        if (forcibly) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        p.onExit().get(60, TimeUnit.SECONDS);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Stops Ceph's radosgw only (the S3 endpoint; mon and OSD keep running, so no object is lost),
     * with SIGTERM, waiting for it to exit; {@code run("up", "ceph")} starts it again.
     */
    public static long stopRadosgw() throws Exception {
        return killPid(dataDir().resolve("ceph/run/client.rgw.a.pid"), "radosgw", false);
    }
}
