package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clipsearch.search.Durations;
import dev.clipsearch.search.IndexSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    private static final long MS = 1_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong clock = new AtomicLong(1_000 * MS);

    private ConsoleProgress progress(boolean interactive, boolean takeOverStderr) {
        return new ConsoleProgress(
                new PrintStream(bytes, true, StandardCharsets.UTF_8),
                interactive,
                clock::get,
                takeOverStderr);
    }

    private static IndexSummary summary(long rows) {
        return new IndexSummary(
                "ds/valid", rows, rows, 0, 0, Map.of(), List.of(), Duration.ofSeconds(1));
    }

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutATerminalPrintsPlainLinesAtMostEveryFewSecondsNeverTheSameTwice() {
        ConsoleProgress p = progress(false, false);
        p.started("ds/valid", 10_000);
        for (int i = 0; i < 9; i++) {
            p.progress(0, 0, 0); // the old bar printed nine "0/10000" lines here
        }
        // 32 rows per forward pass, one pass every 100 ms: 31.25 s in all
        for (int done = 32; done <= 10_000; done += 32) {
            clock.addAndGet(100 * MS);
            p.progress(done, done, 0);
        }
        clock.addAndGet(100 * MS);
        p.progress(10_000, 10_000, 0);
        p.finished(summary(10_000));

        List<String> lines = output().lines().toList();
        assertThat(lines.get(0)).startsWith("ds/valid [").contains(" 0/10000 ");
        assertThat(lines.stream().filter(l -> l.contains(" 0/10000 "))).hasSize(1);
        assertThat(lines).doesNotHaveDuplicates();
        // one line per 5 s of a 31 s run, plus the first and the last
        assertThat(lines).hasSizeBetween(7, 9);
        assertThat(lines.get(lines.size() - 1))
                .contains("10000/10000")
                .contains("100%")
                .contains("#".repeat(30))
                .contains("rows/s")
                .contains("ETA");
        assertThat(output()).doesNotContain("\r");
    }

    @Test
    void onATerminalRedrawsInPlaceAtLeastOnceASecondAndEndsTheLine() {
        ConsoleProgress p = progress(true, false);
        p.started("ds/valid", 10);
        p.progress(1, 1, 0);
        clock.addAndGet(50 * MS);
        p.progress(2, 2, 0); // within 200 ms of the last draw: not drawn
        assertThat(output()).contains("1/10").doesNotContain("2/10");
        // nothing moves for a second: the ticker redraws (the rate and ETA changed)
        clock.addAndGet(1_000 * MS);
        p.tick();
        assertThat(output()).contains("2/10");
        int drawn = output().length();
        p.tick(); // no time passed: nothing to redraw
        assertThat(output()).hasSize(drawn);
        for (int done = 3; done <= 10; done++) {
            clock.addAndGet(300 * MS);
            p.progress(done, done - 1, 1);
        }
        p.finished(summary(10));
        String out = output();
        assertThat(out)
                .startsWith("\r")
                .contains("10/10")
                .contains("(1 skipped)")
                .endsWith(System.lineSeparator());
        assertThat(out.indexOf('\n'))
                .as("one line, redrawn with carriage returns")
                .isEqualTo(out.length() - 1);
        List<String> draws = List.of(out.strip().split("\r"));
        assertThat(draws).doesNotHaveDuplicates();
    }

    @Test
    void logLinesClearTheBarAndTheBarComesBackBelowThem() {
        PrintStream savedErr = System.err;
        ConsoleProgress p = progress(true, true);
        p.started("ds/valid", 10);
        try {
            p.progress(4, 4, 0);
            assertThat(System.err).isNotSameAs(savedErr);
            System.err.println("WARN something happened");
        } finally {
            p.finished(summary(10));
        }
        assertThat(System.err).isSameAs(savedErr);
        String out = output();
        int log = out.indexOf("WARN something happened");
        assertThat(log).isPositive();
        String beforeLog = out.substring(0, log);
        // the bar was drawn, then blanked and the cursor returned to the line start
        assertThat(beforeLog).contains("4/10").endsWith("\r");
        assertThat(beforeLog.substring(beforeLog.lastIndexOf("4/10"))).contains("\r ");
        // the log line is a line of its own, and the bar is drawn again below it
        String afterLog = out.substring(log);
        assertThat(afterLog.lines().findFirst()).hasValue("WARN something happened");
        assertThat(afterLog).contains(System.lineSeparator() + "\rds/valid [");
    }

    @Test
    void durationsReadWell() {
        assertThat(Durations.formatSeconds(12.44)).isEqualTo("12.4s");
        assertThat(Durations.formatSeconds(187)).isEqualTo("3m07s");
        assertThat(Durations.formatSeconds(3720)).isEqualTo("1h02m");
        assertThat(Durations.formatSeconds(Double.NaN)).isEqualTo("--");
    }
}
