package dev.clipsearch.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clipsearch.core.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @Test
    void writerOutputReadsBack(@TempDir Path temp) throws IOException {
        Path f = temp.resolve("w.safetensors");
        new SafetensorsWriter()
                .add("x", new long[] {2, 2}, new float[] {1, 2, 3, 4})
                .add("s", new long[0], new float[] {5})
                .write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThat(r.floats("x")).containsExactly(1, 2, 3, 4);
            assertThat(r.info("s").shape()).isEmpty();
            assertThat(r.floats("s")).containsExactly(5f);
        }
    }
}
