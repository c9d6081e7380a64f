package dev.clipsearch.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.examples.bench.IngestBenchmark;
import dev.clipsearch.search.Fixtures;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench ingest} measures the real pipeline, writing into a real store, and cleans up. */
class IngestBenchmarkTest {
    @TempDir Path tmp;

    @Test
    void thePipelineWritesEveryImageIntoATemporaryLanceTableByDefault() throws Exception {
        HfDataset dataset = Fixtures.loadDataset(tmp, 24);
        Path systemTemp = Path.of(System.getProperty("java.io.tmpdir"));
        try (ClipModel model = Fixtures.loadTinyModel(tmp.resolve("model"))) {
            IngestBenchmark.Result r =
                    IngestBenchmark.run(
                            model, dataset, new IngestBenchmark.Options(20, 8, 1, "valid"));
            assertThat(r.images()).isEqualTo(20);
            assertThat(r.store()).startsWith("lance:");
            assertThat(r.storedRows()).as("rows the pipeline wrote to Lance").isEqualTo(20);
            assertThat(r.precision()).isEqualTo(model.precision().name());
            assertThat(r.encoderImagesPerSecond()).isPositive().isFinite();
            assertThat(r.pipelineImagesPerSecond()).isPositive().isFinite();
            assertThat(r.preprocessImagesPerSecond()).isPositive().isFinite();
            // the temporary Lance folder is gone
            Path lanceDir = Path.of(r.store().substring("lance:".length()));
            assertThat(lanceDir.startsWith(systemTemp))
                    .as("%s in %s", lanceDir, systemTemp)
                    .isTrue();
            assertThat(Files.exists(lanceDir)).as("%s removed", lanceDir).isFalse();

            JsonNode json = new ObjectMapper().readTree(r.toJson());
            assertThat(json.get("store").asText()).isEqualTo(r.store());
            assertThat(json.get("stored_rows").asLong()).isEqualTo(20);
            assertThat(json.get("pipeline_images_per_second").asDouble())
                    .isEqualTo(r.pipelineImagesPerSecond());
            assertThat(r.toTable()).contains("whole pipeline").contains("into lance:");
        }
    }

    @Test
    void aNamedStoreGetsItsOwnTableThatIsEmptiedAfterwards() throws Exception {
        HfDataset dataset = Fixtures.loadDataset(tmp, 24);
        Path db = tmp.resolve("lancedb");
        String uri = "lance:" + db;
        try (ClipModel model = Fixtures.loadTinyModel(tmp.resolve("model"))) {
            IngestBenchmark.Result r =
                    IngestBenchmark.run(
                            model, dataset, new IngestBenchmark.Options(12, 4, 1, "valid", uri));
            assertThat(r.store()).isEqualTo(uri);
            assertThat(r.storedRows()).isEqualTo(12);
            String table;
            try (Stream<Path> tables = Files.list(db)) {
                table =
                        tables.map(p -> p.getFileName().toString())
                                .filter(n -> n.startsWith("ingest_bench_") && n.endsWith(".lance"))
                                .findFirst()
                                .orElseThrow();
            }
            try (VectorStore store =
                    VectorStores.openExisting(uri, table.substring(0, table.length() - 6))) {
                assertThat(store.count()).isZero();
            }
        }
    }
}
