package dev.clipsearch.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clipsearch.core.ClipConfig;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.TestModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomClipCheckpointTest {

    /** A small architecture with every dimension distinct, so a transposed weight cannot pass. */
    static ClipConfig small() {
        return new ClipConfig(
                new ClipConfig.TextConfig(
                        49408, 24, 40, 2, 3, 77, ClipConfig.Activation.QUICK_GELU, 1e-5, 2, true),
                new ClipConfig.VisionConfig(
                        36, 52, 2, 4, 64, 16, 3, ClipConfig.Activation.GELU, 1e-5),
                20);
    }

    @Test
    void writtenCheckpointLoadsWithTheConfigItWasWrittenFor(@TempDir Path temp) {
        Path dir = RandomClipCheckpoint.write(temp.resolve("random"), small(), 7);
        try (ClipModel model = ClipModels.load(dir)) {
            assertThat(model.config()).isEqualTo(small());
            assertThat(model.dimension()).isEqualTo(20);
            float[] image =
                    model.imageEncoder()
                            .encode(
                                    TestModels.resourceBytes(
                                            "/clip-reference/images/synthetic64.png"),
                                    "synthetic64.png");
            float[] text = model.textEncoder().encode("a photo of a cat");
            assertThat(image).hasSize(20).doesNotContain(Float.NaN);
            assertThat(text).hasSize(20).doesNotContain(Float.NaN);
        }
    }

    @Test
    void smallTokenizerGivesTheRealIdsForItsWords(@TempDir Path temp) {
        Path dir = RandomClipCheckpoint.write(temp.resolve("random"), small(), 7);
        List<String> texts =
                List.of(
                        "a photo of a cat",
                        "an astronaut riding a horse on the moon",
                        "A small boat on a calm lake at dawn 12",
                        "two dogs playing in the snow");
        try (ClipModel random = ClipModels.load(dir);
                ClipModel real = ClipModels.load(TestModels.tinyClip(temp))) {
            for (String text : texts) {
                assertThat(random.textEncoder().tokenize(text))
                        .as(text)
                        .containsExactly(real.textEncoder().tokenize(text));
            }
            // unknown words still tokenize, into more pieces
            int[] other = random.textEncoder().tokenize("zebra");
            assertThat(other[0]).isEqualTo(49406);
            assertThat(other).contains(49407);
        }
    }

    @Test
    void vitL14At336GeometryLoadsAndEncodes(@TempDir Path temp) {
        // ViT-L/14@336's geometry (patch 14 on 336: 24x24 patches, 577 positions) at toy widths
        ClipConfig l14 =
                new ClipConfig(
                        new ClipConfig.TextConfig(
                                49408,
                                16,
                                32,
                                1,
                                2,
                                77,
                                ClipConfig.Activation.QUICK_GELU,
                                1e-5,
                                49407,
                                false),
                        new ClipConfig.VisionConfig(
                                16, 32, 1, 2, 336, 14, 3, ClipConfig.Activation.QUICK_GELU, 1e-5),
                        12);
        assertThat(l14.vision().numPositions()).isEqualTo(577);
        Path dir = RandomClipCheckpoint.write(temp.resolve("l14"), l14, 3);
        try (ClipModel model = ClipModels.load(dir)) {
            float[] v =
                    model.imageEncoder()
                            .encode(
                                    TestModels.resourceBytes("/clip-reference/images/rocket.jpg"),
                                    "rocket.jpg");
            assertThat(v).hasSize(12).doesNotContain(Float.NaN);
            assertThat(model.textEncoder().encode("a rocket")).hasSize(12);
        }
    }

    @Test
    void imageFlopsOfVitB32() {
        // ViT-B/32 is 4.41 G multiply-adds per image (the "4.4 GFLOPs" of the papers) = 8.82 GFLOP
        assertThat(ClipConfig.vitB32().imageFlops()).isBetween(8.7e9, 8.9e9);
    }
}
