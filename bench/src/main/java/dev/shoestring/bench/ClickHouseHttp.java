package dev.shoestring.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Plain HTTP statements against ClickHouse (18.16 ignores format headers: formats go in the query). */
final class ClickHouseHttp {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String url;
    private final String user;
    private final String password;

    ClickHouseHttp(String url, String user, String password) {
        this.url = url.endsWith("/") ? url : url + "/";
        this.user = user;
        this.password = password == null ? "" : password;
    }

    String query(String sql) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "?user=" + URLEncoder.encode(user, StandardCharsets.UTF_8)))
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(sql));
        if (!password.isEmpty()) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("ClickHouse " + r.statusCode() + " for [" + sql + "]: " + r.body());
        }
        return r.body().trim();
    }

    /**
     * A ClickHouse string literal: backslash and quote escaped (ClickHouse reads C-style escapes
     * inside quotes), so no value can end the literal. For values the 18.16 HTTP interface cannot
     * bind as query parameters (those arrived in 19.x).
     */
    static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    long count(String sql) throws Exception {
        String s = query(sql);
        return s.isEmpty() ? 0 : Long.parseLong(s);
    }
}
