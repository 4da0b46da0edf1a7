package dev.shoestring.k8s;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The openAPIV3Schema of every CRD in shared/schemas, by group/version/kind, as JSON Schemas.
 *
 * <p>Kubernetes checks custom resources more strictly than the schema text says: kubectl's
 * default (strict) field validation rejects a field the schema does not declare, unless the
 * schema keeps unknown fields ({@code x-kubernetes-preserve-unknown-fields}). So every object
 * schema with declared properties gets {@code additionalProperties: false} here, and a
 * misspelled or misplaced field (say {@code upgradeMode} one level too high) fails the test as it
 * would fail {@code kubectl apply}. CEL rules ({@code x-kubernetes-validations}) are not evaluated.
 */
final class CrdSchemas {
    private final Map<String, JsonNode> byType = new HashMap<>();
    private final Map<String, Schema> compiled = new HashMap<>();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

    CrdSchemas(Path dir) {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path f : files) {
            for (JsonNode doc : Repo.readAll(f)) {
                if (!"CustomResourceDefinition".equals(doc.path("kind").asString())) {
                    continue;
                }
                String group = doc.path("spec").path("group").asString();
                String kind = doc.path("spec").path("names").path("kind").asString();
                for (JsonNode v : doc.path("spec").path("versions")) {
                    JsonNode schema = v.path("schema").path("openAPIV3Schema");
                    if (!schema.isMissingNode() && v.path("served").asBoolean(true)) {
                        byType.put(group + "/" + v.path("name").asString() + "/" + kind, strict(root((ObjectNode) schema.deepCopy())));
                    }
                }
            }
        }
    }

    static String type(JsonNode o) {
        return o.path("apiVersion").asString() + "/" + o.path("kind").asString();
    }

    boolean knows(JsonNode o) {
        return byType.containsKey(type(o));
    }

    int size() {
        return byType.size();
    }

    /** The schema errors of one object (empty: valid). */
    List<String> validate(JsonNode o) {
        JsonNode schema = byType.get(type(o));
        if (schema == null) {
            throw new IllegalArgumentException("no CRD schema for " + type(o));
        }
        return errors(compiled.computeIfAbsent(type(o), t -> registry.getSchema(schema)), o);
    }

    /**
     * Errors of a pod (apiVersion/kind/metadata/spec) against the Pod schema that the Flink
     * operator's CRD embeds for {@code spec.podTemplate}: the best Pod schema in shared/schemas,
     * used for the pods of built-in workloads (a Deployment's template).
     */
    List<String> validatePod(JsonNode pod) {
        String key = "flink.apache.org/v1beta1/FlinkDeployment";
        JsonNode podSchema = byType.get(key).path("properties").path("spec").path("properties").path("podTemplate");
        return errors(compiled.computeIfAbsent("pod", t -> registry.getSchema(podSchema)), pod);
    }

    private static List<String> errors(Schema schema, JsonNode o) {
        List<String> out = new ArrayList<>();
        for (Error e : schema.validate(o)) {
            out.add(e.toString());
        }
        return out;
    }

    /** The root of a CRD schema, with the fields every object has (the API server checks metadata itself). */
    private static ObjectNode root(ObjectNode schema) {
        ObjectNode props = schema.has("properties") ? (ObjectNode) schema.get("properties") : schema.putObject("properties");
        props.putObject("apiVersion").put("type", "string");
        props.putObject("kind").put("type", "string");
        if (!props.has("metadata") || props.get("metadata").size() <= 1) {
            ObjectNode meta = props.putObject("metadata");
            meta.put("type", "object");
            meta.putArray("required").add("name");
            ObjectNode mp = meta.putObject("properties");
            mp.putObject("name").put("type", "string");
            mp.putObject("namespace").put("type", "string");
            mp.putObject("labels").put("type", "object").putObject("additionalProperties").put("type", "string");
            mp.putObject("annotations").put("type", "object").putObject("additionalProperties").put("type", "string");
        }
        schema.put("type", "object");
        return schema;
    }

    /** Declared properties only, as kubectl's strict field validation has it. */
    static JsonNode strict(JsonNode schema) {
        if (!schema.isObject()) {
            return schema;
        }
        ObjectNode s = (ObjectNode) schema;
        boolean keepsUnknown = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (s.has("properties") && !s.has("additionalProperties") && !keepsUnknown) {
            s.put("additionalProperties", false);
        }
        for (String k : List.of("properties", "patternProperties", "definitions")) {
            for (JsonNode child : s.path(k).values()) {
                strict(child);
            }
        }
        for (String k : List.of("items", "additionalProperties", "not")) {
            if (s.has(k)) {
                strict(s.get(k));
            }
        }
        for (String k : List.of("anyOf", "allOf", "oneOf")) {
            for (JsonNode child : s.path(k)) {
                strict(child);
            }
        }
        return s;
    }
}
