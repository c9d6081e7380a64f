package dev.clipsearch.examples;

import dev.clipsearch.search.Durations;
import dev.clipsearch.search.IndexSummary;
import dev.clipsearch.search.ProgressListener;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A progress bar ({@code [#####.....] 5120/10000 51% 312.4 rows/s ETA 15.6s}).
 *
 * <p>On a terminal ({@code interactive}) one line is redrawn in place with a carriage return: on
 * progress at most every {@value #REDRAW_MILLIS} ms, and by a ticker at least once a second while
 * nothing moves (rate and ETA stay current). Elsewhere (pipes, log files) it prints plain lines, a
 * new one at most every {@value #PLAIN_INTERVAL_SECONDS} s and only when the count moved, plus the
 * last. A line is never printed twice in a row.
 *
 * <p>Log lines stay off the bar: {@link #logStream()} is a stream that clears the bar before it
 * writes and redraws it after each line; {@link #onStderr()} installs it as {@code System.err} for
 * the run, so that slf4j-simple (which writes to the current {@code System.err}) goes through it.
 */
public final class ConsoleProgress implements ProgressListener {
    private static final int WIDTH = 30;
    static final long REDRAW_MILLIS = 200;
    static final long PLAIN_INTERVAL_SECONDS = 5;

    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier clock;
    private final boolean takeOverStderr;
    private PrintStream savedErr;
    private ScheduledExecutorService ticker;
    private String source = "";
    private long total;
    private long startNanos;
    private long lastDrawNanos;
    private boolean drawn;
    private long firstDone = -1;
    private long done = -1;
    private long indexed;
    private long skipped;
    private long lastDrawnDone = -1;
    private String lastLine = "";
    private boolean barShown;

    /**
     * @param out where to draw (stderr)
     * @param interactive redraw one line in place (a terminal) rather than print plain lines
     */
    public ConsoleProgress(PrintStream out, boolean interactive) {
        this(out, interactive, System::nanoTime, false);
    }

    ConsoleProgress(
            PrintStream out, boolean interactive, LongSupplier clock, boolean takeOverStderr) {
        this.out = out;
        this.interactive = interactive;
        this.clock = clock;
        this.takeOverStderr = takeOverStderr;
    }

    /**
     * A bar on stderr, redrawn in place when a console is attached; while it runs, {@code
     * System.err} is its {@link #logStream()}.
     */
    public static ConsoleProgress onStderr() {
        return new ConsoleProgress(System.err, System.console() != null, System::nanoTime, true);
    }

    /**
     * A stream for log lines that keeps them off the bar: the bar is cleared before they are
     * written and redrawn after each complete line.
     */
    public PrintStream logStream() {
        return new PrintStream(new LogOutput(), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void started(String source, long total) {
        this.source = source;
        this.total = total;
        this.startNanos = clock.getAsLong();
        if (takeOverStderr) {
            savedErr = System.err;
            System.setErr(logStream());
        }
        if (interactive) {
            ticker =
                    Executors.newSingleThreadScheduledExecutor(
                            r -> {
                                Thread t = new Thread(r, "progress-ticker");
                                t.setDaemon(true);
                                return t;
                            });
            ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public synchronized void progress(long done, long indexed, long skipped) {
        if (firstDone < 0) {
            firstDone = done - indexed - skipped; // rows found already stored before any work
        }
        this.done = done;
        this.indexed = indexed;
        this.skipped = skipped;
        long now = clock.getAsLong();
        if (interactive) {
            if (done == total || !drawn || now - lastDrawNanos >= REDRAW_MILLIS * 1_000_000) {
                draw(now);
            }
        } else if (done != lastDrawnDone
                && (lastDrawnDone < 0
                        || done == total
                        || now - lastDrawNanos >= PLAIN_INTERVAL_SECONDS * 1_000_000_000)) {
            draw(now);
        }
    }

    /** The ticker: redraws the bar (rate, ETA) when nothing else did within the last second. */
    synchronized void tick() {
        long now = clock.getAsLong();
        if (done >= 0 && (!drawn || now - lastDrawNanos >= 900_000_000L)) {
            draw(now);
        }
    }

    @Override
    public synchronized void finished(IndexSummary summary) {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
        if (done >= 0 && done != lastDrawnDone) {
            draw(clock.getAsLong()); // the last count is always shown
        }
        if (interactive && barShown) {
            out.println();
            barShown = false;
        }
        out.flush();
        if (savedErr != null) {
            System.setErr(savedErr);
            savedErr = null;
        }
    }

    private void draw(long now) {
        String text = line(done, indexed, skipped, now);
        lastDrawNanos = now;
        drawn = true;
        if (text.equals(lastLine) && (barShown || !interactive)) {
            return; // never the same line twice
        }
        if (interactive) {
            int pad = Math.max(0, lastLine.length() - text.length());
            out.print("\r" + text + " ".repeat(pad));
            barShown = true;
        } else {
            out.println(text);
        }
        out.flush();
        lastLine = text;
        lastDrawnDone = done;
    }

    /** Clears the bar's line (before a log line); the next draw shows it again. */
    private void clearBar() {
        if (barShown) {
            out.print("\r" + " ".repeat(lastLine.length()) + "\r");
            out.flush();
            barShown = false;
        }
    }

    String line(long done, long indexed, long skipped, long now) {
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? indexed / seconds : 0;
        long work = done - Math.max(0, firstDone);
        double workRate = seconds > 0 ? work / seconds : 0;
        double eta = workRate > 0 ? (total - done) / workRate : Double.NaN;
        int filled = total == 0 ? WIDTH : (int) (WIDTH * Math.min(done, total) / total);
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

    /** Log output: clears the bar first, redraws it after each complete line. */
    private final class LogOutput extends OutputStream {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (ConsoleProgress.this) {
                clearBar();
                out.write(b, off, len);
                out.flush();
                if (interactive && len > 0 && b[off + len - 1] == '\n' && done >= 0) {
                    String text = lastLine;
                    lastLine = "";
                    out.print("\r" + text);
                    out.flush();
                    lastLine = text;
                    barShown = true;
                }
            }
        }

        @Override
        public void flush() {
            out.flush();
        }
    }
}
