package dev.shoestring.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.flink.configuration.GlobalConfiguration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The manifests of k8s/: each file on its own, and each kustomization rendered. */
final class Manifests {
    /** One object and where it comes from ("k8s/base/x.yaml" or "render of k8s/overlays/dev"). */
    record Obj(String source, ObjectNode node) {
        String kind() {
            return node.path("kind").asString();
        }

        String name() {
            return node.path("metadata").path("name").asString();
        }

        @Override
        public String toString() {
            return source + ": " + Repo.id(node);
        }
    }

    static final Kustomize KUSTOMIZE = new Kustomize();
    /** Each kustomization directory and what it renders to. */
    static final Map<Path, List<ObjectNode>> RENDERS = new LinkedHashMap<>();

    static {
        for (Path dir : Repo.kustomizations()) {
            RENDERS.put(dir, KUSTOMIZE.render(dir));
        }
    }

    private Manifests() {}

    /** The YAML files that hold whole objects: not kustomization.yaml, not a patch. */
    static List<Path> objectFiles() {
        return Repo.yamlFiles().stream()
                .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                .filter(p -> !KUSTOMIZE.patchFiles.contains(p))
                .toList();
    }

    /** Every object of every file, then every object of every render. */
    static List<Obj> everyObject() {
        List<Obj> out = new ArrayList<>();
        for (Path f : objectFiles()) {
            for (ObjectNode o : Repo.objects(f)) {
                out.add(new Obj(Repo.rel(f), o));
            }
        }
        out.addAll(rendered());
        return out;
    }

    /** Every object of every render (the overlays are what users apply). */
    static List<Obj> rendered() {
        List<Obj> out = new ArrayList<>();
        RENDERS.forEach((dir, objects) -> objects.forEach(o -> out.add(new Obj("render of " + Repo.rel(dir), o))));
        return out;
    }

    static List<Obj> rendered(String kind) {
        return rendered().stream().filter(o -> o.kind().equals(kind)).toList();
    }

    /** The objects of one render. */
    static List<ObjectNode> render(String dirUnderK8s) {
        return RENDERS.get(Repo.K8S.resolve(dirUnderK8s).normalize());
    }

    /** The Secret templates of k8s/secrets/, by name. */
    static Map<String, ObjectNode> secretTemplates() {
        Map<String, ObjectNode> out = new TreeMap<>();
        for (Path f : objectFiles()) {
            if (f.startsWith(Repo.K8S.resolve("secrets"))) {
                Repo.objects(f).forEach(o -> out.put(o.path("metadata").path("name").asString(), o));
            }
        }
        return out;
    }

    /**
     * A FlinkDeployment's flinkConfiguration as Flink reads it: written as a config.yaml and loaded
     * by Flink's own {@link GlobalConfiguration} (which flattens nested keys as the operator does).
     */
    static Map<String, String> flinkConfiguration(JsonNode flinkDeployment) {
        JsonNode conf = flinkDeployment.path("spec").path("flinkConfiguration");
        return loadFlinkConf(Repo.toYaml(conf.isMissingNode() ? Repo.YAML.createObjectNode() : conf));
    }

    static Map<String, String> loadFlinkConf(String yaml) {
        try {
            Path dir = Files.createTempDirectory("flink-conf");
            try {
                Files.writeString(dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME), yaml);
                return new TreeMap<>(GlobalConfiguration.loadConfiguration(dir.toString()).toMap());
            } finally {
                Files.deleteIfExists(dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME));
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every container of an object: pod templates of a FlinkDeployment, a Deployment's template. */
    static void forEachContainer(JsonNode o, Consumer<JsonNode> action) {
        List<JsonNode> podSpecs = new ArrayList<>();
        JsonNode spec = o.path("spec");
        podSpecs.add(spec.path("podTemplate").path("spec"));
        podSpecs.add(spec.path("jobManager").path("podTemplate").path("spec"));
        podSpecs.add(spec.path("taskManager").path("podTemplate").path("spec"));
        podSpecs.add(spec.path("template").path("spec"));
        for (JsonNode ps : podSpecs) {
            ps.path("containers").forEach(action);
            ps.path("initContainers").forEach(action);
        }
    }

    /** Every pod spec of an object (for volumes). */
    static List<JsonNode> podSpecs(JsonNode o) {
        JsonNode spec = o.path("spec");
        return List.of(spec.path("podTemplate").path("spec"), spec.path("jobManager").path("podTemplate").path("spec"),
                spec.path("taskManager").path("podTemplate").path("spec"), spec.path("template").path("spec"));
    }
}
