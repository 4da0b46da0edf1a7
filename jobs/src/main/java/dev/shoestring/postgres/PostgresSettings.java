package dev.shoestring.postgres;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** Where and how to reach Postgres; serializable so it can travel to the sink writers. */
public final class PostgresSettings implements Serializable {
    private static final long serialVersionUID = 2L;

    public final String url;
    public final String user;
    /** Never logged, never written to a file. */
    private final String password;
    public final Duration flushInterval;
    /** pgjdbc {@code sslmode} (disable ... verify-full), or null for the driver's default ({@code prefer}). */
    public final String sslMode;
    /** pgjdbc {@code sslrootcert}: the CA certificate (PEM) a verify-ca/verify-full connection trusts, or null. */
    public final String sslRootCert;

    public PostgresSettings(String url, String user, String password, Duration flushInterval) {
        this(url, user, password, flushInterval, null, null);
    }

    public PostgresSettings(String url, String user, String password, Duration flushInterval, String sslMode,
            String sslRootCert) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.flushInterval = flushInterval;
        this.sslMode = sslMode;
        this.sslRootCert = sslRootCert;
    }

    /** The same server and TLS settings, another role (the DDL role, or the job's). */
    public PostgresSettings as(String otherUser, String otherPassword) {
        return new PostgresSettings(url, otherUser, otherPassword, flushInterval, sslMode, sslRootCert);
    }

    /** What {@link #connect()} hands the driver, password included: never log it. */
    Properties driverProperties() {
        Properties p = new Properties();
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        if (sslMode != null) p.setProperty("sslmode", sslMode);
        if (sslRootCert != null) p.setProperty("sslrootcert", sslRootCert);
        // Multi-row INSERTs from JDBC batches (other users of this connection; the state writer
        // sends one unnest(...) statement per table and needs no batching).
        p.setProperty("reWriteBatchedInserts", "true");
        p.setProperty("ApplicationName", "shoestring");
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", "120");
        return p;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, driverProperties());
    }

    @Override
    public String toString() {
        return "PostgresSettings{url=" + url + ", user=" + user + ", flushInterval=" + flushInterval
                + (sslMode == null ? "" : ", sslmode=" + sslMode) + "}";
    }
}
