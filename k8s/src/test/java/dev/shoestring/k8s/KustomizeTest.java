package dev.shoestring.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The kustomize subset the other tests render with, and what the overlays change. */
class KustomizeTest {
    @TempDir
    Path dir;

    private static ObjectNode yaml(String text) {
        return (ObjectNode) Repo.YAML.readTree(text);
    }

    private static JsonNode find(List<ObjectNode> objects, String kind, String name) {
        return objects.stream().filter(o -> o.path("kind").asString().equals(kind) && o.path("metadata").path("name").asString().equals(name))
                .findFirst().orElseThrow();
    }

    @Test
    void theOverlaysChangeWhatTheySay() {
        JsonNode base = find(Manifests.render("base"), "FlinkDeployment", "shoestring");
        JsonNode dev = find(Manifests.render("overlays/dev"), "FlinkDeployment", "shoestring");
        JsonNode prod = find(Manifests.render("overlays/prod"), "FlinkDeployment", "shoestring");
        assertThat(dev.path("spec").path("taskManager").path("resource").path("cpu").asDouble()).isEqualTo(0.5);
        assertThat(dev.path("spec").path("taskManager").path("resource").path("memory").asString()).isEqualTo("2048m");
        assertThat(dev.path("spec").path("flinkConfiguration").path("kubernetes.operator.periodic.savepoint.interval").asString()).isEqualTo("1h");
        // The merge patch keeps what it does not name.
        assertThat(dev.path("spec").path("flinkConfiguration").size()).isEqualTo(base.path("spec").path("flinkConfiguration").size());
        assertThat(dev.path("spec").path("job")).isEqualTo(base.path("spec").path("job"));
        assertThat(prod.path("spec").path("taskManager").path("resource").path("memory").asString()).isEqualTo("3072m");
        assertThat(find(Manifests.render("overlays/dev"), "FlinkDeployment", "shoestring-sql").path("spec").path("taskManager").path("resource").path("memory").asString())
                .isEqualTo("1024m");
        assertThat(find(Manifests.render("overlays/prod"), "ConfigMap", "shoestring-job-config").path("data").path("shoestring.yaml").asString())
                .contains("kafka-0.kafka.svc:9092,kafka-1.kafka.svc:9092");
        for (ObjectNode o : Manifests.render("overlays/prod")) {
            if (!o.path("kind").asString().equals("Namespace")) {
                assertThat(o.path("metadata").path("namespace").asString()).as(Repo.id(o)).isEqualTo("shoestring");
            }
        }
    }

    @Test
    void mergePatchMergesObjectsReplacesValuesAndListsAndRemovesNulls() {
        ObjectNode target = yaml("{a: {b: 1, c: 2}, l: [1, 2], d: 4}");
        Kustomize.mergePatch(target, yaml("{a: {b: 9}, l: [3], d: null, e: 5}"));
        assertThat(target).isEqualTo(yaml("{a: {b: 9, c: 2}, l: [3], e: 5}"));
    }

    @Test
    void jsonPatchAddsReplacesAndRemoves() {
        ObjectNode target = yaml("{spec: {x: 1, list: [a, b]}}");
        Kustomize.jsonPatch(target, yaml("{op: replace, path: /spec/x, value: 2}"), "t");
        Kustomize.jsonPatch(target, yaml("{op: add, path: /spec/list/-, value: c}"), "t");
        Kustomize.jsonPatch(target, yaml("{op: add, path: /spec/list/0, value: z}"), "t");
        Kustomize.jsonPatch(target, yaml("{op: remove, path: /spec/list/1}"), "t");
        Kustomize.jsonPatch(target, yaml("{op: add, path: /spec/a~1b, value: 3}"), "t");
        assertThat(target).isEqualTo(yaml("{spec: {x: 2, list: [z, b, c], a/b: 3}}"));
        assertThatThrownBy(() -> Kustomize.jsonPatch(target, yaml("{op: replace, path: /spec/nope, value: 1}"), "t"))
                .hasMessageContaining("nothing there");
        assertThatThrownBy(() -> Kustomize.jsonPatch(target, yaml("{op: move, from: /spec/x, path: /spec/y}"), "t"))
                .hasMessageContaining("not supported");
    }

    @Test
    void renderFailsRatherThanIgnoring() throws Exception {
        Files.writeString(dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n");
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: [cm.yaml]\nnamePrefix: x-\n");
        assertThatThrownBy(() -> new Kustomize().render(dir)).hasMessageContaining("namePrefix");

        Files.writeString(dir.resolve("p.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {k: w}\n");
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: [cm.yaml]\npatches: [{path: p.yaml}]\n");
        assertThatThrownBy(() -> new Kustomize().render(dir)).hasMessageContaining("matches no object");

        Files.writeString(dir.resolve("d.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: [{name: a}]}}}\n");
        Files.writeString(dir.resolve("p.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: [{name: a, image: i:1}]}}}\n");
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: [d.yaml]\npatches: [{path: p.yaml}]\n");
        assertThatThrownBy(() -> new Kustomize().render(dir)).hasMessageContaining("use a JSON patch");
    }

    @Test
    void namespaceSetsNamespacedObjectsOnly() throws Exception {
        Files.writeString(dir.resolve("all.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
                + "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: s}\nprovisioner: p\n");
        Files.writeString(dir.resolve("kustomization.yaml"), "namespace: n\nresources: [all.yaml]\n");
        List<ObjectNode> out = new Kustomize().render(dir);
        assertThat(find(out, "ConfigMap", "c").path("metadata").path("namespace").asString()).isEqualTo("n");
        assertThat(find(out, "StorageClass", "s").path("metadata").has("namespace")).isFalse();
    }
}
