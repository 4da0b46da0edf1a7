package dev.shoestring.postgres;

import java.util.Properties;

/** What {@link PostgresSettings} hands the JDBC driver, for tests in other packages. */
public final class PostgresSettingsAccess {
    private PostgresSettingsAccess() {}

    public static Properties driverProperties(PostgresSettings s) {
        return s.driverProperties();
    }
}
