package dev.clipsearch.search;

import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.TestModels;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.dataset.TestDatasets;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Small models, datasets and stores shared by the tests (also the examples' tests, via the
 * test-jar).
 */
public final class Fixtures {
    /** The class names of the generated datasets (row i has label i % 4). */
    public static final List<String> CLASSES =
            List.of("red square", "green circle", "blue sky", "yellow field");

    private static final AtomicInteger STORES = new AtomicInteger();

    private Fixtures() {}

    /** The small random CLIP (512-d, 224 px) in Hugging Face layout under {@code dir}. */
    public static Path tinyModel(Path dir) {
        return TestModels.tinyClip(dir);
    }

    public static ClipModel loadTinyModel(Path dir) {
        return ClipModels.load(tinyModel(dir));
    }

    /**
     * A Hub-layout dataset with one split {@code valid} of {@code rows} generated 16x16 PNGs in 2
     * files.
     */
    public static Path dataset(Path dir, int rows) {
        Map<String, Integer> splits = new LinkedHashMap<>();
        splits.put("valid", rows);
        return TestDatasets.writeHubDataset(dir.resolve("generated-dataset"), CLASSES, splits, 2);
    }

    public static HfDataset loadDataset(Path dir, int rows) {
        return HfDatasets.load(dataset(dir, rows).toString());
    }

    /** A fresh in-memory store URI (unique per call). */
    public static String memoryStore() {
        return "memory:test-" + STORES.incrementAndGet() + "-" + System.nanoTime();
    }

    /** Indexes {@code rows} generated images with {@code model} into a fresh in-memory table. */
    public static VectorStore indexedMemoryStore(ClipModel model, HfDataset dataset) {
        VectorStore store =
                VectorStores.open(memoryStore(), VectorStores.DEFAULT_TABLE, model.dimension());
        ImageIndexer.index(
                model, dataset, store, ImageIndexer.Options.defaults().batchSize(8), null);
        return store;
    }
}
