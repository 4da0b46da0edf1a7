package dev.shoestring.clickhouse;

import dev.shoestring.sink.SinkHealth;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.regex.Pattern;

/** Where and how to reach ClickHouse; serializable so it can travel to the sink writers. */
public final class ClickHouseSettings implements Serializable {
    private static final long serialVersionUID = 2L;

    /**
     * The database name is the one piece of text we put into SQL ourselves (18.16 ignores the
     * database header, so every table name is qualified): the config already checks it, and this
     * class checks it again so no other construction path can smuggle SQL in.
     */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public final String url;
    public final String user;
    /** Never logged, never written to a file. */
    private final String password;
    public final String database;
    /** A CA certificate (PEM) that an https URL's server certificate must chain to, or null for the JVM's trust store. */
    public final String sslRootCert;

    public ClickHouseSettings(String url, String user, String password, String database) {
        this(url, user, password, database, null);
    }

    public ClickHouseSettings(String url, String user, String password, String database, String sslRootCert) {
        this.url = checkUrl(url);
        this.user = user == null || user.isEmpty() ? "default" : user;
        this.password = password == null ? "" : password;
        this.database = checkIdentifier(database);
        if (sslRootCert != null && !url.startsWith("https:")) {
            throw new IllegalArgumentException("a root certificate is for an https URL, got '" + SinkHealth.endpoint(url) + "'");
        }
        this.sslRootCert = sslRootCert;
    }

    /** The same server, database and TLS settings, another user (the DDL user, or the job's). */
    public ClickHouseSettings as(String otherUser, String otherPassword) {
        return new ClickHouseSettings(url, otherUser, otherPassword, database, sslRootCert);
    }

    String password() {
        return password;
    }

    /** {@code database.table}, both checked identifiers. */
    public String qualify(String table) {
        return database + "." + checkIdentifier(table);
    }

    static String checkIdentifier(String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a ClickHouse identifier ([A-Za-z_][A-Za-z0-9_]*): '" + name + "'");
        }
        return name;
    }

    private static String checkUrl(String url) {
        Objects.requireNonNull(url, "clickhouse url");
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            // Not echoed: a malformed URL may still hold a password.
            throw new IllegalArgumentException("the ClickHouse URL is not a valid URI: " + e.getReason());
        }
        // The URL appears in log lines and exception messages: credentials belong in user/password.
        if (u.getRawUserInfo() != null) {
            throw new IllegalArgumentException("the ClickHouse URL must not carry credentials; use clickhouse.user and clickhouse.password");
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
            throw new IllegalArgumentException("expected an http(s) URL of the ClickHouse HTTP interface, got '" + url + "'");
        }
        return url;
    }

    @Override
    public String toString() {
        return "ClickHouseSettings{url=" + url + ", user=" + user + ", database=" + database + "}";
    }
}
