package dev.shoestring.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoestring.clickhouse.ClickHouseSchema;
import dev.shoestring.testutils.ClickHouseHttp;
import dev.shoestring.testutils.LocalServices;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Every query of the Grafana dashboard runs on the real ClickHouse (macros expanded as Grafana would). */
class DashboardITCase {
    @Test
    void everyPanelQueryRuns() throws Exception {
        ClickHouseSchema.apply(LocalServices.clickhouse());
        JsonNode dash = new ObjectMapper().readTree(Files.readAllBytes(
                LocalServices.root().resolve("dashboards/shoestring-clickhouse.json")));
        int queries = 0;
        for (JsonNode panel : dash.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                String sql = target.get("rawSql").asText()
                        .replaceAll("\\$__timeFilter\\((\\w+)\\)", "$1 >= toDateTime(0) AND $1 <= now() + 86400")
                        .replace("shoestring.", ClickHouseHttp.TEST_DATABASE + ".");
                assertThat(sql).as(panel.get("title").asText()).contains("FINAL").doesNotContain("$__");
                ClickHouseHttp.rows(sql); // throws with the server's message on any error
                queries++;
            }
        }
        assertThat(queries).isEqualTo(4);
    }
}
