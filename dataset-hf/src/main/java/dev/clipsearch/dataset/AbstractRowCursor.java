package dev.clipsearch.dataset;

import java.util.NoSuchElementException;

/**
 * Look-ahead iteration shared by the cursors: subclasses produce raw rows, this class drops bad
 * ones (reporting them to the listener) and releases resources at the end or on close.
 */
abstract class AbstractRowCursor implements RowCursor {

    private final String split;
    private final BadRowListener listener;
    private DatasetRow next;
    private boolean exhausted;
    private boolean closed;

    AbstractRowCursor(String split, BadRowListener listener) {
        this.split = split;
        this.listener = listener == null ? row -> {} : listener;
    }

    /** The next good row, or null at the end. Use {@link #accept} to turn raw values into a row. */
    protected abstract DatasetRow advance();

    /** Releases the subclass's resources; called once. */
    protected abstract void release();

    /** A row, or null (after telling the listener) when the image is missing or not an image. */
    protected final DatasetRow accept(long index, byte[] image, int label, String path) {
        String problem = ImageFormats.problem(image);
        if (problem != null) {
            reject(index, problem);
            return null;
        }
        return new DatasetRow(split, index, image, label, path);
    }

    /** Reports row {@code index} as bad. */
    protected final void reject(long index, String reason) {
        listener.onBadRow(new BadRow(split, index, reason));
    }

    protected final String split() {
        return split;
    }

    @Override
    public final boolean hasNext() {
        if (next == null && !exhausted) {
            if (closed) {
                throw new IllegalStateException("cursor over split '" + split + "' is closed");
            }
            next = advance();
            if (next == null) {
                exhausted = true;
                close();
            }
        }
        return next != null;
    }

    @Override
    public final DatasetRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more rows in split '" + split + "'");
        }
        DatasetRow row = next;
        next = null;
        return row;
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }
}
