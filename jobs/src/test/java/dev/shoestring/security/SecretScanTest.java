package dev.shoestring.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No secret in any file the project ships: scans the repository (not build output, not the local
 * services' data folder) for key material and for password/secret settings with literal values.
 * References (${env.X}, ${X}, secretKeyRef, empty template values) are what belongs there.
 */
class SecretScanTest {
    private static final Set<String> SKIP_DIRS = Set.of(".git", "target", ".shoestring", "node_modules");
    private static final Pattern KEY_MATERIAL = Pattern.compile(
            "AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|xox[baprs]-[0-9A-Za-z-]{10,}|ghp_[0-9A-Za-z]{30,}");
    /** key: value / key=value where the key names a secret. */
    private static final Pattern SECRET_SETTING = Pattern.compile(
            "(?i)^[\\s-]*\"?([\\w.-]*(password|passwd|secret[-_.]?key|secret|access[-_.]?key|api[-_.]?key|token))\"?\\s*[:=]\\s*(.+)$");
    /** What a secret setting may hold in a shipped file. */
    private static final Pattern ALLOWED_VALUE = Pattern.compile(
            "^(\"\"|''|null|~|\\$\\{[^}]+}|\"\\$\\{[^}]+}\"|<[^>]+>|\\{\\}|\\||>|\\[\\]|\"?\\*+\"?|"
                    + "[A-Z_]+|\"[A-Z_]+\"|[\\w.]+\\(.*|.*(Ref|ref|env|ENV|getenv|System\\.|mask|null|secretKeyRef).*)[,;]?\\s*(#.*)?$");

    static Path root() {
        String r = System.getenv("SHOESTRING_ROOT");
        return (r != null ? Path.of(r) : Path.of("..")).toAbsolutePath().normalize();
    }

    @Test
    void noSecretInShippedFiles() throws IOException {
        List<String> findings = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root())) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path rel = root().relativize(f);
                if (skipped(rel) || Files.size(f) > 2_000_000) {
                    continue;
                }
                String text;
                try {
                    text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f))).toString();
                } catch (CharacterCodingException binary) {
                    continue;
                }
                String[] lines = text.split("\n");
                for (int i = 0; i < lines.length; i++) {
                    String line = lines[i];
                    if (KEY_MATERIAL.matcher(line).find()) {
                        findings.add(rel + ":" + (i + 1) + " key material");
                    }
                    if (isConfig(rel)) {
                        Matcher m = SECRET_SETTING.matcher(line);
                        if (m.find() && !ALLOWED_VALUE.matcher(m.group(3).trim()).matches()) {
                            findings.add(rel + ":" + (i + 1) + " literal value for " + m.group(1));
                        }
                    }
                }
            }
        }
        assertThat(findings).as("secrets in shipped files").isEmpty();
    }

    @Test
    void theScannerFindsWhatItLooksFor() {
        assertThat(KEY_MATERIAL.matcher("aws_key = " + "AKIA" + "ABCDEFGHIJKLMNOP").find()).isTrue();
        Matcher m = SECRET_SETTING.matcher("  postgres.password: hunter2");
        assertThat(m.find()).isTrue();
        assertThat(ALLOWED_VALUE.matcher(m.group(3).trim()).matches()).isFalse();
        Matcher ref = SECRET_SETTING.matcher("s3.secret-key: ${env.AWS_SECRET_ACCESS_KEY}");
        assertThat(ref.find()).isTrue();
        assertThat(ALLOWED_VALUE.matcher(ref.group(3).trim()).matches()).isTrue();
    }

    private static boolean skipped(Path rel) {
        for (Path part : rel) {
            if (SKIP_DIRS.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isConfig(Path rel) {
        String n = rel.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".properties") || n.endsWith(".conf")
                || n.endsWith(".in") || n.endsWith(".env") || n.endsWith(".xml") || n.endsWith(".sql") || n.equals("Dockerfile");
    }
}
