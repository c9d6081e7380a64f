package dev.clipsearch.search;

import java.time.Duration;
import java.util.Locale;

/**
 * Short human-readable durations ("1h02m", "3m07s", "12.4s"), as {@link IndexSummary#toText()}
 * writes them; for progress displays that show elapsed time or an ETA the same way.
 */
public final class Durations {
    private Durations() {}

    /** {@code d} as "12.4s", "3m07s" or "1h02m". */
    public static String format(Duration d) {
        return formatSeconds(d.toMillis() / 1000.0);
    }

    /** As {@link #format(Duration)}; "--" for a negative or unknown (NaN, infinite) time. */
    public static String formatSeconds(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "--";
        }
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1fs", seconds);
        }
        long s = Math.round(seconds);
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
