package dev.clipsearch.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet schemas (struct or binary images, integer or missing labels, columns named by the card);
 * bad rows are skipped and reported; bad files fail with an exception naming the file.
 */
class ParquetReadingTest {

    @TempDir Path tempDir;

    @Test
    void skipsAndReportsRowsWithoutAnImage() {
        byte[] good = TestDatasets.png(0, 0, 8);
        List<byte[]> images =
                Arrays.asList(
                        good,
                        null,
                        "not an image at all".getBytes(StandardCharsets.UTF_8),
                        good,
                        new byte[0],
                        new byte[] {(byte) 0xff, (byte) 0xd8},
                        good);
        List<Integer> labels = Arrays.asList(0, 1, 2, 3, 4, 5, null);
        Path file =
                TestDatasets.writeImageParquet(
                        tempDir.resolve("data/train-00000-of-00001.parquet"), images, labels);
        DatasetSplit split = HfDatasets.fromParquet(tempDir).split("train");
        assertThat(split.size()).isEqualTo(7);

        List<BadRow> bad = new ArrayList<>();
        List<DatasetRow> rows = new ArrayList<>();
        try (RowCursor cursor = split.open(0, bad::add)) {
            cursor.forEachRemaining(rows::add);
        }
        assertThat(rows).extracting(DatasetRow::index).containsExactly(0L, 3L, 6L);
        assertThat(rows).extracting(DatasetRow::label).containsExactly(0, 3, -1);
        assertThat(rows)
                .extracting(DatasetRow::path)
                .containsExactly("img_0.png", "img_3.png", "img_6.png");
        assertThat(bad).extracting(BadRow::index).containsExactly(1L, 2L, 4L, 5L);
        assertThat(bad).allMatch(b -> b.split().equals("train"));
        assertThat(bad.get(0).reason()).contains("null");
        assertThat(bad.get(1).reason()).contains("not an image").contains("0x6e6f7420");
        assertThat(bad.get(2).reason()).contains("empty");
        assertThat(bad.get(3).reason()).contains("not an image");

        // Resuming inside a run of bad rows reports only those from the start row on.
        bad.clear();
        try (RowCursor cursor = split.open(2, bad::add)) {
            assertThat(cursor.next().index()).isEqualTo(3);
            assertThat(cursor.next().index()).isEqualTo(6);
            assertThat(cursor.hasNext()).isFalse();
        }
        assertThat(bad).extracting(BadRow::index).containsExactly(2L, 4L, 5L);
        assertThat(file).exists();
    }

    @Test
    void acceptsABinaryImageColumnAndInt32OrMissingLabels() {
        String png = hex(TestDatasets.png(1, 1, 8));
        Path int32 =
                TestDatasets.writeParquet(
                        tempDir.resolve("a.parquet"),
                        "SELECT unhex('"
                                + png
                                + "') AS image, 7::INTEGER AS label, 'x' AS caption");
        DatasetRow row = single(HfDatasets.fromParquet(int32).split("train"));
        assertThat(row.label()).isEqualTo(7);
        assertThat(row.path()).isNull();
        assertThat(ImageFormats.sniff(row.image())).isEqualTo("png");

        Path unlabeled =
                TestDatasets.writeParquet(
                        tempDir.resolve("b.parquet"),
                        "SELECT {'bytes': unhex('" + png + "')} AS image");
        assertThat(single(HfDatasets.fromParquet(unlabeled).split("train")).label()).isEqualTo(-1);
    }

    @Test
    void readsTheColumnsTheCardNames() throws Exception {
        String png = hex(TestDatasets.png(1, 1, 8));
        TestDatasets.writeParquet(
                tempDir.resolve("data/train-00000-of-00001.parquet"),
                "SELECT {'bytes': unhex('"
                        + png
                        + "'), 'path': 'a.png'} AS img, 2::BIGINT AS fine_label, "
                        + "0::BIGINT AS label");
        Files.writeString(
                tempDir.resolve("README.md"),
                """
                ---
                dataset_info:
                  features:
                  - name: img
                    dtype: image
                  - name: fine_label
                    dtype: {class_label: {names: [x, y, z]}}
                ---
                """);
        HfDataset dataset = HfDatasets.load(tempDir.toString());
        DatasetRow row = single(dataset.split("train"));
        assertThat(row.label()).isEqualTo(2);
        assertThat(row.path()).isEqualTo("a.png");
        assertThat(dataset.labelNames().name(row.label())).contains("z");
    }

    private static DatasetRow single(DatasetSplit split) {
        try (RowCursor cursor = split.open()) {
            DatasetRow row = cursor.next();
            assertThat(cursor.hasNext()).isFalse();
            return row;
        }
    }

    @Test
    void aFileWithoutTheImageColumnNamesTheFileAndItsColumns() {
        Path file =
                TestDatasets.writeParquet(
                        tempDir.resolve("text.parquet"),
                        "SELECT 'hello' AS text, 1::BIGINT AS label");
        DatasetSplit split = HfDatasets.fromParquet(file).split("train");
        assertThatThrownBy(() -> split.open().hasNext())
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("no 'image' column")
                .hasMessageContaining("text")
                .hasMessageContaining("label");
    }

    @Test
    void wrongColumnTypesAreNamed() {
        Path textImage =
                TestDatasets.writeParquet(
                        tempDir.resolve("s.parquet"), "SELECT 'x' AS image, 1 AS label");
        assertThatThrownBy(() -> HfDatasets.fromParquet(textImage).split("train").open().hasNext())
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("s.parquet")
                .hasMessageContaining("column 'image' has type VARCHAR");
        String png = hex(TestDatasets.png(1, 1, 8));
        Path textLabel =
                TestDatasets.writeParquet(
                        tempDir.resolve("l.parquet"),
                        "SELECT unhex('" + png + "') AS image, 'cat' AS label");
        assertThatThrownBy(() -> HfDatasets.fromParquet(textLabel).split("train").open().hasNext())
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("l.parquet")
                .hasMessageContaining("column 'label' has type VARCHAR");
    }

    @Test
    void aTruncatedFileIsNamed() throws Exception {
        Path dir = TestDatasets.tinyImagenetValid(tempDir);
        Path file = dir.resolve(TestDatasets.TINY_IMAGENET_VALID_FILE);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        DatasetSplit split = HfDatasets.load(dir.toString()).split("valid");
        assertThatThrownBy(split::size)
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> split.open(0, row -> {}))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void aCorruptPageIsNamed() throws Exception {
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            images.add(TestDatasets.png(i, i, 32));
        }
        Path file =
                TestDatasets.writeImageParquet(
                        tempDir.resolve("c.parquet"), images, java.util.Collections.nCopies(50, 1));
        byte[] bytes = Files.readAllBytes(file);
        // Overwrite the middle of the data pages (the footer stays intact, so the file still
        // opens).
        for (int i = 200; i < bytes.length / 2; i++) {
            bytes[i] = (byte) 0x5a;
        }
        Files.write(file, bytes);
        DatasetSplit split = HfDatasets.fromParquet(file).split("train");
        assertThatThrownBy(
                        () -> {
                            try (RowCursor cursor = split.open(0, row -> {})) {
                                cursor.forEachRemaining(row -> {});
                            }
                        })
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void anUnknownSplitListsTheSplits() {
        TestDatasets.writeImageParquet(
                tempDir.resolve("data/train-00000-of-00001.parquet"),
                List.of(TestDatasets.png(0, 0, 8)),
                List.of(0));
        TestDatasets.writeImageParquet(
                tempDir.resolve("data/valid-00000-of-00001.parquet"),
                List.of(TestDatasets.png(0, 0, 8)),
                List.of(0));
        HfDataset dataset = HfDatasets.load(tempDir.toString());
        assertThatThrownBy(() -> dataset.split("validation"))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("'validation'")
                .hasMessageContaining("[train, valid]");
    }

    @Test
    void aPathThatIsNeitherFileNorRepoIdIsRejected() {
        assertThatThrownBy(() -> HfDatasets.load(tempDir.resolve("missing").toString()))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> HfDatasets.fromParquet(tempDir.resolve("missing.parquet")))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("missing.parquet");
    }

    static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
