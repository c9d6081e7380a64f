package dev.clipsearch.search;

import dev.clipsearch.core.ClipModel;
import dev.clipsearch.core.ClipModelOptions;
import dev.clipsearch.core.ClipModels;
import dev.clipsearch.core.ImageEncoder;
import dev.clipsearch.dataset.ClassNames;
import dev.clipsearch.dataset.DatasetSplit;
import dev.clipsearch.dataset.HfDataset;
import dev.clipsearch.dataset.HfDatasets;
import dev.clipsearch.dataset.LabelNames;
import dev.clipsearch.dataset.RowCursor;
import dev.clipsearch.hub.HfHub;
import dev.clipsearch.store.ImageRecord;
import dev.clipsearch.store.VectorChecks;
import dev.clipsearch.store.VectorStore;
import dev.clipsearch.store.VectorStores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Indexes a dataset split: every image is encoded with CLIP and stored, with its label, its bytes
 * and metadata ({@code labelName}, {@code source}, {@code width}, {@code height}, {@code path}),
 * under a stable id {@code <split>-<row, 6 digits>} ({@code valid-000123}).
 *
 * <p>The run streams (memory stays bounded whatever the dataset's size), overlaps decoding on a
 * worker pool with batched encoding, and resumes: rows whose id is already stored are skipped, so a
 * rerun after an interruption ends with every row stored exactly once. Unreadable rows are skipped
 * and listed in the {@link IndexSummary}.
 *
 * <pre>{@code
 * IndexSummary s = ImageIndexer.generate(ImageIndexer.Options.defaults().limit(1000));
 * }</pre>
 */
public final class ImageIndexer {
    /** The CLIP checkpoint used when none is given. */
    public static final String DEFAULT_MODEL = "openai/clip-vit-base-patch32";

    /** The dataset used when none is given. */
    public static final String DEFAULT_DATASET = "zh-plus/tiny-imagenet";

    /** The split used when none is given. */
    public static final String DEFAULT_SPLIT = "valid";

    /** Images per forward pass when none is given. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    /** Records per upsert when none is given. */
    public static final int DEFAULT_WRITE_BATCH_SIZE = 256;

    /** The largest batch size accepted. */
    public static final int MAX_BATCH_SIZE = 4096;

    private ImageIndexer() {}

    /**
     * What to index, where, and how. Mutable builder-style settings; every setter returns {@code
     * this}.
     */
    public static final class Options {
        private String model = DEFAULT_MODEL;
        private String dataset = DEFAULT_DATASET;
        private String split = DEFAULT_SPLIT;
        private String store = VectorStores.DEFAULT_URI;
        private String table = VectorStores.DEFAULT_TABLE;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int writeBatchSize = DEFAULT_WRITE_BATCH_SIZE;
        private long limit;
        private int workers = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        private Path classNames;
        private HfHub hub;
        private ClipModelOptions modelOptions = ClipModelOptions.defaults();
        private ProgressListener progress = ProgressListener.NONE;
        private boolean addToExisting;
        private boolean allowModelMismatch;
        private boolean removeMissing;

        private Options() {}

        /**
         * The defaults: ViT-B/32 on the tiny-imagenet validation split into {@code
         * lance:./data/lancedb}.
         */
        public static Options defaults() {
            return new Options();
        }

        /** A model repo id or a local model directory. */
        public Options model(String model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** A dataset repo id, a local Hub-layout directory, or a parquet file. */
        public Options dataset(String dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            return this;
        }

        /** The split name. */
        public Options split(String split) {
            this.split = Objects.requireNonNull(split, "split");
            return this;
        }

        /** The store URI ({@code lance:PATH}, {@code memory:NAME}, {@code qdrant://HOST:PORT}). */
        public Options store(String store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The table name. */
        public Options table(String table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /** Images per forward pass (1..{@value #MAX_BATCH_SIZE}). */
        public Options batchSize(int batchSize) {
            this.batchSize = checkBatch("batch size", batchSize);
            return this;
        }

        /**
         * Records per upsert (1..{@value #MAX_BATCH_SIZE}); raised to the batch size if smaller.
         */
        public Options writeBatchSize(int writeBatchSize) {
            this.writeBatchSize = checkBatch("write batch size", writeBatchSize);
            return this;
        }

        /** Index only the first {@code limit} rows ({@code <= 0}: all). */
        public Options limit(long limit) {
            this.limit = limit;
            return this;
        }

        /** Decoding threads (at least 1). */
        public Options workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * A TSV file with {@code label} and {@code name} columns naming the classes; null: the
         * dataset's names.
         */
        public Options classNames(Path classNames) {
            this.classNames = classNames;
            return this;
        }

        /** The Hub client for downloads; null: {@link HfHub#fromEnvironment()}. */
        public Options hub(HfHub hub) {
            this.hub = hub;
            return this;
        }

        /**
         * How to load the model (device, threads, precision); null: {@link
         * ClipModelOptions#defaults()} (CPU, {@link dev.clipsearch.core.Precision#AUTO}).
         */
        public Options modelOptions(ClipModelOptions modelOptions) {
            this.modelOptions = modelOptions == null ? ClipModelOptions.defaults() : modelOptions;
            return this;
        }

        /** How the model is loaded. */
        public ClipModelOptions modelOptions() {
            return modelOptions;
        }

        /** Follows the run (for example a progress bar); null: nobody. */
        public Options progress(ProgressListener progress) {
            this.progress = progress == null ? ProgressListener.NONE : progress;
            return this;
        }

        /**
         * Whether to index a dataset into a table that holds another one (default false: refused
         * with {@link DatasetMismatchException}).
         */
        public Options addToExisting(boolean addToExisting) {
            this.addToExisting = addToExisting;
            return this;
        }

        /**
         * Whether to index with another model than the one that made the table (default false:
         * refused with {@link ModelMismatchException}; the vectors of the two are not comparable).
         */
        public Options allowModelMismatch(boolean allowModelMismatch) {
            this.allowModelMismatch = allowModelMismatch;
            return this;
        }

        /**
         * Whether to delete stored rows of the split that the dataset no longer has (rows past its
         * end, rows now unreadable) after a complete run (default false: they are reported in the
         * {@link IndexSummary} and the log).
         */
        public Options removeMissing(boolean removeMissing) {
            this.removeMissing = removeMissing;
            return this;
        }

        /** Whether adding another dataset to a table is allowed. */
        public boolean addToExisting() {
            return addToExisting;
        }

        /** Whether indexing with another model than the table's is allowed. */
        public boolean allowModelMismatch() {
            return allowModelMismatch;
        }

        /** Whether stored rows the dataset no longer has are deleted. */
        public boolean removeMissing() {
            return removeMissing;
        }

        /** The model repo id or directory. */
        public String model() {
            return model;
        }

        /** The dataset repo id or path. */
        public String dataset() {
            return dataset;
        }

        /** The split name. */
        public String split() {
            return split;
        }

        /** The store URI. */
        public String store() {
            return store;
        }

        /** The table name. */
        public String table() {
            return table;
        }

        /** Images per forward pass. */
        public int batchSize() {
            return batchSize;
        }

        /** Records per upsert. */
        public int writeBatchSize() {
            return writeBatchSize;
        }

        /** The row limit ({@code <= 0}: all rows). */
        public long limit() {
            return limit;
        }

        /** Decoding threads. */
        public int workers() {
            return workers;
        }

        /** The class-name TSV, or null. */
        public Path classNames() {
            return classNames;
        }

        /** The hub given, or one configured from the environment. */
        public HfHub hub() {
            if (hub == null) {
                hub = HfHub.fromEnvironment();
            }
            return hub;
        }

        /** The progress listener. */
        public ProgressListener progress() {
            return progress;
        }

        private static int checkBatch(String what, int n) {
            if (n < 1 || n > MAX_BATCH_SIZE) {
                throw new IllegalArgumentException(
                        what + " must be between 1 and " + MAX_BATCH_SIZE + ", got " + n);
            }
            return n;
        }
    }

    /**
     * Indexes as the options say: loads the model and dataset, opens (creating) the table, runs.
     */
    public static IndexSummary generate(Options options) {
        return generate(options, null);
    }

    /**
     * Indexes as the options say and offers every record stored by this run to {@code records}
     * (after it was written, from the pipeline's writer thread, one call at a time). Records
     * skipped as already stored are not offered.
     *
     * <p>Run one indexing job per table at a time: two concurrent runs on one table would each miss
     * the rows the other is adding.
     */
    public static IndexSummary generate(Options options, Consumer<ImageRecord> records) {
        try (ClipModel model =
                ClipModels.fromPretrained(options.model(), options.hub(), options.modelOptions())) {
            HfDataset dataset = HfDatasets.load(options.dataset(), options.hub());
            checkReadable(dataset, options.split());
            try (VectorStore store =
                    VectorStores.open(options.store(), options.table(), model.dimension())) {
                return index(model, dataset, store, options, records);
            }
        }
    }

    /**
     * Fails before a table is opened (and created) when the split is missing or its files are
     * unreadable (row counts from the file footers, first row read): a failed run leaves no new
     * empty table.
     */
    static void checkReadable(HfDataset dataset, String splitName) {
        DatasetSplit split = dataset.split(splitName);
        if (split.size() > 0) {
            try (RowCursor rows = split.open(0, row -> {})) {
                rows.hasNext();
            }
        }
    }

    /**
     * Indexes a small job and returns its records (with vectors and image bytes) in row order. Use
     * {@link #generate(Options, Consumer)} for large datasets: this list holds every record in
     * memory.
     */
    public static List<ImageRecord> generateRecords(Options options) {
        List<ImageRecord> out = new ArrayList<>();
        generate(options, out::add);
        out.sort(Comparator.comparing(ImageRecord::id));
        return out;
    }

    /**
     * Indexes {@code options.split()} of an open dataset with an open model into an open store
     * (none is closed). Only the split, batch sizes, limit, workers, class names and progress of
     * the options are used.
     */
    public static IndexSummary index(
            ClipModel model,
            HfDataset dataset,
            VectorStore store,
            Options options,
            Consumer<ImageRecord> records) {
        DatasetSplit split = dataset.split(options.split());
        LabelNames names = ClassNames.labelNames(dataset, options.classNames());
        IngestPipeline.checkDimension(
                model.imageEncoder(),
                store,
                "index into another table, or use the model that indexed this one");
        checkDataset(store, dataset.name(), options.addToExisting());
        ModelProvenance provenance = provenanceOf(options, model);
        provenance.checkTable(store, options.allowModelMismatch(), "index into");
        if (!options.allowModelMismatch()) {
            checkSameModel(model.imageEncoder(), store, options.split());
        }
        provenance.recordIn(store);
        recordDataset(store, dataset.name());
        IngestPipeline pipeline =
                new IngestPipeline(
                        model.imageEncoder(),
                        store,
                        options.batchSize(),
                        options.writeBatchSize(),
                        options.workers(),
                        options.progress());
        String source = sourceOf(dataset, options.split());
        return pipeline.run(
                split,
                options.split(),
                source,
                label -> names.name(label).orElse(null),
                options.limit(),
                options.removeMissing(),
                records);
    }

    /** The provenance of the model the options name (a directory needs no Hub client). */
    static ModelProvenance provenanceOf(Options options, ClipModel model) {
        return ModelProvenance.of(options.model(), options.hub, model);
    }

    /**
     * The datasets a table holds: as its metadata records them, or, for a table written before
     * that, the dataset of one stored row; empty for an empty table.
     */
    static List<String> datasetsOf(VectorStore store) {
        String recorded = store.tableMetadata().get(Metadata.TABLE_DATASETS);
        if (recorded != null) {
            return List.of(recorded.split("\n"));
        }
        if (store.count() == 0) {
            return List.of();
        }
        float[] any = new float[store.dimension()];
        java.util.Arrays.fill(any, 1f);
        return store.search(any, 1).stream()
                .map(h -> h.metadata().get(Metadata.SOURCE))
                .filter(Objects::nonNull)
                .filter(source -> source.lastIndexOf('/') > 0)
                .map(source -> source.substring(0, source.lastIndexOf('/')))
                .toList();
    }

    /**
     * Refuses to index {@code dataset} into a table that holds another dataset, unless adding is
     * asked.
     */
    static void checkDataset(VectorStore store, String dataset, boolean addToExisting) {
        List<String> held = datasetsOf(store);
        if (held.isEmpty() || held.contains(dataset) || addToExisting) {
            return;
        }
        throw new DatasetMismatchException(
                "Table '"
                        + store.tableName()
                        + "' holds dataset "
                        + String.join(", ", held)
                        + ", not "
                        + dataset
                        + ": index "
                        + dataset
                        + " into another table, or add it to this one"
                        + " (ImageIndexer.Options.addToExisting(true))",
                dataset,
                held);
    }

    private static void recordDataset(VectorStore store, String dataset) {
        List<String> held = new ArrayList<>(datasetsOf(store));
        if (!held.contains(dataset) || store.tableMetadata().get(Metadata.TABLE_DATASETS) == null) {
            if (!held.contains(dataset)) {
                held.add(dataset);
            }
            store.putTableMetadata(Map.of(Metadata.TABLE_DATASETS, String.join("\n", held)));
        }
    }

    /**
     * Refuses to add to a table that another model filled (same dimension, different vectors would
     * make every search meaningless): the stored vector of the split's first row must match what
     * this model makes of its stored image.
     */
    static void checkSameModel(ImageEncoder encoder, VectorStore store, String split) {
        String id = rowId(split, 0);
        Optional<ImageRecord> first = store.get(id);
        if (first.isEmpty()
                || first.get().imageBytes() == null
                || encoder.dimension() != store.dimension()) {
            return;
        }
        double cosine =
                VectorChecks.cosine(
                        encoder.encode(first.get().imageBytes(), id), first.get().vector());
        if (cosine < SAME_MODEL_COSINE) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "Table '%s' was indexed with another model (row %s: cosine %.3f"
                                    + " between its stored vector and this model's): index into"
                                    + " another table, or use the model that indexed this one",
                            store.tableName(),
                            id,
                            cosine));
        }
    }

    /**
     * The least cosine between a stored vector and a fresh encoding of its image for the same
     * model.
     */
    static final double SAME_MODEL_COSINE = 0.99;

    /** The {@code source} metadata of a split's records: {@code <dataset name>/<split>}. */
    public static String sourceOf(HfDataset dataset, String split) {
        return dataset.name() + "/" + split;
    }

    /**
     * The id {@link ImageIndexer} gives row {@code index} of {@code split} ({@code valid-000123}).
     */
    public static String rowId(String split, long index) {
        return IngestPipeline.rowId(split, index);
    }
}
