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
     * Rows were handled.
     *
     * @param done rows handled so far (indexed, already stored or skipped)
     * @param indexed rows encoded and stored so far by this run
     * @param skipped rows skipped as unreadable so far
     */
    default void progress(long done, long indexed, long skipped) {}

    /** The run ended (also after a failure). */
    default void finished(IndexSummary summary) {}
}
