package dev.clipsearch.examples;

import java.time.Duration;
import java.util.Locale;

/** Short human-readable durations ("1h02m", "3m07s", "12.4s"). */
final class Durations {
    private Durations() {}

    static String format(Duration d) {
        return formatSeconds(d.toMillis() / 1000.0);
    }

    static String formatSeconds(double seconds) {
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
