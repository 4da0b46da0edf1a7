package dev.shoestring.clickhouse;

import static dev.shoestring.clickhouse.ClickHouseTestQueries.count;
import static dev.shoestring.clickhouse.ClickHouseTestQueries.literal;
import static dev.shoestring.clickhouse.ClickHouseTestQueries.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.event.Event;
import dev.shoestring.testutils.LocalServices;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sink inside a real Flink job: it serializes to the task managers, gets its timers and
 * metrics from Flink, and inserts what is buffered at end of input, so a bounded run ends with
 * every row in ClickHouse.
 */
class ClickHouseSinkITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = LocalServices.miniCluster();

    @Test
    void boundedJobEndsWithEveryRowInClickHouse() throws Exception {
        ClickHouseSchema.apply(ClickHouseTestQueries.SETTINGS);
        String tenant = LocalServices.runId();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            events.add(ClickHouseWriterITCase.event(tenant, i));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(200);
        env.fromData(events)
                .sinkTo(new ClickHouseSink<>(ClickHouseTestQueries.SETTINGS, new EventRowEncoder(),
                        ClickHouseSinkOptions.defaults().withMaxRows(3_000)))
                .name("clickhouse: events");
        env.execute("clickhouse sink IT");
        assertThat(count("SELECT count() FROM " + table("events") + " WHERE tenant_id = " + literal(tenant)))
                .isEqualTo(20_000);
    }
}
