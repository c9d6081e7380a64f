package dev.clipsearch.examples;

import dev.clipsearch.search.ImageIndexer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Which rows a command reads: {@code --dataset}, {@code --split}, {@code --limit}. */
final class DatasetOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--dataset",
            paramLabel = "REPO|DIR|FILE",
            description =
                    "Dataset: a Hub repo id, a local Hub-layout directory, a parquet file or a folder "
                            + "of class/*.jpg (default: ${DEFAULT-VALUE}).")
    String dataset = ImageIndexer.DEFAULT_DATASET;

    @Option(names = "--split", description = "Dataset split (default: ${DEFAULT-VALUE}).")
    String split = ImageIndexer.DEFAULT_SPLIT;

    /** The rows to use, 0 for all. */
    long limit;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Use only the first N rows of the split, N >= 1 (default: all).")
    void limit(long n) {
        if (n < 1) {
            throw new ParameterException(
                    command.commandLine(),
                    "--limit must be a positive number of rows, got "
                            + n
                            + " (leave it out to use every row)");
        }
        limit = n;
    }
}
