package dev.clipsearch.dataset;

import org.slf4j.LoggerFactory;

/** Told about each row that a {@link RowCursor} skips. */
@FunctionalInterface
public interface BadRowListener {

    /** Called once per skipped row, in row order, from the thread iterating the cursor. */
    void onBadRow(BadRow row);

    /** A listener that logs each bad row as a warning. */
    static BadRowListener logging() {
        return row ->
                LoggerFactory.getLogger(BadRowListener.class)
                        .warn(
                                "skipped row {} of split '{}': {}",
                                row.index(),
                                row.split(),
                                row.reason());
    }
}
