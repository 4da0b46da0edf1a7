package dev.shoestring.k8s;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The part of kustomize that k8s/ uses, so the overlays can be rendered and validated without the
 * kustomize binary: {@code resources} (files and directories), {@code namespace}, and
 * {@code patches} from files, either a JSON patch (RFC 6902: a list of add/replace/remove
 * operations, with a {@code target}) or a patch object. A patch object is applied as a JSON merge
 * patch (RFC 7386), which is what kustomize does for custom resources; on built-in kinds
 * kustomize merges lists by key instead, so there a patch object must not contain a list (use a
 * JSON patch). Anything else in a kustomization.yaml fails the render rather than being ignored.
 */
final class Kustomize {
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace", "resources", "patches");
    private static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace", "StorageClass", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume");

    /** Every file a kustomization reads as a patch (they are not objects on their own). */
    final Set<Path> patchFiles = new LinkedHashSet<>();
    /** Every file a kustomization reads as a resource. */
    final Set<Path> resourceFiles = new LinkedHashSet<>();

    /** The objects the kustomization in {@code dir} produces, in order. */
    List<ObjectNode> render(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(Repo.rel(dir) + ": no kustomization.yaml");
        }
        JsonNode k = Repo.readAll(file).get(0);
        for (String field : k.propertyNames()) {
            if (!SUPPORTED.contains(field)) {
                throw new IllegalArgumentException(Repo.rel(file) + ": '" + field + "' is not in the kustomize subset these tests render "
                        + SUPPORTED + " (extend Kustomize.java, or do without)");
            }
        }
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asString()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(render(p));
            } else {
                resourceFiles.add(p);
                out.addAll(Repo.objects(p));
            }
        }
        for (JsonNode patch : k.path("patches")) {
            applyPatch(dir, file, patch, out);
        }
        if (k.has("namespace")) {
            String ns = k.get("namespace").asString();
            for (ObjectNode o : out) {
                if (!CLUSTER_SCOPED.contains(o.path("kind").asString())) {
                    ((ObjectNode) o.get("metadata")).put("namespace", ns);
                }
            }
        }
        Set<String> ids = new HashSet<>();
        for (ObjectNode o : out) {
            String id = o.path("apiVersion").asString() + " " + Repo.id(o) + " in " + o.path("metadata").path("namespace").asString("");
            if (!ids.add(id)) {
                throw new IllegalArgumentException(Repo.rel(file) + ": " + id + " appears twice");
            }
        }
        return out;
    }

    private void applyPatch(Path dir, Path kustomization, JsonNode entry, List<ObjectNode> objects) {
        if (!entry.has("path") || entry.has("patch")) {
            throw new IllegalArgumentException(Repo.rel(kustomization) + ": only patches from files (path:) are supported");
        }
        Path p = dir.resolve(entry.get("path").asString()).normalize();
        patchFiles.add(p);
        JsonNode patch = Repo.readAll(p).get(0);
        JsonNode target = entry.path("target");
        String where = Repo.rel(p);
        int matched = 0;
        for (ObjectNode o : objects) {
            boolean match = target.isMissingNode()
                    ? !patch.isArray() && sameObject(o, patch)
                    : matches(o, target);
            if (!match) {
                continue;
            }
            matched++;
            if (patch.isArray()) {
                for (JsonNode op : patch) {
                    jsonPatch(o, op, where);
                }
            } else {
                if (!isCustom(o) && containsList(patch)) {
                    throw new IllegalArgumentException(where + ": a patch object with a list on built-in kind " + o.path("kind").asString()
                            + " (kustomize would merge the list by key): use a JSON patch");
                }
                mergePatch(o, patch);
            }
        }
        if (matched == 0) {
            throw new IllegalArgumentException(where + ": the patch matches no object");
        }
        if (patch.isArray() && target.isMissingNode()) {
            throw new IllegalArgumentException(where + ": a JSON patch needs a target");
        }
    }

    private static boolean sameObject(JsonNode o, JsonNode patch) {
        return o.path("kind").equals(patch.path("kind"))
                && group(o).equals(group(patch))
                && o.path("metadata").path("name").equals(patch.path("metadata").path("name"));
    }

    private static boolean matches(JsonNode o, JsonNode target) {
        for (Map.Entry<String, JsonNode> e : target.properties()) {
            String want = e.getValue().asString();
            String have = switch (e.getKey()) {
                case "kind" -> o.path("kind").asString();
                case "name" -> o.path("metadata").path("name").asString();
                case "namespace" -> o.path("metadata").path("namespace").asString();
                case "group" -> group(o);
                case "version" -> version(o);
                default -> throw new IllegalArgumentException("target." + e.getKey() + " is not supported");
            };
            if (!want.equals(have)) {
                return false;
            }
        }
        return true;
    }

    static String group(JsonNode o) {
        String av = o.path("apiVersion").asString("");
        return av.contains("/") ? av.substring(0, av.indexOf('/')) : "";
    }

    static String version(JsonNode o) {
        String av = o.path("apiVersion").asString("");
        return av.substring(av.indexOf('/') + 1);
    }

    /** Custom resources: a group with a dot that is not one of Kubernetes' own (*.k8s.io). */
    static boolean isCustom(JsonNode o) {
        String g = group(o);
        return g.contains(".") && !g.endsWith(".k8s.io");
    }

    private static boolean containsList(JsonNode n) {
        if (n.isArray()) {
            return true;
        }
        for (JsonNode child : n.values()) {
            if (containsList(child)) {
                return true;
            }
        }
        return false;
    }

    /** RFC 7386: objects merge key by key, null removes, anything else replaces. */
    static void mergePatch(ObjectNode target, JsonNode patch) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode v = e.getValue();
            JsonNode existing = target.get(e.getKey());
            if (v.isNull()) {
                target.remove(e.getKey());
            } else if (v.isObject() && existing != null && existing.isObject()) {
                mergePatch((ObjectNode) existing, v);
            } else {
                target.set(e.getKey(), v.deepCopy());
            }
        }
    }

    /** RFC 6902 add, replace and remove. */
    static void jsonPatch(ObjectNode root, JsonNode op, String where) {
        String kind = op.path("op").asString();
        String path = op.path("path").asString();
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(where + ": bad path '" + path + "'");
        }
        List<String> tokens = new ArrayList<>();
        for (String t : path.substring(1).split("/", -1)) {
            tokens.add(t.replace("~1", "/").replace("~0", "~"));
        }
        JsonNode parent = root;
        for (Iterator<String> it = tokens.subList(0, tokens.size() - 1).iterator(); it.hasNext(); ) {
            String t = it.next();
            parent = parent.isArray() ? parent.get(Integer.parseInt(t)) : parent.get(t);
            if (parent == null) {
                throw new IllegalArgumentException(where + ": " + path + " does not exist");
            }
        }
        String last = tokens.get(tokens.size() - 1);
        JsonNode value = op.get("value");
        switch (kind) {
            case "add", "replace" -> {
                if (value == null) {
                    throw new IllegalArgumentException(where + ": " + kind + " " + path + " without a value");
                }
                if (parent.isArray()) {
                    ArrayNode a = (ArrayNode) parent;
                    if (last.equals("-")) {
                        a.add(value.deepCopy());
                    } else if (kind.equals("add")) {
                        a.insert(Integer.parseInt(last), value.deepCopy());
                    } else {
                        requireIndex(a, last, where, path);
                        a.set(Integer.parseInt(last), value.deepCopy());
                    }
                } else {
                    if (kind.equals("replace") && !parent.has(last)) {
                        throw new IllegalArgumentException(where + ": replace " + path + ": nothing there");
                    }
                    ((ObjectNode) parent).set(last, value.deepCopy());
                }
            }
            case "remove" -> {
                if (parent.isArray()) {
                    requireIndex((ArrayNode) parent, last, where, path);
                    ((ArrayNode) parent).remove(Integer.parseInt(last));
                } else if (((ObjectNode) parent).remove(last) == null) {
                    throw new IllegalArgumentException(where + ": remove " + path + ": nothing there");
                }
            }
            default -> throw new IllegalArgumentException(where + ": op '" + kind + "' is not supported");
        }
    }

    private static void requireIndex(ArrayNode a, String index, String where, String path) {
        int i = Integer.parseInt(index);
        if (i < 0 || i >= a.size()) {
            throw new IllegalArgumentException(where + ": " + path + " is out of range");
        }
    }
}
