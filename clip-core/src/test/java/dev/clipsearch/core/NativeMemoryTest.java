package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Native memory must not grow with the number of encodes, in either precision: every call frees its
 * NDArrays (FP32) or its TorchScript inputs and outputs (BF16).
 */
class NativeMemoryTest {

    private static long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    /**
     * Resident memory growth (KiB, less Java heap growth) over {@code calls} encodes of each kind.
     */
    private static long grownKibOver(
            ImageEncoder images, TextEncoder texts, PreprocessedImage pixels, int calls)
            throws IOException {
        System.gc();
        long before = rssKib();
        long heapBefore = Runtime.getRuntime().totalMemory();
        for (int i = 0; i < calls; i++) {
            images.encodePreprocessed(List.of(pixels));
            texts.encode("a photo of thing number " + i);
        }
        System.gc();
        long heapGrownKib = Math.max(0, Runtime.getRuntime().totalMemory() - heapBefore) / 1024;
        return rssKib() - before - heapGrownKib;
    }

    @ParameterizedTest
    @EnumSource(
            value = Precision.class,
            names = {"FP32", "BF16"})
    @EnabledOnOs(OS.LINUX)
    void thousandEncodesDoNotGrowResidentMemory(Precision precision, @TempDir Path temp)
            throws IOException {
        // one intra-op thread: the tiny model gains nothing from two, and it keeps the test fast on
        // a busy machine
        try (ClipModel model =
                ClipModels.load(
                        TestModels.tinyClip(temp),
                        ClipModelOptions.defaults().withThreads(1).withPrecision(precision))) {
            assertThat(model.precision()).isEqualTo(precision);
            ImageEncoder images = model.imageEncoder();
            TextEncoder texts = model.textEncoder();
            PreprocessedImage pixels =
                    images.preprocess(
                            TestModels.resourceBytes("/clip-reference/images/rocket.jpg"),
                            "rocket.jpg");
            // each call moves ~600 KB of pixels and ~100 intermediate arrays through native memory
            for (int i = 0; i < 200; i++) {
                images.encodePreprocessed(List.of(pixels));
                texts.encode("warm-up text number " + i);
            }
            // two windows of 500 image + 500 text encodes: the first may still grow the
            // allocator's arenas (more so on a busy machine), the second shows the steady state
            long first = grownKibOver(images, texts, pixels, 500);
            long second = grownKibOver(images, texts, pixels, 500);
            System.out.printf(
                    "%s: RSS growth over 2 x 500 image + text encodes: %d KiB, then %d KiB"
                            + " (Java heap growth not counted)%n",
                    precision, first, second);
            // a leak of one pixel tensor per call alone would be ~300 MB a window
            assertThat(second).as("steady-state growth, KiB").isLessThan(48 * 1024);
            assertThat(first + second).as("growth over 1,000 calls, KiB").isLessThan(160 * 1024);
        }
    }
}
