package dev.clipsearch.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The F16 loading path: tinyclip-tinyimagenet (trained, F16 weights, 64x64 input, patch 8) against
 * the raw features its training code computed for the first 8 validation images of Tiny ImageNet
 * and 8 class prompts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TinyImagenetF16Test {

    private static final String DIR = TestModels.ROOT + "tinyclip-tinyimagenet/";

    private ClipModel model;
    private JsonNode reference;

    @BeforeAll
    void load(@TempDir Path temp) throws Exception {
        model = ClipModels.load(TestModels.tinyClipTinyImagenet(temp), TestModels.FP32);
        reference =
                new ObjectMapper()
                        .readTree(TestModels.resourceBytes(DIR + "reference-embeddings.json"));
    }

    @AfterAll
    void close() {
        model.close();
    }

    private static float[] flatten(JsonNode rows) {
        List<Float> values = new ArrayList<>();
        rows.forEach(r -> r.forEach(v -> values.add((float) v.asDouble())));
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    @Test
    void configIsReadFromTheCheckpoint() {
        assertThat(model.config().vision().imageSize()).isEqualTo(64);
        assertThat(model.config().vision().patchSize()).isEqualTo(8);
        assertThat(model.dimension()).isEqualTo(512);
    }

    @Test
    void promptsTokenizeToReferenceIdsAndEncodeToReferenceFeatures() {
        TextEncoder encoder = model.textEncoder(EmbeddingMode.RAW);
        List<String> texts = new ArrayList<>();
        reference.get("texts").forEach(t -> texts.add(t.asText()));
        for (int i = 0; i < texts.size(); i++) {
            JsonNode expected = reference.get("input_ids").get(i);
            int[] ids = encoder.tokenize(texts.get(i));
            assertThat(ids).hasSize(expected.size());
            for (int j = 0; j < ids.length; j++) {
                assertThat(ids[j]).as("text %d token %d", i, j).isEqualTo(expected.get(j).asInt());
            }
        }
        float[][] features = encoder.encodeAll(texts).toArray(float[][]::new);
        Vectors.Agreement a = Vectors.Agreement.of(features, flatten(reference.get("text_embeds")));
        System.out.println("tinyclip-tinyimagenet text features: " + a);
        ClipParityTest.assertParity(a);
    }

    @Test
    void validationImagesFromJpegMatchReferenceFeatures() {
        ImageEncoder encoder = model.imageEncoder(EmbeddingMode.RAW);
        List<byte[]> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        reference
                .get("images")
                .forEach(
                        n -> {
                            names.add(n.asText());
                            images.add(TestModels.resourceBytes(DIR + "images/" + n.asText()));
                        });
        List<ImageEmbeddingResult> results = encoder.encodeAllBytes(images, names);
        float[][] features =
                results.stream().map(ImageEmbeddingResult::vector).toArray(float[][]::new);
        Vectors.Agreement a =
                Vectors.Agreement.of(features, flatten(reference.get("image_embeds")));
        System.out.println("tinyclip-tinyimagenet image features from JPEG: " + a);
        // the whole path from the file (64x64 JPEGs: decode, no resize needed)
        ClipParityTest.assertParity(a);
    }
}
