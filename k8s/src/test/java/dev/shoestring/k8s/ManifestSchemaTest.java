package dev.shoestring.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every manifest under k8s/, each file on its own and each kustomization rendered, against the
 * CRD schemas of shared/schemas (Flink Kubernetes Operator 1.15.0, Rook v1.20.6). Built-in
 * kinds have no schema there: their apiVersion is checked, and a Deployment's pod against the Pod
 * schema the operator's CRD embeds. Skipped, with the reason, where shared/schemas is absent.
 */
class ManifestSchemaTest {
    /** Built-in kinds the manifests may use, with their apiVersion. */
    private static final Map<String, String> BUILT_IN = Map.of(
            "Namespace", "v1", "ServiceAccount", "v1", "ConfigMap", "v1", "Secret", "v1", "Service", "v1",
            "Deployment", "apps/v1",
            "Role", "rbac.authorization.k8s.io/v1", "RoleBinding", "rbac.authorization.k8s.io/v1",
            "StorageClass", "storage.k8s.io/v1");

    private static CrdSchemas schemas;

    @BeforeAll
    static void loadSchemas() {
        if (Files.isDirectory(Repo.schemasDir())) {
            schemas = new CrdSchemas(Repo.schemasDir());
        }
    }

    /** Each test says for itself why it is skipped, so the skip shows in every report. */
    private static void assumeSchemas() {
        assumeTrue(schemas != null, "CRD schema validation skipped: " + Repo.schemasDir() + " does not exist. It needs the "
                + "shared/ folder beside the repository (CI and developers have it); README.md, section "
                + "'Kubernetes', says how to get the schemas.");
    }

    @Test
    void theSchemasOfTheOperatorAndRookAreThere() {
        assumeSchemas();
        assertThat(schemas.size()).as("CRD versions read from " + Repo.schemasDir()).isGreaterThan(20);
        for (String type : List.of("flink.apache.org/v1beta1/FlinkDeployment", "flink.apache.org/v1beta1/FlinkStateSnapshot",
                "ceph.rook.io/v1/CephObjectStore", "objectbucket.io/v1alpha1/ObjectBucketClaim")) {
            ObjectNode probe = Repo.YAML.createObjectNode();
            probe.put("apiVersion", type.substring(0, type.lastIndexOf('/')));
            probe.put("kind", type.substring(type.lastIndexOf('/') + 1));
            assertThat(schemas.knows(probe)).as(type).isTrue();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyManifestAndEveryRenderValidates() {
        assumeSchemas();
        return Manifests.everyObject().stream().map(o -> DynamicTest.dynamicTest(o.toString(), () -> {
            assertThat(errors(o.node())).as(o.toString()).isEmpty();
        }));
    }

    private static List<String> errors(JsonNode o) {
        if (Kustomize.isCustom(o)) {
            assertThat(schemas.knows(o)).as("a CRD schema for " + CrdSchemas.type(o) + " in " + Repo.schemasDir()).isTrue();
            return schemas.validate(o);
        }
        List<String> errors = new ArrayList<>();
        String kind = o.path("kind").asString();
        if (!BUILT_IN.containsKey(kind)) {
            errors.add("kind " + kind + " is neither a CRD of shared/schemas nor a built-in kind these tests know");
        } else if (!BUILT_IN.get(kind).equals(o.path("apiVersion").asString())) {
            errors.add(kind + " is apiVersion " + BUILT_IN.get(kind) + ", not " + o.path("apiVersion").asString());
        }
        if (o.path("metadata").path("name").asString("").isEmpty()) {
            errors.add("metadata.name is missing");
        }
        if (kind.equals("Deployment")) {
            ObjectNode pod = Repo.YAML.createObjectNode();
            pod.put("apiVersion", "v1");
            pod.put("kind", "Pod");
            pod.set("metadata", o.path("spec").path("template").path("metadata"));
            pod.set("spec", o.path("spec").path("template").path("spec"));
            errors.addAll(schemas.validatePod(pod));
        }
        return errors;
    }

    /** The validation is strict enough to matter: typical mistakes fail it. */
    @Test
    void mistakesAreCaught() {
        assumeSchemas();
        ObjectNode job = (ObjectNode) Repo.objects(Repo.K8S.resolve("base/shoestring-job.yaml")).get(0).deepCopy();
        assertThat(schemas.validate(job)).isEmpty();

        ObjectNode misplaced = job.deepCopy();
        ((ObjectNode) misplaced.get("spec")).put("upgradeMode", "savepoint");
        assertThat(schemas.validate(misplaced)).as("a field at the wrong level").isNotEmpty();

        ObjectNode version = job.deepCopy();
        ((ObjectNode) version.get("spec")).put("flinkVersion", "v2_9");
        assertThat(schemas.validate(version)).as("a flinkVersion the operator does not know").isNotEmpty();

        ObjectNode resources = job.deepCopy();
        ((ObjectNode) resources.path("spec").path("taskManager").path("resource")).put("cpu", "one");
        assertThat(schemas.validate(resources)).as("a string where a number belongs").isNotEmpty();

        ObjectNode env = job.deepCopy();
        ((ObjectNode) env.path("spec").path("podTemplate").path("spec").path("containers").get(0)).putObject("envFom");
        assertThat(schemas.validate(env)).as("a misspelled pod field").isNotEmpty();

        ObjectNode store = (ObjectNode) Repo.objects(Repo.K8S.resolve("rook/replicated/object-store.yaml")).get(0).deepCopy();
        assertThat(schemas.validate(store)).isEmpty();
        ((ObjectNode) store.path("spec").path("dataPool").path("replicated")).put("size", "three");
        assertThat(schemas.validate(store)).as("a Rook pool size that is not a number").isNotEmpty();
    }
}
