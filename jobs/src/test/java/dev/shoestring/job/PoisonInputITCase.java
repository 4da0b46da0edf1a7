package dev.shoestring.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoestring.config.ShoestringConfig;
import dev.shoestring.testutils.ClickHouseHttp;
import dev.shoestring.testutils.ExpectedOutputs;
import dev.shoestring.testutils.LocalServices;
import dev.shoestring.tools.EventGenerator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Poison input at scale: 100k records that are invalid by construction (random bytes, truncated
 * JSON, deep nesting, wrong types, invalid UTF-8, near-1 MB records) mixed into a valid stream
 * (with near-1 MB valid events too). Every invalid record reaches the DLQ exactly once and
 * unchanged, every valid event is applied and archived, nothing crashes or stalls.
 */
class PoisonInputITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = LocalServices.miniCluster();

    static final int FUZZ = 100_000;
    private final Random random = new Random(97);

    @Test
    void everyPoisonRecordIsADeadLetterAndEveryValidEventIsApplied() throws Exception {
        String run = LocalServices.runId();
        String topic = run + "-events";
        EventGenerator.Log log = new EventGenerator(41, run + "-")
                .tenants(2).orders(400).agents(10).decisionsPerAgent(100).metrics(10).changesPerMetric(20)
                .duplicateRate(0.05).swapRate(0.05).malformedRate(0).unknownTypeRate(0.02)
                .generate();
        List<byte[]> templates = new ArrayList<>();
        log.records.forEach(r -> templates.add(r.value));

        // The mix: valid records in their order, poison sprinkled between them, and a few huge valid events.
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        Map<String, Integer> poison = new HashMap<>();
        int validHuge = 0;
        int perValid = FUZZ / log.records.size() + 1;
        int fuzzLeft = FUZZ;
        for (EventGenerator.Record r : log.records) {
            records.add(Map.entry(r.key, r.value));
            for (int i = 0; i < perValid && fuzzLeft > 0; i++, fuzzLeft--) {
                byte[] bad = poison(fuzzLeft, templates.get(random.nextInt(templates.size())));
                poison.merge(sha(bad), 1, Integer::sum);
                records.add(Map.entry("fuzz-" + random.nextInt(1000), bad));
            }
            if (random.nextInt(2000) == 0) {
                records.add(Map.entry("blob", hugeValid(run, validHuge++)));
            }
        }
        assertThat(fuzzLeft).isZero();
        LocalServices.createTopic(topic, 4);
        LocalServices.produce(topic, records);

        ShoestringConfig cfg = LocalServices.config(topic, Map.of());
        Preflight.run(cfg);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(LocalServices.noRestarts());
        env.setParallelism(2);
        env.enableCheckpointing(2000);
        ShoestringJob.define(env, cfg, true);
        long t0 = System.nanoTime();
        JobExecutionResult result = env.execute("poison input IT");
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("poison input: %d records (%d poison) in %.1f s = %.0f records/s%n",
                records.size(), FUZZ, seconds, records.size() / seconds);

        assertThat(result.<Long>getAccumulatorResult(EventValidator.ACC_INVALID)).isEqualTo((long) FUZZ);
        assertThat(result.<Long>getAccumulatorResult(EventValidator.ACC_VALID)).isEqualTo((long) (log.records.size() + validHuge));

        // Every poison record in the DLQ once, byte for byte.
        Map<String, Integer> dead = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : LocalServices.readAll(cfg.kafkaDlqTopic)) {
            dead.merge(sha(r.value()), 1, Integer::sum);
        }
        assertThat(dead).isEqualTo(poison);

        // Every valid event applied and archived.
        ExpectedOutputs.assertPostgresEquals(run, ExpectedOutputs.State.from(log.truth));
        long distinct = log.records.stream().map(r -> r.event.json.get("event_id").asText()).distinct().count();
        assertThat(ClickHouseHttp.count("SELECT count() FROM " + ClickHouseHttp.TEST_DATABASE + ".events FINAL"
                + " WHERE tenant_id LIKE '" + run + "-%'")).isEqualTo(distinct + validHuge);
    }

    /** One record that is invalid by construction, of one of several kinds. */
    private byte[] poison(int n, byte[] valid) {
        String v = new String(valid, StandardCharsets.UTF_8);
        switch (n % 8) {
            case 0: { // random bytes, starting with a byte that is never valid UTF-8
                byte[] b = new byte[1 + random.nextInt(300)];
                random.nextBytes(b);
                b[0] = (byte) 0xFF;
                return b;
            }
            case 1: // truncated JSON
                return v.substring(0, 1 + random.nextInt(v.length() - 2)).getBytes(StandardCharsets.UTF_8);
            case 2: // deep nesting
                return ("[".repeat(3000 + random.nextInt(3000)) + "]".repeat(10)).getBytes(StandardCharsets.UTF_8);
            case 3: // wrong type for a required field
                return v.replaceFirst("\"sequence\":(\\d+)", "\"sequence\":\"$1\"").getBytes(StandardCharsets.UTF_8);
            case 4: { // invalid UTF-8 inside a string
                byte[] b = v.replaceFirst("\"event_id\":\"", "\"event_id\":\"\u0001\u0002").getBytes(StandardCharsets.UTF_8);
                int at = v.indexOf("\"event_id\":\"") + 12;
                b[at] = (byte) 0xC3;
                b[at + 1] = (byte) 0x28;
                return b;
            }
            case 5: // a required field missing, with a huge value elsewhere
                if (random.nextInt(500) == 0) {
                    return ("{\"event_id\":\"big-" + n + "\",\"blob\":\"" + "x".repeat(900_000) + "\"}").getBytes(StandardCharsets.UTF_8);
                }
                return v.replaceFirst("\"tenant_id\":\"[^\"]*\",", "").getBytes(StandardCharsets.UTF_8);
            case 6: // out of range
                return v.replaceFirst("\"sequence\":\\d+", "\"sequence\":0").getBytes(StandardCharsets.UTF_8);
            default: // not an object, or empty
                return random.nextBoolean() ? ("\"" + n + "\"").getBytes(StandardCharsets.UTF_8) : new byte[0];
        }
    }

    private static byte[] hugeValid(String run, int i) {
        return ("{\"event_id\":\"" + run + "-blob-" + i + "\",\"event_type\":\"blob.attached\",\"tenant_id\":\"" + run
                + "-tenant-0\",\"aggregate_id\":\"blob-" + i + "\",\"sequence\":1,\"occurred_at\":\"2026-01-01T00:00:00.000Z\","
                + "\"payload\":{\"data\":\"" + "y".repeat(900_000) + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
