package dev.clipsearch.search;

import dev.clipsearch.dataset.BadRow;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one indexing run did.
 *
 * @param source the dataset and split ("zh-plus/tiny-imagenet/valid")
 * @param rows the rows considered (the split's size, or the limit)
 * @param indexed rows encoded and stored by this run
 * @param alreadyStored rows skipped because their id was already in the store (a resumed run)
 * @param skipped rows that could not be read or decoded
 * @param skipReasons how many rows were skipped for each reason
 * @param skippedRows the first skipped rows (at most {@link #MAX_LISTED_BAD_ROWS}), with split,
 *     index and reason
 * @param elapsed wall-clock time of the run
 */
public record IndexSummary(
        String source,
        long rows,
        long indexed,
        long alreadyStored,
        long skipped,
        Map<String, Long> skipReasons,
        List<BadRow> skippedRows,
        Duration elapsed) {

    /** How many skipped rows a summary lists one by one. */
    public static final int MAX_LISTED_BAD_ROWS = 100;

    /** Copies the collections. */
    public IndexSummary {
        skipReasons = Map.copyOf(skipReasons);
        skippedRows = List.copyOf(skippedRows);
    }

    /** Rows per second of this run (indexed rows over the elapsed time). */
    public double rowsPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : indexed / s;
    }

    /** Whether every considered row is now in the store. */
    public boolean complete() {
        return indexed + alreadyStored == rows;
    }

    /** A few human-readable lines: counts, speed, and the first skipped rows with reasons. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Indexed %d of %d rows of %s in %s (%.1f rows/s); %d already stored, %d skipped",
                        indexed,
                        rows,
                        source,
                        Durations.format(elapsed),
                        rowsPerSecond(),
                        alreadyStored,
                        skipped));
        skipReasons.forEach(
                (reason, n) ->
                        sb.append(String.format(Locale.ROOT, "%n  skipped %d: %s", n, reason)));
        int shown = 0;
        for (BadRow row : skippedRows) {
            if (shown++ == 10) {
                sb.append(String.format(Locale.ROOT, "%n  ... %d more", skippedRows.size() - 10));
                break;
            }
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%n  row %d of %s: %s",
                            row.index(),
                            row.split(),
                            row.reason()));
        }
        return sb.toString();
    }
}
