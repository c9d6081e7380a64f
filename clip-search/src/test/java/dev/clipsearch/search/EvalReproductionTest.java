package dev.clipsearch.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModelOptions;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.Precision;
import dev.clipsearch.core.TestModels;
import dev.clipsearch.dataset.ClassNames;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.dataset.TestDatasets;
import dev.clipsearch.dataset.TinyImageNet;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end proof that decoding, preprocessing, encoding, storage and search give what Python
 * users get: the small CLIP trained on Tiny ImageNet, over the real 10,000-image validation split,
 * must reproduce the reference numbers computed with PyTorch. In FP32 exactly: zero-shot top-1
 * 0.1567, text-to-image precision@10 0.2275 and all 2,000 of the reference's top-10 images per
 * class. In BF16 within 0.005 of both numbers.
 */
class EvalReproductionTest {
    @TempDir Path tmp;

    private JsonNode reference() throws IOException {
        try (InputStream in =
                getClass().getResourceAsStream("/eval/tinyclip-tinyimagenet-reference.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /**
     * Indexes the whole split with {@code precision} and evaluates it with the reference prompt.
     */
    private Evaluation.Result indexAndEvaluate(Precision precision, VectorStore[] tableOut)
            throws IOException {
        Path modelDir = TestModels.tinyClipTinyImagenet(tmp.resolve("model"));
        Path datasetDir = TestDatasets.tinyImagenetValid(tmp.resolve("data"));
        ClipModelOptions options = ClipModelOptions.defaults().withPrecision(precision);
        try (ClipModel model = ClipModels.load(modelDir, options)) {
            assertThat(model.precision()).isEqualTo(precision);
            VectorStore table =
                    VectorStores.open(
                            Fixtures.memoryStore(), VectorStores.DEFAULT_TABLE, model.dimension());
            tableOut[0] = table;
            HfDataset dataset = HfDatasets.load(datasetDir.toString());
            IndexSummary summary =
                    ImageIndexer.index(
                            model,
                            dataset,
                            table,
                            ImageIndexer.Options.defaults().batchSize(64),
                            null);
            assertThat(summary.indexed()).isEqualTo(10_000);
            assertThat(ClassNames.labelNames(dataset, null))
                    .isEqualTo(TinyImageNet.readableNames());
            Evaluation.Result result =
                    Evaluation.run(
                            model.textEncoder(),
                            table,
                            ClassNames.labelNames(dataset, null),
                            "a photo of a {}.",
                            ImageIndexer.sourceOf(dataset, "valid"));
            assertThat(result.images()).isEqualTo(10_000);
            assertThat(result.classes()).isEqualTo(200);
            System.out.printf(
                    "%s: zero-shot top-1 %.4f, P@10 %.4f%n",
                    precision, result.zeroShotTop1(), result.textToImagePrecisionAt10());
            return result;
        }
    }

    @Test
    void fp32ReproducesThePythonReferenceExactly() throws Exception {
        JsonNode reference = reference();
        VectorStore[] table = new VectorStore[1];
        Evaluation.Result result = indexAndEvaluate(Precision.FP32, table);
        try (VectorStore store = table[0]) {
            // 1567 of 10,000 images and 455 of 2,000 top-10 slots: the same counts as PyTorch
            assertThat(Math.round(result.zeroShotTop1() * 10_000)).isEqualTo(1567);
            assertThat(Math.round(result.textToImagePrecisionAt10() * 2_000)).isEqualTo(455);
            // (P@10 is a mean of 200 class shares, so its last float bits depend on summation
            // order)
            assertThat(result.zeroShotTop1())
                    .isCloseTo(reference.get("zero_shot_top1").asDouble(), within(1e-12));
            assertThat(result.textToImagePrecisionAt10())
                    .isCloseTo(
                            reference.get("text_to_image_precision_at_10").asDouble(),
                            within(1e-12));
            JsonNode json = new ObjectMapper().readTree(result.toJson());
            assertThat(json.get("zero_shot_top1").asDouble()).isEqualTo(result.zeroShotTop1());

            int common = 0;
            int total = 0;
            for (Map.Entry<String, List<String>> e : result.top10().entrySet()) {
                Set<String> expected = new HashSet<>();
                reference.get("top10").get(e.getKey()).forEach(n -> expected.add(n.asText()));
                assertThat(expected).as(e.getKey()).hasSize(10);
                total += expected.size();
                common += (int) e.getValue().stream().filter(expected::contains).count();
            }
            System.out.printf(
                    "top-10 file names in common with the reference: %d of %d%n", common, total);
            assertThat(total).isEqualTo(2000);
            assertThat(common).as("top-10 file names in common with the reference").isEqualTo(2000);

            // ids follow rows, and the parquet's file names follow rows too (val_N.JPEG is row N)
            ImageRecord row123 = store.get("valid-000123").orElseThrow();
            assertThat(row123.metadata())
                    .containsEntry("path", "val_123.JPEG")
                    .containsEntry("width", "64");
        }
    }

    @Test
    void bf16KeepsTheReferenceQuality() throws Exception {
        JsonNode reference = reference();
        VectorStore[] table = new VectorStore[1];
        Evaluation.Result result = indexAndEvaluate(Precision.BF16, table);
        try (VectorStore store = table[0]) {
            assertThat(store.count()).isEqualTo(10_000);
            assertThat(result.zeroShotTop1())
                    .isCloseTo(reference.get("zero_shot_top1").asDouble(), within(0.005));
            assertThat(result.textToImagePrecisionAt10())
                    .isCloseTo(
                            reference.get("text_to_image_precision_at_10").asDouble(),
                            within(0.005));
        }
    }
}
