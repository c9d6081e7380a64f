package dev.clipsearch.dataset;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * In-memory DuckDB connections that stream query results, and the parquet metadata queries built on
 * them.
 */
final class DuckDb {

    private DuckDb() {}

    /**
     * A new in-memory DuckDB connection whose result sets stream (rows are produced as they are
     * fetched) and keep the scan's order (preserve_insertion_order), so the rows of a parquet file
     * come in file order.
     */
    static Connection connect() {
        Properties properties = new Properties();
        properties.setProperty("jdbc_stream_results", "true");
        try {
            Connection connection = DriverManager.getConnection("jdbc:duckdb:", properties);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET preserve_insertion_order = true");
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
            return connection;
        } catch (SQLException e) {
            throw new DatasetException("cannot start DuckDB: " + e.getMessage(), e);
        }
    }

    /** {@code value} as an SQL string literal. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** {@code name} as a quoted SQL identifier. */
    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** The number of rows of a parquet file, from its footer. */
    static long rowCount(Connection connection, Path file) {
        String sql = "SELECT num_rows FROM parquet_file_metadata(" + literal(file.toString()) + ")";
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            if (!rs.next()) {
                throw new DatasetException("parquet file " + file + " has no metadata");
            }
            return rs.getLong(1);
        } catch (SQLException e) {
            throw unreadable(file, e);
        }
    }

    /** The top-level columns of a parquet file and their DuckDB types, in file order. */
    static Map<String, String> columns(Connection connection, Path file) {
        String sql = "DESCRIBE SELECT * FROM read_parquet(" + literal(file.toString()) + ")";
        Map<String, String> columns = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                columns.put(rs.getString("column_name"), rs.getString("column_type"));
            }
            return columns;
        } catch (SQLException e) {
            throw unreadable(file, e);
        }
    }

    /** The value of a key of the parquet file's key-value metadata (e.g. {@code huggingface}). */
    static Optional<String> keyValueMetadata(Connection connection, Path file, String key) {
        String sql =
                "SELECT decode(value) FROM parquet_kv_metadata("
                        + literal(file.toString())
                        + ") WHERE decode(key) = "
                        + literal(key);
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            throw unreadable(file, e);
        }
    }

    /**
     * The fields of a DuckDB {@code STRUCT(a T, b U)} type string, name to type; empty for other
     * types.
     */
    static Map<String, String> structFields(String type) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (!type.startsWith("STRUCT(") || !type.endsWith(")")) {
            return fields;
        }
        for (String field : splitTopLevel(type.substring("STRUCT(".length(), type.length() - 1))) {
            String trimmed = field.trim();
            int space;
            String name;
            if (trimmed.startsWith("\"")) {
                int end = trimmed.indexOf('"', 1);
                name = trimmed.substring(1, end);
                space = end + 1;
            } else {
                space = trimmed.indexOf(' ');
                name = space < 0 ? trimmed : trimmed.substring(0, space);
            }
            fields.put(name, space < 0 ? "" : trimmed.substring(space).trim());
        }
        return fields;
    }

    private static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /**
     * A DatasetException for a parquet file DuckDB can't read (truncated, corrupt, not parquet,
     * missing).
     */
    static DatasetException unreadable(Path file, SQLException e) {
        return new DatasetException(
                "cannot read parquet file "
                        + file
                        + " (truncated, corrupt or not parquet?): "
                        + e.getMessage(),
                e);
    }
}
