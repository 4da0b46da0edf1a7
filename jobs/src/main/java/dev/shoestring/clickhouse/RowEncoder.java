package dev.shoestring.clickhouse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.List;

/**
 * How one row type becomes one table's rows: the table, its columns in the order {@link #encode}
 * writes them, and the RowBinary bytes of one row. Serializable: it travels with the sink.
 */
public interface RowEncoder<T> extends Serializable {
    /** The unqualified table name; the sink qualifies it with the configured database. */
    String table();

    /** Listed in the INSERT, so a column added to the table later (with a default) is no break. */
    List<String> columns();

    /**
     * Writes exactly one row. Throws {@link IllegalArgumentException} for a value the column type
     * cannot hold, before writing anything the caller would have to undo.
     */
    void encode(T row, OutputStream out) throws IOException;
}
