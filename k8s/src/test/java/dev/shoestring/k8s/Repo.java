package dev.shoestring.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Where things are, and YAML reading: the k8s module, the repository around it, shared/schemas. */
final class Repo {
    static final YAMLMapper YAML = YAMLMapper.builder().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    /** The k8s module (surefire's working directory). */
    static final Path K8S = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    static final Path ROOT = K8S.getParent();

    private Repo() {}

    /** ../shared/schemas beside the repository, or as set by the build. */
    static Path schemasDir() {
        String dir = System.getProperty("shoestring.schemas.dir");
        return (dir != null ? Path.of(dir) : ROOT.resolveSibling("shared").resolve("schemas")).toAbsolutePath().normalize();
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every document of a YAML file, skipping empty ones. Read token by token: Jackson's
     * readValues would unwrap a document that is a list (a JSON patch) into its elements.
     */
    static List<JsonNode> readAll(Path file) {
        List<JsonNode> docs = new ArrayList<>();
        try (JsonParser p = YAML.createParser(file.toFile())) {
            while (p.nextToken() != null) {
                JsonNode doc = YAML.readTree(p);
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    /** The Kubernetes objects of a YAML file (each document must be a mapping). */
    static List<ObjectNode> objects(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode doc : readAll(file)) {
            if (!doc.isObject()) {
                throw new IllegalArgumentException(file + ": a document is not a mapping");
            }
            out.add((ObjectNode) doc);
        }
        return out;
    }

    /** Every YAML file under k8s/ that is ours (not build output, not test resources). */
    static List<Path> yamlFiles() {
        try (Stream<Path> s = Files.walk(K8S)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !K8S.relativize(p).startsWith("target") && !K8S.relativize(p).startsWith("src"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every directory with a kustomization.yaml under k8s/. */
    static List<Path> kustomizations() {
        return yamlFiles().stream()
                .filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                .map(Path::getParent)
                .toList();
    }

    static String rel(Path p) {
        return ROOT.relativize(p.toAbsolutePath().normalize()).toString();
    }

    static String id(JsonNode o) {
        return o.path("kind").asString("?") + "/" + o.path("metadata").path("name").asString("?");
    }

    /** The YAML text of a node, e.g. to hand a flinkConfiguration to Flink's own YAML loader. */
    static String toYaml(Object value) {
        return YAML.writeValueAsString(value);
    }

    static Map<String, Object> toMap(JsonNode node) {
        return YAML.convertValue(node, Map.class);
    }
}
