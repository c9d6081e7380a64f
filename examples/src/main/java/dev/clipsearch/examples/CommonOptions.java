package dev.clipsearch.examples;

import dev.clipsearch.core.ClipModelOptions;
import dev.clipsearch.core.Precision;
import dev.clipsearch.hub.ConsoleProgressBar;
import dev.clipsearch.hub.HfHub;
import dev.clipsearch.search.ImageIndexer;
import dev.clipsearch.search.IndexSummary;
import dev.clipsearch.store.VectorStores;
import java.io.PrintWriter;
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

    @Option(
            names = "--precision",
            paramLabel = "FP32|BF16|AUTO",
            description =
                    "Encoder precision: FP32 (exact, transformers' numbers), BF16 (bf16 matrix "
                            + "products, about 3x faster on CPUs with native bf16) or AUTO (BF16 where "
                            + "the CPU has native bf16, else FP32) (default: ${DEFAULT-VALUE}).")
    Precision precision = Precision.AUTO;

    @Option(
            names = "--add",
            description =
                    "Index into a table that holds another dataset (default: refused, naming both).")
    boolean addToExisting;

    @Option(
            names = "--remove-missing",
            description =
                    "After a complete run, delete stored rows the dataset no longer has (default: report them).")
    boolean removeMissing;

    @Option(
            names = "--allow-model-mismatch",
            description =
                    "Use a table made by another model anyway (default: refused, naming both models; "
                            + "the scores would be meaningless).")
    boolean allowModelMismatch;

    private HfHub hub;

    /** How to load the model: {@code --precision} on the CPU. */
    ClipModelOptions modelOptions() {
        return ClipModelOptions.defaults().withPrecision(precision);
    }

    /**
     * Says which precision the encoders will use, as the command's first line of output: on stderr,
     * so that JSON on stdout stays parseable.
     */
    void announcePrecision(PrintWriter err) {
        err.println(precisionLine(precision));
        err.flush();
    }

    static String precisionLine(Precision requested) {
        Precision used = requested.onThisCpu();
        String why =
                requested != Precision.AUTO
                        ? "as requested"
                        : used == Precision.BF16
                                ? "AUTO: this CPU has native bf16"
                                : "AUTO: this CPU has no native bf16";
        return "Precision: " + used + " (" + why + ")";
    }

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
     * Indexes as these options say, with a progress bar on stderr. A second concurrent run on the
     * same Lance table fails at its first write (the store's one-writer lock).
     */
    IndexSummary index() {
        return ImageIndexer.generate(indexerOptions().progress(ConsoleProgress.onStderr()));
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
                        .modelOptions(modelOptions())
                        .addToExisting(addToExisting)
                        .removeMissing(removeMissing)
                        .allowModelMismatch(allowModelMismatch)
                        .hub(hub());
        if (workers != null) {
            o.workers(workers);
        }
        return o;
    }
}
