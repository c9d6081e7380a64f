package dev.clipsearch.dataset;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Streams the rows of a split's parquet files, one file after the other, each in {@code
 * file_row_number} order. The row index of a row is the number of rows in the files before its file
 * plus its file_row_number. Resuming at a row skips the earlier files entirely and filters the
 * first file on file_row_number, which DuckDB pushes down into the scan (row groups before the
 * start row are not decoded).
 */
final class ParquetRowCursor extends AbstractRowCursor {

    private static final Set<String> INTEGER_TYPES =
            Set.of(
                    "TINYINT",
                    "SMALLINT",
                    "INTEGER",
                    "BIGINT",
                    "HUGEINT",
                    "UTINYINT",
                    "USMALLINT",
                    "UINTEGER",
                    "UBIGINT",
                    "UHUGEINT");

    private final List<Path> files;
    private final ParquetColumns columns;
    private final long[] firstRow;
    private final Connection connection;
    private int fileIndex;
    private long nextFileRow;
    private Statement statement;
    private ResultSet rows;

    ParquetRowCursor(
            String split,
            List<Path> files,
            long[] rowCounts,
            ParquetColumns columns,
            long startRow,
            BadRowListener listener) {
        super(split, listener);
        this.files = files;
        this.columns = columns;
        this.firstRow = new long[files.size()];
        long total = 0;
        fileIndex = files.size();
        for (int i = 0; i < files.size(); i++) {
            firstRow[i] = total;
            if (fileIndex == files.size() && startRow < total + rowCounts[i]) {
                fileIndex = i;
                nextFileRow = startRow - total;
            }
            total += rowCounts[i];
        }
        this.connection = DuckDb.connect();
    }

    @Override
    protected DatasetRow advance() {
        while (true) {
            if (rows == null) {
                if (fileIndex >= files.size()) {
                    return null;
                }
                openFile();
            }
            Path file = files.get(fileIndex);
            try {
                if (!rows.next()) {
                    closeQuery();
                    fileIndex++;
                    nextFileRow = 0;
                    continue;
                }
                long fileRow = rows.getLong(4);
                if (fileRow != nextFileRow) {
                    throw new DatasetException(
                            "parquet file "
                                    + file
                                    + ": expected row "
                                    + nextFileRow
                                    + " but DuckDB returned row "
                                    + fileRow
                                    + " (rows out of order)");
                }
                nextFileRow++;
                long index = firstRow[fileIndex] + fileRow;
                byte[] image = rows.getBytes(1);
                String path = rows.getString(2);
                long label = rows.getLong(3);
                if (rows.wasNull()) {
                    label = -1;
                }
                if (label < Integer.MIN_VALUE || label > Integer.MAX_VALUE) {
                    reject(index, "label " + label + " is out of int range");
                    continue;
                }
                DatasetRow row = accept(index, image, (int) label, path);
                if (row != null) {
                    return row;
                }
            } catch (SQLException e) {
                throw new DatasetException(
                        "cannot read row "
                                + nextFileRow
                                + " (split row "
                                + (firstRow[fileIndex] + nextFileRow)
                                + ") of parquet file "
                                + file
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
    }

    private void openFile() {
        Path file = files.get(fileIndex);
        String sql =
                "SELECT "
                        + projection(file, DuckDb.columns(connection, file), columns)
                        + ", file_row_number FROM read_parquet(["
                        + DuckDb.literal(file.toString())
                        + "], file_row_number = true)"
                        + (nextFileRow > 0 ? " WHERE file_row_number >= " + nextFileRow : "");
        try {
            statement = connection.createStatement();
            rows = statement.executeQuery(sql);
        } catch (SQLException e) {
            closeQuery();
            throw DuckDb.unreadable(file, e);
        }
    }

    /**
     * The select list {@code image bytes, image path, label} for a file's columns: the image column
     * is HF's {@code struct<bytes, path>} or plain binary; the label column is any integer type, or
     * missing (label -1).
     */
    static String projection(Path file, Map<String, String> fileColumns, ParquetColumns wanted) {
        String imageType = fileColumns.get(wanted.image());
        if (imageType == null) {
            throw new DatasetException(
                    "parquet file "
                            + file
                            + " has no '"
                            + wanted.image()
                            + "' column (the images);"
                            + " its columns are "
                            + fileColumns);
        }
        String image = DuckDb.identifier(wanted.image());
        String imageBytes;
        String imagePath;
        if (imageType.equals("BLOB")) {
            imageBytes = image;
            imagePath = "NULL::VARCHAR";
        } else {
            Map<String, String> fields = DuckDb.structFields(imageType);
            if (!"BLOB".equals(fields.get("bytes"))) {
                throw new DatasetException(
                        "parquet file "
                                + file
                                + ": column '"
                                + wanted.image()
                                + "' has type "
                                + imageType
                                + "; expected struct<bytes: binary, path: string> or binary");
            }
            imageBytes = image + "." + DuckDb.identifier("bytes");
            imagePath =
                    fields.containsKey("path")
                            ? "CAST(" + image + "." + DuckDb.identifier("path") + " AS VARCHAR)"
                            : "NULL::VARCHAR";
        }
        String labelType = fileColumns.get(wanted.label());
        String label;
        if (labelType == null) {
            label = "-1::BIGINT";
        } else if (INTEGER_TYPES.contains(labelType)) {
            label = "TRY_CAST(" + DuckDb.identifier(wanted.label()) + " AS BIGINT)";
        } else {
            throw new DatasetException(
                    "parquet file "
                            + file
                            + ": column '"
                            + wanted.label()
                            + "' has type "
                            + labelType
                            + "; expected an integer (class label)");
        }
        return imageBytes + ", " + imagePath + ", " + label;
    }

    private void closeQuery() {
        try {
            if (rows != null) {
                rows.close();
            }
            if (statement != null) {
                statement.close();
            }
        } catch (SQLException e) {
            throw new DatasetException(
                    "cannot close query on " + files.get(fileIndex) + ": " + e.getMessage(), e);
        } finally {
            rows = null;
            statement = null;
        }
    }

    @Override
    protected void release() {
        try {
            closeQuery();
        } finally {
            try {
                connection.close();
            } catch (SQLException e) {
                throw new DatasetException("cannot close DuckDB connection: " + e.getMessage(), e);
            }
        }
    }
}
