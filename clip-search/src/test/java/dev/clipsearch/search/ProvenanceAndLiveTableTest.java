package dev.clipsearch.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.TestModels;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.hub.HfHub;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model provenance recorded and checked; searches that follow the table as it grows. */
class ProvenanceAndLiveTableTest {
    @TempDir static Path tmp;
    @TempDir Path dir;

    static Path modelDir;
    static Path otherModelDir;
    static ClipModel model;
    static HfDataset dataset;
    static Path datasetDir;
    static final int ROWS = 24;
    static final HfHub HUB = HfHub.fromEnvironment();

    @BeforeAll
    static void load() throws IOException {
        modelDir = Fixtures.tinyModel(tmp.resolve("model"));
        model = ClipModels.load(modelDir, TestModels.FP32);
        datasetDir = Fixtures.dataset(tmp, ROWS);
        dataset = dev.clipsearch.dataset.HfDatasets.load(datasetDir.toString());
        // the same architecture with one weight changed (the last 4 bytes of the data)
        otherModelDir = Fixtures.tinyModel(tmp.resolve("other"));
        Path weights = otherModelDir.resolve("model.safetensors");
        long size = Files.size(weights);
        try (var ch = java.nio.channels.FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, (byte) 0x80, 0x3f}), size - 4);
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static ImageIndexer.Options options() {
        return ImageIndexer.Options.defaults()
                .model(modelDir.toString())
                .dataset(datasetDir.toString())
                .batchSize(8);
    }

    @Test
    void theTableRecordsItsModelAndRefusesAnother() {
        String uri = Fixtures.memoryStore();
        try (VectorStore store = VectorStores.open(uri, "image_search", model.dimension())) {
            ImageIndexer.index(model, dataset, store, options().limit(8), null);
            Map<String, String> meta = store.tableMetadata();
            assertThat(meta)
                    .containsEntry(ModelProvenance.NAME_KEY, "tiny-clip")
                    .containsEntry(ModelProvenance.DIMENSION_KEY, "512")
                    .containsEntry(ModelProvenance.PRECISION_KEY, "FP32")
                    .containsEntry(Metadata.TABLE_DATASETS, dataset.name());
            assertThat(meta.get(ModelProvenance.FINGERPRINT_KEY)).matches("sha256:[0-9a-f]{64}");

            try (ClipModel other = ClipModels.load(otherModelDir, TestModels.FP32)) {
                ImageIndexer.Options otherOptions =
                        ImageIndexer.Options.defaults().model(otherModelDir.toString());
                assertThatThrownBy(
                                () -> ImageIndexer.index(other, dataset, store, otherOptions, null))
                        .isInstanceOf(ModelMismatchException.class)
                        .hasMessageContaining(
                                "made by model tiny-clip (512-d, FP32, weights sha256:")
                        .hasMessageContaining("not by tiny-clip (512-d, FP32, weights sha256:")
                        .hasMessageContaining("allowModelMismatch(true)")
                        .hasMessageNotContaining(" --");
                assertThat(store.count()).isEqualTo(8);
            }
            assertThatThrownBy(
                            () ->
                                    ImageSearch.open(
                                            otherModelDir.toString(),
                                            uri,
                                            "image_search",
                                            HUB,
                                            TestModels.FP32))
                    .isInstanceOf(ModelMismatchException.class)
                    .hasMessageContaining("Use tiny-clip to search it");
            try (ImageSearch allowed =
                    ImageSearch.open(
                            otherModelDir.toString(),
                            uri,
                            "image_search",
                            HUB,
                            TestModels.FP32,
                            true)) {
                assertThat(allowed.findHits("a red square", 3, null)).hasSize(3);
            }

            // the same weights in bf16: no mismatch, both precisions recorded
            try (ClipModel bf16 = ClipModels.load(modelDir, TestModels.BF16)) {
                ImageIndexer.index(bf16, dataset, store, options().limit(10), null);
            }
            assertThat(store.tableMetadata())
                    .containsEntry(ModelProvenance.PRECISION_KEY, "BF16,FP32");
            try (ImageSearch same =
                    ImageSearch.open(
                            modelDir.toString(), uri, "image_search", HUB, TestModels.BF16)) {
                assertThat(same.findHits("a red square", 3, null)).hasSize(3);
            }
        }
    }

    @Test
    void aTableWithoutProvenanceStillOpens() {
        String uri = Fixtures.memoryStore();
        try (VectorStore store = VectorStores.open(uri, "image_search", model.dimension())) {
            byte[] png = dev.clipsearch.dataset.TestDatasets.png(0, 1, 16);
            store.upsert(
                    List.of(
                            new ImageRecord(
                                    "valid-000000",
                                    0,
                                    png,
                                    model.imageEncoder().encode(png, "x"))));
            try (ImageSearch search =
                    ImageSearch.open(
                            otherModelDir.toString(), uri, "image_search", HUB, TestModels.FP32)) {
                assertThat(search.findHits("anything", 1, null))
                        .extracting(ImageHit::id)
                        .containsExactly("valid-000000");
            }
        }
    }

    @Test
    void fingerprintsTellWeightsApartCheaply() {
        String a = ModelProvenance.fingerprint(modelDir.resolve("model.safetensors"));
        String b = ModelProvenance.fingerprint(otherModelDir.resolve("model.safetensors"));
        assertThat(a).isNotEqualTo(b);
        assertThat(ModelProvenance.fingerprint(modelDir.resolve("model.safetensors"))).isEqualTo(a);
        assertThatThrownBy(() -> ModelProvenance.fingerprint(modelDir.resolve("config.json")))
                .hasMessageContaining("Not a safetensors file");
    }

    @Test
    void aMemorySearchSeesRowsIndexedWhileItIsOpen() {
        String uri = Fixtures.memoryStore();
        try (VectorStore writer = VectorStores.open(uri, "image_search", model.dimension())) {
            ImageIndexer.index(model, dataset, writer, options().limit(10), null);
            try (ImageSearch search =
                    ImageSearch.open(
                            modelDir.toString(), uri, "image_search", HUB, TestModels.FP32)) {
                checkFollowsTheTable(
                        search,
                        writer,
                        () -> ImageIndexer.index(model, dataset, writer, options(), null));
            }
        }
    }

    @Test
    void aLanceSearchSeesRowsIndexedByAnotherWriterWhileItIsOpen() {
        String uri = "lance:" + dir.resolve("db");
        ImageIndexer.Options first = options().store(uri).limit(10).modelOptions(TestModels.FP32);
        ImageIndexer.generate(first);
        try (ImageSearch search =
                ImageSearch.open(modelDir.toString(), uri, "image_search", HUB, TestModels.FP32)) {
            search.refreshInterval(Duration.ZERO);
            try (VectorStore reader = VectorStores.openExisting(uri, "image_search")) {
                checkFollowsTheTable(
                        search,
                        reader,
                        () ->
                                ImageIndexer.generate(
                                        options().store(uri).modelOptions(TestModels.FP32)));
            }
        }
    }

    /** Indexes the rest of the dataset while {@code search} is open; then it must find them. */
    private static void checkFollowsTheTable(
            ImageSearch search, VectorStore reader, Runnable indexRest) {
        search.refreshInterval(Duration.ZERO);
        assertThat(search.store().count()).isEqualTo(10);
        assertThat(search.imageBytes("valid-000020")).isEmpty();
        indexRest.run();
        assertThat(search.store().count()).isEqualTo(ROWS);
        assertThat(search.store().info().rows()).isEqualTo(ROWS);
        reader.refresh();
        ImageRecord late = reader.get("valid-000020").orElseThrow();
        assertThat(search.imageBytes("valid-000020"))
                .hasValueSatisfying(b -> assertThat(b).isEqualTo(late.imageBytes()));
        List<ImageHit> hits = search.findSimilarHits(late.imageBytes(), "late", 1, null);
        assertThat(hits).extracting(ImageHit::id).containsExactly("valid-000020");
        assertThat(hits.get(0).score()).isGreaterThan(0.999f);
    }
}
