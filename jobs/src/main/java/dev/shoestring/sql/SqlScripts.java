package dev.shoestring.sql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The DDL files of {@code sql/} that the build ships inside the jar (see jobs/pom.xml). */
public final class SqlScripts {
    private SqlScripts() {}

    public static String read(String resource) throws IOException {
        try (InputStream in = SqlScripts.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("DDL resource missing from the jar: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
