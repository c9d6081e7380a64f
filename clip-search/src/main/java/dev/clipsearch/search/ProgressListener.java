package dev.clipsearch.search;

/** Follows an indexing run. Called from the thread that runs it; implementations must be quick. */
public interface ProgressListener {

    /** A listener that does nothing. */
    ProgressListener NONE = new ProgressListener() {};

    /**
     * The run starts.
     *
     * @param source the dataset and split
     * @param total the rows the run considers
     */
    default void started(String source, long total) {}

    /**
     * Rows were handled: called after each forward pass (and as rows are found stored or
     * unreadable), only when {@code done} moved.
     *
     * @param done rows handled so far (encoded, already stored or skipped)
     * @param indexed rows encoded so far by this run (stored, or in the store write under way)
     * @param skipped rows skipped as unreadable so far
     */
    default void progress(long done, long indexed, long skipped) {}

    /** The run ended (also after a failure). */
    default void finished(IndexSummary summary) {}
}
