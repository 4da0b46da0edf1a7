package dev.shoestring.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventTimeMillisTest {
    private final EventTimeMillis f = new EventTimeMillis();

    @Test
    void rfc3339WithZoneOrOffset() {
        assertThat(f.eval("2026-03-01T12:00:00.123Z")).isEqualTo(1772366400123L);
        assertThat(f.eval("2026-03-01T14:00:00.123+02:00")).isEqualTo(1772366400123L);
        assertThat(f.eval("2026-03-01T12:00:00.123456789Z")).isEqualTo(1772366400123L);
    }

    @Test
    void nullForNullOrGarbage() {
        assertThat(f.eval(null)).isNull();
        assertThat(f.eval("2026-03-01 12:00:00")).isNull();
        assertThat(f.eval("yesterday")).isNull();
    }
}
