package dev.clipsearch.dataset;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;

/**
 * A split stored as parquet files with HF's {@code image} and {@code label} columns, read through
 * DuckDB.
 */
final class ParquetSplit extends AbstractDatasetSplit {

    private final Supplier<List<Path>> fileSupplier;
    private final ParquetColumns columns;
    private List<Path> files;
    private long[] rowCounts;

    /**
     * @param files supplies the split's local files in row order; called once, when the files are
     *     first needed (so a Hub dataset downloads only the splits that are used)
     */
    ParquetSplit(String dataset, String name, Supplier<List<Path>> files, ParquetColumns columns) {
        super(dataset, name);
        this.fileSupplier = files;
        this.columns = columns;
    }

    @Override
    public synchronized List<Path> files() {
        if (files == null) {
            files = List.copyOf(fileSupplier.get());
        }
        return files;
    }

    @Override
    public long size() {
        long size = 0;
        for (long count : rowCounts()) {
            size += count;
        }
        return size;
    }

    /** Rows per file, from the parquet footers. */
    synchronized long[] rowCounts() {
        if (rowCounts == null) {
            List<Path> paths = files();
            long[] counts = new long[paths.size()];
            try (Connection connection = DuckDb.connect()) {
                for (int i = 0; i < counts.length; i++) {
                    counts[i] = DuckDb.rowCount(connection, paths.get(i));
                }
            } catch (SQLException e) {
                throw new DatasetException("cannot close DuckDB connection: " + e.getMessage(), e);
            }
            rowCounts = counts;
        }
        return rowCounts.clone();
    }

    @Override
    RowCursor openAt(long startRow, BadRowListener listener) {
        return new ParquetRowCursor(name(), files(), rowCounts(), columns, startRow, listener);
    }
}
