package dev.clipsearch.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleProgressBarTest {

    @Test
    void rendersAndThrottles() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        ConsoleProgressBar bar =
                new ConsoleProgressBar(
                        new PrintStream(buf, true, StandardCharsets.UTF_8),
                        Duration.ofMillis(100),
                        now::get);
        HubRepo repo = HubRepo.model("org/name");
        bar.onProgress(repo, "model.safetensors", 0, 2_000_000);
        now.addAndGet(10_000_000); // 10 ms later: throttled
        bar.onProgress(repo, "model.safetensors", 500_000, 2_000_000);
        now.addAndGet(200_000_000);
        bar.onProgress(repo, "model.safetensors", 1_000_000, 2_000_000);
        now.addAndGet(1_000_000); // completion is always shown
        bar.onProgress(repo, "model.safetensors", 2_000_000, 2_000_000);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .contains("  0%")
                .doesNotContain(" 25%")
                .contains(" 50%  1.0 MB / 2.0 MB  org/name/model.safetensors")
                .contains("100%")
                .endsWith("\n");
        assertThat(out.chars().filter(c -> c == '\r').count()).isEqualTo(3);
    }

    @Test
    void humanReadableSizes() {
        assertThat(ConsoleProgressBar.humanBytes(999)).isEqualTo("999 B");
        assertThat(ConsoleProgressBar.humanBytes(1_500)).isEqualTo("1.5 kB");
        assertThat(ConsoleProgressBar.humanBytes(605_000_000)).isEqualTo("605.0 MB");
        assertThat(ConsoleProgressBar.render("f", 5, -1)).isEqualTo("5 B (size unknown)  f");
    }
}
