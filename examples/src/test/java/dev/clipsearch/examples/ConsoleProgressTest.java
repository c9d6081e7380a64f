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
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    @Test
    void withoutATerminalPrintsOneLinePerTenPercentWithRateAndEta() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress p =
                new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        p.started("ds/valid", 200);
        for (int done = 1; done <= 200; done++) {
            p.progress(done, done, 0);
        }
        p.finished(
                new IndexSummary(
                        "ds/valid", 200, 200, 0, 0, Map.of(), List.of(), Duration.ofSeconds(1)));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(11);
        assertThat(lines.get(0))
                .startsWith("ds/valid [")
                .contains("1/200")
                .contains("rows/s")
                .contains("ETA");
        assertThat(lines.get(10)).contains("200/200").contains("100%").contains("#".repeat(30));
    }

    @Test
    void onATerminalRedrawsOneLineAndEndsIt() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress p =
                new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        p.started("ds/valid", 10);
        for (int done = 1; done <= 10; done++) {
            p.progress(done, done - 1, 1);
        }
        p.finished(
                new IndexSummary(
                        "ds/valid",
                        10,
                        9,
                        0,
                        1,
                        Map.of("bad", 1L),
                        List.of(),
                        Duration.ofSeconds(1)));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .startsWith("\r")
                .contains("10/10")
                .contains("(1 skipped)")
                .endsWith(System.lineSeparator());
        assertThat(out.indexOf('\n'))
                .as("one line, redrawn with carriage returns")
                .isEqualTo(out.length() - 1);
    }

    @Test
    void durationsReadWell() {
        assertThat(Durations.formatSeconds(12.44)).isEqualTo("12.4s");
        assertThat(Durations.formatSeconds(187)).isEqualTo("3m07s");
        assertThat(Durations.formatSeconds(3720)).isEqualTo("1h02m");
        assertThat(Durations.formatSeconds(Double.NaN)).isEqualTo("--");
    }
}
