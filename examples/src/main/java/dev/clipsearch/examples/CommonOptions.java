package dev.clipsearch.examples;

import dev.clipsearch.store.VectorStores;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * What every command that reads or writes a table shares: the model ({@link ModelOptions}) and the
 * table ({@code --store}, {@code --table}). Datasets and indexing have their own mixins ({@link
 * DatasetOptions}, {@link IndexingOptions}), so that each command's help lists only its options.
 */
class CommonOptions extends ModelOptions {
    @Option(
            names = "--store",
            paramLabel = "URI",
            description =
                    "Vector store: lance:PATH, qdrant://HOST:PORT or memory:NAME (default: ${DEFAULT-VALUE}).")
    String store = VectorStores.DEFAULT_URI;

    @Option(names = "--table", description = "Table name (default: ${DEFAULT-VALUE}).")
    String table = VectorStores.DEFAULT_TABLE;

    @Option(
            names = "--allow-model-mismatch",
            description =
                    "Use a table made by another model anyway (default: refused, naming both models; "
                            + "the scores would be meaningless).")
    boolean allowModelMismatch;

    /**
     * Fails with a clear message when a {@code lance:} store names a file: Lance keeps a database
     * in a directory.
     */
    void checkStore() {
        checkStore(store);
    }

    static void checkStore(String uri) {
        if (!uri.regionMatches(true, 0, "lance:", 0, "lance:".length())) {
            return;
        }
        String location = uri.substring("lance:".length());
        int query = location.indexOf('?');
        if (query >= 0) {
            location = location.substring(0, query);
        }
        if (location.startsWith("//")) {
            return; // a URI form (lance://...): the backend parses it
        }
        Path path;
        try {
            path = Path.of(location);
        } catch (RuntimeException e) {
            return; // the backend reports a malformed path
        }
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new IllegalArgumentException(
                    "Store "
                            + uri
                            + ": "
                            + path
                            + " is a file, but a Lance store is a directory that holds tables"
                            + " (created when absent). Give --store lance:DIR with a directory"
                            + " path, or move the file away.");
        }
    }
}
