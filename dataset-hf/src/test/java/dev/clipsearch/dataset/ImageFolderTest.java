package dev.clipsearch.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders of images in class folders. */
class ImageFolderTest {

    @TempDir Path tempDir;

    @Test
    void labelsAreSortedClassFoldersAndRowsAreInStableOrder() throws Exception {
        Path dir =
                TestDatasets.writeImageFolder(
                        tempDir.resolve("pets"), List.of("dog", "cat", "bird"), 3);
        Files.writeString(dir.resolve("cat/notes.txt"), "not an image");
        Files.writeString(
                dir.resolve("README.md"), "# A card does not make it a parquet dataset\n");
        Files.createDirectories(dir.resolve(".thumbs"));
        Files.write(dir.resolve(".thumbs/x.png"), TestDatasets.png(9, 9, 8));
        Files.write(dir.resolve("cat/broken.jpg"), new byte[] {1, 2, 3});
        Files.write(
                dir.resolve("cat/IMG_LOUD.JPEG"),
                TestDatasets.encode(
                        new java.awt.image.BufferedImage(
                                4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB),
                        "jpeg"));

        HfDataset dataset = HfDatasets.load(dir.toString());
        assertThat(dataset.name()).isEqualTo("pets");
        assertThat(dataset.splits()).containsExactly("train");
        assertThat(dataset.labelNames().asMap().values()).containsExactly("bird", "cat", "dog");
        DatasetSplit split = dataset.split("train");
        assertThat(split.size()).isEqualTo(11);

        List<BadRow> bad = new ArrayList<>();
        List<DatasetRow> rows = new ArrayList<>();
        try (RowCursor cursor = split.open(0, bad::add)) {
            cursor.forEachRemaining(rows::add);
        }
        assertThat(rows)
                .extracting(DatasetRow::path)
                .containsExactly(
                        "bird/img_000.png",
                        "bird/img_001.png",
                        "bird/img_002.png",
                        "cat/IMG_LOUD.JPEG",
                        "cat/img_000.png",
                        "cat/img_001.png",
                        "cat/img_002.png",
                        "dog/img_000.png",
                        "dog/img_001.png",
                        "dog/img_002.png");
        assertThat(rows)
                .extracting(DatasetRow::label)
                .containsExactly(0, 0, 0, 1, 1, 1, 1, 2, 2, 2);
        assertThat(rows.get(1).image()).isEqualTo(TestDatasets.png(2, 1, 16));
        assertThat(bad)
                .singleElement()
                .satisfies(
                        b -> {
                            assertThat(b.index())
                                    .isEqualTo(
                                            4); // "cat/IMG_LOUD.JPEG" sorts before "cat/broken.jpg"
                            assertThat(b.reason()).contains("not an image");
                        });
        assertThat(rows)
                .extracting(DatasetRow::index)
                .containsExactly(0L, 1L, 2L, 3L, 5L, 6L, 7L, 8L, 9L, 10L);

        List<DatasetRow> resumed = new ArrayList<>();
        try (RowCursor cursor = split.open(6, b -> {})) {
            cursor.forEachRemaining(resumed::add);
        }
        assertThat(resumed).hasSize(5);
        for (int i = 0; i < resumed.size(); i++) {
            TinyImagenetTest.assertSameRow(resumed.get(i), rows.get(5 + i));
        }
    }

    @Test
    void splitFoldersShareTheLabels() {
        TestDatasets.writeImageFolder(tempDir.resolve("train"), List.of("a", "b"), 2);
        TestDatasets.writeImageFolder(tempDir.resolve("valid"), List.of("b", "c"), 1);
        HfDataset dataset = HfDatasets.fromImageFolder(tempDir);
        assertThat(dataset.splits()).containsExactly("train", "valid");
        assertThat(dataset.labelNames().asMap().values()).containsExactly("a", "b", "c");
        List<DatasetRow> valid = HubDatasetTest.readAll(dataset.split("valid"), 0);
        assertThat(valid).extracting(DatasetRow::label).containsExactly(1, 2);
        assertThat(valid).extracting(DatasetRow::split).containsOnly("valid");
        assertThat(dataset.split("train").size()).isEqualTo(4);
        assertThatThrownBy(() -> dataset.split("test"))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("[train, valid]");
    }

    @Test
    void aMissingFolderIsReported() {
        assertThatThrownBy(() -> HfDatasets.fromImageFolder(tempDir.resolve("nope")))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("nope");
    }
}
