package dev.clipsearch.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clipsearch.hub.HfHub;
import dev.clipsearch.hub.HubRepo;
import dev.clipsearch.hub.LocalHubServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datasets loaded from a (local stand-in of the) Hugging Face Hub. */
class HubDatasetTest {

    private static final List<String> CLASSES = List.of("cat", "dog", "bird");

    @TempDir Path tempDir;
    LocalHubServer server;
    HfHub hub;

    @BeforeEach
    void startHub() {
        server = LocalHubServer.start();
        hub =
                HfHub.builder()
                        .endpoint(server.endpoint())
                        .cacheDir(tempDir.resolve("cache"))
                        .build();
    }

    @AfterEach
    void stopHub() {
        server.close();
    }

    @Test
    void loadsASplitOfSeveralFilesFromTheCardsDataFiles() {
        Map<String, Integer> splits = new LinkedHashMap<>();
        splits.put("train", 90);
        splits.put("test", 30);
        Path local = TestDatasets.writeHubDataset(tempDir.resolve("repo"), CLASSES, splits, 3);
        HubRepo repo = HubRepo.dataset("acme/shapes");
        server.addDirectory(repo, local);

        HfDataset dataset = HfDatasets.load("acme/shapes", hub);
        assertThat(dataset.name()).isEqualTo("acme/shapes");
        assertThat(dataset.splits()).containsExactly("train", "test");
        assertThat(dataset.labelNames().asMap())
                .containsExactly(Map.entry(0, "cat"), Map.entry(1, "dog"), Map.entry(2, "bird"));
        // Only the card was downloaded so far, no parquet file.
        assertThat(server.requests()).noneMatch(r -> r.contains(".parquet"));

        DatasetSplit test = dataset.split("test");
        assertThat(test.files())
                .hasSize(3)
                .allMatch(Files::isRegularFile)
                .allMatch(f -> f.startsWith(tempDir.resolve("cache")));
        assertThat(test.size()).isEqualTo(30);
        assertThat(server.requests()).noneMatch(r -> r.contains("train-0"));
        // Listing and downloads are pinned to the commit "main" pointed to when the dataset was
        // loaded.
        assertThat(server.requests())
                .filteredOn(r -> r.contains("/resolve/") || r.contains("/tree/"))
                .isNotEmpty()
                .allMatch(
                        r -> r.contains(server.commit(repo)), "uses commit " + server.commit(repo));

        List<DatasetRow> rows = readAll(dataset.split("train"), 0);
        assertThat(rows).hasSize(90);
        for (int i = 0; i < rows.size(); i++) {
            DatasetRow row = rows.get(i);
            assertThat(row.index()).isEqualTo(i);
            assertThat(row.label()).isEqualTo(i % 3);
            assertThat(row.image()).isEqualTo(TestDatasets.png(i % 3, i, 16));
        }
        // Resuming in the second file skips the first one and starts at the right row.
        List<DatasetRow> resumed = readAll(dataset.split("train"), 47);
        assertThat(resumed).hasSize(43);
        for (int i = 0; i < resumed.size(); i++) {
            TinyImagenetTest.assertSameRow(resumed.get(i), rows.get(47 + i));
        }
    }

    @Test
    void findsSplitsByStandardFileNamesWithoutYaml() {
        HubRepo repo = HubRepo.dataset("acme/plain");
        Path dir = tempDir.resolve("plain");
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            images.add(TestDatasets.png(i % 2, i, 8));
            labels.add(i % 2);
        }
        TestDatasets.writeImageParquet(dir.resolve("train/part-0.parquet"), images, labels);
        TestDatasets.writeImageParquet(
                dir.resolve("train/part-1.parquet"), images.subList(0, 4), labels.subList(0, 4));
        TestDatasets.writeImageParquet(
                dir.resolve("val/part-0.parquet"), images.subList(0, 3), labels.subList(0, 3));
        server.addDirectory(repo, dir);
        server.addFile(repo, "README.md", "# no YAML here\n".getBytes());

        HfDataset dataset = HfDatasets.load("acme/plain", hub);
        assertThat(dataset.splits()).containsExactly("train", "val");
        assertThat(dataset.split("train").size()).isEqualTo(14);
        assertThat(dataset.split("val").size()).isEqualTo(3);
        assertThat(dataset.labelNames().size()).isZero();
    }

    @Test
    void fallsBackToTheParquetConversion() {
        HubRepo repo = HubRepo.dataset("acme/jpegs");
        server.addFile(repo, "README.md", "---\nlicense: mit\n---\n# images as files\n".getBytes());
        server.addFile(repo, "train/cat/1.jpg", TestDatasets.png(0, 1, 8));
        HubRepo converted = repo.at("refs/convert/parquet");
        List<byte[]> images = List.of(TestDatasets.png(0, 1, 8), TestDatasets.png(1, 2, 8));
        TestDatasets.writeImageParquet(
                tempDir.resolve("conv/default/train/0000.parquet"),
                images,
                List.of(0, 1),
                List.of("cat", "dog"));
        TestDatasets.writeImageParquet(
                tempDir.resolve("conv/default/validation/0000.parquet"),
                images.subList(0, 1),
                List.of(1),
                List.of("cat", "dog"));
        server.addDirectory(converted, tempDir.resolve("conv"));

        HfDataset dataset = HfDatasets.load("acme/jpegs", hub);
        assertThat(dataset.splits()).containsExactly("train", "validation");
        List<DatasetRow> rows = readAll(dataset.split("train"), 0);
        assertThat(rows).extracting(DatasetRow::label).containsExactly(0, 1);
        assertThat(rows.get(1).image()).isEqualTo(images.get(1));
        // No names in the card: they come from the parquet files' huggingface metadata.
        assertThat(dataset.labelNames().asMap())
                .containsExactly(Map.entry(0, "cat"), Map.entry(1, "dog"));
    }

    @Test
    void aLocalPathIsReadWithoutTheHub() {
        Path local =
                TestDatasets.writeHubDataset(
                        tempDir.resolve("local"), CLASSES, Map.of("train", 12), 2);
        HfDataset dataset = HfDatasets.load(local.toString(), hub);
        assertThat(dataset.split("train").size()).isEqualTo(12);
        assertThatThrownBy(() -> HfDatasets.load(tempDir.resolve("missing").toString(), hub))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("neither an existing file or directory");
        assertThat(server.requests()).as("a local path never goes to the Hub").isEmpty();
    }

    @Test
    void reportsAMissingRepositoryAndADatasetWithoutParquet() {
        assertThatThrownBy(() -> HfDatasets.load("acme/missing", hub))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("acme/missing");
        HubRepo repo = HubRepo.dataset("acme/empty");
        server.addFile(repo, "README.md", "# nothing\n".getBytes());
        assertThatThrownBy(() -> HfDatasets.load("acme/empty", hub))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("acme/empty")
                .hasMessageContaining("no parquet files")
                .hasMessageContaining("refs/convert/parquet");
    }

    @Test
    void loadsARevision() {
        HubRepo repo = HubRepo.dataset("acme/rev").at("v1");
        Path local = TestDatasets.writeHubDataset(tempDir.resolve("rev"), CLASSES, 6, 1);
        server.addDirectory(repo, local);
        assertThat(HfDatasets.load("acme/rev@v1", hub).split("train").size()).isEqualTo(6);
    }

    @Test
    void readsFromTheCacheOfflineAfterAFirstLoad() {
        HubRepo repo = HubRepo.dataset("acme/cached");
        server.addDirectory(
                repo, TestDatasets.writeHubDataset(tempDir.resolve("cached"), CLASSES, 12, 2));
        List<DatasetRow> online = readAll(HfDatasets.load("acme/cached", hub).split("train"), 0);
        server.close();

        HfHub offline =
                HfHub.builder()
                        .endpoint(server.endpoint())
                        .cacheDir(tempDir.resolve("cache"))
                        .offline(true)
                        .build();
        HfDataset dataset = HfDatasets.load("acme/cached", offline);
        assertThat(dataset.labelNames().size()).isEqualTo(3);
        List<DatasetRow> cached = readAll(dataset.split("train"), 0);
        assertThat(cached).hasSize(12);
        for (int i = 0; i < cached.size(); i++) {
            TinyImagenetTest.assertSameRow(cached.get(i), online.get(i));
        }
    }

    static List<DatasetRow> readAll(DatasetSplit split, long startRow) {
        List<DatasetRow> rows = new ArrayList<>();
        try (RowCursor cursor =
                split.open(
                        startRow,
                        bad -> {
                            throw new AssertionError("unexpected bad row " + bad);
                        })) {
            cursor.forEachRemaining(rows::add);
        }
        return rows;
    }
}
