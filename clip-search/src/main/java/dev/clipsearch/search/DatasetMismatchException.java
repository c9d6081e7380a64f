package dev.clipsearch.search;

import java.util.List;

/**
 * Indexing a dataset into a table that holds another one was refused (the rows of both would be
 * mixed, and ids of one could replace rows of the other). The message names both; {@link
 * ImageIndexer.Options#addToExisting(boolean)} adds to the table anyway.
 */
public final class DatasetMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String dataset;
    private final List<String> tableDatasets;

    DatasetMismatchException(String message, String dataset, List<String> tableDatasets) {
        super(message);
        this.dataset = dataset;
        this.tableDatasets = List.copyOf(tableDatasets);
    }

    /** The dataset that was to be indexed. */
    public String dataset() {
        return dataset;
    }

    /** The datasets the table holds. */
    public List<String> tableDatasets() {
        return tableDatasets;
    }
}
