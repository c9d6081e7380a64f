package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Precision#BF16} (generated TorchScript towers with bf16 weights) against the exact FP32
 * path on all three fixtures: every reference image and text embeds with cosine >= 0.999, in
 * batches and one at a time. Runs on any CPU (PyTorch emulates bf16 where it is not native).
 */
class Bf16EncoderTest {

    private static final String TINY = "tiny-clip";
    private static final String B16 = "tiny-clip-b16-gelu-bf16";
    private static final String TINY_IMAGENET = "tinyclip-tinyimagenet";

    @TempDir Path temp;

    private record Inputs(List<String> imageNames, List<byte[]> images, List<String> texts) {}

    private static Inputs inputs(String fixture) {
        List<String> names = new ArrayList<>();
        List<byte[]> images = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        String json;
        Function<String, String> imagePath;
        if (fixture.equals(TINY_IMAGENET)) {
            json = TestModels.ROOT + TINY_IMAGENET + "/reference-embeddings.json";
            imagePath = n -> TestModels.ROOT + TINY_IMAGENET + "/images/" + n;
        } else {
            json = "/clip-reference/reference.json";
            imagePath = n -> "/clip-reference/images/" + n;
        }
        JsonNode reference;
        try {
            reference = new ObjectMapper().readTree(TestModels.resourceBytes(json));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        reference
                .get("images")
                .forEach(
                        n -> {
                            names.add(n.asText());
                            images.add(TestModels.resourceBytes(imagePath.apply(n.asText())));
                        });
        reference.get("texts").forEach(t -> texts.add(t.asText()));
        return new Inputs(names, images, texts);
    }

    private Path fixture(String name) {
        return switch (name) {
            case TINY -> TestModels.tinyClip(temp);
            case B16 -> TestModels.tinyClipB16GeluBf16(temp);
            default -> TestModels.tinyClipTinyImagenet(temp);
        };
    }

    private static List<float[]> images(ClipModel model, Inputs in) {
        return model.imageEncoder().encodeAllBytes(in.images(), in.imageNames()).stream()
                .map(ImageEmbeddingResult::vector)
                .toList();
    }

    /**
     * Every BF16 vector against FP32 (cosine >= 0.999), and each input encoded alone against its
     * batched BF16 vector; updates {@code worst} (min cosine, max abs diff).
     */
    private static void agree(
            String what,
            List<String> names,
            List<float[]> exact,
            List<float[]> bf16,
            double[] worst,
            IntFunction<float[]> alone) {
        for (int i = 0; i < exact.size(); i++) {
            double cos = Vectors.cosine(bf16.get(i), exact.get(i), 0);
            assertThat(cos).as("%s %s", what, names.get(i)).isGreaterThanOrEqualTo(0.999);
            worst[0] = Math.min(worst[0], cos);
            worst[1] = Math.max(worst[1], Vectors.maxAbsDiff(bf16.get(i), exact.get(i), 0));
            assertThat(Vectors.cosine(alone.apply(i), bf16.get(i), 0))
                    .as("%s %s alone", what, names.get(i))
                    .isGreaterThan(0.999);
        }
    }

    @Test
    void concurrentBf16EncodesAgreeWithSequentialOnes() throws Exception {
        Inputs in = inputs(TINY);
        try (ClipModel bf16 = ClipModels.load(fixture(TINY), TestModels.BF16)) {
            List<float[]> expected = images(bf16, in);
            List<float[]> texts = bf16.textEncoder().encodeAll(in.texts());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Boolean>> runs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    runs.add(
                            pool.submit(
                                    () -> {
                                        List<float[]> again = images(bf16, in);
                                        List<float[]> textsAgain =
                                                bf16.textEncoder().encodeAll(in.texts());
                                        for (int i = 0; i < again.size(); i++) {
                                            if (Vectors.cosine(again.get(i), expected.get(i), 0)
                                                    < 0.99999) {
                                                return false;
                                            }
                                        }
                                        for (int i = 0; i < texts.size(); i++) {
                                            if (Vectors.cosine(textsAgain.get(i), texts.get(i), 0)
                                                    < 0.99999) {
                                                return false;
                                            }
                                        }
                                        return true;
                                    }));
                }
                for (Future<Boolean> run : runs) {
                    assertThat(run.get()).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {TINY, B16, TINY_IMAGENET})
    void bf16EmbeddingsAgreeWithFp32OnEveryReferenceInput(String name) {
        Inputs in = inputs(name);
        Path dir = fixture(name);
        try (ClipModel fp32 = ClipModels.load(dir, TestModels.FP32);
                ClipModel bf16 = ClipModels.load(dir, TestModels.BF16)) {
            assertThat(fp32.precision()).isEqualTo(Precision.FP32);
            assertThat(bf16.precision()).isEqualTo(Precision.BF16);

            List<float[]> exactImages = images(fp32, in);
            List<float[]> bf16Images = images(bf16, in);
            List<float[]> exactTexts = fp32.textEncoder().encodeAll(in.texts());
            List<float[]> bf16Texts = bf16.textEncoder().encodeAll(in.texts());

            double[] worst = {1, 0}; // min cosine, max abs diff
            agree(
                    name + " image",
                    in.imageNames(),
                    exactImages,
                    bf16Images,
                    worst,
                    i -> bf16.imageEncoder().encode(in.images().get(i), in.imageNames().get(i)));
            agree(
                    name + " text",
                    in.texts(),
                    exactTexts,
                    bf16Texts,
                    worst,
                    i -> bf16.textEncoder().encode(in.texts().get(i)));
            double minCos = worst[0];
            double maxDiff = worst[1];
            System.out.printf(
                    "%s BF16 vs FP32 over %d images and %d texts: min cosine %.6f, max abs diff"
                            + " %.3g%n",
                    name, exactImages.size(), exactTexts.size(), minCos, maxDiff);
            // really another computation, not the fp32 path under another name
            assertThat(maxDiff).isGreaterThan(1e-6);
            assertThat(bf16Images.get(0)).hasSize(fp32.dimension());
        }
    }
}
