package dev.shoestring.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What matters to users beyond the schemas, checked on every render (base and overlays): how
 * the job upgrades, where its state lives, that no secret is in a file, that images are pinned,
 * and that every name one manifest gives another (class, jar, Secret, ConfigMap, Service) exists.
 */
class ManifestPolicyTest {
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|passwd|secret|token|credential|access[-_.]?key|private[-_.]?key).*");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env\\.[A-Z_][A-Z0-9_]*}");

    /** Application-mode deployments: the job. */
    private static List<Manifests.Obj> jobs() {
        List<Manifests.Obj> jobs = Manifests.rendered("FlinkDeployment").stream().filter(o -> o.node().path("spec").has("job")).toList();
        assertThat(jobs).isNotEmpty();
        return jobs;
    }

    private static String bucketOf(String renderSource) {
        return Manifests.rendered("ObjectBucketClaim").stream().filter(o -> o.source().equals(renderSource))
                .map(o -> o.node().path("spec").path("bucketName").asString()).findFirst().orElseThrow();
    }

    @Test
    void theJobUpgradesThroughSavepointsWithKubernetesHa() {
        for (Manifests.Obj job : jobs()) {
            JsonNode spec = job.node().path("spec");
            Map<String, String> conf = Manifests.flinkConfiguration(job.node());
            assertThat(spec.path("job").path("upgradeMode").asString()).as(job.toString()).isEqualTo("savepoint");
            assertThat(spec.path("flinkVersion").asString()).as(job.toString()).isEqualTo("v2_2");
            assertThat(conf).as(job.toString()).containsEntry("high-availability.type", "kubernetes");
            assertThat(conf.get("kubernetes.operator.periodic.savepoint.interval")).as(job + ": periodic savepoints").isNotBlank();
            assertThat(conf).as(job + ": savepoint history limits")
                    .containsKeys("kubernetes.operator.savepoint.history.max.count", "kubernetes.operator.savepoint.history.max.age");
        }
    }

    @Test
    void stateLivesInTheClaimedBucket() {
        for (Manifests.Obj d : Manifests.rendered("FlinkDeployment")) {
            Map<String, String> conf = Manifests.flinkConfiguration(d.node());
            String bucket = "s3://" + bucketOf(d.source()) + "/";
            List<String> dirs = new ArrayList<>(List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir"));
            if (conf.containsKey("high-availability.type")) {
                dirs.add("high-availability.storageDir");
            }
            for (String key : dirs) {
                assertThat(conf.get(key)).as(d + ": " + key).startsWith(bucket);
            }
        }
    }

    @Test
    void noSecretValueInAnyFile() {
        for (Manifests.Obj o : Manifests.everyObject()) {
            JsonNode n = o.node();
            if (o.kind().equals("Secret")) {
                for (String field : List.of("data", "stringData")) {
                    n.path(field).properties().forEach(e ->
                            assertThat(e.getValue().asString("")).as(o + ": " + field + "." + e.getKey() + " must stay empty in a template").isEmpty());
                }
            }
            if (o.kind().equals("ConfigMap")) {
                n.path("data").properties().forEach(e -> {
                    assertThat(e.getKey()).as(o + ": a secret in a ConfigMap").doesNotMatch(SECRET_NAME);
                    for (String line : e.getValue().asString("").split("\n")) {
                        String key = line.contains(":") ? line.substring(0, line.indexOf(':')).strip() : "";
                        assertThat(key).as(o + ": a secret in " + e.getKey()).doesNotMatch(SECRET_NAME);
                    }
                });
            }
            Manifests.forEachContainer(n, c -> c.path("env").forEach(env -> {
                if (env.path("name").asString().matches(SECRET_NAME.pattern())) {
                    assertThat(env.has("value")).as(o + ": env " + env.path("name").asString() + " must come from a Secret").isFalse();
                }
            }));
            if (o.kind().equals("FlinkDeployment")) {
                Manifests.flinkConfiguration(n).forEach((k, v) -> {
                    if (SECRET_NAME.matcher(k).matches() && !k.endsWith(".credentials.provider")) {
                        assertThat(v).as(o + ": " + k + " may only name an environment variable").matches(ENV_REFERENCE);
                    }
                });
            }
        }
    }

    @Test
    void everyImageIsPinnedAndTheJobImageIsThisVersion() {
        Matcher m = Pattern.compile("<artifactId>shoestring-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Repo.read(Repo.ROOT.resolve("pom.xml")));
        assertThat(m.find()).as("the project version in pom.xml").isTrue();
        String version = m.group(1);
        for (Manifests.Obj o : Manifests.everyObject()) {
            List<String> images = new ArrayList<>();
            if (o.node().path("spec").has("image")) {
                images.add(o.node().path("spec").path("image").asString());
            }
            Manifests.forEachContainer(o.node(), c -> {
                if (c.has("image")) {
                    images.add(c.path("image").asString());
                }
            });
            for (String image : images) {
                String tag = image.contains("@") ? image.substring(image.indexOf('@') + 1)
                        : image.substring(image.lastIndexOf('/') + 1).contains(":") ? image.substring(image.lastIndexOf(':') + 1) : "";
                assertThat(tag).as(o + ": image " + image + " pinned by version or digest").matches("(sha256:[0-9a-f]{64}|.*[0-9].*)").isNotEqualTo("latest");
                if (image.contains("shoestring")) {
                    assertThat(tag).as(o + ": the Shoestring image of this build").isEqualTo(version);
                }
            }
        }
    }

    @Test
    void theJobsClassAndJarExistInTheBuild() {
        for (Manifests.Obj job : jobs()) {
            JsonNode j = job.node().path("spec").path("job");
            String entryClass = j.path("entryClass").asString();
            Path source = Repo.ROOT.resolve("jobs/src/main/java").resolve(entryClass.replace('.', '/') + ".java");
            assertThat(source).as(job + ": entryClass " + entryClass).isRegularFile();
            assertThat(Repo.read(source)).as(entryClass + " has a main").contains("public static void main(String[] args)");
            assertThat(j.path("jarURI").asString()).as(job + ": jarURI").isEqualTo("local://" + DockerfileTest.USRLIB_JAR);
        }
    }

    /** --config names a file the JobManager has, whose keys the job knows (CONTRACT section 4). */
    @Test
    void theJobConfigurationIsMountedAndUsesKnownKeys() {
        Set<String> known = new HashSet<>();
        Matcher m = Pattern.compile("public static final String \\w+ = \"([a-z0-9.-]+)\";")
                .matcher(Repo.read(Repo.ROOT.resolve("jobs/src/main/java/dev/shoestring/config/ShoestringConfig.java")));
        while (m.find()) {
            known.add(m.group(1));
        }
        assertThat(known).contains("kafka.bootstrap-servers", "postgres.url");
        for (Manifests.Obj job : jobs()) {
            List<String> args = new ArrayList<>();
            job.node().path("spec").path("job").path("args").forEach(a -> args.add(a.asString()));
            int i = args.indexOf("--config");
            assertThat(i).as(job + ": --config FILE").isGreaterThanOrEqualTo(0);
            Path file = Path.of(args.get(i + 1));
            JsonNode jm = job.node().path("spec").path("jobManager").path("podTemplate").path("spec");
            String volume = null;
            for (JsonNode mount : jm.path("containers").get(0).path("volumeMounts")) {
                if (file.startsWith(mount.path("mountPath").asString())) {
                    volume = mount.path("name").asString();
                }
            }
            assertThat(volume).as(job + ": " + file + " is on a volume of the JobManager").isNotNull();
            String configMap = null;
            for (JsonNode v : jm.path("volumes")) {
                if (v.path("name").asString().equals(volume)) {
                    configMap = v.path("configMap").path("name").asString();
                }
            }
            ObjectNode cm = find(job.source(), "ConfigMap", configMap);
            String yaml = cm.path("data").path(file.getFileName().toString()).asString(null);
            assertThat(yaml).as(job + ": " + file.getFileName() + " in ConfigMap " + configMap).isNotNull();
            for (String key : Repo.toMap(Repo.YAML.readTree(yaml)).keySet()) {
                // A prefix constant ("kafka.properties.") admits its pass-through keys.
                boolean prefixed = known.stream().anyMatch(k -> k.endsWith(".") && key.startsWith(k) && key.length() > k.length());
                assertThat(known.contains(key) || prefixed).as(job + ": key " + key + " of " + file.getFileName()
                        + " is one of " + known).isTrue();
            }
            for (int k = 0; k < args.size(); k++) {
                if (args.get(k).equals("--set")) {
                    assertThat(known).contains(args.get(k + 1).substring(0, args.get(k + 1).indexOf('=')));
                }
            }
        }
    }

    private static ObjectNode find(String source, String kind, String name) {
        return Manifests.rendered(kind).stream().filter(o -> o.source().equals(source) && o.name().equals(name))
                .map(Manifests.Obj::node).findFirst()
                .orElseThrow(() -> new AssertionError(source + ": no " + kind + " " + name));
    }

    /**
     * Every Secret and ConfigMap a pod reads is in the render, made by the bucket claim (which
     * names its Secret and ConfigMap after itself), or a template in k8s/secrets/ with that key.
     */
    @Test
    void everySecretAndConfigMapReferencedExists() {
        Map<String, ObjectNode> templates = Manifests.secretTemplates();
        assertThat(templates).containsKeys("shoestring-postgres", "shoestring-clickhouse", "shoestring-kafka-sasl");
        for (Manifests.Obj o : Manifests.rendered()) {
            Set<String> claims = new HashSet<>();
            Set<String> configMaps = new HashSet<>();
            Manifests.render(Repo.K8S.relativize(Repo.ROOT.resolve(o.source().substring("render of ".length()))).toString()).forEach(r -> {
                if (r.path("kind").asString().equals("ObjectBucketClaim")) {
                    claims.add(r.path("metadata").path("name").asString());
                }
                if (r.path("kind").asString().equals("ConfigMap")) {
                    configMaps.add(r.path("metadata").path("name").asString());
                }
            });
            Manifests.forEachContainer(o.node(), c -> {
                for (JsonNode from : c.path("envFrom")) {
                    if (from.has("secretRef")) {
                        assertThat(claims).as(o + ": envFrom Secret").contains(from.path("secretRef").path("name").asString());
                    }
                    if (from.has("configMapRef")) {
                        String n = from.path("configMapRef").path("name").asString();
                        assertThat(claims.contains(n) || configMaps.contains(n)).as(o + ": envFrom ConfigMap " + n).isTrue();
                    }
                }
                for (JsonNode env : c.path("env")) {
                    JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                    if (ref.isMissingNode()) {
                        continue;
                    }
                    String name = ref.path("name").asString();
                    String key = ref.path("key").asString();
                    if (claims.contains(name)) {
                        assertThat(key).as(o + ": key of the claim's Secret").isIn("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
                    } else {
                        assertThat(templates).as(o + ": Secret " + name + " has a template in k8s/secrets/").containsKey(name);
                        assertThat(templates.get(name).path("stringData").has(key)).as(o + ": key " + key + " of Secret " + name).isTrue();
                    }
                }
            });
            for (JsonNode ps : Manifests.podSpecs(o.node())) {
                for (JsonNode v : ps.path("volumes")) {
                    if (v.has("configMap")) {
                        assertThat(configMaps).as(o + ": volume ConfigMap").contains(v.path("configMap").path("name").asString());
                    }
                }
            }
        }
    }

    /** The image brings the S3 plugin; enabling the built-in one as well would load it twice. */
    @Test
    void theS3PluginComesFromTheImageOnly() {
        assertThat(DockerfileTest.DOCKERFILE).contains("/opt/flink/plugins/s3-fs-hadoop/");
        for (Manifests.Obj o : Manifests.everyObject()) {
            Manifests.forEachContainer(o.node(), c -> c.path("env").forEach(env ->
                    assertThat(env.path("name").asString()).as(o.toString()).isNotEqualTo("ENABLE_BUILT_IN_PLUGINS")));
        }
    }

    @Test
    void accountsAndServicesPointAtWhatExists() {
        for (Path dir : Manifests.RENDERS.keySet()) {
            List<ObjectNode> objects = Manifests.RENDERS.get(dir);
            Set<String> accounts = new HashSet<>();
            Map<String, JsonNode> podLabels = new java.util.HashMap<>();
            Set<String> restServices = new HashSet<>();
            for (ObjectNode o : objects) {
                switch (o.path("kind").asString()) {
                    case "ServiceAccount" -> accounts.add(o.path("metadata").path("name").asString());
                    case "Deployment" -> podLabels.put(o.path("metadata").path("name").asString(), o.path("spec").path("template").path("metadata").path("labels"));
                    case "FlinkDeployment" -> restServices.add(o.path("metadata").path("name").asString() + "-rest");
                    default -> { }
                }
            }
            for (ObjectNode o : objects) {
                String id = Repo.rel(dir) + ": " + Repo.id(o);
                String ns = o.path("metadata").path("namespace").asString();
                switch (o.path("kind").asString()) {
                    case "FlinkDeployment" -> assertThat(accounts).as(id + ": serviceAccount").contains(o.path("spec").path("serviceAccount").asString());
                    case "RoleBinding" -> o.path("subjects").forEach(s -> {
                        assertThat(accounts).as(id).contains(s.path("name").asString());
                        assertThat(s.path("namespace").asString()).as(id + ": subject namespace").isEqualTo(ns);
                    });
                    case "Service" -> {
                        boolean selects = podLabels.values().stream().anyMatch(labels -> o.path("spec").path("selector").properties().stream()
                                .allMatch(e -> labels.path(e.getKey()).equals(e.getValue())));
                        assertThat(selects).as(id + ": selects the pods of a Deployment").isTrue();
                    }
                    case "Deployment" -> Manifests.forEachContainer(o, c -> {
                        for (JsonNode a : c.path("command")) {
                            if (a.asString().startsWith("-Drest.address=")) {
                                assertThat(restServices).as(id + ": the session cluster's REST service").contains(a.asString().substring("-Drest.address=".length()));
                            }
                        }
                    });
                    default -> { }
                }
            }
        }
    }

    /**
     * The chain from claim to gateway: the claim's StorageClass is Rook's, for the object store
     * both variants define, whose gateway Service is the S3 endpoint of flink-conf/production.
     */
    @Test
    void theBucketClaimReachesTheObjectStore() {
        ObjectNode sc = Manifests.render("rook/base").stream().filter(o -> o.path("kind").asString().equals("StorageClass")).findFirst().orElseThrow();
        for (Manifests.Obj claim : Manifests.rendered("ObjectBucketClaim")) {
            assertThat(claim.node().path("spec").path("storageClassName").asString()).as(claim.toString())
                    .isEqualTo(sc.path("metadata").path("name").asString());
        }
        String endpoint = Manifests.loadFlinkConf(Repo.read(Repo.ROOT.resolve("flink-conf/production/config.yaml"))).get("s3.endpoint");
        for (String variant : List.of("rook/single-node", "rook/replicated")) {
            ObjectNode store = Manifests.render(variant).stream().filter(o -> o.path("kind").asString().equals("CephObjectStore")).findFirst().orElseThrow();
            String name = store.path("metadata").path("name").asString();
            String ns = store.path("metadata").path("namespace").asString();
            assertThat(sc.path("provisioner").asString()).isEqualTo(ns + ".ceph.rook.io/bucket");
            assertThat(sc.path("parameters").path("objectStoreName").asString()).as(variant).isEqualTo(name);
            assertThat(sc.path("parameters").path("objectStoreNamespace").asString()).as(variant).isEqualTo(ns);
            assertThat(endpoint).as(variant + ": the gateway Service Rook creates")
                    .isEqualTo("http://rook-ceph-rgw-" + name + "." + ns + ".svc:" + store.path("spec").path("gateway").path("port").asInt());
            int size = store.path("spec").path("dataPool").path("replicated").path("size").asInt();
            assertThat(size).as(variant + ": data copies").isEqualTo(variant.endsWith("single-node") ? 1 : 3);
            assertThat(store.path("spec").path("metadataPool").path("replicated").path("size").asInt()).isEqualTo(size);
        }
    }

    /** Every manifest file is applied by a kustomization, or is a template applied by hand. */
    @Test
    void noManifestIsLeftOut() {
        for (Path f : Manifests.objectFiles()) {
            boolean template = f.startsWith(Repo.K8S.resolve("secrets")) || f.startsWith(Repo.K8S.resolve("snapshots"));
            assertThat(template || Manifests.KUSTOMIZE.resourceFiles.contains(f)).as(Repo.rel(f) + " is in a kustomization").isTrue();
        }
        assertThat(Files.isRegularFile(Repo.K8S.resolve("overlays/dev/kustomization.yaml"))).isTrue();
        assertThat(Files.isRegularFile(Repo.K8S.resolve("overlays/prod/kustomization.yaml"))).isTrue();
    }
}
