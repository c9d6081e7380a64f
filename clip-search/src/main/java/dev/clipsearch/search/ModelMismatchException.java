package dev.clipsearch.search;

/**
 * A table was made by another model than the one given to search, evaluate or index it: the vectors
 * would not be comparable and every score meaningless. The message names both models; the callers'
 * options ({@code allowModelMismatch}) override the check.
 */
public final class ModelMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient ModelProvenance tableModel;
    private final transient ModelProvenance givenModel;

    ModelMismatchException(String message, ModelProvenance tableModel, ModelProvenance givenModel) {
        super(message);
        this.tableModel = tableModel;
        this.givenModel = givenModel;
    }

    /** The model that made the table. */
    public ModelProvenance tableModel() {
        return tableModel;
    }

    /** The model given. */
    public ModelProvenance givenModel() {
        return givenModel;
    }
}
