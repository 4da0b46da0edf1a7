package dev.shoestring.udfs;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code TOKEN_COST(model, input_tokens, output_tokens, price_table)}: what a call would cost at the
 * given prices, exactly, as DECIMAL(38, 18) - e.g. to re-price past decisions at a new price list, or
 * to check the producer's {@code cost_usd}. The price table is a literal in USD per million tokens,
 * input/output, per model: {@code 'gpt-small=0.15/0.60, claude-mini=0.25/1.25'}. NULL for a model
 * that is not in the table or a NULL argument.
 *
 * <pre>CREATE FUNCTION TOKEN_COST AS 'dev.shoestring.udfs.TokenCost';</pre>
 */
public class TokenCost extends ScalarFunction {
    private static final long serialVersionUID = 1L;
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private transient String parsedTable;
    private transient Map<String, BigDecimal[]> prices;

    public @DataTypeHint("DECIMAL(38, 18)") BigDecimal eval(String model, Long inputTokens, Long outputTokens, String priceTable) {
        if (model == null || inputTokens == null || outputTokens == null || priceTable == null) {
            return null;
        }
        BigDecimal[] p = parse(priceTable).get(model);
        if (p == null) {
            return null;
        }
        return p[0].multiply(BigDecimal.valueOf(inputTokens)).add(p[1].multiply(BigDecimal.valueOf(outputTokens)))
                .divide(MILLION, 18, RoundingMode.HALF_EVEN);
    }

    /** model -> {input, output} price per million tokens; the last table seen is cached. */
    Map<String, BigDecimal[]> parse(String table) {
        if (table.equals(parsedTable)) {
            return prices;
        }
        Map<String, BigDecimal[]> m = new HashMap<>();
        for (String entry : table.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            int slash = entry.indexOf('/', eq + 1);
            if (eq <= 0 || slash < 0) {
                throw new IllegalArgumentException("TOKEN_COST: price entry must be model=input/output, got '" + entry.trim() + "'");
            }
            m.put(entry.substring(0, eq).trim(), new BigDecimal[] {
                new BigDecimal(entry.substring(eq + 1, slash).trim()), new BigDecimal(entry.substring(slash + 1).trim())});
        }
        prices = m;
        parsedTable = table;
        return m;
    }
}
