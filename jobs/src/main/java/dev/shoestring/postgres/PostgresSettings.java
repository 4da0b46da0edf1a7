package dev.shoestring.postgres;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** Where and how to reach Postgres; serializable so it can travel to the sink writers. */
public final class PostgresSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String url;
    public final String user;
    /** Never logged, never written to a file. */
    private final String password;
    public final Duration flushInterval;

    public PostgresSettings(String url, String user, String password, Duration flushInterval) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.flushInterval = flushInterval;
    }

    public Connection connect() throws SQLException {
        Properties p = new Properties();
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        // Multi-row INSERTs from JDBC batches: several times fewer round trips per flush.
        p.setProperty("reWriteBatchedInserts", "true");
        p.setProperty("ApplicationName", "shoestring");
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", "120");
        return DriverManager.getConnection(url, p);
    }

    @Override
    public String toString() {
        return "PostgresSettings{url=" + url + ", user=" + user + ", flushInterval=" + flushInterval + "}";
    }
}
