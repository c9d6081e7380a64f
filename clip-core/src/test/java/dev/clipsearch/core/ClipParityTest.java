package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with transformers' CLIPModel: token ids equal; text features from the reference input_ids,
 * image features from the reference pixel_values and the whole image path from the file within
 * {@link #MAX_ABS_DIFF} max abs and cosine >= {@link #MIN_COSINE}; logits_per_image. For tiny-clip
 * (F32, quick_gelu, patch 32, argmax pooling) and tiny-clip-b16-gelu-bf16 (BF16, gelu, patch 16,
 * first-eos pooling, 256-d).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClipParityTest {

    static final String TINY = "tiny-clip";
    static final String B16 = "tiny-clip-b16-gelu-bf16";

    /**
     * The bounds asserted, far inside the fixtures' "close enough" (1e-3 max abs, cosine 0.99999)
     * and a few times above what this implementation measures (max abs diff 1.2e-5, 1 - cosine
     * below 1e-12), so a real regression fails while float summation order across machines and
     * thread counts does not.
     */
    static final double MAX_ABS_DIFF = 5e-5;

    static final double MIN_COSINE = 1 - 1e-9;

    static void assertParity(Vectors.Agreement a) {
        assertThat(a.maxAbsDiff()).as("max abs diff").isLessThanOrEqualTo(MAX_ABS_DIFF);
        assertThat(a.minCosine()).as("min cosine").isGreaterThanOrEqualTo(MIN_COSINE);
    }

    private Path temp;

    private final Map<String, DefaultClipModel> models = new HashMap<>();
    private final Map<String, SafetensorsReader> embeddings = new HashMap<>();
    private SafetensorsReader reference;
    private List<String> images;
    private List<String> texts;

    @BeforeAll
    void load(@TempDir Path tempDir) throws Exception {
        temp = tempDir;
        models.put(
                TINY,
                (DefaultClipModel) ClipModels.load(TestModels.tinyClip(temp), TestModels.FP32));
        models.put(
                B16,
                (DefaultClipModel)
                        ClipModels.load(TestModels.tinyClipB16GeluBf16(temp), TestModels.FP32));
        reference =
                SafetensorsReader.open(
                        TestModels.copyResource(
                                "/clip-reference/reference.safetensors",
                                temp.resolve("reference.safetensors")));
        embeddings.put(TINY, reference);
        embeddings.put(
                B16,
                SafetensorsReader.open(
                        TestModels.copyResource(
                                TestModels.ROOT + B16 + "/reference-embeds.safetensors",
                                temp.resolve("b16-embeds.safetensors"))));
        JsonNode json =
                new ObjectMapper()
                        .readTree(TestModels.resourceBytes("/clip-reference/reference.json"));
        images = new ArrayList<>();
        json.get("images").forEach(n -> images.add(n.asText()));
        texts = new ArrayList<>();
        json.get("texts").forEach(n -> texts.add(n.asText()));
    }

    @AfterAll
    void close() {
        models.values().forEach(ClipModel::close);
        embeddings.values().forEach(SafetensorsReader::close);
    }

    private long[][] referenceIds() {
        long[] flat = reference.longs("input_ids");
        int length = (int) reference.info("input_ids").shape()[1];
        long[][] rows = new long[flat.length / length][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * length, (i + 1) * length);
        }
        return rows;
    }

    @ParameterizedTest
    @ValueSource(strings = {TINY, B16})
    void tokenIdsEqualTransformers(String model) {
        long[][] expected = referenceIds();
        TextEncoder encoder = models.get(model).textEncoder();
        assertThat(texts).hasSize(expected.length);
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = encoder.tokenize(texts.get(i));
            assertThat(Arrays.stream(ids).asLongStream().toArray())
                    .as("text %d: %s", i, texts.get(i))
                    .containsExactly(expected[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {TINY, B16})
    void textFeaturesFromReferenceIdsMatch(String model) {
        float[][] features = models.get(model).encodeTokenIds(referenceIds());
        Vectors.Agreement a =
                Vectors.Agreement.of(features, embeddings.get(model).floats("text_embeds"));
        System.out.println(model + " text features from input_ids: " + a);
        assertParity(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {TINY, B16})
    void textFeaturesOneByOneMatchBatched(String model) {
        long[][] ids = referenceIds();
        float[] expected = embeddings.get(model).floats("text_embeds");
        float[][] single = new float[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            single[i] = models.get(model).encodeTokenIds(new long[][] {ids[i]})[0];
        }
        Vectors.Agreement a = Vectors.Agreement.of(single, expected);
        assertParity(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {TINY, B16})
    void rawTextEncoderFromStringsMatches(String model) {
        List<float[]> features = models.get(model).textEncoder(EmbeddingMode.RAW).encodeAll(texts);
        Vectors.Agreement a =
                Vectors.Agreement.of(
                        features.toArray(float[][]::new),
                        embeddings.get(model).floats("text_embeds"));
        assertParity(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {TINY, B16})
    void imageFeaturesFromReferencePixelsMatch(String model) {
        float[] pixels = reference.floats("pixel_values");
        int n = (int) reference.info("pixel_values").shape()[0];
        float[][] features = models.get(model).encodePixels(pixels, n);
        Vectors.Agreement a =
                Vectors.Agreement.of(features, embeddings.get(model).floats("image_embeds"));
        System.out.println(model + " image features from pixel_values: " + a);
        assertParity(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {TINY, B16})
    void wholeImagePathFromFilesMatches(String model) throws Exception {
        ImageEncoder encoder = models.get(model).imageEncoder(EmbeddingMode.RAW);
        float[] expected = embeddings.get(model).floats("image_embeds");
        int dim = encoder.dimension();
        double minCosine = 1;
        for (int i = 0; i < images.size(); i++) {
            Path file =
                    TestModels.copyResource(
                            "/clip-reference/images/" + images.get(i),
                            temp.resolve("images").resolve(images.get(i)));
            float[] v = encoder.encode(file);
            double cos = Vectors.cosine(v, expected, i * dim);
            assertThat(cos).as("image %s", images.get(i)).isGreaterThanOrEqualTo(MIN_COSINE);
            minCosine = Math.min(minCosine, cos);
        }
        System.out.printf(
                "%s whole image path from files: min cosine %.10f (1 - cos = %.2g)%n",
                model, minCosine, 1 - minCosine);
    }

    @Test
    void logitsPerImageMatch() {
        DefaultClipModel model = models.get(TINY);
        float[] pixels = reference.floats("pixel_values");
        float[][] image =
                model.encodePixels(pixels, (int) reference.info("pixel_values").shape()[0]);
        float[][] text = model.encodeTokenIds(referenceIds());
        float[] expected = reference.floats("logits_per_image");
        float scale = model.logitScale();
        assertThat((double) scale)
                .isCloseTo(Math.exp(2.6592600345611572), org.assertj.core.data.Offset.offset(1e-3));
        double maxDiff = 0;
        for (int i = 0; i < image.length; i++) {
            float[] a = DefaultClipModel.normalize(image[i].clone());
            for (int j = 0; j < text.length; j++) {
                float[] b = DefaultClipModel.normalize(text[j].clone());
                double dot = 0;
                for (int k = 0; k < a.length; k++) {
                    dot += a[k] * b[k];
                }
                maxDiff = Math.max(maxDiff, Math.abs(scale * dot - expected[i * text.length + j]));
            }
        }
        System.out.printf("logits_per_image max abs diff %.3g%n", maxDiff);
        assertThat(maxDiff).isLessThanOrEqualTo(MAX_ABS_DIFF);
    }

    @Test
    void normalizedEncodersReturnUnitVectorsAlongRawFeatures() {
        DefaultClipModel model = models.get(TINY);
        float[] raw = model.textEncoder(EmbeddingMode.RAW).encode("a photo of a cat");
        float[] unit = model.textEncoder().encode("a photo of a cat");
        double norm = 0;
        for (float x : unit) {
            norm += x * x;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(Vectors.cosine(unit, raw, 0)).isGreaterThan(0.999999);
        assertThat(model.textEncoder().dimension()).isEqualTo(512);
        assertThat(models.get(B16).imageEncoder().dimension()).isEqualTo(256);
    }
}
