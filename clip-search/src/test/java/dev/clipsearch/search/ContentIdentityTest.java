package dev.clipsearch.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clipsearch.core.ClipModel;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.dataset.TestDatasets;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identity by content: resume compares source, label and image SHA-256, not row positions. */
class ContentIdentityTest {
    @TempDir static Path tmp;
    @TempDir Path dir;

    static Path modelDir;
    static ClipModel model;

    @BeforeAll
    static void load() {
        modelDir = Fixtures.tinyModel(tmp.resolve("model"));
        model = dev.clipsearch.core.ClipModels.load(modelDir);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static VectorStore freshStore() {
        return VectorStores.open(Fixtures.memoryStore(), "image_search", model.dimension());
    }

    private static ImageIndexer.Options options() {
        return ImageIndexer.Options.defaults()
                .model(modelDir.toString())
                .split("train")
                .batchSize(4)
                .workers(2);
    }

    /** Indexes the image folder {@code folder} into {@code store}. */
    private static IndexSummary index(
            VectorStore store, Path folder, ImageIndexer.Options options) {
        return ImageIndexer.index(model, HfDatasets.load(folder.toString()), store, options, null);
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    /** What the folder holds now: sha256 of each image -> its class folder. */
    private static Map<String, String> folderContents(Path folder) throws IOException {
        Map<String, String> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String sha = IngestPipeline.sha256(Files.readAllBytes(f));
                assertThat(out.put(sha, f.getParent().getFileName().toString()))
                        .as("test images are distinct")
                        .isNull();
            }
        }
        return out;
    }

    /** Checks that the table holds exactly the folder's images, each once, with right labels. */
    private static void assertTableHoldsExactly(VectorStore store, Path folder) throws IOException {
        Map<String, String> expected = folderContents(folder);
        HfDataset dataset = HfDatasets.load(folder.toString());
        List<ImageRecord> stored = new ArrayList<>();
        store.scan(true, stored::add);
        Map<String, String> actual = new HashMap<>();
        for (ImageRecord r : stored) {
            String sha = IngestPipeline.sha256(r.imageBytes());
            assertThat(r.metadata()).containsEntry(Metadata.SHA256, sha);
            String labelName = r.metadata().get(Metadata.LABEL_NAME);
            assertThat(dataset.labelNames().name(r.label())).as(r.id()).contains(labelName);
            assertThat(r.metadata().get(Metadata.ORIGIN))
                    .as(r.id())
                    .startsWith(dataset.name() + "/train/" + labelName + "/");
            assertThat(actual.put(sha, labelName)).as("stored once: " + r.id()).isNull();
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(store.count()).isEqualTo(expected.size());
    }

    @Test
    void addingRemovingAndReorderingImagesEndsWithExactlyTheCurrentImages() throws IOException {
        Path folder = dir.resolve("pets");
        for (int i = 0; i < 5; i++) {
            write(folder.resolve("cat/c" + i + ".png"), TestDatasets.png(0, i + 1, 16));
            write(folder.resolve("dog/d" + i + ".png"), TestDatasets.png(1, i + 1, 16));
        }
        try (VectorStore store = freshStore()) {
            IndexSummary first = index(store, folder, options());
            assertThat(first.indexed()).isEqualTo(10);
            assertTableHoldsExactly(store, folder);

            // unchanged: a rerun skips every row
            IndexSummary same = index(store, folder, options());
            assertThat(same.indexed()).isZero();
            assertThat(same.alreadyStored()).isEqualTo(10);

            // add an image in the middle, a new class before the others (shifts every label),
            // remove three, and swap the contents of two files (reorder)
            write(folder.resolve("cat/c15.png"), TestDatasets.png(0, 40, 16));
            write(folder.resolve("ant/a0.png"), TestDatasets.png(2, 41, 16));
            Files.delete(folder.resolve("dog/d2.png"));
            Files.delete(folder.resolve("dog/d3.png"));
            Files.delete(folder.resolve("dog/d4.png"));
            byte[] c0 = Files.readAllBytes(folder.resolve("cat/c0.png"));
            Files.write(
                    folder.resolve("cat/c0.png"), Files.readAllBytes(folder.resolve("cat/c3.png")));
            Files.write(folder.resolve("cat/c3.png"), c0);

            IndexSummary kept = index(store, folder, options());
            assertThat(kept.replaced()).isPositive();
            assertThat(kept.stale()).isEqualTo(1); // 10 rows then, 9 now: one id past the end
            assertThat(kept.staleRemoved()).isFalse();
            assertThat(kept.toText())
                    .contains("no longer in the dataset")
                    .contains("removeMissing(true)");
            assertThat(store.count()).isEqualTo(10);

            IndexSummary pruned = index(store, folder, options().removeMissing(true));
            assertThat(pruned.indexed()).isZero();
            assertThat(pruned.stale()).isEqualTo(1);
            assertThat(pruned.staleRemoved()).isTrue();
            assertTableHoldsExactly(store, folder);

            // a changed image under the same name is re-encoded and replaced
            Files.write(folder.resolve("dog/d1.png"), TestDatasets.png(1, 50, 16));
            IndexSummary changed = index(store, folder, options());
            assertThat(changed.indexed()).isEqualTo(1);
            assertThat(changed.replaced()).isEqualTo(1);
            assertTableHoldsExactly(store, folder);
        }
    }

    @Test
    void anotherDatasetIsRefusedUnlessAdded() throws IOException {
        Path pets = dir.resolve("pets");
        Path cars = dir.resolve("cars");
        for (int i = 0; i < 3; i++) {
            write(pets.resolve("cat/c" + i + ".png"), TestDatasets.png(0, i + 1, 16));
            write(cars.resolve("red/r" + i + ".png"), TestDatasets.png(3, i + 7, 16));
        }
        try (VectorStore store = freshStore()) {
            index(store, pets, options());
            assertThatThrownBy(() -> index(store, cars, options()))
                    .isInstanceOf(DatasetMismatchException.class)
                    .hasMessageContaining("holds dataset pets, not cars")
                    .hasMessageContaining("addToExisting(true)")
                    .satisfies(
                            e -> {
                                DatasetMismatchException d = (DatasetMismatchException) e;
                                assertThat(d.dataset()).isEqualTo("cars");
                                assertThat(d.tableDatasets()).containsExactly("pets");
                            });
            assertThat(store.count()).isEqualTo(3);

            IndexSummary added = index(store, cars, options().addToExisting(true));
            // both folders are split "train": the ids collide, the content check replaces them
            assertThat(added.indexed()).isEqualTo(3);
            assertThat(store.tableMetadata().get(Metadata.TABLE_DATASETS)).isEqualTo("pets\ncars");
            // then either dataset may be indexed again without the option
            index(store, pets, options());
        }
    }

    @Test
    void aTableWrittenBeforeDatasetRecordsIsJudgedByItsRows() throws IOException {
        Path pets = dir.resolve("pets");
        write(pets.resolve("cat/c.png"), TestDatasets.png(0, 1, 16));
        Path cars = dir.resolve("cars");
        write(cars.resolve("red/r.png"), TestDatasets.png(3, 2, 16));
        try (VectorStore store = freshStore()) {
            ImageRecord old =
                    new ImageRecord(
                            "train-000000",
                            0,
                            TestDatasets.png(0, 1, 16),
                            model.imageEncoder().encode(TestDatasets.png(0, 1, 16), "old"),
                            Map.of(Metadata.SOURCE, "pets/train"));
            store.upsert(List.of(old)); // no table metadata, as before this change
            assertThatThrownBy(() -> index(store, cars, options()))
                    .isInstanceOf(DatasetMismatchException.class)
                    .hasMessageContaining("pets");
            IndexSummary resumed = index(store, pets, options());
            // the old row has no sha256: it is encoded again, once
            assertThat(resumed.indexed()).isEqualTo(1);
            assertThat(resumed.replaced()).isEqualTo(1);
            assertThat(store.count()).isEqualTo(1);
        }
    }
}
