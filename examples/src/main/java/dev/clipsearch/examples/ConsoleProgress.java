package dev.clipsearch.examples;

import dev.clipsearch.search.Durations;
import dev.clipsearch.search.IndexSummary;
import dev.clipsearch.search.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on a terminal ({@code [#####.....] 5120/10000 51% 312.4 rows/s ETA 15.6s}):
 * redrawn in place with a carriage return when {@code interactive}, one line every ten percent
 * otherwise (logs, pipes).
 */
public final class ConsoleProgress implements ProgressListener {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private String source = "";
    private long total;
    private long startNanos;
    private long lastDrawNanos;
    private long lastDecile = -1;
    private long firstDone = -1;

    /**
     * @param out where to draw (stderr)
     * @param interactive redraw one line in place (a terminal) rather than print a line per ten
     *     percent
     */
    public ConsoleProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /** A bar on stderr, redrawn in place when a console is attached. */
    public static ConsoleProgress onStderr() {
        return new ConsoleProgress(System.err, System.console() != null);
    }

    @Override
    public synchronized void started(String source, long total) {
        this.source = source;
        this.total = total;
        this.startNanos = System.nanoTime();
    }

    @Override
    public synchronized void progress(long done, long indexed, long skipped) {
        long now = System.nanoTime();
        if (firstDone < 0) {
            firstDone = done - indexed - skipped; // rows found already stored before any work
        }
        if (interactive) {
            if (now - lastDrawNanos >= REDRAW_NANOS || done == total) {
                lastDrawNanos = now;
                out.print("\r" + line(done, indexed, skipped, now));
                out.flush();
            }
        } else {
            long decile = total == 0 ? 10 : done * 10 / total;
            if (decile != lastDecile) {
                lastDecile = decile;
                out.println(line(done, indexed, skipped, now));
            }
        }
    }

    @Override
    public synchronized void finished(IndexSummary summary) {
        if (interactive && lastDrawNanos != 0) {
            out.println();
        }
        out.flush();
    }

    String line(long done, long indexed, long skipped, long now) {
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? indexed / seconds : 0;
        long work = done - Math.max(0, firstDone);
        double workRate = seconds > 0 ? work / seconds : 0;
        double eta = workRate > 0 ? (total - done) / workRate : Double.NaN;
        int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        return String.format(
                Locale.ROOT,
                "%s [%s] %d/%d %3d%% %.1f rows/s ETA %s%s",
                source,
                bar,
                done,
                total,
                total == 0 ? 100 : done * 100 / total,
                rate,
                Durations.formatSeconds(eta),
                skipped > 0 ? " (" + skipped + " skipped)" : "");
    }
}
