package dev.clipsearch.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clipsearch.core.ClipModel;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.dataset.TestDatasets;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.VectorChecks;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageIndexerTest {
    @TempDir static Path tmp;

    static ClipModel model;
    static HfDataset dataset;
    static final int ROWS = 45;

    @BeforeAll
    static void load() {
        model = Fixtures.loadTinyModel(tmp.resolve("model"));
        dataset = Fixtures.loadDataset(tmp, ROWS);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static VectorStore freshStore() {
        return VectorStores.open(Fixtures.memoryStore(), "image_search", model.dimension());
    }

    @Test
    void indexesEveryRowWithStableIdsMetadataAndTheEncodersVectors() {
        List<ImageRecord> offered = Collections.synchronizedList(new ArrayList<>());
        try (VectorStore store = freshStore()) {
            IndexSummary summary =
                    ImageIndexer.index(
                            model,
                            dataset,
                            store,
                            ImageIndexer.Options.defaults()
                                    .batchSize(4)
                                    .writeBatchSize(8)
                                    .workers(2),
                            offered::add);

            assertThat(summary.rows()).isEqualTo(ROWS);
            assertThat(summary.indexed()).isEqualTo(ROWS);
            assertThat(summary.skipped()).isZero();
            assertThat(summary.complete()).isTrue();
            assertThat(store.count()).isEqualTo(ROWS);
            assertThat(offered).hasSize(ROWS);

            List<String> ids =
                    IntStream.range(0, ROWS).mapToObj(i -> String.format("valid-%06d", i)).toList();
            assertThat(store.existingIds(ids)).containsExactlyInAnyOrderElementsOf(ids);
            String source = dataset.name() + "/valid";
            for (int i = 0; i < ROWS; i++) {
                ImageRecord r = store.get(ids.get(i)).orElseThrow();
                assertThat(r.label()).isEqualTo(i % 4);
                assertThat(r.metadata())
                        .containsEntry("labelName", Fixtures.CLASSES.get(i % 4))
                        .containsEntry("source", source)
                        .containsEntry("width", "16")
                        .containsEntry("height", "16")
                        .containsKey("path");
                assertThat(r.imageBytes()).isNotEmpty();
                assertThat(VectorChecks.norm(r.vector()))
                        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
                // the batched, multi-threaded pipeline gives each row the vector of its own image
                float[] direct = model.imageEncoder().encode(r.imageBytes(), r.id());
                assertThat(VectorChecks.cosine(direct, r.vector()))
                        .as(r.id())
                        .isGreaterThan(0.9999);
            }
        }
    }

    @Test
    void aRerunResumesAndStoresEveryRowExactlyOnce() {
        try (VectorStore store = freshStore()) {
            ImageIndexer.Options options = ImageIndexer.Options.defaults().batchSize(8).limit(20);
            assertThat(ImageIndexer.index(model, dataset, store, options, null).indexed())
                    .isEqualTo(20);

            IndexSummary all = ImageIndexer.index(model, dataset, store, options.limit(0), null);
            assertThat(all.alreadyStored()).isEqualTo(20);
            assertThat(all.indexed()).isEqualTo(ROWS - 20);
            assertThat(store.count()).isEqualTo(ROWS);

            store.delete(List.of("valid-000003", "valid-000030"));
            List<ImageRecord> offered = new ArrayList<>();
            IndexSummary again = ImageIndexer.index(model, dataset, store, options, offered::add);
            assertThat(again.indexed()).isEqualTo(2);
            assertThat(again.alreadyStored()).isEqualTo(ROWS - 2);
            assertThat(offered)
                    .extracting(ImageRecord::id)
                    .containsExactlyInAnyOrder("valid-000003", "valid-000030");
            assertThat(store.count()).isEqualTo(ROWS);
        }
    }

    @Test
    void badRowsAreSkippedAndReportedWhileGoodRowsAreStored() {
        List<byte[]> images =
                Arrays.asList(
                        TestDatasets.png(0, 1, 16),
                        null,
                        "not an image at all".getBytes(StandardCharsets.UTF_8),
                        TestDatasets.png(1, 2, 16),
                        Arrays.copyOf(TestDatasets.png(2, 3, 64), 40),
                        TestDatasets.png(3, 4, 16));
        Path file =
                TestDatasets.writeImageParquet(
                        tmp.resolve("bad/data/valid-00000-of-00001.parquet"),
                        images,
                        List.of(0, 1, 2, 3, 0, 1),
                        Fixtures.CLASSES);
        HfDataset bad = HfDatasets.load(file.toString());
        try (VectorStore store = freshStore()) {
            IndexSummary summary =
                    ImageIndexer.index(
                            model,
                            bad,
                            store,
                            ImageIndexer.Options.defaults().split(bad.splits().get(0)).batchSize(2),
                            null);
            assertThat(summary.rows()).isEqualTo(6);
            assertThat(summary.indexed()).isEqualTo(3);
            assertThat(summary.skipped()).isEqualTo(3);
            assertThat(summary.skippedRows())
                    .extracting(r -> r.index())
                    .containsExactlyInAnyOrder(1L, 2L, 4L);
            assertThat(summary.skippedRows()).allSatisfy(r -> assertThat(r.reason()).isNotBlank());
            assertThat(summary.toText()).contains("skipped").contains("row 1");
            String split = bad.splits().get(0);
            Set<String> stored =
                    store.existingIds(
                            IntStream.range(0, 6)
                                    .mapToObj(i -> ImageIndexer.rowId(split, i))
                                    .toList());
            assertThat(stored)
                    .containsExactlyInAnyOrder(
                            ImageIndexer.rowId(split, 0),
                            ImageIndexer.rowId(split, 3),
                            ImageIndexer.rowId(split, 5));
        }
        try (VectorStore store = freshStore()) {
            // a limit counts rows, bad ones included: rows 0..3 -> 0 and 3 stored, 1 and 2 skipped,
            // nothing after
            IndexSummary limited =
                    ImageIndexer.index(
                            model,
                            bad,
                            store,
                            ImageIndexer.Options.defaults().split(bad.splits().get(0)).limit(4),
                            null);
            assertThat(limited.rows()).isEqualTo(4);
            assertThat(limited.indexed()).isEqualTo(2);
            assertThat(limited.skipped()).isEqualTo(2);
            assertThat(store.count()).isEqualTo(2);
        }
    }

    @Test
    void generateOpensModelDatasetAndStoreByName() {
        String uri = Fixtures.memoryStore();
        ImageIndexer.Options options =
                ImageIndexer.Options.defaults()
                        .model(Fixtures.tinyModel(tmp.resolve("m2")).toString())
                        .dataset(Fixtures.dataset(tmp.resolve("d2"), 12).toString())
                        .store(uri)
                        .table("t")
                        .batchSize(5);
        List<ImageRecord> records = ImageIndexer.generateRecords(options);
        assertThat(records)
                .extracting(ImageRecord::id)
                .isSortedAccordingTo(Comparator.naturalOrder())
                .containsExactlyElementsOf(
                        IntStream.range(0, 12)
                                .mapToObj(i -> ImageIndexer.rowId("valid", i))
                                .collect(Collectors.toList()));
        try (VectorStore store = VectorStores.openExisting(uri, "t")) {
            assertThat(store.count()).isEqualTo(12);
        }
    }

    @Test
    void aTableOfAnotherDimensionIsRefusedBeforeAnythingIsWritten() {
        try (VectorStore store = VectorStores.open(Fixtures.memoryStore(), "small", 8)) {
            assertThatThrownBy(
                            () ->
                                    ImageIndexer.index(
                                            model,
                                            dataset,
                                            store,
                                            ImageIndexer.Options.defaults(),
                                            null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("512")
                    .hasMessageContaining("8-d");
            assertThat(store.count()).isZero();
        }
    }

    @Test
    void aTableFilledByAnotherModelIsRefused() {
        try (VectorStore store = freshStore()) {
            ImageIndexer.index(
                    model, dataset, store, ImageIndexer.Options.defaults().limit(4), null);
            ImageRecord first = store.get("valid-000000").orElseThrow();
            float[] other = first.vector().clone();
            for (int i = 0; i < other.length; i += 2) {
                other[i] = -other[i];
            }
            store.upsert(
                    List.of(
                            new ImageRecord(
                                    first.id(),
                                    first.label(),
                                    first.imageBytes(),
                                    other,
                                    first.metadata())));
            assertThatThrownBy(
                            () ->
                                    ImageIndexer.index(
                                            model,
                                            dataset,
                                            store,
                                            ImageIndexer.Options.defaults(),
                                            null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("indexed with another model");
            assertThat(store.count()).isEqualTo(4);
        }
    }

    @Test
    void aFailingStoreWriteStopsTheRunAndKeepsWhatWasWritten() {
        try (VectorStore memory = freshStore()) {
            int[] writes = {0};
            VectorStore failing =
                    (VectorStore)
                            java.lang.reflect.Proxy.newProxyInstance(
                                    getClass().getClassLoader(),
                                    new Class<?>[] {VectorStore.class},
                                    (proxy, method, args) -> {
                                        if (method.getName().equals("upsert") && ++writes[0] == 3) {
                                            throw new IllegalStateException("disk full");
                                        }
                                        try {
                                            return method.invoke(memory, args);
                                        } catch (java.lang.reflect.InvocationTargetException e) {
                                            throw e.getCause();
                                        }
                                    });
            assertThatThrownBy(
                            () ->
                                    ImageIndexer.index(
                                            model,
                                            dataset,
                                            failing,
                                            ImageIndexer.Options.defaults()
                                                    .batchSize(5)
                                                    .writeBatchSize(5),
                                            null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("disk full");
            assertThat(memory.count()).isEqualTo(10);
            IndexSummary resumed =
                    ImageIndexer.index(
                            model, dataset, memory, ImageIndexer.Options.defaults(), null);
            assertThat(resumed.alreadyStored()).isEqualTo(10);
            assertThat(memory.count()).isEqualTo(ROWS);
        }
    }

    @Test
    void badOptionsAreRejectedWithClearMessages() {
        assertThatThrownBy(() -> ImageIndexer.Options.defaults().batchSize(0))
                .hasMessageContaining("batch size");
        assertThatThrownBy(() -> ImageIndexer.Options.defaults().workers(0))
                .hasMessageContaining("workers");
    }
}
