package dev.clipsearch.examples;

/**
 * Image search as a program: {@code FindImages "a red sports car" [-k 9] [--image FILE] [--label N]
 * [--json] ...}, the same as {@code clip-search search} (see {@code --help}). The library API is
 * {@link dev.clipsearch.search.ImageSearch}.
 */
public final class FindImages {
    private FindImages() {}

    /** Searches as {@code args} say and exits with the status of {@code clip-search search}. */
    public static void main(String[] args) {
        ClipSearchCli.runCommand("search", args);
    }
}
