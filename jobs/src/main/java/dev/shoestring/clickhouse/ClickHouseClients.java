package dev.shoestring.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ClientFaultCause;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.time.temporal.ChronoUnit;

/**
 * The one place that builds a client-v2 {@link Client}. Everything here is what ClickHouse 18.16
 * (Debian's package, used in tests) needs; each setting is also valid against current releases.
 */
public final class ClickHouseClients {
    /**
     * What the client is told the server is, so it never has to ask. client-v2 0.10 only reports
     * it back (checked in its source), but a client upgrade that gates features on the version
     * then sees the oldest server we support instead of "unknown".
     */
    static final String SERVER_VERSION = "18.16.1";

    private ClickHouseClients() {}

    public static Client create(ClickHouseSettings settings) {
        Client.Builder b = new Client.Builder();
        if (settings.sslRootCert != null) {
            // An https endpoint whose certificate chains to this CA (PEM); without it the JVM's trust store.
            b.setRootCertificate(settings.sslRootCert);
        }
        return b
                .addEndpoint(settings.url)
                .setUsername(settings.user)
                .setPassword(settings.password())
                .setClientName("shoestring")
                // The client interprets DateTime values it reads in this zone. It never asks the
                // server (loadServerInfo is not called), so say it: the server and the contract are UTC.
                .useServerTimeZone(true)
                .setServerTimeZone("UTC")
                .setServerVersion(SERVER_VERSION)
                // With compress=1 client-v2 0.10 cannot read 18.16's compressed responses: every
                // SELECT comes back as no block at all (measured). Inserts are unaffected.
                .compressServerResponse(false)
                // Request compression does work with 18.16 (measured), but on loopback it only
                // costs CPU; revisit for a remote server.
                .compressClientRequest(false)
                .useHttpCompression(false)
                // The client builds an LZ4 factory even with compression off; the JNI one would load
                // a native library into Flink's per-job class loader, which a second job in the same
                // task manager cannot load again. The pure-Java one is never used anyway.
                .disableNativeCompression(true)
                // 18.16 ignores the X-ClickHouse-Format header the client sends: without this URL
                // setting results come back as TabSeparated while the client parses Native.
                .serverSetting("default_format", ClickHouseFormat.Native.name())
                // One retry policy, the writer's (backoff, metrics, logs): no hidden immediate retries.
                .setMaxRetries(0)
                .retryOnFailures(ClientFaultCause.None)
                .setConnectTimeout(10, ChronoUnit.SECONDS)
                // An insert of a full batch returns in well under a second; a stuck socket must
                // fail the attempt rather than block the task (and its checkpoints) forever.
                .setSocketTimeout(120, ChronoUnit.SECONDS)
                .build();
    }

    /**
     * Settings for every SELECT and DDL: the formats 18.16 can return that client-v2 can read are
     * Native only (RowBinaryWithNamesAndTypes, the client's default, arrived in 19.x).
     */
    public static QuerySettings querySettings() {
        return new QuerySettings().setFormat(ClickHouseFormat.Native);
    }
}
