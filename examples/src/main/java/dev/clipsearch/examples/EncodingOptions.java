package dev.clipsearch.examples;

import dev.clipsearch.search.ImageIndexer;
import picocli.CommandLine.Option;

/** How images are encoded: {@code --batch-size} and {@code --workers}. */
class EncodingOptions {
    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize = ImageIndexer.DEFAULT_BATCH_SIZE;

    @Option(
            names = "--workers",
            paramLabel = "N",
            description = "Image decoding threads (default: cores - 1).")
    Integer workers;
}
