package dev.clipsearch.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModelOptions;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.ImageEncoder;
import dev.clipsearch.core.PreprocessedImage;
import dev.clipsearch.dataset.BadRowListener;
import dev.clipsearch.dataset.DatasetRow;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.RowCursor;
import dev.clipsearch.search.ImageIndexer;
import dev.clipsearch.search.IndexSummary;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How close the whole indexing pipeline (read, decode, preprocess, encode, write to the store)
 * comes to the encoder alone (forward passes over images already preprocessed): images per second
 * of each on the same rows and batch size. The pipeline writes into a real store: the one the
 * caller names, or by default a fresh embedded Lance table in a temporary folder (removed
 * afterwards), as the indexer does by default. The pipeline overlaps decoding with encoding, so it
 * should reach at least {@link #TARGET_RATIO} of the encoder's throughput.
 */
public final class IngestBenchmark {
    /** The share of the encoder's throughput the pipeline should reach. */
    public static final double TARGET_RATIO = 0.85;

    /** Forward passes run before timing. */
    static final int WARM_UP_BATCHES = 3;

    private IngestBenchmark() {}

    /**
     * What to measure.
     *
     * @param images rows of the split to use (the first ones)
     * @param batchSize images per forward pass
     * @param workers decoding threads of the pipeline
     * @param split the split name
     * @param storeUri the store the pipeline writes to (a new table {@code ingest_bench_*} is
     *     created and emptied again afterwards); null: a Lance table in a temporary folder
     */
    public record Options(int images, int batchSize, int workers, String split, String storeUri) {
        /** Options that write to a temporary Lance table. */
        public Options(int images, int batchSize, int workers, String split) {
            this(images, batchSize, workers, split, null);
        }

        /** Validates. */
        public Options {
            if (images < 1) {
                throw new IllegalArgumentException("images must be at least 1, got " + images);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException(
                        "batch size must be at least 1, got " + batchSize);
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
        }

        /** 512 images, batch 32, cores - 1 workers, split {@code valid}. */
        public static Options defaults() {
            return new Options(
                    512,
                    ImageIndexer.DEFAULT_BATCH_SIZE,
                    Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
                    ImageIndexer.DEFAULT_SPLIT);
        }
    }

    /**
     * What was measured.
     *
     * @param images images per run
     * @param batchSize images per forward pass
     * @param workers decoding threads of the pipeline
     * @param preprocessImagesPerSecond decoding and preprocessing alone, on one thread
     * @param encoderImagesPerSecond forward passes alone over preprocessed images
     * @param pipelineImagesPerSecond the whole pipeline into the store
     * @param store the store the pipeline wrote to ({@code lance:<temporary folder>} by default)
     * @param storedRows rows the store held after the pipeline ran (equals {@code images})
     * @param precision the encoders' precision (FP32 or BF16)
     */
    public record Result(
            int images,
            int batchSize,
            int workers,
            double preprocessImagesPerSecond,
            double encoderImagesPerSecond,
            double pipelineImagesPerSecond,
            String store,
            long storedRows,
            String precision) {

        /** Pipeline throughput over encoder throughput. */
        public double ratio() {
            return encoderImagesPerSecond == 0
                    ? 0
                    : pipelineImagesPerSecond / encoderImagesPerSecond;
        }

        /** Whether the pipeline reaches {@link #TARGET_RATIO} of the encoder's throughput. */
        public boolean withinTarget() {
            return ratio() >= TARGET_RATIO;
        }

        /** The result as one JSON object. */
        public String toJson() {
            ObjectNode node = new ObjectMapper().createObjectNode();
            node.put("images", images)
                    .put("batch_size", batchSize)
                    .put("workers", workers)
                    .put("preprocess_images_per_second_one_thread", preprocessImagesPerSecond)
                    .put("encoder_images_per_second", encoderImagesPerSecond)
                    .put("pipeline_images_per_second", pipelineImagesPerSecond)
                    .put("ratio", ratio())
                    .put("target_ratio", TARGET_RATIO)
                    .put("within_target", withinTarget())
                    .put("store", store)
                    .put("stored_rows", storedRows)
                    .put("precision", precision);
            return node.toString();
        }

        /** The result as a small text table. */
        public String toTable() {
            return String.format(
                    Locale.ROOT,
                    "%-34s %12s%n%-34s %12.1f%n%-34s %12.1f%n%-34s %12.1f%n"
                            + "%-34s %11.1f%% (target >= %.0f%%: %s)%n"
                            + "(%d images, batch %d, %d decoding threads, %s, into %s: %d rows)",
                    "stage",
                    "images/s",
                    "decode+preprocess alone (1 thread)",
                    preprocessImagesPerSecond,
                    "encoder alone (preprocessed input)",
                    encoderImagesPerSecond,
                    "whole pipeline (read..store)",
                    pipelineImagesPerSecond,
                    "pipeline / encoder",
                    100 * ratio(),
                    100 * TARGET_RATIO,
                    withinTarget() ? "met" : "missed",
                    images,
                    batchSize,
                    workers,
                    precision,
                    store,
                    storedRows);
        }
    }

    /**
     * Measures with random weights of the real ViT-B/32 size (written to a temporary folder, as
     * {@code bench encoders} does, and deleted afterwards), loaded with {@code modelOptions}.
     */
    public static Result runWithRandomVitB32(
            HfDataset dataset, Options options, ClipModelOptions modelOptions) {
        Path dir;
        try {
            dir = Files.createTempDirectory("clip-ingest-bench-model");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder for the bench", e);
        }
        try {
            EncoderBenchmark.Options defaults = EncoderBenchmark.Options.defaults();
            RandomClipCheckpoint.write(dir, defaults.config(), defaults.seed());
            try (ClipModel model = ClipModels.load(dir, modelOptions)) {
                return run(model, dataset, options);
            }
        } finally {
            TempDirs.deleteTree(dir);
        }
    }

    /** Measures with an open model and dataset. */
    public static Result run(ClipModel model, HfDataset dataset, Options options) {
        ImageEncoder encoder = model.imageEncoder();
        List<DatasetRow> rowList = new ArrayList<>(options.images());
        try (RowCursor rows = dataset.split(options.split()).open(0, BadRowListener.logging())) {
            while (rows.hasNext() && rowList.size() < options.images()) {
                rowList.add(rows.next());
            }
        }
        List<PreprocessedImage> prepared = new ArrayList<>(rowList.size());
        long preprocessStart = System.nanoTime();
        for (DatasetRow row : rowList) {
            prepared.add(
                    encoder.preprocess(
                            row.image(), row.path() != null ? row.path() : "row " + row.index()));
        }
        double preprocessSeconds = (System.nanoTime() - preprocessStart) / 1e9;
        rowList.clear();
        if (prepared.isEmpty()) {
            throw new IllegalArgumentException(
                    "Split '" + options.split() + "' of " + dataset.name() + " has no images");
        }
        int n = prepared.size();
        for (int i = 0; i < WARM_UP_BATCHES; i++) {
            encoder.encodePreprocessed(prepared.subList(0, Math.min(options.batchSize(), n)));
        }

        long start = System.nanoTime();
        for (int i = 0; i < n; i += options.batchSize()) {
            encoder.encodePreprocessed(prepared.subList(i, Math.min(n, i + options.batchSize())));
        }
        double encoderSeconds = (System.nanoTime() - start) / 1e9;
        prepared.clear();

        Path tempDir = null;
        String storeUri = options.storeUri();
        if (storeUri == null) {
            try {
                tempDir = Files.createTempDirectory("clip-search-ingest-bench");
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a temporary folder for the bench", e);
            }
            storeUri = "lance:" + tempDir;
        }
        String table = "ingest_bench_" + Long.toString(System.currentTimeMillis(), 36);
        try (VectorStore store = VectorStores.open(storeUri, table, model.dimension())) {
            ImageIndexer.Options o =
                    ImageIndexer.Options.defaults()
                            .split(options.split())
                            .batchSize(options.batchSize())
                            .workers(options.workers())
                            .limit(n);
            List<String> ids = new ArrayList<>(n);
            start = System.nanoTime();
            IndexSummary summary =
                    ImageIndexer.index(model, dataset, store, o, r -> ids.add(r.id()));
            double pipelineSeconds = (System.nanoTime() - start) / 1e9;
            long stored = store.count();
            if (tempDir == null) {
                store.delete(ids); // leave the caller's store as it was, but for an empty table
            }
            return new Result(
                    n,
                    options.batchSize(),
                    options.workers(),
                    n / preprocessSeconds,
                    n / encoderSeconds,
                    summary.indexed() / pipelineSeconds,
                    storeUri,
                    stored,
                    model.precision().name());
        } finally {
            if (tempDir != null) {
                TempDirs.deleteTree(tempDir);
            }
        }
    }
}
