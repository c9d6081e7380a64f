package dev.clipsearch.examples;

import dev.clipsearch.hub.ConsoleProgressBar;
import dev.clipsearch.hub.HfHub;
import dev.clipsearch.search.ImageIndexer;
import dev.clipsearch.search.IndexSummary;
import dev.clipsearch.store.VectorStores;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options most subcommands share: what model, which data, which store. */
final class CommonOptions {
    @Option(
            names = "--model",
            paramLabel = "REPO|DIR",
            description =
                    "CLIP model: a Hugging Face repo id or a local model directory (default: ${DEFAULT-VALUE}).")
    String model = ImageIndexer.DEFAULT_MODEL;

    @Option(
            names = "--dataset",
            paramLabel = "REPO|DIR|FILE",
            description =
                    "Dataset: a Hub repo id, a local Hub-layout directory or a parquet file (default: ${DEFAULT-VALUE}).")
    String dataset = ImageIndexer.DEFAULT_DATASET;

    @Option(names = "--split", description = "Dataset split (default: ${DEFAULT-VALUE}).")
    String split = ImageIndexer.DEFAULT_SPLIT;

    @Option(
            names = "--store",
            paramLabel = "URI",
            description =
                    "Vector store: lance:PATH, qdrant://HOST:PORT or memory:NAME (default: ${DEFAULT-VALUE}).")
    String store = VectorStores.DEFAULT_URI;

    @Option(names = "--table", description = "Table name (default: ${DEFAULT-VALUE}).")
    String table = VectorStores.DEFAULT_TABLE;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize = ImageIndexer.DEFAULT_BATCH_SIZE;

    @Option(
            names = "--write-batch-size",
            paramLabel = "N",
            description = "Records per store write (default: ${DEFAULT-VALUE}).")
    int writeBatchSize = ImageIndexer.DEFAULT_WRITE_BATCH_SIZE;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Use only the first N rows of the split (default: all).")
    long limit;

    @Option(
            names = "--workers",
            paramLabel = "N",
            description = "Image decoding threads (default: cores - 1).")
    Integer workers;

    @Option(
            names = "--class-names",
            paramLabel = "FILE",
            description =
                    "TSV with 'label' and 'name' columns naming the classes (default: the dataset's names).")
    Path classNames;

    private HfHub hub;

    /** The Hub client: configured from the environment, with a download progress bar on stderr. */
    HfHub hub() {
        if (hub == null) {
            hub = consoleHub();
        }
        return hub;
    }

    /** A Hub client configured from the environment, with a download progress bar on stderr. */
    static HfHub consoleHub() {
        return HfHub.builderFromEnvironment().listener(new ConsoleProgressBar(System.err)).build();
    }

    /**
     * Indexes as these options say, with a progress bar on stderr; one run at a time per local
     * Lance table.
     */
    @SuppressWarnings("try") // the lock is held for the whole block
    IndexSummary index() {
        try (IndexLock lock = IndexLock.acquire(store, table)) {
            return ImageIndexer.generate(indexerOptions().progress(ConsoleProgress.onStderr()));
        }
    }

    ImageIndexer.Options indexerOptions() {
        ImageIndexer.Options o =
                ImageIndexer.Options.defaults()
                        .model(model)
                        .dataset(dataset)
                        .split(split)
                        .store(store)
                        .table(table)
                        .batchSize(batchSize)
                        .writeBatchSize(writeBatchSize)
                        .limit(limit)
                        .classNames(classNames)
                        .hub(hub());
        if (workers != null) {
            o.workers(workers);
        }
        return o;
    }
}
