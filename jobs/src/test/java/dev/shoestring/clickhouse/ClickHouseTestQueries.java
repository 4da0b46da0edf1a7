package dev.shoestring.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.data_formats.ClickHouseBinaryFormatReader;
import com.clickhouse.client.api.query.QueryResponse;
import dev.shoestring.testutils.LocalServices;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back what the tests wrote. 18.16 has no server-side query parameters ({name:Type} came
 * in 19.x), so test values go in as escaped literals. client-v2 0.10's Native reader decodes
 * Nullable columns row by row instead of null map then values, so it misreads them
 * (clickhouse-java#3137): select {@code isNull(c)} and {@code ifNull(c, x)} instead.
 */
final class ClickHouseTestQueries {
    static final ClickHouseSettings SETTINGS = LocalServices.clickhouse();

    private ClickHouseTestQueries() {}

    static List<Map<String, Object>> rows(String sql) throws Exception {
        try (Client client = ClickHouseClients.create(SETTINGS);
                QueryResponse response = client.query(sql, ClickHouseClients.querySettings()).join()) {
            ClickHouseBinaryFormatReader reader = client.newBinaryFormatReader(response);
            List<Map<String, Object>> out = new ArrayList<>();
            while (reader.hasNext()) {
                out.add(new LinkedHashMap<>(reader.next()));
            }
            return out;
        }
    }

    /** The single number a {@code SELECT count() ...} returns. */
    static long count(String sql) throws Exception {
        List<Map<String, Object>> rows = rows(sql);
        return ((Number) rows.get(0).values().iterator().next()).longValue();
    }

    static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    static String table(String name) {
        return SETTINGS.qualify(name);
    }
}
