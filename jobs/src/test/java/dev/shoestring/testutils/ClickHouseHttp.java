package dev.shoestring.testutils;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads ClickHouse over plain HTTP with TabSeparated output: deliberately not the client library
 * the sink uses, so a test checks the data and not the library against itself.
 */
public final class ClickHouseHttp {
    public static final String URL = env("SHOESTRING_CH_URL", "http://127.0.0.1:18123");
    /** Tests write to a database of their own, so the demo's tables stay clean. */
    public static final String TEST_DATABASE = "shoestring_test";

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ClickHouseHttp() {}

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    public static String execute(String sql) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(URL + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("ClickHouse " + r.statusCode() + " for [" + sql + "]: " + r.body());
        }
        return r.body();
    }

    /** Rows of a SELECT as TabSeparated fields ({@code \N} for NULL). */
    public static List<String[]> rows(String select) throws Exception {
        List<String[]> out = new ArrayList<>();
        for (String line : execute(select + " FORMAT TabSeparated").split("\n")) {
            if (!line.isEmpty()) {
                out.add(line.split("\t", -1));
            }
        }
        return out;
    }

    public static long count(String select) throws Exception {
        return Long.parseLong(rows(select).get(0)[0]);
    }
}
