package dev.shoestring.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AggregateKindTest {
    private final AggregateKind f = new AggregateKind();

    @Test
    void takesThePartBeforeTheDot() {
        assertThat(f.eval("order.paid")).isEqualTo("order");
        assertThat(f.eval("agent.decision")).isEqualTo("agent");
    }

    @Test
    void nullForMalformedTypes() {
        assertThat(f.eval(null)).isNull();
        assertThat(f.eval("order")).isNull();
        assertThat(f.eval(".paid")).isNull();
        assertThat(f.eval("order.")).isNull();
        assertThat(f.eval("a.b.c")).isNull();
    }
}
