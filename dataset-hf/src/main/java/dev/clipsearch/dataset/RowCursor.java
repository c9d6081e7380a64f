package dev.clipsearch.dataset;

import java.util.Iterator;

/**
 * Streams the rows of a split in row-index order. Holds files or database resources: close it
 * (try-with-resources). {@link #next()} and {@link #hasNext()} throw {@link DatasetException} when
 * the underlying data can't be read.
 */
public interface RowCursor extends Iterator<DatasetRow>, AutoCloseable {

    /** Releases the cursor's resources; idempotent. */
    @Override
    void close();
}
