package dev.clipsearch.examples;

import dev.clipsearch.search.ImageIndexer;
import dev.clipsearch.search.IndexSummary;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a split is indexed: the encoding options, {@code --write-batch-size} and {@code
 * --class-names}; with {@link #index} and {@link #indexerOptions} that combine them with the model,
 * table and dataset.
 */
final class IndexingOptions extends EncodingOptions {
    @Option(
            names = "--write-batch-size",
            paramLabel = "N",
            description = "Records per store write (default: ${DEFAULT-VALUE}).")
    int writeBatchSize = ImageIndexer.DEFAULT_WRITE_BATCH_SIZE;

    @Option(
            names = "--class-names",
            paramLabel = "FILE",
            description =
                    "TSV with 'label' and 'name' columns naming the classes (default: the dataset's names).")
    Path classNames;

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

    /**
     * Indexes as the options say, with a progress bar on stderr. A second concurrent run on the
     * same Lance table fails at its first write (the store's one-writer lock).
     */
    IndexSummary index(CommonOptions common, DatasetOptions data) {
        return ImageIndexer.generate(
                indexerOptions(common, data).progress(ConsoleProgress.onStderr()));
    }

    ImageIndexer.Options indexerOptions(CommonOptions common, DatasetOptions data) {
        common.checkStore();
        ImageIndexer.Options o =
                ImageIndexer.Options.defaults()
                        .model(common.model)
                        .dataset(data.dataset)
                        .split(data.split)
                        .store(common.store)
                        .table(common.table)
                        .batchSize(batchSize)
                        .writeBatchSize(writeBatchSize)
                        .limit(data.limit)
                        .classNames(classNames)
                        .modelOptions(common.modelOptions())
                        .addToExisting(addToExisting)
                        .removeMissing(removeMissing)
                        .allowModelMismatch(common.allowModelMismatch)
                        .hub(common.hub());
        if (workers != null) {
            o.workers(workers);
        }
        return o;
    }
}
