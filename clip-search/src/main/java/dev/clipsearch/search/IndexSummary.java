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
 * @param replaced rows whose stored record no longer matched the dataset's row (other image bytes,
 *     label or source) and were encoded again and replaced; counted in {@code indexed} too
 * @param stale stored rows of this dataset split that it no longer has (past its end, or now
 *     unreadable)
 * @param staleRemoved whether the stale rows were deleted (as asked) or only reported
 */
public record IndexSummary(
        String source,
        long rows,
        long indexed,
        long alreadyStored,
        long skipped,
        Map<String, Long> skipReasons,
        List<BadRow> skippedRows,
        Duration elapsed,
        long replaced,
        long stale,
        boolean staleRemoved) {

    /** How many skipped rows a summary lists one by one. */
    public static final int MAX_LISTED_BAD_ROWS = 100;

    /** A summary of a run that replaced nothing and found nothing stale. */
    public IndexSummary(
            String source,
            long rows,
            long indexed,
            long alreadyStored,
            long skipped,
            Map<String, Long> skipReasons,
            List<BadRow> skippedRows,
            Duration elapsed) {
        this(
                source,
                rows,
                indexed,
                alreadyStored,
                skipped,
                skipReasons,
                skippedRows,
                elapsed,
                0,
                0,
                false);
    }

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
        if (replaced > 0) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%n  %d stored rows had changed in the dataset and were replaced",
                            replaced));
        }
        if (stale > 0) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            staleRemoved
                                    ? "%n  %d stored rows are no longer in the dataset: removed"
                                    : "%n  %d stored rows are no longer in the dataset: kept"
                                            + " (remove them with"
                                            + " ImageIndexer.Options.removeMissing(true))",
                            stale));
        }
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
