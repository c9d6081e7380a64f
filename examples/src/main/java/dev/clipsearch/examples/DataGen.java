package dev.clipsearch.examples;

/**
 * The indexer as a program: {@code DataGen [--model M] [--dataset D] [--split S] [--store URI]
 * [--table T] ...}, the same as {@code clip-search index} (see {@code --help}). The library API is
 * {@link dev.clipsearch.search.ImageIndexer}.
 */
public final class DataGen {
    private DataGen() {}

    /** Indexes as {@code args} say and exits with the status of {@code clip-search index}. */
    public static void main(String[] args) {
        ClipSearchCli.runCommand("index", args);
    }
}
