package dev.clipsearch.dataset;

import java.nio.file.Path;
import java.util.List;

/**
 * One split (train, valid, test, ...) of a dataset: a sequence of images with stable row indexes.
 */
public interface DatasetSplit {

    /** The name of the dataset this split belongs to. */
    String dataset();

    /**
     * The split's name, exactly as the dataset names it ({@code valid} and {@code validation} are
     * different).
     */
    String name();

    /** Number of rows, bad rows included (so indexes run from 0 to size() - 1). */
    long size();

    /**
     * The local files that hold the split, in the order their rows are numbered (downloaded first
     * if needed).
     */
    List<Path> files();

    /**
     * Streams the rows with index {@code >= startRow} in index order, skipping bad rows (null,
     * empty or non-image bytes), which are reported to {@code listener}. Memory use is bounded:
     * rows are read as the cursor advances.
     *
     * @param startRow first row index to return, 0 to read everything; resuming at {@code n} yields
     *     the same rows as a full read from row {@code n} on (none when {@code n >= size()}); rows
     *     before it are not read (earlier files are skipped, the first file is filtered on its row
     *     number)
     * @param listener told about each skipped row (index {@code >= startRow}), in row order
     * @throws DatasetException when a file is unreadable, corrupt or lacks the needed columns
     */
    RowCursor open(long startRow, BadRowListener listener);

    /** Streams all rows, logging bad rows as warnings. */
    default RowCursor open() {
        return open(0, BadRowListener.logging());
    }
}
