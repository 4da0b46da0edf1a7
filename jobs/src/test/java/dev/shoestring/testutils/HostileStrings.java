package dev.shoestring.testutils;

import java.util.List;

/**
 * Values that break SQL built by concatenation, or an encoding done carelessly: each must be
 * stored and read back byte for byte, and leave every table as it was.
 */
public final class HostileStrings {
    private HostileStrings() {}

    /** Storable in Postgres text and ClickHouse String alike (no NUL: Postgres text cannot hold it). */
    public static final List<String> VALUES = List.of(
            "'); DROP TABLE orders; --",
            "x'; DROP TABLE shoestring_test.events; SELECT '",
            "Robert'); TRUNCATE agents CASCADE;--",
            "\\'; DELETE FROM metrics_current; --",
            "back\\slash\\\\double \\n not-a-newline \\x00 \\0",
            "\"double\" 'single' `back` $$dollar$$ $1 ? :name {database} ${kafka.topic}",
            "/* comment */ -- line comment\nsecond line\r\nthird\ttab",
            "100% _like_ [wild] \\% \\_",
            "naïve café 日本語 Ελληνικά עברית العربية",
            "emoji 🚀🧪👩🏽‍💻 flags 🇩🇪 four-byte 𝄞",
            "zero\u200Bwidth \u202Eright-to-left\u202C combining e\u0301 bom\uFEFF",
            "\u0001\u0007\u001B[31mcontrol\u001B[0m\u007F",
            longestKey());

    /** Exactly 1,024 bytes of UTF-8, the longest valid tenant or aggregate id, that do not compress. */
    private static String longestKey() {
        java.util.Random r = new java.util.Random(7);
        StringBuilder b = new StringBuilder();
        while (b.length() < 1019) {
            b.append((char) ('!' + r.nextInt(94)));
        }
        return b.append("日é").toString(); // 1019 + 3 + 2 bytes
    }

    /** A short label for failure messages. */
    public static String label(String s) {
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return shown.replace("\n", "\\n").replace("\r", "\\r");
    }
}
