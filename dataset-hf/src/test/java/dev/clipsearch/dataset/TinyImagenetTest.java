package dev.clipsearch.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Tiny ImageNet validation split (10,000 JPEGs, 200 classes), read from a local dir in the
 * Hub's layout.
 */
class TinyImagenetTest {

    private static final Logger LOG = LoggerFactory.getLogger(TinyImagenetTest.class);

    @TempDir static Path tempDir;
    static Path dir;

    @BeforeAll
    static void copySplit() {
        dir = TestDatasets.tinyImagenetValid(tempDir);
    }

    @Test
    void readsAllRowsWithLabelsAndNamesFromTheCard() {
        HfDataset dataset = HfDatasets.load(dir.toString());
        assertThat(dataset.name()).isEqualTo("tiny-imagenet");
        assertThat(dataset.splits()).containsExactly("valid");
        DatasetSplit split = dataset.split("valid");
        assertThat(split.size()).isEqualTo(10_000);
        assertThat(split.files())
                .containsExactly(
                        dir.resolve(TestDatasets.TINY_IMAGENET_VALID_FILE).toAbsolutePath());

        LabelNames names = dataset.labelNames();
        assertThat(names.size()).isEqualTo(200);
        assertThat(names.name(0)).contains("n01443537");
        assertThat(names.name(199)).contains("n12267677");

        int[] perLabel = new int[200];
        List<BadRow> bad = new ArrayList<>();
        long expectedIndex = 0;
        long start = System.nanoTime();
        long bytes = 0;
        try (RowCursor rows = split.open(0, bad::add)) {
            while (rows.hasNext()) {
                DatasetRow row = rows.next();
                assertThat(row.index()).isEqualTo(expectedIndex++);
                assertThat(row.split()).isEqualTo("valid");
                assertThat(ImageFormats.sniff(row.image())).isEqualTo("jpeg");
                assertThat(row.path()).isEqualTo("val_" + row.index() + ".JPEG");
                perLabel[row.label()]++;
                bytes += row.image().length;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info(
                "read {} rows ({} MB of JPEG) in {} s: {} rows/s",
                expectedIndex,
                bytes / 1_000_000,
                String.format("%.3f", seconds),
                Math.round(expectedIndex / seconds));
        assertThat(bad).isEmpty();
        assertThat(expectedIndex).isEqualTo(10_000);
        assertThat(perLabel).containsOnly(50);
    }

    @Test
    void firstRowsMatchTheCardsLabelOrder() {
        DatasetSplit split = HfDatasets.load(dir.toString()).split("valid");
        try (RowCursor rows = split.open()) {
            DatasetRow first = rows.next();
            // val_0.JPEG of Tiny ImageNet is n03444034 (go-kart), label 107 in the card's sorted
            // WordNet ids.
            assertThat(first.path()).isEqualTo("val_0.JPEG");
            assertThat(first.label()).isEqualTo(107);
            assertThat(HfDatasets.load(dir.toString()).labelNames().name(first.label()))
                    .contains("n03444034");
        }
    }

    @Test
    void resumingGivesTheSameRowsAsAFullReadFromThatRow() {
        DatasetSplit split = HfDatasets.load(dir.toString()).split("valid");
        List<DatasetRow> full = new ArrayList<>();
        try (RowCursor rows = split.open(0, row -> {})) {
            rows.forEachRemaining(full::add);
        }
        for (long startRow : new long[] {0, 1, 2047, 2048, 4321, 9999}) {
            List<DatasetRow> resumed = new ArrayList<>();
            try (RowCursor rows = split.open(startRow, row -> {})) {
                rows.forEachRemaining(resumed::add);
            }
            List<DatasetRow> expected = full.subList((int) startRow, full.size());
            assertThat(resumed).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertSameRow(resumed.get(i), expected.get(i));
            }
        }
        try (RowCursor rows = split.open(10_000, row -> {})) {
            assertThat(rows.hasNext()).isFalse();
        }
    }

    static void assertSameRow(DatasetRow actual, DatasetRow expected) {
        assertThat(actual.index()).isEqualTo(expected.index());
        assertThat(actual.label()).isEqualTo(expected.label());
        assertThat(actual.path()).isEqualTo(expected.path());
        assertThat(Arrays.equals(actual.image(), expected.image()))
                .as("image bytes of row %d", expected.index())
                .isTrue();
    }

    @Test
    void aSingleParquetFileIsASplitNamedByItsShardNameWithNamesFromItsMetadata() {
        HfDataset dataset =
                HfDatasets.fromParquet(dir.resolve(TestDatasets.TINY_IMAGENET_VALID_FILE));
        assertThat(dataset.splits()).containsExactly("valid");
        assertThat(dataset.split("valid").size()).isEqualTo(10_000);
        assertThat(dataset.labelNames()).isEqualTo(HfDatasets.load(dir.toString()).labelNames());
    }

    @Test
    void readableNamesUseTheCardsLabelIndexes() throws Exception {
        LabelNames readable = TinyImageNet.readableNames();
        assertThat(readable.size()).isEqualTo(200);
        assertThat(readable.name(0)).contains("goldfish");
        assertThat(readable.asMap().keySet())
                .containsExactlyElementsOf(
                        HfDatasets.load(dir.toString()).labelNames().asMap().keySet());
        // The wnid column of classes.tsv must be the card's name of the same label.
        Map<Integer, String> wnids = new TreeMap<>();
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(
                                TinyImageNet.class.getResourceAsStream("tiny-imagenet/classes.tsv"),
                                StandardCharsets.UTF_8))) {
            List<String> header = List.of(reader.readLine().split("\t"));
            reader.lines()
                    .map(line -> line.split("\t"))
                    .forEach(
                            f ->
                                    wnids.put(
                                            Integer.parseInt(f[header.indexOf("label")]),
                                            f[header.indexOf("wnid")]));
        }
        assertThat(wnids).isEqualTo(HfDatasets.load(dir.toString()).labelNames().asMap());
    }

    @Test
    void promptTemplatesAreClipsEighty() {
        List<String> templates = TinyImageNet.promptTemplates();
        assertThat(templates).hasSize(80).allMatch(t -> t.contains("{}"));
        assertThat(templates).contains("a photo of a {}.");
    }
}
