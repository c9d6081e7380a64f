package dev.clipsearch.hub;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A text progress bar for the command line, e.g. {@code [########## ] 50% 12.5 MB / 25.0 MB
 * openai/clip-vit-base-patch32/model.safetensors}. Redraws one line with carriage returns, at most
 * once per interval (and always at 100%), and ends the line when a file completes. Thread-safe.
 */
public final class ConsoleProgressBar implements DownloadListener {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final long intervalNanos;
    private final LongSupplier clock;
    private long lastPrint = Long.MIN_VALUE;
    private String lastKey;
    private int lastLength;

    /** A bar on {@code out}, redrawn at most every 200 ms. */
    public ConsoleProgressBar(PrintStream out) {
        this(out, Duration.ofMillis(200));
    }

    /** A bar on {@code out}, redrawn at most once per {@code interval}. */
    public ConsoleProgressBar(PrintStream out, Duration interval) {
        this(out, interval, System::nanoTime);
    }

    ConsoleProgressBar(PrintStream out, Duration interval, LongSupplier nanoClock) {
        this.out = Objects.requireNonNull(out, "out");
        this.intervalNanos = interval.toNanos();
        this.clock = nanoClock;
    }

    @Override
    public synchronized void onProgress(
            HubRepo repo, String path, long bytesDone, long totalBytes) {
        String key = repo.id() + "/" + path;
        boolean done = totalBytes >= 0 && bytesDone >= totalBytes;
        long now = clock.getAsLong();
        boolean switched = !key.equals(lastKey);
        if (!done && !switched && lastPrint != Long.MIN_VALUE && now - lastPrint < intervalNanos) {
            return;
        }
        if (switched && lastKey != null && lastLength > 0) {
            out.print('\n'); // the previous file's line stays as it was
        }
        String line = render(key, bytesDone, totalBytes);
        StringBuilder sb = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < lastLength; i++) {
            sb.append(' ');
        }
        out.print(sb);
        if (done) {
            out.print('\n');
            lastLength = 0;
            lastKey = null;
        } else {
            lastLength = line.length();
            lastKey = key;
        }
        out.flush();
        lastPrint = now;
    }

    static String render(String name, long done, long total) {
        StringBuilder sb = new StringBuilder();
        if (total > 0) {
            double frac = Math.min(1.0, Math.max(0.0, (double) done / total));
            int filled = (int) Math.round(frac * WIDTH);
            sb.append('[')
                    .append("#".repeat(filled))
                    .append(" ".repeat(WIDTH - filled))
                    .append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(frac * 100)))
                    .append("  ")
                    .append(humanBytes(done))
                    .append(" / ")
                    .append(humanBytes(total));
        } else if (total == 0) {
            sb.append('[').append("#".repeat(WIDTH)).append("] 100%  0 B");
        } else {
            sb.append(humanBytes(done)).append(" (size unknown)");
        }
        return sb.append("  ").append(name).toString();
    }

    static String humanBytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
