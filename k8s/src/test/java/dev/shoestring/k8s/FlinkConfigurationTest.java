package dev.shoestring.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/**
 * The Flink configuration in flink-conf/ and in the manifests, read by Flink's own configuration
 * classes: no unknown key, no deprecated key, every value parses as its option's type. And the
 * job's FlinkDeployment runs with the production profile's settings.
 */
class FlinkConfigurationTest {
    /** Production keys the Kubernetes deployment sets differently, and why. */
    private static final Map<String, String> K8S_OVERRIDES = Map.of(
            "s3.endpoint", "the bucket claim's endpoint (BUCKET_HOST/BUCKET_PORT), not a fixed Service name");
    /**
     * Keys of the SQL gateway's command line that Flink's core jars do not declare: the REST
     * endpoint's options live in flink-sql-gateway (SqlGatewayRestOptions, declared relative to
     * sql-gateway.endpoint.rest.), which is not on this classpath.
     */
    private static final Set<String> SQL_GATEWAY_KEYS = Set.of("sql-gateway.endpoint.rest.address", "sql-gateway.endpoint.rest.port");

    private static FlinkOptions flink;

    @BeforeAll
    static void scan() {
        flink = new FlinkOptions(FlinkOptions.operatorKeys("/flink-kubernetes-operator-1.15.0-keys.txt"));
    }

    @Test
    void theOptionsOfFlinkAreFound() {
        assertThat(flink.size()).as("ConfigOptions found").isGreaterThan(500);
        assertThat(flink.scannedClasses).contains(
                "org.apache.flink.configuration.CheckpointingOptions",
                "org.apache.flink.configuration.HighAvailabilityOptions",
                "org.apache.flink.kubernetes.configuration.KubernetesConfigOptions",
                "org.apache.flink.state.rocksdb.RocksDBOptions");
    }

    @TestFactory
    Stream<DynamicTest> flinkConfProfiles() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(Repo.ROOT.resolve("flink-conf"))) {
            files = s.map(d -> d.resolve("config.yaml")).filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(Repo.rel(f), () -> {
            Map<String, String> conf = Manifests.loadFlinkConf(Repo.read(f));
            assertThat(conf).as(Repo.rel(f)).containsKey("execution.checkpointing.interval");
            assertThat(flink.check(conf)).as(Repo.rel(f)).isEmpty();
        }));
    }

    @TestFactory
    Stream<DynamicTest> flinkConfigurationOfEveryFlinkDeployment() {
        return Manifests.everyObject().stream().filter(o -> o.kind().equals("FlinkDeployment")).map(o ->
                DynamicTest.dynamicTest(o.toString(), () -> {
                    Map<String, String> conf = Manifests.flinkConfiguration(o.node());
                    assertThat(conf).as(o + ": flinkConfiguration").isNotEmpty();
                    assertThat(flink.check(conf)).as(o.toString()).isEmpty();
                }));
    }

    @Test
    void sqlGatewayCommandLine() {
        for (Manifests.Obj d : Manifests.rendered("Deployment")) {
            Map<String, String> dynamic = new LinkedHashMap<>();
            Manifests.forEachContainer(d.node(), c -> {
                for (JsonNode arg : iterable(c.path("command"), c.path("args"))) {
                    String a = arg.asString();
                    if (a.startsWith("-D") && a.contains("=")) {
                        dynamic.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
                    }
                }
            });
            dynamic.keySet().removeAll(SQL_GATEWAY_KEYS);
            assertThat(flink.check(dynamic)).as(d.toString()).isEmpty();
        }
    }

    private static List<JsonNode> iterable(JsonNode... arrays) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : arrays) {
            a.forEach(out::add);
        }
        return out;
    }

    /**
     * What flink-conf/production/config.yaml sets, the job's FlinkDeployment sets to the same
     * value in every render (compared as Flink parses them), but for the listed overrides.
     */
    @Test
    void theJobRunsWithTheProductionProfile() {
        Map<String, String> production = Manifests.loadFlinkConf(Repo.read(Repo.ROOT.resolve("flink-conf/production/config.yaml")));
        List<Manifests.Obj> jobs = Manifests.rendered("FlinkDeployment").stream().filter(o -> o.node().path("spec").has("job")).toList();
        assertThat(jobs).isNotEmpty();
        for (Manifests.Obj job : jobs) {
            Map<String, String> deployed = Manifests.flinkConfiguration(job.node());
            for (Map.Entry<String, String> e : production.entrySet()) {
                if (K8S_OVERRIDES.containsKey(e.getKey())) {
                    assertThat(deployed).as(job + ": " + e.getKey() + " (" + K8S_OVERRIDES.get(e.getKey()) + ")").containsKey(e.getKey());
                    continue;
                }
                assertThat(deployed).as(job + " lacks " + e.getKey() + " of flink-conf/production/config.yaml").containsKey(e.getKey());
                assertThat(typed(e.getKey(), deployed.get(e.getKey())))
                        .as(job + ": " + e.getKey() + " differs from flink-conf/production/config.yaml")
                        .isEqualTo(typed(e.getKey(), e.getValue()));
            }
        }
    }

    /** A value as its option's type ("30 s" and "30s" are the same duration), else the string. */
    private static Object typed(String key, String value) {
        Configuration c = Configuration.fromMap(Map.of(key, value));
        for (ConfigOption<?> o : List.of(
                org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTING_INTERVAL,
                org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTING_TIMEOUT,
                org.apache.flink.configuration.CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS,
                org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER,
                org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR)) {
            if (o.key().equals(key)) {
                return c.get(o);
            }
        }
        return value.strip().toLowerCase(java.util.Locale.ROOT);
    }

    /** The check finds what it is there to find. */
    @Test
    void mistakesAreCaught() {
        assertThat(flink.check(Map.of("execution.checkpointing.interval", "30 s"))).isEmpty();
        assertThat(flink.check(Map.of("execution.checkpointing.intervall", "30 s"))).singleElement().asString().contains("unknown");
        assertThat(flink.check(Map.of("execution.checkpointing.interval", "soon"))).singleElement().asString().contains("does not parse");
        assertThat(flink.check(Map.of("state.checkpoints.dir", "s3://b/c"))).singleElement().asString()
                .contains("deprecated").contains("execution.checkpointing.dir");
        assertThat(flink.check(Map.of("s3.path.style.access", "true", "s3.path-style.access", "true")))
                .singleElement().asString().startsWith("s3.path-style.access");
        assertThat(flink.check(Map.of("kubernetes.operator.periodic.savepoint.intervall", "1h"))).hasSize(1);
        assertThat(flink.check(Map.of(
                "metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                "metrics.reporter.prom.port", "9249",
                "metrics.reporter.prom.prot", "9249"))).singleElement().asString().startsWith("metrics.reporter.prom.prot");
    }
}
