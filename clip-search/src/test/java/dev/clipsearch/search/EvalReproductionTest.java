package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.TestModels;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.dataset.TestDatasets;
import dev.clipsearch.dataset.TinyImageNet;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * must reproduce the reference numbers computed with PyTorch (zero-shot top-1 0.1567, text-to-image
 * precision@10 0.2275) and the reference's top-10 images per class.
 */
class EvalReproductionTest {
    @TempDir Path tmp;

    @Test
    void theWholePipelineReproducesThePythonReference() throws Exception {
        JsonNode reference;
        try (InputStream in =
                getClass().getResourceAsStream("/eval/tinyclip-tinyimagenet-reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
        Path modelDir = TestModels.tinyClipTinyImagenet(tmp.resolve("model"));
        Path datasetDir = TestDatasets.tinyImagenetValid(tmp.resolve("data"));
        String store = Fixtures.memoryStore();

        // the CLI indexes the split and evaluates it
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                ClipSearchCli.execute(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        "eval",
                        "--model",
                        modelDir.toString(),
                        "--dataset",
                        datasetDir.toString(),
                        "--split",
                        "valid",
                        "--store",
                        store,
                        "--template",
                        "a photo of a {}.",
                        "--batch-size",
                        "64",
                        "--json");
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.get("images").asLong()).isEqualTo(10_000);
        assertThat(json.get("classes").asInt()).isEqualTo(200);
        assertThat(json.get("zero_shot_top1").asDouble())
                .isCloseTo(reference.get("zero_shot_top1").asDouble(), within(0.005));
        assertThat(json.get("text_to_image_precision_at_10").asDouble())
                .isCloseTo(
                        reference.get("text_to_image_precision_at_10").asDouble(), within(0.005));

        // the library call on the same table gives the same numbers and the reference's top-10
        // images
        try (ClipModel model = ClipModels.load(modelDir);
                VectorStore table = VectorStores.openExisting(store, VectorStores.DEFAULT_TABLE)) {
            HfDataset dataset = HfDatasets.load(datasetDir.toString());
            assertThat(ClassNames.labelNames(dataset, null))
                    .isEqualTo(TinyImageNet.readableNames());
            Evaluation.Result result =
                    Evaluation.run(
                            model.textEncoder(),
                            table,
                            TinyImageNet.readableNames(),
                            "a photo of a {}.",
                            DataGen.sourceOf(dataset, "valid"));
            assertThat(result.zeroShotTop1()).isEqualTo(json.get("zero_shot_top1").asDouble());

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
                    "zero-shot top-1 %.4f, P@10 %.4f, top-10 file names in common with the reference: %d of %d%n",
                    result.zeroShotTop1(), result.textToImagePrecisionAt10(), common, total);
            assertThat(total).isEqualTo(2000);
            assertThat(common)
                    .as("top-10 file names in common with the reference")
                    .isGreaterThanOrEqualTo(1900);

            // ids follow rows, and the parquet's file names follow rows too (val_N.JPEG is row N)
            ImageRecord row123 = table.get("valid-000123").orElseThrow();
            assertThat(row123.metadata())
                    .containsEntry("path", "val_123.JPEG")
                    .containsEntry("width", "64");
        }
    }
}
