package dev.shoestring.udfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class TokenCostTest {
    private static final String PRICES = "gpt-small=0.15/0.60, claude-mini = 0.25 / 1.25";
    private final TokenCost f = new TokenCost();

    @Test
    void exactCostPerMillionTokens() {
        // 1200 * 0.15 / 1e6 + 300 * 0.60 / 1e6 = 0.00018 + 0.00018
        assertThat(f.eval("gpt-small", 1200L, 300L, PRICES)).isEqualByComparingTo(new BigDecimal("0.00036"));
        assertThat(f.eval("claude-mini", 1_000_000L, 2_000_000L, PRICES)).isEqualByComparingTo(new BigDecimal("2.75"));
        assertThat(f.eval("claude-mini", 1L, 0L, PRICES).scale()).isEqualTo(18);
    }

    @Test
    void nullForUnknownModelOrNullInput() {
        assertThat(f.eval("local-llama", 1L, 1L, PRICES)).isNull();
        assertThat(f.eval(null, 1L, 1L, PRICES)).isNull();
        assertThat(f.eval("gpt-small", null, 1L, PRICES)).isNull();
    }

    @Test
    void badTableNamesTheEntry() {
        assertThatThrownBy(() -> f.eval("x", 1L, 1L, "x=1")).hasMessageContaining("'x=1'");
    }
}
